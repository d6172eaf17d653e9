"""Reading sentencing: the deadlines work queue of a facility, and one person's sentences with the
calculation explained.

The queue's *overdue* list is, by construction, the roll's "held without valid lawful authority"
(``housing.selectors.roll``): the same stays, the same ``authority_covers`` rule — here each
person comes with why their last authority stopped covering them and for how many days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.core import clock
from habeas.core.bulk import matching
from habeas.core.errors import NotFound
from habeas.custody.models import AuthorityKind, Episode, LawfulAuthority, Stay, authority_covers
from habeas.estate.models import Facility
from habeas.housing.selectors import covering
from habeas.people.models import Person
from habeas.sentencing import deadlines, explain
from habeas.sentencing.calculator import CalculationRefused, Step, calculate
from habeas.sentencing.law import ProfileInForce, profile_for
from habeas.sentencing.models import ProvisionalDetention, Sentence, SentenceCalculation
from habeas.sentencing.profile import Seriousness
from habeas.sentencing.recalculation import SENTENCE_COLUMNS, sentences_for_calculator

ONE_DAY = dt.timedelta(days=1)
JUST_BEFORE = dt.timedelta(microseconds=1)


class Kind(StrEnum):
    """What a deadline is about."""

    JUDICIAL_REVIEW = "judicial_review"
    PROVISIONAL_MAXIMUM = "provisional_maximum"
    RELEASE_DATE = "release_date"
    AUTHORITY_EXPIRY = "authority_expiry"
    REVOKED = "revoked"
    NO_AUTHORITY = "no_authority"
    RELEASE_DATE_UNKNOWN = "release_date_unknown"
    PROVISIONAL_MAXIMUM_UNKNOWN = "provisional_maximum_unknown"


OVERDUE: dict[str, Promise] = {
    Kind.JUDICIAL_REVIEW: gettext_lazy("Judicial review overdue"),
    Kind.PROVISIONAL_MAXIMUM: gettext_lazy("Provisional detention past its maximum"),
    Kind.RELEASE_DATE: gettext_lazy("Held past the release date"),
    Kind.AUTHORITY_EXPIRY: gettext_lazy("Lawful authority expired"),
    Kind.REVOKED: gettext_lazy("Lawful authority revoked"),
    Kind.NO_AUTHORITY: gettext_lazy("No lawful authority"),
}
UPCOMING: dict[str, Promise] = {
    Kind.JUDICIAL_REVIEW: gettext_lazy("Judicial review due"),
    Kind.PROVISIONAL_MAXIMUM: gettext_lazy("Maximum of provisional detention"),
    Kind.RELEASE_DATE: gettext_lazy("Release date"),
    Kind.AUTHORITY_EXPIRY: gettext_lazy("Lawful authority expires"),
    Kind.REVOKED: gettext_lazy("Lawful authority revoked"),
}
UNKNOWN: dict[str, Promise] = {
    Kind.RELEASE_DATE_UNKNOWN: gettext_lazy("Release date unknown"),
    Kind.PROVISIONAL_MAXIMUM_UNKNOWN: gettext_lazy("Maximum of provisional detention unknown"),
}

_AUTHORITY_COLUMNS = (
    "id",
    "episode_id",
    "kind",
    "reference",
    "valid_from",
    "valid_until",
    "review_due_by",
    "legal_end",
    "revoked_at",
)


@dataclass
class QueueItem:
    """One line of the work queue: who, on what authority, what deadline, how late (or how
    soon)."""

    kind: str
    label: str
    person_id: int
    custody_number: str
    name: str
    authority_id: int | None = None
    authority_kind: str = ""
    authority_reference: str = ""
    #: The moment the authority stops (or stopped) covering custody, in UTC.
    deadline: dt.datetime | None = None
    #: The last day of lawful custody, in the facility's time zone.
    last_lawful_day: dt.date | None = None
    days_overdue: int = 0
    days_left: int = 0
    detail: str = ""


@dataclass
class DeadlineQueue:
    facility: Facility
    at: dt.datetime
    within_days: int
    overdue: list[QueueItem] = field(default_factory=list)
    upcoming: list[QueueItem] = field(default_factory=list)
    unknown: list[QueueItem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.overdue:
            found[item.kind] = found.get(item.kind, 0) + 1
        return found


def _binding_end(row: tuple[Any, ...]) -> tuple[dt.datetime | None, str]:
    """When an authority (``_AUTHORITY_COLUMNS``) stops covering, and why: the earliest of its
    ends, an explicit revocation first among equals."""
    _id, _episode, kind, _ref, _from, valid_until, review_due_by, legal_end, revoked_at = row
    legal = (
        Kind.PROVISIONAL_MAXIMUM
        if kind == AuthorityKind.PROVISIONAL_DETENTION
        else (Kind.RELEASE_DATE if kind == AuthorityKind.CONVICTION else Kind.AUTHORITY_EXPIRY)
    )
    ends = [
        (revoked_at, Kind.REVOKED),
        (review_due_by, Kind.JUDICIAL_REVIEW),
        (legal_end, legal),
        (valid_until, Kind.AUTHORITY_EXPIRY),
    ]
    present = [(end, kind_) for end, kind_ in ends if end is not None]
    if not present:
        return None, Kind.AUTHORITY_EXPIRY
    earliest = min(end for end, _k in present)
    return earliest, next(k for end, k in present if end == earliest)


def _days_overdue(end: dt.datetime, at: dt.datetime, tz: str, kind: str) -> int:
    """Every started day counts (one minute late is one day). A legal end falls at the end of a
    day, so for it the count is of days since the last lawful day, in the facility's zone."""
    if kind in (Kind.PROVISIONAL_MAXIMUM, Kind.RELEASE_DATE):
        last_day = clock.local_date(end - JUST_BEFORE, tz)
        return max(1, (clock.local_date(at, tz) - last_day).days)
    return max(1, -(-(at - end) // ONE_DAY))


def _authorities(episode_ids: Iterable[int]) -> dict[int, list[tuple[Any, ...]]]:
    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    rows = LawfulAuthority.objects.values_list(*_AUTHORITY_COLUMNS)
    for row in matching(rows, "episode_id", episode_ids):
        found[row[1]].append(row)
    return found


def deadlines_queue(facility: Facility, at: dt.datetime, *, within_days: int = 7) -> DeadlineQueue:
    """The work queue of ``facility`` at ``at``:

    * ``overdue`` — everyone held without valid lawful authority at ``at`` (exactly the roll's
      count), with the deadline that passed and the days since: judicial review overdue,
      provisional detention past its maximum, held past the release date, authority expired or
      revoked, or no authority at all;
    * ``upcoming`` — people whose every authority stops covering them within ``within_days``;
    * ``unknown`` — authorities in force whose legal end cannot be known (a conviction without
      sentences or whose calculation was refused; a provisional detention whose terms are not
      recorded): no one can say when those people must be released until a person acts.

    A bounded number of queries whatever the population."""
    tz = facility.time_zone
    queue = DeadlineQueue(facility=facility, at=at, within_days=within_days)
    horizon = at + dt.timedelta(days=within_days)
    stays = Stay.objects.filter(covering(at), facility=facility).annotate(
        has_authority=Exists(
            LawfulAuthority.objects.filter(authority_covers(at), episode=OuterRef("episode"))
        )
    )
    person_columns = (
        "episode_id",
        "person_id",
        "person__custody_number",
        "person__given_names",
        "person__family_names",
    )

    # Overdue: the roll's people without valid authority.
    flagged = list(stays.filter(has_authority=False).values_list(*person_columns, "started_at"))
    authorities = _authorities(row[0] for row in flagged)
    for episode_id, pid, number, given, family, started in flagged:
        begun = [a for a in authorities.get(episode_id, []) if a[4] <= at]
        ended = [(end, kind, a) for a in begun for end, kind in [_binding_end(a)] if end]
        name = f"{given} {family}"
        if not ended:
            queue.overdue.append(
                QueueItem(
                    kind=Kind.NO_AUTHORITY,
                    label=str(OVERDUE[Kind.NO_AUTHORITY]),
                    person_id=pid,
                    custody_number=number,
                    name=name,
                    deadline=started,
                    days_overdue=_days_overdue(started, at, tz, Kind.NO_AUTHORITY),
                )
            )
            continue
        end, kind, a = max(ended, key=lambda e: (e[0], e[2][0]))
        queue.overdue.append(
            QueueItem(
                kind=kind,
                label=str(OVERDUE[kind]),
                person_id=pid,
                custody_number=number,
                name=name,
                authority_id=a[0],
                authority_kind=a[2],
                authority_reference=a[3],
                deadline=end,
                last_lawful_day=clock.local_date(end - JUST_BEFORE, tz),
                days_overdue=_days_overdue(end, at, tz, kind),
            )
        )
    queue.overdue.sort(key=lambda i: (-i.days_overdue, i.custody_number))

    # Upcoming: covered now, not at the horizon.
    ending = list(
        stays.filter(has_authority=True)
        .annotate(
            covered_later=Exists(
                LawfulAuthority.objects.filter(
                    authority_covers(horizon), episode=OuterRef("episode")
                )
            )
        )
        .filter(covered_later=False)
        .values_list(*person_columns)
    )
    authorities = _authorities(row[0] for row in ending)
    today = clock.local_date(at, tz)
    for episode_id, pid, number, given, family in ending:
        current = [
            (end, kind, a)
            for a in authorities.get(episode_id, [])
            if a[4] <= at
            for end, kind in [_binding_end(a)]
            if end is not None and end > at
        ]
        if not current:
            continue
        end, kind, a = max(current, key=lambda e: (e[0], e[2][0]))
        last_day = clock.local_date(end - JUST_BEFORE, tz)
        queue.upcoming.append(
            QueueItem(
                kind=kind,
                label=str(UPCOMING.get(kind, OVERDUE[kind])),
                person_id=pid,
                custody_number=number,
                name=f"{given} {family}",
                authority_id=a[0],
                authority_kind=a[2],
                authority_reference=a[3],
                deadline=end,
                last_lawful_day=last_day,
                days_left=max(0, (last_day - today).days),
            )
        )
    queue.upcoming.sort(key=lambda i: (i.deadline or at, i.custody_number))

    queue.unknown = _unknown(facility, at)
    return queue


def _unknown(facility: Facility, at: dt.datetime) -> list[QueueItem]:
    here = Stay.objects.filter(covering(at), facility=facility, episode=OuterRef("episode"))
    rows = list(
        LawfulAuthority.objects.filter(
            authority_covers(at),
            Exists(here),
            kind__in=[AuthorityKind.CONVICTION, AuthorityKind.PROVISIONAL_DETENTION],
            legal_end__isnull=True,
        )
        .values_list(
            "id",
            "episode_id",
            "kind",
            "reference",
            "episode__person_id",
            "episode__person__custody_number",
            "episode__person__given_names",
            "episode__person__family_names",
        )
        .order_by("episode__person__custody_number", "id")
    )
    if not rows:
        return []
    ids = [r[0] for r in rows]
    with_sentences = {
        aid
        for (aid,) in matching(
            Sentence.objects.filter(quashed_at__isnull=True).values_list("authority_id"),
            "authority_id",
            ids,
        )
    }
    with_terms = {
        aid
        for (aid,) in matching(
            ProvisionalDetention.objects.values_list("authority_id"), "authority_id", ids
        )
    }
    refusals = {
        eid: (code, params or {})
        for eid, code, params in matching(
            SentenceCalculation.objects.exclude(refusal_code="").values_list(
                "episode_id", "refusal_code", "refusal_params"
            ),
            "episode_id",
            [r[1] for r in rows],
        )
    }
    items: list[QueueItem] = []
    for aid, episode_id, kind, reference, pid, number, given, family in rows:
        if kind == AuthorityKind.CONVICTION:
            which = Kind.RELEASE_DATE_UNKNOWN
            if aid not in with_sentences:
                detail = _("No sentence is recorded under this warrant.")
            elif episode_id in refusals:
                code, params = refusals[episode_id]
                detail = explain.refusal_text(code, params, {})
            else:
                detail = _("The release date has not been calculated yet.")
        else:
            which = Kind.PROVISIONAL_MAXIMUM_UNKNOWN
            detail = (
                _("The maximum cannot be calculated from the terms recorded.")
                if aid in with_terms
                else _(
                    "The seriousness of the offence and the day detention began are not recorded."
                )
            )
        items.append(
            QueueItem(
                kind=which,
                label=str(UNKNOWN[which]),
                person_id=pid,
                custody_number=number,
                name=f"{given} {family}",
                authority_id=aid,
                authority_kind=kind,
                authority_reference=reference,
                detail=str(detail),
            )
        )
    return items


def queue_as_dict(queue: DeadlineQueue) -> dict[str, Any]:
    """The queue as JSON-ready data (the command's ``--json`` and the API)."""

    def item(i: QueueItem) -> dict[str, Any]:
        body = asdict(i)
        body["deadline"] = i.deadline.isoformat() if i.deadline else None
        body["last_lawful_day"] = i.last_lawful_day.isoformat() if i.last_lawful_day else None
        return body

    return {
        "facility": queue.facility.code,
        "at": queue.at.isoformat(),
        "within_days": queue.within_days,
        "held_without_valid_authority": len(queue.overdue),
        "overdue_by_kind": queue.counts(),
        "overdue": [item(i) for i in queue.overdue],
        "upcoming": [item(i) for i in queue.upcoming],
        "unknown": [item(i) for i in queue.unknown],
    }


# --- one person -------------------------------------------------------------------------------


@dataclass
class ProvisionalView:
    authority: LawfulAuthority
    terms: ProvisionalDetention | None
    last_day: dt.date | None
    explanation: list[str]
    refusal: str = ""


@dataclass
class SentencingRecord:
    """A person's sentences and legal deadlines in their current (or last) custody."""

    person: Person
    at: dt.datetime
    episode: Episode | None
    in_custody: bool
    facility: Facility | None
    profile: ProfileInForce | None
    sentences: list[Sentence]
    warrants: list[LawfulAuthority]
    calculation: SentenceCalculation | None
    explanation: list[str]
    refusal: str
    provisional: list[ProvisionalView]
    release_due: bool
    conditions: list[str]


def labels_of(sentences: Iterable[Sentence]) -> dict[str, str]:
    """How a reader knows each sentence: its case reference (or its number)."""
    return {str(s.pk): s.case_reference or f"#{s.pk}" for s in sentences}


def explain_calculation(
    sentences: list[Sentence], found: ProfileInForce
) -> tuple[list[Step], CalculationRefused | None]:
    """The calculation of the unquashed ``sentences`` under the profile, as steps (or the
    refusal), recomputed for display."""
    rows = [
        tuple(getattr(s, column) for column in SENTENCE_COLUMNS)
        for s in sentences
        if s.quashed_at is None
    ]
    if not rows:
        return [], None
    try:
        return list(calculate(sentences_for_calculator(rows), found.profile).steps), None
    except CalculationRefused as refused:
        return [], refused


def sentencing_record(person: Person, at: dt.datetime) -> SentencingRecord:
    stay = (
        Stay.objects.filter(person=person)
        .select_related("facility", "episode")
        .order_by("-started_at", "-id")
        .first()
    )
    episode = stay.episode if stay is not None else None
    facility = stay.facility if stay is not None else None
    found: ProfileInForce | None = None
    if facility is not None:
        try:
            found = profile_for(facility.jurisdiction)
        except NotFound:
            found = None  # the page says there is no profile for the jurisdiction
    sentences = (
        list(
            Sentence.objects.filter(episode=episode)
            .select_related("authority", "consecutive_to")
            .order_by("imposed_on", "id")
        )
        if episode
        else []
    )
    authorities = list(
        LawfulAuthority.objects.filter(episode=episode).order_by("valid_from", "id")
        if episode
        else []
    )
    calculation = SentenceCalculation.objects.filter(episode=episode).first() if episode else None
    labels = labels_of(sentences)
    explanation: list[str] = []
    refusal = ""
    if found is not None:
        steps, refused = explain_calculation(sentences, found)
        explanation = explain.explain(steps, labels=labels)
        if refused is not None:
            refusal = explain.refusal_message(refused, labels=labels)
    terms = {
        t.authority_id: t
        for t in ProvisionalDetention.objects.filter(authority__in=[a.pk for a in authorities])
    }
    provisional = []
    for a in authorities:
        if a.kind != AuthorityKind.PROVISIONAL_DETENTION:
            continue
        t = terms.get(a.pk)
        view = ProvisionalView(authority=a, terms=t, last_day=None, explanation=[])
        if t is not None and found is not None:
            try:
                maximum = deadlines.provisional_detention_maximum(
                    detained_on=t.detained_on,
                    seriousness=Seriousness(t.seriousness),
                    profile=found.profile,
                    conditions=frozenset(t.conditions or ()),
                )
                view.last_day = maximum.last_day
                view.explanation = explain.explain(maximum.steps)
            except CalculationRefused as refused:
                view.refusal = explain.refusal_message(refused)
        provisional.append(view)
    in_custody = stay is not None and stay.ended_at is None
    release_due = bool(
        in_custody
        and calculation is not None
        and calculation.release_date is not None
        and facility is not None
        and calculation.release_date <= clock.local_date(at, facility.time_zone)
    )
    conditions = sorted(
        {
            e.condition
            for e in (found.profile.provisional_detention_extensions if found else ())
            if e.condition is not None
        }
    )
    return SentencingRecord(
        person=person,
        at=at,
        episode=episode,
        in_custody=in_custody,
        facility=facility,
        profile=found,
        sentences=sentences,
        warrants=[a for a in authorities if a.kind == AuthorityKind.CONVICTION],
        calculation=calculation,
        explanation=explanation,
        refusal=refusal,
        provisional=provisional,
        release_due=release_due,
        conditions=conditions,
    )
