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
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from habeas.audit.services import Actor, Change, record_many
from habeas.core import clock
from habeas.core.bulk import insert_rows, matching
from habeas.core.errors import NotFound
from habeas.custody.models import AuthorityKind, LawfulAuthority, Stay
from habeas.estate.models import Facility
from habeas.sentencing import deadlines
from habeas.sentencing.calculator import Calculation, CalculationRefused, Sentence, calculate
from habeas.sentencing.law import ProfileInForce, profile_for
from habeas.sentencing.models import ProvisionalDetention, SentenceCalculation
from habeas.sentencing.models import Sentence as SentenceRow
from habeas.sentencing.profile import Seriousness, Term

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


def _scope(
    *,
    episode_ids: Collection[int] | None,
    facility: Facility | None,
    jurisdiction: str | None,
) -> dict[int, _Scope]:
    stays = Stay.objects.filter(ended_at__isnull=True)
    if facility is not None:
        stays = stays.filter(facility=facility)
    if jurisdiction is not None:
        stays = stays.filter(facility__jurisdiction=jurisdiction)
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
    """``UPDATE … SET legal_end`` for many authorities in one statement (PostgreSQL: a COPY into
    a temporary table and an ``UPDATE … FROM``; SQLite: one prepared statement, executed many
    times)."""
    if not pairs:
        return
    table = LawfulAuthority._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "CREATE TEMPORARY TABLE sentencing_legal_end (id bigint, legal_end timestamptz)"
            )
            with cur.cursor.copy("COPY sentencing_legal_end (id, legal_end) FROM STDIN") as copy:
                for pair in pairs:
                    copy.write_row(pair)
            cur.execute(
                f'UPDATE "{table}" AS a SET legal_end = t.legal_end '  # noqa: S608
                "FROM sentencing_legal_end AS t WHERE a.id = t.id"
            )
            cur.execute("DROP TABLE sentencing_legal_end")
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
    episode_id: int, found: ProfileInForce, at: dt.datetime, result: Calculation
) -> tuple[Any, ...]:
    return (
        episode_id,
        found.jurisdiction,
        found.version,
        at,
        result.sentence_start,
        result.deemed_start,
        str(result.nominal_term),
        str(result.enforceable_term),
        result.capped,
        result.last_day,
        result.release_date,
        result.conditional_release_date,
        int(result.determining_sentence),
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
    report = RecalculationReport()
    scope = _scope(episode_ids=episode_ids, facility=facility, jurisdiction=jurisdiction)
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
    for row in matching(sentence_rows, "episode_id", ids):
        sentences[row[1]].append(row)
        warrants_with_sentences.add(row[2])
    terms = {
        authority_id: (seriousness, detained_on, conditions)
        for authority_id, seriousness, detained_on, conditions in matching(
            ProvisionalDetention.objects.values_list(
                "authority_id", "seriousness", "detained_on", "conditions"
            ),
            "authority__episode_id",
            ids,
        )
    }
    authorities = list(
        matching(
            LawfulAuthority.objects.filter(
                kind__in=[AuthorityKind.CONVICTION, AuthorityKind.PROVISIONAL_DETENTION]
            ).values_list("id", "episode_id", "kind", "legal_end"),
            "episode_id",
            ids,
        )
    )

    # The release date of each episode's aggregate.
    release_end: dict[int, tuple[dt.datetime, dt.date]] = {}
    rows: list[tuple[Any, ...]] = []
    done = 0
    for episode_id, given in sentences.items():
        place = scope[episode_id]
        found = profiles[place.jurisdiction]
        if found is None:
            rows.append(_refusal_row(episode_id, place.jurisdiction, 0, at, "NO_PROFILE", {}))
            report.refused += 1
            report.refusals["NO_PROFILE"] = report.refusals.get("NO_PROFILE", 0) + 1
            continue
        try:
            result = calculate(sentences_for_calculator(given), found.profile)
        except CalculationRefused as refused:
            rows.append(
                _refusal_row(
                    episode_id,
                    found.jurisdiction,
                    found.version,
                    at,
                    refused.code,
                    dict(refused.message_params),
                )
            )
            report.refused += 1
            report.refusals[refused.code] = report.refusals.get(refused.code, 0) + 1
            continue
        rows.append(_calculation_row(episode_id, found, at, result))
        release_end[episode_id] = (
            clock.end_of_day(result.release_date, place.time_zone),
            result.release_date,
        )
        report.calculated += 1
        done += 1
        if progress is not None and done % 5000 == 0:
            progress(done)

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
                new = clock.end_of_day(maximum.last_day, place.time_zone)
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

    _delete_calculations(ids)
    insert_rows(SentenceCalculation, CALCULATION_FIELDS, rows)
    _set_legal_ends(changed)
    record_many(actor=actor, at=at, changes=changes)
    report.legal_ends_changed = len(changed)
    if progress is not None:
        progress(len(sentences))
    return report
