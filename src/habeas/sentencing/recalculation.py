"""Recalculate, set-based, the legal end of custody for many people at once: each episode's
aggregate of sentences through the pure calculator, each provisional detention's maximum through
``deadlines.provisional_detention_maximum``, and the resulting ``LawfulAuthority.legal_end``.

``legal_end`` is what makes the law's deadlines count on the roll: the roll and the deadlines
queue both ask ``custody.models.authority_covers``, so a person past the release date or past the
maximum of provisional detention is held without valid authority in both, by construction.

* Conviction warrant with (unquashed) sentences: ``legal_end`` is the end of the aggregate's
  release date in the facility's time zone — held *past* the release date from the next day, so
  the release day itself is the day to release.
* Provisional detention order with its terms recorded: the end of the last lawful day of the
  maximum, extensions included.
* Otherwise (no sentences, no terms, or a refusal): no legal end. The deadlines queue lists such
  people as "release date unknown" so the gap is seen, never guessed.

Every change of ``legal_end`` is an audit event (one statement for all of them); the stored
calculations are derived data, rebuilt whole for the episodes recalculated.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from habeas.audit.services import Actor, Change, record_many
from habeas.core import clock
from habeas.core.bulk import insert_rows, matching
from habeas.core.errors import NotFound
from habeas.custody.models import AuthorityKind, LawfulAuthority, Stay
from habeas.estate.models import Facility
from habeas.sentencing import deadlines
from habeas.sentencing.calculator import CalculationRefused, Sentence, calculate
from habeas.sentencing.law import ProfileInForce, profile_for
from habeas.sentencing.models import ProvisionalDetention, SentenceCalculation
from habeas.sentencing.models import Sentence as SentenceRow
from habeas.sentencing.profile import Profile, Seriousness, Term

CALCULATION_FIELDS = (
    "episode_id",
    "jurisdiction",
    "profile_version",
    "calculated_at",
    "sentence_start",
    "deemed_start",
    "nominal_term",
    "enforceable_term",
    "capped",
    "last_day",
    "release_date",
    "conditional_release_date",
    "determining_sentence_id",
    "refusal_code",
    "refusal_params",
)

SENTENCE_COLUMNS = (
    "id",
    "episode_id",
    "authority_id",
    "imposed_on",
    "term_years",
    "term_months",
    "term_days",
    "starts_on",
    "consecutive_to_id",
    "remand_credit_days",
    "seriousness",
)


@dataclass
class RecalculationReport:
    episodes: int = 0
    calculated: int = 0
    refused: int = 0
    provisional: int = 0
    legal_ends_changed: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    #: Seconds spent reading, calculating and writing (for benchmarks and operators).
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Scope:
    person_id: int
    facility_id: int
    time_zone: str
    jurisdiction: str


def sentences_for_calculator(rows: Iterable[tuple[Any, ...]]) -> list[Sentence]:
    """Sentence rows (``SENTENCE_COLUMNS``) as the calculator's sentences, ids as text, in the
    order they were imposed (ties by id: the earlier recorded is listed first)."""
    ordered = sorted(rows, key=lambda r: (r[3], r[0]))
    return [
        Sentence(
            id=str(r[0]),
            term=Term(years=r[4], months=r[5], days=r[6]),
            imposed_on=r[3],
            seriousness=Seriousness(r[10]),
            starts_on=r[7],
            consecutive_to=None if r[8] is None else str(r[8]),
            remand_credit_days=r[9],
        )
        for r in ordered
    ]


def _outcome(profile: Profile, given: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """One aggregate calculated, as a compact tuple (what is stored; cheap to pass between
    processes): ``("ok", start, deemed start, nominal, enforceable, capped, last day, release,
    conditional release, determining sentence)`` or ``("refused", code, params)``."""
    try:
        r = calculate(sentences_for_calculator(given), profile)
    except CalculationRefused as refused:
        return ("refused", refused.code, dict(refused.message_params))
    return (
        "ok",
        r.sentence_start,
        r.deemed_start,
        str(r.nominal_term),
        str(r.enforceable_term),
        r.capped,
        r.last_day,
        r.release_date,
        r.conditional_release_date,
        r.determining_sentence,
    )


def _outcomes(
    jobs: list[tuple[ProfileInForce | None, list[tuple[Any, ...]]]],
    progress: Callable[[int], None] | None,
) -> list[tuple[Any, ...]]:
    """Every aggregate's outcome, in order."""
    out: list[tuple[Any, ...]] = []
    for found, given in jobs:
        out.append(
            ("refused", "NO_PROFILE", {}) if found is None else _outcome(found.profile, given)
        )
        if progress is not None and len(out) % 5_000 == 0:
            progress(len(out))
    if progress is not None:
        progress(len(out))
    return out


@functools.lru_cache(maxsize=65_536)
def _end_of_day(day: dt.date, time_zone: str) -> dt.datetime:
    return clock.end_of_day(day, time_zone)


