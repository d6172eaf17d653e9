"""The roll board of a CECOT-like facility: render time and query count at 12,000 and 40,000
people, on SQLite and PostgreSQL, through the real page (Django test client, signed in).

    .venv/bin/python bench/roll_board.py [--people 12000,40000] [--db sqlite,postgresql]

Writes its figures to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    CECOT_TIME_ZONE,
    cecot_estate,
    fresh_database,
    machine,
    run_worker,
    write_section,
)


def worker(people: int, repeats: int) -> dict[str, object]:
    import zoneinfo

    import django

    # The cost of computing the board, not of reusing a roll (HABEAS_ROLL_BOARD_SECONDS).
    os.environ["HABEAS_ROLL_BOARD_SECONDS"] = "0"
    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from habeas.accounts.services import create_user
    from habeas.audit.services import Actor
    from habeas.core import clock
    from habeas.custody import intake_file
    from habeas.custody.admission import admit_many
    from habeas.demo import population
    from habeas.demo.management.commands.demo import GROUPS
    from habeas.estate.models import Facility
    from habeas.estate.services import import_estate
    from habeas.housing.selectors import roll
    from habeas.people.services import declare_rivalry, register_group

    setup_test_environment()
    call_command("migrate", verbosity=0)
    actor, now = Actor(label="bench"), clock.now()
    spec = cecot_estate()
    with transaction.atomic():
        import_estate(spec=spec, actor=actor, at=now)
        g = {
            code: register_group(code=code, name=name, actor=actor, at=now) for code, name in GROUPS
        }
        for a, b in (("ms13", "b18s"), ("ms13", "b18r"), ("b18s", "b18r")):
            declare_rivalry(
                group=g[a], rival=g[b], scope="cell", actor=actor, at=now, reason="bench"
            )
        facility = Facility.objects.select_related("space_standard").get(code="cecot")
        user = create_user(
            username="director",
            role="governor",
            facilities=[facility],
            password="bench-password-long-enough",
            actor=actor,
            at=now,
        )
    rows = population.rows(people, seed=7, now=now, tz=zoneinfo.ZoneInfo(CECOT_TIME_ZONE))
    admissions, problems = intake_file.parse(
        intake_file.write(rows), time_zone="America/El_Salvador"
    )
    assert not problems
    with transaction.atomic():
        admit_many(facility=facility, admissions=admissions, actor=actor, at=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    client.get("/facilities/cecot/")  # warm caches and the session
    timings = []
    for _ in range(repeats):
        reset_queries()
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/facilities/cecot/")
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200
    t0 = time.perf_counter()
    r = roll(facility, clock.now())
    selector_s = time.perf_counter() - t0
    return {
        "vendor": connection.vendor,
        "people": people,
        "in_custody": r.in_custody,
        "queries": len(queries.captured_queries),
        "p50_ms": round(statistics.median(timings) * 1000),
        "max_ms": round(max(timings) * 1000),
        "selector_ms": round(selector_s * 1000),
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", default="12000,40000")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(int(args.people), args.repeats)))
        return
    results = []
    for kind in args.db.split(","):
        for people in args.people.split(","):
            url = fresh_database(kind, "habeas_bench_roll")
            print(f"{kind}: roll board of {people} people…", file=sys.stderr)
            results.append(
                json.loads(
                    run_worker(
                        Path(__file__), url, ["--people", people, "--repeats", str(args.repeats)]
                    )
                )
            )
            print(json.dumps(results[-1]), file=sys.stderr)
    rows = [
        "| database | people | queries per render | median render | slowest | roll "
        "selector alone | page size |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['vendor']} | {r['people']:,} | {r['queries']} | {r['p50_ms']} ms "
            f"| {r['max_ms']} ms | {r['selector_ms']} ms | {r['bytes'] // 1024} KB |"
        )
    body = f"""## Roll board (`bench/roll_board.py`)

The home page of a CECOT-like facility (256 cells) rendered through Django, signed in as a
governor: every unit and cell, totals against operational, bed and standard capacity, people
without a cell and without valid lawful authority. {args.repeats} renders each; the query count
does not grow with the population (the test `test_the_board_uses_a_bounded_number_of_queries`
asserts the bound).

Command: `.venv/bin/python bench/roll_board.py` — measured {dt.date.today().isoformat()} on
{machine()}.

{chr(10).join(rows)}
"""
    if not args.no_write:
        write_section("roll_board", body)
    print(body)


if __name__ == "__main__":
    main()
