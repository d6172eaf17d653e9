"""Reading a person's custody: where, on what authority, since when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from habeas.accounts.models import User
from habeas.core.errors import NotFound
from habeas.core.prepared import prepared
from habeas.custody.models import (
    Absence,
    AuthorityKind,
    Episode,
    LawfulAuthority,
    Movement,
    Stay,
)
from habeas.housing.models import Placement
from habeas.people.models import Affiliation, Alias, IdentityDocument, NonAssociation, Person


def last_stay(person: Person) -> Stay | None:
    return (
        Stay.objects.filter(person=person)
        .select_related("facility")
        .order_by("-started_at", "-id")
        .first()
    )


def _with_last_facility() -> QuerySet[Person]:
    return Person.objects.annotate(
        last_facility_id=Subquery(
            Stay.objects.filter(person=OuterRef("pk"))
            .order_by("-started_at", "-id")
            .values("facility_id")[:1]
        )
    )


@prepared
def _person_by_pk(pk: int) -> QuerySet[Person]:
    return _with_last_facility().filter(pk=pk)


@prepared
def _person_by_number(custody_number: str) -> QuerySet[Person]:
    return _with_last_facility().filter(custody_number=custody_number)


def visible_person(
    user: User, *, pk: int | None = None, custody_number: str | None = None
) -> Person:
    """The person, if their current (or last) facility is one the user is assigned to; else 404.
    One query: the facility of the last stay is read with the person."""
    found = (
        _person_by_pk(pk=pk)
        if pk is not None
        else _person_by_number(custody_number=custody_number or "")
    )
    person = found[0] if found else None
    facility_id = person.__dict__.get("last_facility_id") if person is not None else None
    if person is None or facility_id is None or not user.sees(facility_id):
        raise NotFound(code="UNKNOWN_PERSON", message=_("No such person."), field="person")
    return person


@dataclass
class Whereabouts:
    in_custody: bool
    facility_code: str | None
    cell_code: str | None
    away: str | None
    status: str | None  # untried / convicted
    covered: bool  # a lawful authority covers the moment


def _covers(row: Stay | Placement | Absence, at: dt.datetime) -> bool:
    return row.started_at <= at and (row.ended_at is None or row.ended_at > at)


def whereabouts_from(
    *,
    stays: Iterable[Stay],
    placements: Iterable[Placement],
    absences: Iterable[Absence],
    authorities: Iterable[LawfulAuthority],
    at: dt.datetime,
) -> Whereabouts:
    """Where a person is at ``at``, from their periods (stays with their facility, placements
    with their cell, absences, and the authorities of any episode). Pure: the person's record
    reads each table once and derives the whereabouts from the rows it shows anyway."""
    stay = next((s for s in stays if _covers(s, at)), None)
    if stay is None:
        return Whereabouts(False, None, None, None, None, False)
    placement = next((p for p in placements if _covers(p, at)), None)
    absence = next((a for a in absences if _covers(a, at)), None)
    held_on = [a for a in authorities if a.episode_id == stay.episode_id]
    # Convicted once a conviction is in force, even if held past its end (Mandela Rule 11).
    convicted = any(
        a.kind == AuthorityKind.CONVICTION
        and a.valid_from <= at
        and (a.revoked_at is None or a.revoked_at > at)
        for a in held_on
    )
    return Whereabouts(
        True,
        stay.facility.code,
        placement.cell.code if placement else None,
        absence.destination if absence else None,
        "convicted" if convicted else "untried",
        any(a.covers(at) for a in held_on),
    )


def whereabouts(person: Person, at: dt.datetime) -> Whereabouts:
    """Where ``person`` is at ``at``: only the rows that cover the moment are read."""
    stays = list(
        Stay.objects.filter(person=person, started_at__lte=at)
        .exclude(ended_at__lte=at)
        .select_related("facility")
        .order_by("pk")[:1]
    )
    if not stays:
        return Whereabouts(False, None, None, None, None, False)
    return whereabouts_from(
        stays=stays,
        placements=Placement.objects.filter(person=person, started_at__lte=at)
        .exclude(ended_at__lte=at)
        .select_related("cell")
        .order_by("pk")[:1],
        absences=Absence.objects.filter(person=person, started_at__lte=at)
        .exclude(ended_at__lte=at)
        .order_by("pk")[:1],
        authorities=LawfulAuthority.objects.filter(episode_id=stays[0].episode_id),
        at=at,
    )


def episodes_of(person: Person) -> QuerySet[Episode]:
    return (
        Episode.objects.filter(person=person).select_related("admitted_to").order_by("-admitted_at")
    )


def authorities_of(person: Person) -> QuerySet[LawfulAuthority]:
    return LawfulAuthority.objects.filter(episode__person=person).order_by("-valid_from", "-id")


def placements_of(person: Person) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(person=person)
        .select_related("cell", "facility")
        .order_by("-started_at", "-id")
    )


def movements_of(person: Person) -> QuerySet[Movement]:
    return Movement.objects.filter(person=person).select_related("facility").order_by("-at", "-id")


@dataclass
class AuthorityState:
    authority: LawfulAuthority
    code: str  # valid, not_yet, expired, review_overdue, revoked, legal_limit
    label: str
    days_overdue: int


def authority_state(a: LawfulAuthority, at: dt.datetime) -> AuthorityState:
    """Why an authority does, or no longer does, cover custody at ``at`` — in words."""
    if a.valid_from > at:
        return AuthorityState(a, "not_yet", _("not yet in force"), 0)
    reasons: list[tuple[dt.datetime, str, str]] = []
    if a.revoked_at is not None:
        reasons.append((a.revoked_at, "revoked", _("revoked")))
    if a.review_due_by is not None:
        reasons.append((a.review_due_by, "review_overdue", _("judicial review overdue")))
    if a.valid_until is not None:
        reasons.append((a.valid_until, "expired", _("expired")))
    legal_end = getattr(a, "legal_end", None)
    if legal_end is not None:
        reasons.append((legal_end, "legal_limit", _("legal limit passed")))
    passed = sorted(r for r in reasons if r[0] <= at)
    if not passed:
        return AuthorityState(a, "valid", _("valid"), 0)
    when, code, label = passed[0]
    return AuthorityState(a, code, str(label), (at - when).days)


@dataclass
class PersonRecord:
    person: Person
    at: dt.datetime
    whereabouts: Whereabouts
    stay: Stay | None
    episodes: list[tuple[Episode, list[AuthorityState]]]
    placements: list[Placement]
    movements: list[Movement]
    absences: list[Absence]


# The record's reads, newest first: each prepared (its SQL compiled once per connection), as a
# look-up is what staff do all day (issue #8, docs/benchmarks.md).
@prepared
def _episodes(person_id: int) -> QuerySet[Episode]:
    return episodes_of(Person(pk=person_id))


@prepared
def _authorities(person_id: int) -> QuerySet[LawfulAuthority]:
    return authorities_of(Person(pk=person_id))


@prepared
def _stays(person_id: int) -> QuerySet[Stay]:
    return (
        Stay.objects.filter(person_id=person_id)
        .select_related("facility")
        .order_by("-started_at", "-id")
    )


@prepared
def _placements(person_id: int) -> QuerySet[Placement]:
    return placements_of(Person(pk=person_id))


@prepared
def _absences(person_id: int) -> QuerySet[Absence]:
    return Absence.objects.filter(person_id=person_id).order_by("-started_at", "-id")


@prepared
def _movements(person_id: int) -> QuerySet[Movement]:
    return movements_of(Person(pk=person_id))


def person_record(person: Person, at: dt.datetime) -> PersonRecord:
    """Everything the person's record shows, each table read once (the whereabouts and the last
    stay are derived from the same rows)."""
    episodes = _episodes(person_id=person.pk)
    authorities = _authorities(person_id=person.pk)
    by_episode: dict[int, list[AuthorityState]] = {}
    for a in authorities:
        by_episode.setdefault(a.episode_id, []).append(authority_state(a, at))
    stays = _stays(person_id=person.pk)
    placements = _placements(person_id=person.pk)
    absences = _absences(person_id=person.pk)
    return PersonRecord(
        person=person,
        at=at,
        whereabouts=whereabouts_from(
            stays=stays,
            placements=placements,
            absences=absences,
            authorities=authorities,
            at=at,
        ),
        stay=stays[0] if stays else None,
        episodes=[(e, by_episode.get(e.pk, [])) for e in episodes],
        placements=placements,
        movements=_movements(person_id=person.pk),
        absences=absences,
    )


@prepared
def aliases_of(person_id: int) -> QuerySet[Alias]:
    return Alias.objects.filter(person_id=person_id).order_by("pk")


@prepared
def documents_of(person_id: int) -> QuerySet[IdentityDocument]:
    return IdentityDocument.objects.filter(person_id=person_id).order_by("pk")


@prepared
def affiliations_of(person_id: int) -> QuerySet[Affiliation]:
    return (
        Affiliation.objects.filter(person_id=person_id)
        .select_related("group")
        .order_by("group__code", "pk")
    )


@prepared
def _non_associations(person_id: int) -> QuerySet[NonAssociation]:
    return NonAssociation.objects.filter(
        Q(person_a_id=person_id) | Q(person_b_id=person_id)
    ).order_by("-started_at", "-pk")


def non_associations_of(person: Person) -> list[tuple[NonAssociation, Person | None]]:
    """The person's non-associations, newest first, each with the other person."""
    nas = _non_associations(person_id=person.pk)
    other_ids = {n.person_b_id if n.person_a_id == person.pk else n.person_a_id for n in nas}
    others = Person.objects.in_bulk(other_ids) if other_ids else {}
    return [
        (n, others.get(n.person_b_id if n.person_a_id == person.pk else n.person_a_id)) for n in nas
    ]