def _open_stays(*, facility: Facility | None, jurisdiction: str | None) -> QuerySet[Stay]:
    stays = Stay.objects.filter(ended_at__isnull=True)
    if facility is not None:
        stays = stays.filter(facility=facility)
    if jurisdiction is not None:
        stays = stays.filter(facility__jurisdiction=jurisdiction)
    return stays


def _scope(stays: QuerySet[Stay], episode_ids: Collection[int] | None) -> dict[int, _Scope]:
    columns = stays.values_list(
        "episode_id", "person_id", "facility_id", "facility__time_zone", "facility__jurisdiction"
    )
    rows = columns if episode_ids is None else matching(columns, "episode_id", episode_ids)
    return {eid: _Scope(pid, fid, tz, j) for eid, pid, fid, tz, j in rows}


def _profiles(scope: dict[int, _Scope]) -> dict[str, ProfileInForce | None]:
    found: dict[str, ProfileInForce | None] = {}
    for jurisdiction in {s.jurisdiction for s in scope.values()}:
        try:
            found[jurisdiction] = profile_for(jurisdiction)
        except NotFound:
            found[jurisdiction] = None
    return found


def _set_legal_ends(pairs: list[tuple[int, dt.datetime | None]]) -> None:
    """``UPDATE … SET legal_end`` for many authorities in one statement (PostgreSQL: ``UPDATE …
    FROM unnest(ids, ends)``; SQLite: one prepared statement, executed many times)."""
    if not pairs:
        return
    table = LawfulAuthority._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f'UPDATE "{table}" AS a SET legal_end = t.legal_end '  # noqa: S608
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS t(id, legal_end) "
                "WHERE a.id = t.id",
                [[pk for pk, _end in pairs], [end for _pk, end in pairs]],
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        cur.executemany(
            f'UPDATE "{table}" SET legal_end = %s WHERE id = %s',  # noqa: S608
            [(adapt(end), pk) for pk, end in pairs],
        )


def _delete_calculations(episode_ids: list[int]) -> None:
    if not episode_ids:
        return
    if connection.vendor == "postgresql":
        SentenceCalculation.objects.filter(episode_id__any=episode_ids).delete()
        return
    for i in range(0, len(episode_ids), 5000):
        SentenceCalculation.objects.filter(episode_id__in=episode_ids[i : i + 5000]).delete()


def _calculation_row(
    episode_id: int, found: ProfileInForce, at: dt.datetime, outcome: tuple[Any, ...]
) -> tuple[Any, ...]:
    _tag, start, deemed, nominal, enforceable, capped, last, release, conditional, ends_with = (
        outcome
    )
    return (
        episode_id,
        found.jurisdiction,
        found.version,
        at,
        start,
        deemed,
        nominal,
        enforceable,
        capped,
        last,
        release,
        conditional,
        int(ends_with),
        "",
        None,
    )


def _refusal_row(
    episode_id: int,
    jurisdiction: str,
    version: int,
    at: dt.datetime,
    code: str,
    params: dict[str, Any],
) -> tuple[Any, ...]:
    return (
        episode_id,
        jurisdiction,
        version,
        at,
        None,
        None,
        "",
        "",
        False,
        None,
        None,
        None,
        None,
        code,
        params,
    )


def recalculate(
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    episode_ids: Collection[int] | None = None,
    facility: Facility | None = None,
    jurisdiction: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> RecalculationReport:
    """Recalculate the release dates and provisional-detention maxima of every open custody
    episode in scope (all of them by default; or those given, or at a facility, or under a
    jurisdiction) and set each authority's ``legal_end``, auditing every change.

    Set-based: a bounded number of statements whatever the number of people. Runs in the
    caller's transaction."""
    # Hundreds of thousands of short-lived objects: the cyclic garbage collector would scan the
    # growing heap again and again (half the time at 100,000 people) and finds no cycles here.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _recalculate(
            actor=actor,
            at=at,
            reason=reason,
            episode_ids=episode_ids,
            facility=facility,
            jurisdiction=jurisdiction,
            progress=progress,
        )
    finally:
        if collecting:
            gc.enable()


