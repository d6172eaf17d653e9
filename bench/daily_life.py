"""A day of daily life at the scale of CECOT: 40,000 people in 8 modules of 32 cells.

Records one day — the regime (unlocks per module with exceptions, meals), contact (visits,
calls, letters, hearings, family notifications), conditions (a day of sensor readings every
10 minutes for 256 cells, water, showers) — through the real use cases, one transaction per
entry batch as staff and feeds would send them; then imports 30 days of readings (1.1 million
lines) from a CSV file as ``habeas conditions import`` does, and again (all duplicates).
On SQLite and on PostgreSQL. Target: the day in under 5 s on PostgreSQL.

    .venv/bin/python bench/daily_life.py [--people 40000] [--db sqlite,postgresql]

Writes its figures to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cecot_estate, fresh_database, machine, run_worker, write_section

UNITS, CELLS = 8, 32


def worker(people: int, days_of_readings: int) -> dict[str, object]:
    import zoneinfo

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from habeas.audit.services import Actor
    from habeas.conditions import feed
    from habeas.conditions import services as conditions
    from habeas.conditions.models import Reading
    from habeas.core import clock
    from habeas.custody import intake_file
    from habeas.custody.admission import admit_many
    from habeas.demo import population
    from habeas.estate.models import Facility
    from habeas.estate.services import import_estate
    from habeas.housing.models import Placement
    from habeas.regime import days as person_days
    from habeas.regime import services as regime

    call_command("migrate", verbosity=0)
    actor, now = Actor(label="bench"), clock.now()
    tz = zoneinfo.ZoneInfo("America/El_Salvador")
    spec = cecot_estate(facilities=[("mega", "Bench CECOT")], units=UNITS, cells=CELLS)
    with transaction.atomic():
        import_estate(spec=spec, actor=actor, at=now)
    facility = Facility.objects.select_related("space_standard").get(code="mega")
    rows = [
        {**r, "groups": ""}  # one population, no rival groups: the bench is about daily life
        for r in population.rows(people, seed=6, now=now, tz=tz)
    ]
    admissions, problems = intake_file.parse(intake_file.write(rows), time_zone=facility.time_zone)
    assert not problems, problems[:3]
    t0 = time.perf_counter()
    with transaction.atomic():
        admit_many(facility=facility, admissions=admissions, actor=actor, at=now)
    admit_s = time.perf_counter() - t0
    rng = random.Random(6)
    today = now.astimezone(tz).date()
    day = today - dt.timedelta(days=1)
    # Individual records go to people already there when the day began.
    placed = list(
        Placement.objects.filter(
            facility=facility,
            ended_at__isnull=True,
            started_at__lt=dt.datetime.combine(day, dt.time(), tzinfo=tz),
        ).values_list("person_id", "cell__code", "cell__unit__code")
    )
    everyone = Placement.objects.filter(facility=facility, ended_at__isnull=True).count()
    print(f"  {everyone:,} people placed in {admit_s:.1f} s", file=sys.stderr)

    def at(hour: int, minute: int = 0, d: dt.date = day) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(hour, minute), tzinfo=tz)

    by_unit: dict[str, list[int]] = {}
    for pid, _cell, unit in placed:
        by_unit.setdefault(unit, []).append(pid)
    ids = [pid for pid, _c, _u in placed]
    # The day's entries, as staff and feeds would send them (built before the clock starts).
    periods = [
        ("association", "covered", 8, 10),
        ("exercise", "open_air", 10, 11),
        ("activity", "covered", 14, 17),
    ]
    unlocks = [
        regime.UnlockIn(
            started_at=at(h0),
            ended_at=at(h1),
            location=loc,
            purpose=purpose,
            unit=unit,
            exceptions=tuple(
                regime.ExceptionIn(
                    reason=rng.choice(["sick", "refused", "in_court"]), person_id=pid
                )
                for pid in rng.sample(members, len(members) // 200)
            ),
        )
        for unit, members in sorted(by_unit.items())
        for purpose, loc, h0, h1 in periods
    ]
    meals = [
        regime.MealIn(kind=kind, served_at=at(h), unit=unit)
        for unit in sorted(by_unit)
        for kind, h in (("breakfast", 7), ("lunch", 12), ("dinner", 17))
    ]
    visits = [
        regime.VisitIn(
            kind="family",
            visitor="Madre",
            requested_at=at(8),
            status="held",
            started_at=at(9 + i % 6),
            ended_at=at(10 + i % 6),
            mode="open",
            sight_not_hearing=False,
            person_id=pid,
        )
        for i, pid in enumerate(rng.sample(ids, len(ids) // 7))
    ]
    calls = [
        regime.CallIn(kind="family", started_at=at(9 + i % 9, i % 60), minutes=10, person_id=pid)
        for i, pid in enumerate(rng.sample(ids, len(ids) // 2))
    ]
    letters = [
        regime.LetterIn(kind="family", direction="in", handled_at=at(16), person_id=pid)
        for pid in rng.sample(ids, len(ids) // 10)
    ]
    hearings = [
        regime.HearingIn(
            court="Tribunal", started_at=at(9), ended_at=at(12), defendants=100, person_id=pid
        )
        for pid in rng.sample(ids, len(ids) // 100)
    ]
    cells = [f"{u}-{c:02d}" for u in range(1, UNITS + 1) for c in range(1, CELLS + 1)]

    def readings_of(d: dt.date) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for step in range(144):
            m = at(0, 0, d) + dt.timedelta(minutes=10 * step)
            stamp = m.isoformat()
            for code in cells:
                out.append(
                    {
                        "cell": code,
                        "measured_at": stamp,
                        "temperature_c": round(29 + 6 * ((step % 144) / 144), 1),
                        "humidity_pct": 75,
                        "lights": "on",
                        "co2_ppm": 1800,
                        "sensor": f"s-{code}",
                    }
                )
        return out

    day_csv = feed.write_csv(readings_of(day))
    timings: dict[str, float] = {}

    def timed(name: str, fn: object) -> None:
        t = time.perf_counter()
        with transaction.atomic():
            fn()  # type: ignore[operator]
        timings[name] = round(time.perf_counter() - t, 3)

    t_day = time.perf_counter()
    timed(
        "unlocks",
        lambda: regime.record_unlocks(facility=facility, unlocks=unlocks, actor=actor, at=now),
    )
    timed("meals", lambda: regime.record_meals(facility=facility, meals=meals, actor=actor, at=now))
    timed(
        "visits",
        lambda: regime.record_visits(facility=facility, visits=visits, actor=actor, at=now),
    )
    timed("calls", lambda: regime.record_calls(facility=facility, calls=calls, actor=actor, at=now))
    timed(
        "letters",
        lambda: regime.record_letters(facility=facility, letters=letters, actor=actor, at=now),
    )
    timed(
        "hearings",
        lambda: regime.record_hearings(facility=facility, hearings=hearings, actor=actor, at=now),
    )

    def sensors() -> None:
        parsed, bad = feed.parse(day_csv)
        conditions.import_readings(
            facility=facility,
            readings=parsed,
            source="day.csv",
            actor=actor,
            at=now,
            parse_problems=bad,
        )

    timed("readings", sensors)
    timed(
        "water",
        lambda: conditions.deliver_water(
            facility=facility,
            delivered_at=at(10),
            deliveries=[conditions.WaterIn(c, Decimal(400)) for c in cells],
            actor=actor,
            at=now,
        ),
    )
    timed(
        "showers",
        lambda: [
            conditions.record_showers(
                facility=facility, taken_at=at(6), unit=str(u), actor=actor, at=now
            )
            for u in range(1, UNITS + 1)
        ],
    )
    day_s = time.perf_counter() - t_day
    entries = {
        "unlocks": len(unlocks),
        "exceptions": sum(len(u.exceptions) for u in unlocks),
        "meals": len(meals),
        "visits": len(visits),
        "calls": len(calls),
        "letters": len(letters),
        "hearings": len(hearings),
        "readings": 144 * len(cells),
    }
    # One person's 30 days, as the per-person page reads them.
    someone = placed[0][0]
    from habeas.people.models import Person

    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        pd = person_days.person_days(
            Person.objects.get(pk=someone), day - dt.timedelta(days=29), day
        )
        person_s = time.perf_counter() - t
    assert pd.days[-1].minutes_out_of_cell in (0, 360), pd.days[-1]
    # Thirty days of readings from one CSV file, as `habeas conditions import` reads it.
    month = [
        r
        for k in range(days_of_readings + 1, 1, -1)
        for r in readings_of(day - dt.timedelta(days=k))
    ]
    month_csv = feed.write_csv(month)
    lines = len(month)
    del month

    def import_file() -> tuple[float, int, int]:
        t = time.perf_counter()
        parsed, bad = feed.parse(month_csv)
        with transaction.atomic():
            report = conditions.import_readings(
                facility=facility,
                readings=parsed,
                source="month.csv",
                actor=actor,
                at=now,
                parse_problems=bad,
                lines=lines,
            )
        return time.perf_counter() - t, report.stored, report.duplicates

    first_s, stored, _d = import_file()
    again_s, _s, duplicates = import_file()
    return {
        "vendor": connection.vendor,
        "people": everyone,
        "admit_s": round(admit_s, 1),
        "day_s": round(day_s, 2),
        "timings": timings,
        "entries": entries,
        "person_view_s": round(person_s, 3),
        "person_view_queries": len(q.captured_queries),
        "month_lines": lines,
        "month_import_s": round(first_s, 1),
        "month_rate": round(lines / first_s),
        "month_stored": stored,
        "month_again_s": round(again_s, 1),
        "month_duplicates": duplicates,
        "readings_total": Reading.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=40_000)
    parser.add_argument("--days", type=int, default=30, help="days of readings to import")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.people, args.days)))
        return
    results = []
    for kind in args.db.split(","):
        url = fresh_database(kind, "habeas_bench_daily_life")
        print(f"{kind}: a day of {args.people:,} people…", file=sys.stderr)
        out = run_worker(
            Path(__file__), url, ["--people", str(args.people), "--days", str(args.days)]
        )
        results.append(json.loads(out))
        print(json.dumps(results[-1]), file=sys.stderr)
    if args.no_write:
        return
    parts = [
        "unlocks",
        "meals",
        "visits",
        "calls",
        "letters",
        "hearings",
        "readings",
        "water",
        "showers",
    ]
    head = "| database | people | the whole day | " + " | ".join(parts) + " |"
    table = [head, "|" + "---|" * (3 + len(parts))]
    for r in results:
        t = r["timings"]
        table.append(
            f"| {r['vendor']} | {r['people']:,} | **{r['day_s']} s** | "
            + " | ".join(f"{t[p]} s" for p in parts)
            + " |"
        )
    e = results[0]["entries"]
    month = [
        "| database | lines | first import | lines/s | again (all duplicates) | "
        "one person's 30 days |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        month.append(
            f"| {r['vendor']} | {r['month_lines']:,} | {r['month_import_s']} s "
            f"| {r['month_rate']:,} | {r['month_again_s']} s ({r['month_duplicates']:,} ignored) "
            f"| {r['person_view_s']} s, {r['person_view_queries']} queries |"
        )
    body = f"""## A day of daily life (`bench/daily_life.py`)

One day of a {args.people:,}-person facility (8 modules × 32 cells) recorded through the real use
cases, each kind of entry in its own transaction with its audit events: {e["unlocks"]} unlocks
(one per module and period; {e["exceptions"]:,} individual exceptions), {e["meals"]} meals,
{e["visits"]:,} visits, {e["calls"]:,} calls, {e["letters"]:,} letters, {e["hearings"]:,}
hearings, {e["readings"]:,} sensor readings (every 10 minutes for 256 cells, parsed from CSV),
water for 256 cells and showers for 8 modules. Target: under 5 s on PostgreSQL.

Command: `.venv/bin/python bench/daily_life.py` — measured {dt.date.today().isoformat()} on
{machine()}.

{chr(10).join(table)}

Then {args.days} days of readings from one CSV file, as `habeas conditions import` reads it
(parse, validate every line, check duplicates, store), and the same file again:

{chr(10).join(month)}
"""
    write_section("daily_life", body)
    print(body)


if __name__ == "__main__":
    main()
