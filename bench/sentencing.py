"""Recalculate the release dates of 100,000 people with about 3 sentences each, through the real
use case (``sentencing.recalculation.recalculate``: load, calculate, store the calculations, set
every ``LawfulAuthority.legal_end``, audit each change), on SQLite and on PostgreSQL; then build
the deadlines queue for them and check it against the roll.

    .venv/bin/python bench/sentencing.py [--people 100000] [--db sqlite,postgresql]

The population (built before any clock starts, through ``admit_many`` without placement, and the
sentences written in bulk) is that of ``bench/sentencing_pure.py``: 1 to 5 sentences each, about
half consecutive, terms of 6 months to 45 years, a tenth with remand credit, a twentieth with
chains long enough to reach the 60-year cap; imposed between 2015 and 2025, so many short
sentences have ended and their people are held past the release date — the queue is long.

Writes its figures to docs/benchmarks.md (section "sentencing").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cecot_estate, fresh_database, machine, run_worker, write_section

CHUNK = 20_000


def worker(people: int, seed: int) -> dict[str, object]:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction

    from habeas.audit.models import AuditEvent
    from habeas.audit.services import Actor
    from habeas.core import clock
    from habeas.core.bulk import insert_rows, reserve_ids
    from habeas.custody.admission import admit_many
    from habeas.custody.inputs import AdmissionIn, AuthorityIn, DocumentIn, PersonIn
    from habeas.estate.models import Facility
    from habeas.estate.services import import_estate
    from habeas.housing.selectors import roll
    from habeas.sentencing.models import Sentence
    from habeas.sentencing.recalculation import recalculate
    from habeas.sentencing.selectors import deadlines_queue

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sentencing_pure import population

    call_command("migrate", verbosity=0)
    actor, now = Actor(label="bench"), clock.now()
    spec = cecot_estate(
        facilities=[("bench", "Bench")], operational_capacity=156, stated_capacity=people
    )
    with transaction.atomic():
        import_estate(spec=spec, actor=actor, at=now)
    facility = Facility.objects.select_related("space_standard").get(code="bench")

    # Everyone convicted: admitted on the day of sentence, on the conviction warrant.
    everyone = population(people, seed)
    rng = random.Random(seed)
    admissions = []
    for i, sentences in enumerate(everyone):
        imposed = sentences[0].imposed_on
        start = dt.datetime.combine(imposed, dt.time(15), tzinfo=dt.UTC)
        admissions.append(
            AdmissionIn(
                authority=AuthorityIn(
                    kind="conviction",
                    issuing_authority="Tribunal Especializado de Sentencia A",
                    reference=f"SENT-{i:06d}",
                    issued_on=imposed,
                    valid_from=start,
                ),
                person=PersonIn(
                    given_names=f"Persona {i}",
                    family_names="Bench",
                    date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(12000)),
                    sex="M",
                    nationality="SV",
                    documents=(DocumentIn("national_id", f"{i:08d}-0", "SV"),),
                ),
                admitted_at=start + dt.timedelta(hours=2),
            )
        )
    episodes: list[tuple[int, int]] = []  # (episode, authority) per person
    t0 = time.perf_counter()
    for start_at in range(0, people, CHUNK):
        with transaction.atomic():
            report = admit_many(
                facility=facility,
                admissions=admissions[start_at : start_at + CHUNK],
                actor=actor,
                at=now,
                auto_place=False,
            )
        episodes += [(a.episode_id, 0) for a in report.admitted]
    admit_s = time.perf_counter() - t0
    print(f"  admitted {people} in {admit_s:.1f} s", file=sys.stderr)
    from habeas.custody.models import LawfulAuthority

    warrant = dict(LawfulAuthority.objects.values_list("episode_id", "id"))
    rows = []
    total = sum(len(s) for s in everyone)
    ids = iter(reserve_ids(Sentence, total))
    for (episode_id, _), sentences in zip(episodes, everyone, strict=True):
        own: dict[str, int] = {}
        for s in sentences:
            sid = own[s.id] = next(ids)
            rows.append(
                (
                    sid,
                    episode_id,
                    warrant[episode_id],
                    "Agrupaciones ilícitas",
                    "Tribunal A",
                    f"C-{sid}",
                    s.imposed_on,
                    s.term.years,
                    s.term.months,
                    s.term.days,
                    None,
                    own[s.consecutive_to] if s.consecutive_to else None,
                    s.remand_credit_days,
                    "serious",
                    now,
                    None,
                    None,
                    "",
                )
            )
    with transaction.atomic():
        insert_rows(
            Sentence,
            (
                "id",
                "episode_id",
                "authority_id",
                "offence",
                "court",
                "case_reference",
                "imposed_on",
                "term_years",
                "term_months",
                "term_days",
                "starts_on",
                "consecutive_to_id",
                "remand_credit_days",
                "seriousness",
                "recorded_at",
                "recorded_by_id",
                "quashed_at",
                "quashed_reason",
            ),
            rows,
        )
    print(f"  {total} sentences written", file=sys.stderr)

    events_before = AuditEvent.objects.count()
    t0 = time.perf_counter()
    with transaction.atomic():
        first = recalculate(actor=actor, at=now, reason="bench: first calculation")
    first_s = time.perf_counter() - t0
    events = AuditEvent.objects.count() - events_before
    t0 = time.perf_counter()
    with transaction.atomic():
        again = recalculate(actor=actor, at=now, reason="bench: nothing changed")
    again_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    queue = deadlines_queue(facility, clock.now())
    queue_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    board = roll(facility, clock.now())
    roll_s = time.perf_counter() - t0
    assert {i.person_id for i in queue.overdue} == {p.id for p in board.without_authority}
    return {
        "vendor": connection.vendor,
        "people": people,
        "sentences": total,
        "calculated": first.calculated,
        "refused": first.refused,
        "legal_ends_set": first.legal_ends_changed,
        "audit_events": events,
        "first_s": round(first_s, 2),
        "phases": {k: round(v, 2) for k, v in first.seconds.items() if k != "aggregates"},
        "first_rate": round(people / first_s),
        "again_s": round(again_s, 2),
        "again_changed": again.legal_ends_changed,
        "queue_s": round(queue_s, 2),
        "overdue": len(queue.overdue),
        "upcoming": len(queue.upcoming),
        "unknown": len(queue.unknown),
        "roll_s": round(roll_s, 2),
        "admit_s": round(admit_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.people, args.seed)))
        return
    results = []
    for kind in args.db.split(","):
        url = fresh_database(kind, "habeas_bench_sentencing")
        print(f"{kind}: {args.people} people…", file=sys.stderr)
        line = run_worker(
            Path(__file__), url, ["--people", str(args.people), "--seed", str(args.seed)]
        )
        results.append(json.loads(line))
        print(line, file=sys.stderr)
    rows = "\n".join(
        f"| {r['vendor']} | {r['people']:,} | {r['sentences']:,} | **{r['first_s']} s** "
        f"({r['first_rate']:,}/s; {r['legal_ends_set']:,} legal ends, {r['audit_events']:,} "
        f"audit events) | {r['again_s']} s ({r['again_changed']} changed) | {r['queue_s']} s "
        f"({r['overdue']:,} overdue, {r['upcoming']:,} due in 7 days) | {r['roll_s']} s |"
        for r in results
    )
    phases = "\n".join(
        f"| {r['vendor']} | "
        + " | ".join(
            f"{r['phases'].get(k, 0)} s"
            for k in ("read", "calculate", "store", "legal_end", "audit")
        )
        + " |"
        for r in results
    )
    body = f"""## Sentencing: recalculating everyone's release date, and the deadlines queue

