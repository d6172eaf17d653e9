"""The demo's sentences and legal deadlines, after the population of a facility is admitted.

Every conviction warrant gets the sentences it stands for — mostly 20 to 30 years for
"agrupaciones ilícitas" (CP art. 345), some chains of consecutive sentences that add up to
hundreds of years, a few past 1,000 (the cap makes them 60) — with the custody before sentence
credited. Every provisional detention order gets the facts its maximum turns on (seriousness,
the day detention began, group trial).

**Legal breaches, and the foundation's acceptance.** The foundation's acceptance builds
``habeas demo --population 2000 --seed 1`` and expects no one held without valid lawful
authority; issue #5 wants the demo's deadlines page to show the breaches reported at CECOT.
Both hold, by an explicit rule: a "cecot"-style facility of at least ``BREACHES_FROM`` people
(the default demo of 12,000) also gets

* a second intake of people arrested weeks ago under the state of exception, admitted within
  their 15-day window and never brought before a judge — judicial review overdue;
* provisional detainees held since 2022-2023 for a less serious offence, or outside a group
  trial, whom no extension reached — past the maximum of provisional detention;
* convicted people with short sentences whose release date has passed ("it has released no
  one") — held past the release date;
* a few warrants whose sentences are not yet transcribed — release date unknown.

A smaller demo, and the "standards" facility, keep every custody lawful. The environment
variable ``HABEAS_DEMO_BREACHES`` (``1`` or ``0``) overrides the rule either way.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import zlib
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record_many
from habeas.core import clock
from habeas.core.bulk import insert_rows, matching, reserve_ids
from habeas.custody import intake_file
from habeas.custody.admission import admit_many
from habeas.custody.models import AuthorityKind, LawfulAuthority, Stay
from habeas.demo import population
from habeas.estate.models import Facility
from habeas.people.identity import name_key
from habeas.people.models import Person
from habeas.sentencing import deadlines
from habeas.sentencing.calculator import add_term
from habeas.sentencing.law import profile_for
from habeas.sentencing.models import ProvisionalDetention, Sentence
from habeas.sentencing.profile import Seriousness, Term
from habeas.sentencing.recalculation import recalculate
from habeas.sentencing.selectors import deadlines_queue

BREACHES_FROM = 5_000
ACTOR = Actor(label="system:demo")

SENTENCE_FIELDS = (
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
)
TERMS_FIELDS = (
    "authority_id",
    "seriousness",
    "detained_on",
    "conditions",
    "recorded_at",
    "recorded_by_id",
)
MEMBERSHIP = "Agrupaciones ilícitas (art. 345 CP)"
SERIOUS_OFFENCES = [
    "Homicidio agravado (art. 129 CP)",
    "Extorsión agravada (art. 214 CP)",
    "Organizaciones terroristas (LECAT art. 13)",
    "Proposición y conspiración para cometer homicidio",
    "Secuestro (art. 149 CP)",
]
LESS_SERIOUS = "Tráfico ilícito, modalidad menor (LRARD art. 34)"


def breaches_wanted(style: str, people: int) -> bool:
    forced = os.environ.get("HABEAS_DEMO_BREACHES", "").strip().lower()
    if forced in {"1", "true", "yes", "on"}:
        return True
    if forced in {"0", "false", "no", "off"}:
        return False
    return style == "cecot" and people >= BREACHES_FROM


def build(
    *,
    facility: Facility,
    style: str,
    now: dt.datetime,
    seed: int,
    report: Callable[[str], None],
) -> None:
    # Synthetic data, not security: a seeded generator makes the demo reproducible.
    rng = random.Random(seed * 7_919 + zlib.crc32(facility.code.encode()))  # noqa: S311
    people = Stay.objects.filter(facility=facility, ended_at__isnull=True).count()
    breaches = breaches_wanted(style, people)
    if breaches:
        _overdue_reviews(facility, now, seed, rng, round(people * 0.015), report)
    tz = facility.time_zone
    today = clock.local_date(now, tz)
    authorities = list(
        LawfulAuthority.objects.filter(
            episode__stays__facility=facility,
            episode__stays__ended_at__isnull=True,
            kind__in=[AuthorityKind.CONVICTION, AuthorityKind.PROVISIONAL_DETENTION],
        )
        .distinct()
        .values_list(
            "id",
            "episode_id",
            "episode__person_id",
            "kind",
            "issued_on",
            "valid_from",
            "issuing_authority",
            "offence",
            "episode__arrested_at",
        )
    )
    convictions = [a for a in authorities if a[3] == AuthorityKind.CONVICTION]
    orders = [a for a in authorities if a[3] == AuthorityKind.PROVISIONAL_DETENTION]
    n_sentences, longest, hundreds = _sentences(
        facility, convictions, now, today, rng, breaches, tz
    )
    _provisional_terms(facility, orders, now, today, rng, breaches, tz)
    result = recalculate(
        facility=facility,
        actor=ACTOR,
        at=now,
        reason=_("Demo: sentences and provisional detention terms recorded."),
    )
    queue = deadlines_queue(facility, now)
    counts = queue.counts()
    report(
        _(
            "%(facility)s: %(n)d sentences for %(people)d convicted people (%(hundreds)d with "
            "consecutive sentences of 100 years or more; the longest %(longest)d years, "
            "enforceable 60); maxima for %(orders)d provisional detentions."
        )
        % {
            "facility": facility.code,
            "n": n_sentences,
            "people": result.calculated,
            "hundreds": hundreds,
            "longest": longest,
            "orders": result.provisional,
        }
    )
    report(
        _(
            "%(facility)s deadlines: %(total)d held without valid lawful authority — "
            "%(review)d judicial reviews overdue, %(maximum)d past the maximum of provisional "
            "detention, %(release)d past the release date; %(unknown)d release dates unknown."
        )
        % {
            "facility": facility.code,
            "total": len(queue.overdue),
            "review": counts.get("judicial_review", 0),
            "maximum": counts.get("provisional_maximum", 0),
            "release": counts.get("release_date", 0),
            "unknown": len(queue.unknown),
        }
    )


def _overdue_reviews(
    facility: Facility,
    now: dt.datetime,
    seed: int,
    rng: random.Random,
    count: int,
    report: Callable[[str], None],
) -> None:
    """A second intake, through the one admission path: people arrested 3 to 12 weeks ago,
    admitted within their 15-day window, never brought before a judge."""
    if count <= 0:
        return
    tz = zoneinfo.ZoneInfo(facility.time_zone)
    shares = population.Shares(administrative=1.0, convicted=0.0)
    rows: list[dict[str, str]] = []
    for i, weeks in enumerate((3, 7, 12)):
        rows += population.rows(
            count // 3 + (1 if i < count % 3 else 0),
            seed=seed * 31 + i,
            now=now - dt.timedelta(weeks=weeks),
            tz=tz,
            shares=shares,
            serial_offset=900_000 + i * 10_000,
        )
    # Documents below 10,000,000 are never generated for the main population.
    for row, number in zip(rows, rng.sample(range(1, 10**7), len(rows)), strict=True):
        row["document_number"] = population.dui(number)
    # Nor is anyone of the same name and birth date: move such a birth date by a year.
    keys = {name_key(r["given_names"], r["family_names"]): r for r in rows}
    for key, born in matching(
        Person.objects.values_list("name_key", "date_of_birth"), "name_key", keys
    ):
        row = keys[key]
        if row["date_of_birth"] == born.isoformat():
            row["date_of_birth"] = (born - dt.timedelta(days=365)).isoformat()
    admissions, problems = intake_file.parse(intake_file.write(rows), time_zone=facility.time_zone)
    assert not problems, problems[:3]
    admitted = admit_many(facility=facility, admissions=admissions, actor=ACTOR, at=now)
    report(
        _(
            "%(facility)s: %(n)d more people admitted in recent weeks under the state of "
            "exception, never brought before a judge."
        )
        % {"facility": facility.code, "n": admitted.count}
    )


def _sentences(
    facility: Facility,
    convictions: list[tuple[Any, ...]],
    now: dt.datetime,
    today: dt.date,
    rng: random.Random,
    breaches: bool,
    tz: str,
) -> tuple[int, int, int]:
    """Sentences for every conviction warrant; returns how many, the longest nominal aggregate
    in years, and how many aggregates reach 100 years."""
    plans: list[tuple[tuple[Any, ...], list[tuple[str, Term, Seriousness, bool]], int]] = []
    longest = hundreds = 0
    for a in convictions:
        _aid, _eid, _pid, _kind, imposed, _valid_from, _court, _offence, arrested = a
        remand = 0
        if arrested is not None:
            remand = max(0, (imposed - clock.local_date(arrested, tz)).days)
        roll = rng.random()
        # (offence, term, seriousness, consecutive to the previous one)
        chain: list[tuple[str, Term, Seriousness, bool]]
        if breaches and roll < 0.005:
            continue  # warrant not yet transcribed: release date unknown
        if breaches and roll < 0.02 and (today - imposed).days > 400:
            # A short sentence already served: held past the release date.
            served_months = (today - imposed).days // 31
            months = max(6, served_months - rng.randint(2, min(14, served_months - 1)))
            chain = [(LESS_SERIOUS, Term(months=months), Seriousness.LESS_SERIOUS, False)]
            remand = min(remand, 150)
        elif roll < 0.07:
            # Hundreds of years: a chain of consecutive sentences, one per count.
            counts = rng.randint(40, 60) if rng.random() < 0.15 else rng.randint(5, 30)
            chain = [(MEMBERSHIP, Term(years=rng.randint(20, 30)), Seriousness.SERIOUS, False)]
            chain += [
                (
                    rng.choice(SERIOUS_OFFENCES),
                    Term(years=rng.randint(15, 30)),
                    Seriousness.SERIOUS,
                    True,
                )
                for _ in range(counts - 1)
            ]
        elif roll < 0.27:
            chain = [(MEMBERSHIP, Term(years=rng.randint(20, 30)), Seriousness.SERIOUS, False)]
            chain += [
                (
                    rng.choice(SERIOUS_OFFENCES),
                    Term(years=rng.randint(5, 15), months=rng.choice((0, 0, 6))),
                    Seriousness.SERIOUS,
                    rng.random() < 0.7,
                )
                for _ in range(rng.randint(1, 2))
            ]
        else:
            chain = [(MEMBERSHIP, Term(years=rng.randint(20, 30)), Seriousness.SERIOUS, False)]
        nominal = 0
        for _o, term, _s, consecutive in chain:
            nominal = nominal + term.years if consecutive else max(nominal, term.years)
        longest = max(longest, nominal)
        hundreds += nominal >= 100
        plans.append((a, chain, remand))

    total = sum(len(chain) for _a, chain, _r in plans)
    ids = iter(reserve_ids(Sentence, total))
    rows: list[tuple[Any, ...]] = []
    changes: list[Change] = []
    for a, chain, remand in plans:
        aid, eid, pid, _kind, imposed, _from, court, _offence, _arrested = a
        previous: int | None = None
        for n, (offence, term, seriousness, consecutive) in enumerate(chain, 1):
            sid = next(ids)
            reference = f"TES-{imposed.year}-{aid:06d}-{n}"
            credit = remand if n == 1 else 0
            if credit and (add_term(imposed, term) - imposed).days < credit:
                credit = 0
            follows = previous if consecutive else None
            rows.append(
                (
                    sid,
                    eid,
                    aid,
                    offence,
                    court,
                    reference,
                    imposed,
                    term.years,
                    term.months,
                    term.days,
                    None,
                    follows,
                    credit,
                    seriousness.value,
                    now,
                    None,
                    None,
                    "",
                )
            )
            changes.append(
                Change(
                    action="sentencing.record_sentence",
                    object_type="sentencing.Sentence",
                    object_id=sid,
                    facility_id=facility.pk,
                    person_id=pid,
                    after={
                        "case_reference": reference,
                        "offence": offence,
                        "imposed_on": imposed,
                        "term": str(term),
                        "consecutive_to": follows,
                        "remand_credit_days": credit,
                    },
                )
            )
            previous = sid
    insert_rows(Sentence, SENTENCE_FIELDS, rows)
    record_many(actor=ACTOR, at=now, changes=changes)
    return total, longest, hundreds


def _provisional_terms(
    facility: Facility,
    orders: list[tuple[Any, ...]],
    now: dt.datetime,
    today: dt.date,
    rng: random.Random,
    breaches: bool,
    tz: str,
) -> None:
    """The facts of every provisional detention: mostly serious offences tried in groups, whose
    maximum the decrees of 2023 and 2025 extended to August 2027 — and, with breaches wanted,
    some detained in 2022-2023 whom no extension reached."""
    profile = profile_for(facility.jurisdiction).profile
    early = dt.date(2023, 7, 1)
    rows: list[tuple[Any, ...]] = []
    changes: list[Change] = []
    for aid, _eid, pid, _kind, _issued, valid_from, _court, _offence, arrested in orders:
        began = min(t for t in (arrested, valid_from) if t is not None)
        detained_on = clock.local_date(began, tz)
        roll = rng.random()
        if breaches and detained_on < early and roll < 0.06:
            seriousness, conditions = Seriousness.LESS_SERIOUS, []
        else:
            if roll < 0.9:
                seriousness, conditions = Seriousness.SERIOUS, ["group_trial"]
            elif roll < 0.97:
                seriousness, conditions = Seriousness.SERIOUS, []
            else:
                seriousness, conditions = Seriousness.LESS_SERIOUS, []
            # A lawful custody: the first set of facts that keeps the maximum ahead.
            for option in (
                (seriousness, conditions),
                (Seriousness.SERIOUS, ["group_trial"]),
                (Seriousness.SERIOUS, ["group_trial", "further_extension_granted"]),
            ):
                last = deadlines.provisional_detention_maximum(
                    detained_on=detained_on,
                    seriousness=option[0],
                    profile=profile,
                    conditions=frozenset(option[1]),
                ).last_day
                if last >= today:
                    seriousness, conditions = option
                    break
        rows.append((aid, seriousness.value, detained_on, conditions, now, None))
        changes.append(
            Change(
                action="sentencing.record_provisional_terms",
                object_type="custody.LawfulAuthority",
                object_id=aid,
                facility_id=facility.pk,
                person_id=pid,
                after={
                    "seriousness": seriousness.value,
                    "detained_on": detained_on,
                    "conditions": conditions,
                },
            )
        )
    insert_rows(ProvisionalDetention, TERMS_FIELDS, rows)
    record_many(actor=ACTOR, at=now, changes=changes)