def _recalculate(
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    episode_ids: Collection[int] | None,
    facility: Facility | None,
    jurisdiction: str | None,
    progress: Callable[[int], None] | None,
) -> RecalculationReport:
    report = RecalculationReport()
    started = time.perf_counter()
    stays = _open_stays(facility=facility, jurisdiction=jurisdiction)
    scope = _scope(stays, episode_ids)
    report.episodes = len(scope)
    if not scope:
        return report
    ids = list(scope)
    profiles = _profiles(scope)

    sentences: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    warrants_with_sentences: set[int] = set()
    sentence_rows = SentenceRow.objects.filter(quashed_at__isnull=True).values_list(
        *SENTENCE_COLUMNS
    )

    def in_scope(rows: QuerySet[Any], field: str) -> Iterable[Any]:
        # Everyone in custody (or at a facility): a semi-join; a list of episodes: by id.
        if episode_ids is None:
            return rows.filter(**{f"{field}__in": stays.values("episode_id")})
        return matching(rows, field, ids)

    for row in in_scope(sentence_rows, "episode_id"):
        sentences[row[1]].append(row)
        warrants_with_sentences.add(row[2])
    terms = {
        authority_id: (seriousness, detained_on, conditions)
        for authority_id, seriousness, detained_on, conditions in in_scope(
            ProvisionalDetention.objects.values_list(
                "authority_id", "seriousness", "detained_on", "conditions"
            ),
            "authority__episode_id",
        )
    }
    authorities = list(
        in_scope(
            LawfulAuthority.objects.filter(
                kind__in=[AuthorityKind.CONVICTION, AuthorityKind.PROVISIONAL_DETENTION]
            ).values_list("id", "episode_id", "kind", "legal_end"),
            "episode_id",
        )
    )

    report.seconds["read"] = time.perf_counter() - started
    started = time.perf_counter()

    # The release date of each episode's aggregate.
    release_end: dict[int, tuple[dt.datetime, dt.date]] = {}
    rows: list[tuple[Any, ...]] = []
    jobs = [
        (episode_id, profiles[scope[episode_id].jurisdiction], given)
        for episode_id, given in sentences.items()
    ]
    for (episode_id, found, _given), outcome in zip(
        jobs, _outcomes([(f, g) for _e, f, g in jobs], progress), strict=True
    ):
        place = scope[episode_id]
        if found is None:
            rows.append(_refusal_row(episode_id, place.jurisdiction, 0, at, "NO_PROFILE", {}))
            report.refused += 1
            report.refusals["NO_PROFILE"] = report.refusals.get("NO_PROFILE", 0) + 1
            continue
        if outcome[0] == "refused":
            _tag, code, params = outcome
            rows.append(
                _refusal_row(episode_id, found.jurisdiction, found.version, at, code, params)
            )
            report.refused += 1
            report.refusals[code] = report.refusals.get(code, 0) + 1
            continue
        rows.append(_calculation_row(episode_id, found, at, outcome))
        release_date = outcome[7]
        release_end[episode_id] = (_end_of_day(release_date, place.time_zone), release_date)
        report.calculated += 1

    report.seconds["aggregates"] = time.perf_counter() - started

    # The legal end of each authority, and what changed.
    changed: list[tuple[int, dt.datetime | None]] = []
    changes: list[Change] = []
    for authority_id, episode_id, kind, current in authorities:
        place = scope[episode_id]
        found = profiles[place.jurisdiction]
        new: dt.datetime | None = None
        basis: dict[str, Any] = {}
        if kind == AuthorityKind.CONVICTION:
            if authority_id in warrants_with_sentences and episode_id in release_end:
                new, release_date = release_end[episode_id]
                basis = {"basis": "release_date", "date": release_date}
        elif authority_id in terms and found is not None:
            seriousness, detained_on, conditions = terms[authority_id]
            report.provisional += 1
            try:
                maximum = deadlines.provisional_detention_maximum(
                    detained_on=detained_on,
                    seriousness=Seriousness(seriousness),
                    profile=found.profile,
                    conditions=frozenset(conditions or ()),
                )
            except CalculationRefused as refused:
                # No legal end: the deadlines queue lists the order as "maximum unknown".
                maximum = None
                key = f"provisional:{refused.code}"
                report.refusals[key] = report.refusals.get(key, 0) + 1
            if maximum is not None:
                new = _end_of_day(maximum.last_day, place.time_zone)
                basis = {"basis": "provisional_maximum", "date": maximum.last_day}
        if new == current:
            continue
        changed.append((authority_id, new))
        changes.append(
            Change(
                action="sentencing.set_legal_end",
                object_type="custody.LawfulAuthority",
                object_id=authority_id,
                facility_id=place.facility_id,
                person_id=place.person_id,
                before={"legal_end": current},
                after={
                    "legal_end": new,
                    **basis,
                    "profile": None if found is None else f"{found.jurisdiction} v{found.version}",
                },
                reason=reason,
            )
        )

    report.seconds["calculate"] = time.perf_counter() - started
    started = time.perf_counter()
    _delete_calculations(ids)
    insert_rows(SentenceCalculation, CALCULATION_FIELDS, rows)
    report.seconds["store"] = time.perf_counter() - started
    started = time.perf_counter()
    _set_legal_ends(changed)
    report.seconds["legal_end"] = time.perf_counter() - started
    started = time.perf_counter()
    record_many(actor=actor, at=at, changes=changes)
    report.seconds["audit"] = time.perf_counter() - started
    report.legal_ends_changed = len(changed)
    return report