`.venv/bin/python bench/sentencing.py --people {args.people} --seed {args.seed}` —
{time.strftime("%Y-%m-%d")}, {machine()}.

{args.people:,} people convicted, 1–5 sentences each (the population of
`bench/sentencing_pure.py`), admitted through `admit_many` and their sentences written in bulk
before the clock starts. *First calculation*: `recalculation.recalculate` for everyone — read
the sentences, run the calculator, store every calculation, set every conviction warrant's
`legal_end` and write one audit event per change, in one transaction. *Again*: the same with
nothing to change. *Queue*: `selectors.deadlines_queue` for the facility (everyone held past a
deadline, with the days; the deadlines due within 7 days; legal ends unknown), checked equal to
the roll's "held without valid lawful authority". Target: the recalculation under 10 s on
PostgreSQL.

| database | people | sentences | first calculation | again | deadlines queue | roll |
|---|---|---|---|---|---|---|
{rows}

Where the first calculation's time goes (*calculate*: the pure calculator for every aggregate
and the new legal ends; *store*: the calculations rewritten; *legal_end*: one `UPDATE`;
*audit*: one event per changed authority, hash-chained):

| database | read | calculate | store | legal_end | audit |
|---|---|---|---|---|---|
{phases}
"""
    if not args.no_doc:
        write_section("sentencing", body)
    print(body)


if __name__ == "__main__":
    main()
