"""Bulk intake at the scale of the emergency regime: admit 84,000 people (the arrests of its first
years) into an estate of CECOT-like facilities with room for them, through the real use case
(``admit_many``: Rule 7 and Rule 11 checks, duplicate search, allocation engine, audit chain),
on SQLite and on PostgreSQL; compare with a raw bulk load of the same rows.

    .venv/bin/python bench/intake.py [--people 84000] [--facilities 3] [--db sqlite,postgresql]

Writes its figures to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cecot_estate, fresh_database, machine, run_worker, write_section


def worker(people: int, facilities: int) -> dict[str, object]:
    import zoneinfo

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from habeas.audit.models import AuditEvent
    from habeas.audit.selectors import verify
    from habeas.audit.services import Actor
    from habeas.core import clock
    from habeas.custody import intake_file
    from habeas.custody.admission import admit_many
    from habeas.demo import population
    from habeas.demo.management.commands.demo import GROUPS
    from habeas.estate.models import Facility
    from habeas.estate.services import import_estate
    from habeas.housing.models import Placement
    from habeas.people.models import Person
    from habeas.people.services import declare_rivalry, register_group

    call_command("migrate", verbosity=0)
    actor, now = Actor(label="bench"), clock.now()
    spec = cecot_estate(
        facilities=[(f"bench-{i}", f"Bench {i}") for i in range(1, facilities + 1)],
        operational_capacity=156,
    )
    with transaction.atomic():
        import_estate(spec=spec, actor=actor, at=now)
        g = {
            code: register_group(code=code, name=name, actor=actor, at=now) for code, name in GROUPS
        }
        for a, b in (("ms13", "b18s"), ("ms13", "b18r"), ("b18s", "b18r")):
            declare_rivalry(
                group=g[a], rival=g[b], scope="cell", actor=actor, at=now, reason="bench"
            )
    tz = zoneinfo.ZoneInfo("America/El_Salvador")
    rows = population.rows(people, seed=84, now=now, tz=tz)
    csv_text = intake_file.write(rows)
    t0 = time.perf_counter()
    admissions, problems = intake_file.parse(csv_text, time_zone="America/El_Salvador")
    parse_s = time.perf_counter() - t0
    assert not problems, problems[:3]
    per = -(-people // facilities)
    admit_s = 0.0
    for i, fac in enumerate(Facility.objects.select_related("space_standard").order_by("code")):
        batch = admissions[i * per : (i + 1) * per]
        t0 = time.perf_counter()
        with transaction.atomic():
            admit_many(facility=fac, admissions=batch, actor=actor, at=now)
        admit_s += time.perf_counter() - t0
        print(f"  {fac.code}: {len(batch)} admitted", file=sys.stderr)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    admitted = Person.objects.count()
    placed = Placement.objects.filter(ended_at__isnull=True).count()
    events = AuditEvent.objects.count()
    t0 = time.perf_counter()
    chain_ok = verify().ok
    verify_s = time.perf_counter() - t0
    # The reference: the same rows loaded raw, no rules, no audit, into a plain table.
    cols = ", ".join(f'"{c}" text' for c in intake_file.COLUMNS)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TABLE raw_intake ({cols})")
        body = csv_text.split("\n", 1)[1]
        t0 = time.perf_counter()
        if connection.vendor == "postgresql":
            with cur.cursor.copy("COPY raw_intake FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(body)
        else:
            import csv
            import io

            marks = ", ".join(["%s"] * len(intake_file.COLUMNS))
            cur.executemany(
                f"INSERT INTO raw_intake VALUES ({marks})",  # noqa: S608
                list(csv.reader(io.StringIO(body))),
            )
        raw_s = time.perf_counter() - t0
    return {
        "vendor": connection.vendor,
        "people": people,
        "facilities": facilities,
        "admitted": admitted,
        "placed": placed,
        "audit_events": events,
        "chain_ok": chain_ok,
        "parse_s": round(parse_s, 2),
        "admit_s": round(admit_s, 2),
        "rate": round(people / admit_s),
        "peak_rss_mb": round(rss_mb),
        "raw_s": round(raw_s, 3),
        "raw_rate": round(people / raw_s),
        "verify_s": round(verify_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=84_000)
    parser.add_argument("--facilities", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.people, args.facilities)))
        return
    results = []
    for kind in args.db.split(","):
        url = fresh_database(kind, "habeas_bench_intake")
        print(f"{kind}: admitting {args.people:,} people…", file=sys.stderr)
        results.append(
            json.loads(
                run_worker(
                    Path(__file__),
                    url,
                    ["--people", str(args.people), "--facilities", str(args.facilities)],
                )
            )
        )
        print(json.dumps(results[-1]), file=sys.stderr)
    table = [
        "| database | admitted | placed | audit events | admissions/s | time | peak RSS "
        "| raw load of the same rows | raw / ours | chain verified |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        raw = "COPY" if r["vendor"] == "postgresql" else "executemany"
        table.append(
            f"| {r['vendor']} | {r['admitted']:,} | {r['placed']:,} | {r['audit_events']:,} "
            f"| **{r['rate']:,}** | {r['admit_s']} s | {r['peak_rss_mb']} MB "
            f"| {raw} {r['raw_rate']:,} rows/s ({r['raw_s']} s) "
            f"| {r['raw_rate'] / r['rate']:.1f}× | {'OK' if r['chain_ok'] else 'BROKEN'} "
            f"in {r['verify_s']} s |"
        )
    body = f"""## Bulk intake (`bench/intake.py`)

{args.people:,} admissions into {args.facilities} CECOT-like facilities (8 × 32 cells, operational
capacity 156 per cell), through `admit_many`: Rule 7 and Rule 11 checks, the duplicate search,
the allocation engine (rivals, untried/convicted apart), custody numbers and one audit event per
admission, one transaction per facility. Target: 5,000 admissions/s on PostgreSQL.

Command: `.venv/bin/python bench/intake.py` — measured {dt.date.today().isoformat()} on
{machine()}.

{chr(10).join(table)}

"Raw load" writes the same CSV rows, unchecked, into one table of text columns: the floor for
moving these bytes into the database. CSV parsing ({results[0]["parse_s"]} s) is not counted.
"""
    if not args.no_write:
        write_section("intake", body)
    print(body)


if __name__ == "__main__":
    main()
