"""Reading health records — health staff only, every read audited (Mandela Rules 26 and 32).

Everyone else may learn only that an examination took place and when
(``examinations_taken_place``): enough for a governor or an inspector to see that Rule 30 was
kept, nothing of what was found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from habeas.accounts.models import User
from habeas.accounts.roles import Capability
from habeas.audit.services import Actor, Change, record, record_read
from habeas.core.errors import PermissionDenied
from habeas.custody.models import Episode, Stay
from habeas.estate.models import Facility
from habeas.health.models import Examination, ExaminationKind, HealthContact
from habeas.people.models import Person

RECORD = "health.Record"


@dataclass(frozen=True)
class HealthRecord:
    person: Person
    examinations: list[Examination]
    contacts: list[HealthContact]


def _facility_of(person: Person) -> int | None:
    return (
        Stay.objects.filter(person=person)
        .order_by("-started_at")
        .values_list("facility_id", flat=True)
        .first()
    )


def health_record(*, person: Person, user: User, at: dt.datetime) -> HealthRecord:
    """The person's health record, for health staff. Any other role is refused — and the
    attempt is written to the audit log (committed even though the request fails)."""
    actor = Actor.of(user)
    facility_id = _facility_of(person)
    if not user.can(Capability.VIEW_HEALTH):
        with transaction.atomic():
            record(
                actor=actor,
                at=at,
                change=Change(
                    action="read_refused",
                    object_type=RECORD,
                    object_id=person.pk,
                    person_id=person.pk,
                    facility_id=facility_id,
                    reason=_("Role %(role)s may not read health records.") % {"role": user.role},
                ),
            )
        raise PermissionDenied(
            code="HEALTH_STAFF_ONLY",
            message=_("Only health staff may read health records."),
            field=None,
        )
    record_read(
        actor=actor,
        at=at,
        object_type=RECORD,
        object_id=person.pk,
        person_id=person.pk,
        facility_id=facility_id,
    )
    return HealthRecord(
        person=person,
        examinations=list(Examination.objects.filter(person=person).order_by("-examined_at")),
        contacts=list(HealthContact.objects.filter(person=person).order_by("-recorded_at", "-id")),
    )


@dataclass(frozen=True)
class ExaminationFact:
    """What any role may know: an examination of this kind took place at this moment."""

    kind: str
    examined_at: dt.datetime


def examinations_taken_place(person: Person) -> list[ExaminationFact]:
    return [
        ExaminationFact(kind=k, examined_at=t)
        for k, t in Examination.objects.filter(person=person)
        .order_by("-examined_at")
        .values_list("kind", "examined_at")
    ]


def awaiting_examination(facility: Facility, at: dt.datetime) -> QuerySet[Episode]:
    """Open episodes at the facility without an examination on admission (Mandela Rule 30),
    oldest admission first. Dates only: no clinical content."""
    here = Stay.objects.filter(facility=facility, ended_at__isnull=True).values("episode_id")
    examined = Examination.objects.filter(kind=ExaminationKind.ADMISSION).values("episode_id")
    return (
        Episode.objects.filter(released_at__isnull=True, admitted_at__lte=at, pk__in=here)
        .exclude(pk__in=examined)
        .select_related("person")
        .order_by("admitted_at", "pk")
    )
