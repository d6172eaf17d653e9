# ruff: noqa: S608 - the benchmark composes its SQL from constants; values are parameters.
"""The custody ledger at the scale of CECOT's stated capacity: 40,000 people held every day of a
year (14.6 million person-days) on PostgreSQL — the time to build the ledger with the real
``build_ledger``, the time to judge every rule with the real ``check_standards``, and three of
those rules run by DuckDB over the Parquet export as the reference for what the hardware can do.

The year's operational records are generated synthetically and set-based (``INSERT … SELECT``),
shaped like the demo's CECOT: 8 modules × 32 cells of 100 m², 156 people a cell; 30 minutes a
day in a corridor for six modules and an hour in the open air for two; hourly readings of every
cell (light never off but in two modules; up to 35 °C); water every day; weekly family calls
in two modules; a legal visit every 60 days; restraints, a collective sanction, segregation.

    .venv/bin/python bench/standards.py [--people 40000] [--days 365]

Run it when the machine is quiet: it reports the load average before and after. Writes its
figures to docs/benchmarks.md (section "standards").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, fresh_database, machine, run_worker, write_section

TZ = "America/El_Salvador"
THREE = ("W-01", "NMR-23", "NMR-58")


def generate(cur: object, *, facility_id: int, people: int, first: dt.date, days: int) -> None:
    """The year's records, set-based. ``cur`` is a DB-API cursor on PostgreSQL."""
    last = first + dt.timedelta(days=days - 1)
    p = {"f": facility_id, "n": people, "first": first, "last": last, "tz": TZ}
    admitted = "((%(first)s::date - 10)::timestamp + interval '10 hours') AT TIME ZONE %(tz)s"
    run = cur.execute  # type: ignore[attr-defined]
    run(
        f"""
        INSERT INTO people_person (id, custody_number, given_names, family_names, name_key,
            date_of_birth, sex, gender_identity, nationality, created_at)
        SELECT g, 'B' || lpad(g::text, 9, '0'), 'José', 'Bench ' || g, 'jose bench ' || g,
               DATE '1990-01-01' + (g %% 9000), 'M', '', 'SV', {admitted}
        FROM generate_series(1, %(n)s) g
        """,
        p,
    )
    run(
        f"""
        INSERT INTO custody_episode (id, admitted_at, arrest_place, arresting_authority,
            visible_injuries, ill_treatment_reported, property_inventory, family,
            emergency_contact, admitted_to_id, person_id)
        SELECT g, {admitted}, '', '', '', '', '', '', '', %(f)s, g
        FROM generate_series(1, %(n)s) g
        """,
        p,
    )
    # 23 % convicted; 2 % held on an administrative detention whose review falls due mid-year.
    run(
        f"""
        INSERT INTO custody_lawfulauthority (episode_id, kind, issuing_authority, reference,
            issued_on, valid_from, valid_until, review_due_by, offence, revoked_reason,
            recorded_at)
        SELECT g,
               CASE WHEN g %% 100 < 23 THEN 'conviction'
                    WHEN g %% 100 < 25 THEN 'administrative_detention'
                    ELSE 'provisional_detention' END,
               'Juzgado', 'REF-' || g, %(first)s::date - 20, {admitted} - interval '5 days',
               CASE WHEN g %% 100 >= 25 THEN {admitted} + interval '800 days' END,
               CASE WHEN g %% 100 BETWEEN 23 AND 24
                    THEN {admitted} + interval '1 day' * (100 + g %% 150) END,
               'Agrupaciones ilícitas', '', {admitted}
        FROM generate_series(1, %(n)s) g
        """,
        p,
    )
    run(
        f"""
        INSERT INTO custody_stay (started_at, episode_id, facility_id, person_id)
        SELECT {admitted}, g, %(f)s, g FROM generate_series(1, %(n)s) g
        """,
        p,
    )
    run(
        f"""
        WITH cells AS (
            SELECT id, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k, COUNT(*) OVER () AS n
            FROM estate_cell WHERE facility_id = %(f)s
        )
        INSERT INTO housing_placement (started_at, reason, cell_id, episode_id, facility_id,
            person_id)
        SELECT {admitted}, '', c.id, g, %(f)s, g
        FROM generate_series(1, %(n)s) g JOIN cells c ON c.k = (g - 1) %% c.n
        """,
        p,
    )
    day = "(SELECT generate_series(%(first)s::date, %(last)s::date, interval '1 day')::date AS d)"
    local = "(d::timestamp + interval '{h}') AT TIME ZONE %(tz)s"
    run(
        f"""
        INSERT INTO regime_unlock (scope, purpose, location, started_at, ended_at, note,
            recorded_at, facility_id, unit_id)
        SELECT 'unit', 'exercise',
               CASE WHEN u.code IN ('7', '8') THEN 'open_air' ELSE 'covered' END,
               {local.format(h="6 hours")} + interval '30 minutes' * u.code::int,
               {local.format(h="6 hours")} + interval '30 minutes' * u.code::int
                   + CASE WHEN u.code IN ('7', '8') THEN interval '60 minutes'
                          ELSE interval '30 minutes' END,
               '', now(), %(f)s, u.id
        FROM {day} d, estate_unit u WHERE u.facility_id = %(f)s
        """,
        p,
    )
    run(
        """
        INSERT INTO regime_unlockcell (unlock_id, cell_id)
        SELECT x.id, c.id FROM regime_unlock x JOIN estate_cell c ON c.unit_id = x.unit_id
        WHERE x.facility_id = %(f)s
        """,
        p,
    )
    run(
        """
        INSERT INTO conditions_readingbatch (source, received_at, actor_label, lines, stored,
            duplicates, facility_id)
        VALUES ('bench', now(), 'bench', 0, 0, 0, %(f)s)
        """,
        p,
    )
    run(
        f"""
        INSERT INTO conditions_reading (measured_at, sensor, temperature_c, lights_on, cell_id,
            facility_id, unit_id, batch_id)
        SELECT {local.format(h="0 hours")} + interval '1 hour' * h, 's',
               round((29 + 6 * (1 - cos((h - 5) / 24.0 * 2 * pi())) / 2)::numeric, 1),
               NOT (u.code IN ('7', '8') AND (h >= 22 OR h < 6)),
               c.id, %(f)s, c.unit_id, (SELECT max(id) FROM conditions_readingbatch)
        FROM {day} d CROSS JOIN generate_series(0, 23) h
        JOIN estate_cell c ON c.facility_id = %(f)s JOIN estate_unit u ON u.id = c.unit_id
        """,
        p,
    )
    run(
        f"""
        INSERT INTO conditions_waterdelivery (delivered_at, litres, note, recorded_at, cell_id,
            facility_id)
        SELECT {local.format(h="10 hours")},
               CASE WHEN u.code IN ('7', '8') THEN 1248 ELSE 390 END, '', now(), c.id, %(f)s
        FROM {day} d JOIN estate_cell c ON c.facility_id = %(f)s
        JOIN estate_unit u ON u.id = c.unit_id
        """,
        p,
    )
    # Weekly family calls for the two modules with open air; a legal visit every 60 days.
    run(
        f"""
        INSERT INTO regime_call (kind, direction, counterpart, started_at, minutes, monitored,
            facility_id, person_id)
        SELECT 'family', 'out', '', {local.format(h="15 hours")}, 10, false, %(f)s, pl.person_id
        FROM {day} d JOIN housing_placement pl ON pl.facility_id = %(f)s
        JOIN estate_cell c ON c.id = pl.cell_id JOIN estate_unit u ON u.id = c.unit_id
        WHERE u.code IN ('7', '8') AND (d - %(first)s::date) %% 7 = pl.person_id %% 7
        """,
        p,
    )
    run(
        f"""
        INSERT INTO regime_visit (kind, visitor, relationship, requested_at, status,
            refusal_reason, mode, started_at, ended_at, sight_not_hearing, facility_id,
            person_id)
        SELECT 'legal', 'Defensor', '', {local.format(h="8 hours")}, 'held', '', 'open',
               {local.format(h="10 hours")}, {local.format(h="10 hours 30 minutes")}, true,
               %(f)s, g
        FROM {day} d JOIN generate_series(1, %(n)s) g ON (d - %(first)s::date) %% 60 = g %% 60
        """,
        p,
    )
    run(
        f"""
        INSERT INTO incidents_restraint (kind, purpose, started_at, ended_at, reason,
            authorised_by, recorded_at, facility_id, person_id)
        SELECT CASE WHEN k %% 5 = 0 THEN 'chains' ELSE 'handcuffs' END, 'prevent_harm',
               {local.format(h="11 hours")}, {local.format(h="11 hours")} + interval '3 hours',
               'Riña', 'Jefe de turno', now(), %(f)s, 1 + (k * 7919) %% %(n)s
        FROM {day} d CROSS JOIN generate_series(1, 2) k
        """,
        p,
    )
    run(
        """
        INSERT INTO incidents_sanction (kind, scope, started_at, ended_at, imposed_by, reason,
            recorded_at, facility_id, unit_id)
        SELECT 'loss_of_privileges', 'unit',
               (%(first)s::date + 40)::timestamp AT TIME ZONE %(tz)s,
               (%(first)s::date + 54)::timestamp AT TIME ZONE %(tz)s,
               'Dirección', 'Desorden', now(), %(f)s, u.id
        FROM estate_unit u WHERE u.facility_id = %(f)s AND u.code = '3'
        """,
        p,
    )
    run(
        """
        INSERT INTO incidents_segregation (kind, grounds, started_at, ended_at, authorised_by,
            authorised_at, end_reason, recorded_at, facility_id, person_id)
        SELECT 'disciplinary', 'Celda de castigo',
               (%(first)s::date + 7 * k)::timestamp AT TIME ZONE %(tz)s,
               (%(first)s::date + 7 * k + 20)::timestamp AT TIME ZONE %(tz)s,
               'Director', now(), '', now(), %(f)s, 1 + (k * 104729) %% %(n)s
        FROM generate_series(1, 50) k
        """,
        p,
    )
    for table in (
        "people_person",
        "custody_episode",
        "custody_stay",
        "custody_lawfulauthority",
    ):
        run(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    run("ANALYZE")


def worker(people: int, days: int) -> dict[str, object]:
    import django

    django.setup()
    import logging
    from importlib import resources

    import duckdb
    from django.core.management import call_command
    from django.db import connection, transaction

    from habeas.audit.services import Actor
    from habeas.core import clock
    from habeas.estate.models import Facility
    from habeas.estate.services import import_estate_file
    from habeas.ledger.export import export_ledger
    from habeas.ledger.services import build_ledger
    from habeas.standards import catalogue as cat
    from habeas.standards.engine import Judge
    from habeas.standards.services import catalogue, check_standards, sync_catalogue

    logging.basicConfig(stream=sys.stderr, format="    %(message)s")
    logging.getLogger("habeas.ledger").setLevel(
        logging.DEBUG if os.environ.get("HABEAS_LEDGER_TRACE") else logging.INFO
    )
    call_command("migrate", verbosity=0)
    actor, now = Actor(label="bench"), clock.now()
    estate = Path(str(resources.files("habeas.demo").joinpath("cecot.yaml")))
    with transaction.atomic():
        import_estate_file(path=estate, actor=actor, at=now)
    facility = Facility.objects.select_related("space_standard").get(code="cecot")
    last = clock.local_date(now, TZ) - dt.timedelta(days=1)
    first = last - dt.timedelta(days=days - 1)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        generate(cur, facility_id=facility.pk, people=people, first=first, days=days)
    inputs_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM conditions_reading")
        readings = cur.fetchone()[0]
    print(f"  inputs: {inputs_s:.0f} s ({readings:,} readings)", file=sys.stderr)

    def month(day: dt.date, rows: int) -> None:
        print(
            f"  built to {day}: {rows:,} rows ({time.perf_counter() - t0:.0f} s)", file=sys.stderr
        )

    t0 = time.perf_counter()
    with transaction.atomic():
        build = build_ledger(
            facility=facility, first=first, last=last, actor=actor, at=now, progress=month
        )
    build_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE ledger_custodyday")
        size = 0
        for name in [f"ledger_custodyday_p{m:%Y_%m}" for m in _months(first, last)]:
            cur.execute("SELECT pg_total_relation_size(%s)", [name])
            size += cur.fetchone()[0]
    print(f"  ledger built in {build_s:.0f} s", file=sys.stderr)

    # Every rule, as an evaluation run is stored (the judging, the ledger hash, the findings).
    t0 = time.perf_counter()
    with transaction.atomic():
        run = check_standards(
            facility=facility, first=first, last=last, actor=actor, at=now, build=False
        )
    check_s = time.perf_counter() - t0
    with transaction.atomic():
        sync_catalogue(at=now)
    rules, profiles = catalogue()
    version = profiles["mandela"]
    rendered = {
        r.id: cat.render(r, version.thresholds.get(r.id, {}), last_day=last) for r in rules.rules
    }
    t0 = time.perf_counter()
    with transaction.atomic():
        Judge(facility.pk, first, last).evaluate(list(rendered.values()))
    judge_s = time.perf_counter() - t0
    print(f"  every rule: {judge_s:.1f} s (stored run: {check_s:.1f} s)", file=sys.stderr)

    # The same three rules: PostgreSQL (the engine, one pass) and DuckDB over the export.
    three = [rendered[k] for k in THREE]
    t0 = time.perf_counter()
    with transaction.atomic():
        pg = Judge(facility.pk, first, last).evaluate(three)
    pg3_s = time.perf_counter() - t0
    path = ROOT / "var" / "bench" / "ledger-cecot-year.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with transaction.atomic():
        exported = export_ledger(
            facility=facility, first=first, last=last, path=path, actor=actor, at=now
        )
    export_s = time.perf_counter() - t0
    sums = ", ".join(
        f"SUM(CASE WHEN {r.breached} THEN 1 ELSE 0 END) AS b{i}, "
        f"COUNT(DISTINCT CASE WHEN {r.breached} THEN person_id END) AS p{i}"
        for i, r in enumerate(three)
    )
    con = duckdb.connect()
    t0 = time.perf_counter()
    got = con.execute(f"SELECT {sums} FROM read_parquet('{path}')").fetchall()[0]
    duck_s = time.perf_counter() - t0
    for i, res in enumerate(pg):
        assert (int(got[2 * i]), int(got[2 * i + 1])) == (res.person_days, len(res.people)), (
            res.rendered.rule.id,
            got,
        )
    # "Quick to query": one person's year (index) and one day of the facility (partition).
    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(
            "SELECT count(*), sum(open_air_minutes) FROM ledger_custodyday "
            "WHERE person_id = %s AND day BETWEEN %s AND %s",
            [people // 2, first, last],
        )
        cur.fetchall()
        person_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        cur.execute(
            "SELECT cell_id, avg(m2_per_person), count(*) FROM ledger_custodyday "
            "WHERE facility_id = %s AND day = %s GROUP BY cell_id",
            [facility.pk, last],
        )
        cur.fetchall()
        day_ms = (time.perf_counter() - t0) * 1000
    load_after = os.getloadavg()
    return {
        "people": people,
        "days": days,
        "person_days": build.rows,
        "readings": readings,
        "inputs_s": round(inputs_s, 1),
        "build_s": round(build_s, 1),
        "build_rate": round(build.rows / build_s),
        "ledger_gb": round(size / 1e9, 2),
        "check_s": round(check_s, 1),
        "judge_s": round(judge_s, 1),
        "rules": len(rules.rules),
        "rules_breached": run.rules_breached,
        "pg3_s": round(pg3_s, 2),
        "export_s": round(export_s, 1),
        "parquet_mb": round(path.stat().st_size / 1e6),
        "exported": exported.rows,
        "duck3_s": round(duck_s, 2),
        "ratio": round(pg3_s / duck_s, 1),
        "person_ms": round(person_ms, 1),
        "day_ms": round(day_ms, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "ledger_hash": build.ledger_hash,
    }


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=40_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.people, args.days)))
        return
    url = fresh_database("postgresql", "habeas_bench_standards")
    r = json.loads(
        run_worker(Path(__file__), url, ["--people", str(args.people), "--days", str(args.days)])
    )
    print(json.dumps(r, indent=2))
    if args.no_write:
        return
    today = dt.date.today()
    rows = [
        (
            f"build the ledger ({r['person_days']:,} rows, {r['ledger_gb']} GB with indexes)",
            f"**{r['build_s']} s**",
            f"{r['build_rate']:,} rows/s",
        ),
        (f"judge every rule ({r['rules']} rules, each once per row)", f"**{r['judge_s']} s**", ""),
        (
            "the whole evaluation run (judge, ledger hash, store findings and people)",
            f"{r['check_s']} s",
            f"{r['rules_breached']} rules breached",
        ),
        ("three rules on PostgreSQL (the same engine)", f"{r['pg3_s']} s", ""),
        ("export to Parquet (zstd)", f"{r['export_s']} s", f"{r['parquet_mb']} MB"),
        (
            "the same three rules in DuckDB over the Parquet file",
            f"{r['duck3_s']} s",
            f"PostgreSQL / DuckDB = **{r['ratio']}×**",
        ),
        ("one person's year (index on person, day)", f"{r['person_ms']} ms", ""),
        ("one day of the facility by cell (partition of the month)", f"{r['day_ms']} ms", ""),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    body = f"""## The custody ledger and the standards (`bench/standards.py`)

A year of a CECOT-sized facility on PostgreSQL: {r["people"]:,} people held every day of
{r["days"]} days — **{r["person_days"]:,} person-days** — from synthetic operational records
generated set-based ({r["readings"]:,} hourly cell readings, unlocks, water, calls, legal visits,
restraints, a collective sanction, segregation; {r["inputs_s"]} s). The ledger is built by the
real `build_ledger` (month by month into monthly partitions), every rule judged by the real
`check_standards` (each rule evaluated once per row into bit masks; the run, its
{r["rules"]} findings and the people in breach stored), and three rules
(`{"`, `".join(THREE)}`) run by DuckDB over the Parquet export as the reference for what the
hardware can do. Targets: build under 15 minutes, every rule under 60 s.

Command: `.venv/bin/python bench/standards.py` — measured {today:%Y-%m-%d} on
{machine()}. Load average (1, 5, 15 min) before: {r["load_before"]}, after: {r["load_after"]}
(2 cores shared with other work).

| step | time | |
|---|---|---|
{table}

DuckDB's counts of person-days and people in breach equal PostgreSQL's for the three rules
(checked by the script). Ledger hash of the year: `{r["ledger_hash"]}`.
"""
    write_section("standards", body)


if __name__ == "__main__":
    main()
