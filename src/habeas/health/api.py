"""The health API. Health records are read by health staff only, and every read — or attempt by
anyone else, refused with 403 — is in the audit log. Other roles may see that an examination
took place and when (``/people/{id}/examinations``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.api import actor_of, require, user_of, visible_facility
from habeas.core.errors import NotFound
from habeas.custody.selectors import last_stay, visible_person
from habeas.estate.models import Facility
from habeas.health import selectors, services
from habeas.health.models import Examination, HealthContact
from habeas.housing.api import ErrorOut
from habeas.people.models import Person

router = Router(tags=["health"])

ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _person_here(request: HttpRequest, person_id: int) -> tuple[Person, Facility]:
    person = visible_person(user_of(request), pk=person_id)
    stay = last_stay(person)
    assert stay is not None
    return person, stay.facility


class ExaminationOut(Schema):
    id: int
    kind: str
    examined_at: dt.datetime
    examined_by: str
    injuries_seen: bool
    injuries: str
    ill_treatment_alleged: bool
    allegation: str
    reported_to: str
    findings: str


def examination_out(e: Examination) -> ExaminationOut:
    return ExaminationOut(
        id=e.pk,
        kind=e.kind,
        examined_at=e.examined_at,
        examined_by=e.examined_by,
        injuries_seen=e.injuries_seen,
        injuries=e.injuries,
        ill_treatment_alleged=e.ill_treatment_alleged,
        allegation=e.allegation,
        reported_to=e.reported_to,
        findings=e.findings,
    )


class ContactOut(Schema):
    id: int
    kind: str
    requested_at: dt.datetime | None
    seen_at: dt.datetime | None
    seen_by: str
    notes: str


def contact_out(c: HealthContact) -> ContactOut:
    return ContactOut(
        id=c.pk,
        kind=c.kind,
        requested_at=c.requested_at,
        seen_at=c.seen_at,
        seen_by=c.seen_by,
        notes=c.notes,
    )


class HealthRecordOut(Schema):
    person_id: int
    examinations: list[ExaminationOut]
    contacts: list[ContactOut]


@router.get(
    "/people/{person_id}/health",
    response={200: HealthRecordOut, **ERRORS},
    summary="A person's health record — health staff only; every read is audited",
)
def get_health_record(request: HttpRequest, person_id: int) -> HealthRecordOut:
    person = visible_person(user_of(request), pk=person_id)
    record = selectors.health_record(person=person, user=user_of(request), at=clock.now())
    return HealthRecordOut(
        person_id=person.pk,
        examinations=[examination_out(e) for e in record.examinations],
        contacts=[contact_out(c) for c in record.contacts],
    )


class ExaminationFactOut(Schema):
    kind: str
    examined_at: dt.datetime


@router.get(
    "/people/{person_id}/examinations",
    response={200: list[ExaminationFactOut], **ERRORS},
    summary="That a medical examination took place, and when — nothing of what was found",
)
def examinations_taken_place(request: HttpRequest, person_id: int) -> list[ExaminationFactOut]:
    require(request, Capability.VIEW_PERSON)
    person = visible_person(user_of(request), pk=person_id)
    return [
        ExaminationFactOut(kind=x.kind, examined_at=x.examined_at)
        for x in selectors.examinations_taken_place(person)
    ]


class ExaminationIn(Schema):
    kind: str = Field("admission", max_length=16)
    examined_at: dt.datetime
    examined_by: str = Field(..., max_length=200)
    injuries_seen: bool = False
    injuries: str = Field("", max_length=10_000)
    ill_treatment_alleged: bool = False
    allegation: str = Field("", max_length=10_000)
    reported_to: str = Field("", max_length=200)
    findings: str = Field("", max_length=10_000)


@router.post(
    "/people/{person_id}/examinations",
    response={201: ExaminationFactOut, **ERRORS},
    summary="Record a medical examination (health staff)",
)
def record_examination(
    request: HttpRequest, person_id: int, payload: ExaminationIn
) -> Status[ExaminationFactOut]:
    require(request, Capability.RECORD_HEALTH)
    person, facility = _person_here(request, person_id)
    with transaction.atomic():
        e = services.record_examination(
            person=person,
            facility=facility,
            examination=services.ExaminationIn(**payload.dict()),
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, ExaminationFactOut(kind=e.kind, examined_at=e.examined_at))


class ContactIn(Schema):
    kind: str = Field(..., max_length=24)
    requested_at: dt.datetime | None = None
    seen_at: dt.datetime | None = None
    seen_by: str = Field("", max_length=200)
    notes: str = Field("", max_length=10_000)


class ContactIdOut(Schema):
    id: int
    kind: str
    requested_at: dt.datetime | None
    seen_at: dt.datetime | None


@router.post(
    "/people/{person_id}/health-contacts",
    response={201: ContactIdOut, **ERRORS},
    summary="Record a health contact or a sick call (health staff)",
)
def record_contact(
    request: HttpRequest, person_id: int, payload: ContactIn
) -> Status[ContactIdOut]:
    require(request, Capability.RECORD_HEALTH)
    person, facility = _person_here(request, person_id)
    with transaction.atomic():
        c = services.record_health_contact(
            person=person,
            facility=facility,
            actor=actor_of(request),
            at=clock.now(),
            **payload.dict(),
        )
    return Status(
        201, ContactIdOut(id=c.pk, kind=c.kind, requested_at=c.requested_at, seen_at=c.seen_at)
    )


class SeenIn(Schema):
    seen_at: dt.datetime
    seen_by: str = Field(..., max_length=200)
    notes: str = Field("", max_length=10_000)


@router.post(
    "/health-contacts/{contact_id}/seen",
    response={200: ContactIdOut, **ERRORS},
    summary="Record that a sick call was answered (health staff)",
)
def attend(request: HttpRequest, contact_id: int, payload: SeenIn) -> ContactIdOut:
    require(request, Capability.RECORD_HEALTH)
    c = HealthContact.objects.filter(pk=contact_id).first()
    if c is None or not user_of(request).sees(c.facility_id):
        raise NotFound(code="UNKNOWN_CONTACT", message=_("Not found."), field=None)
    with transaction.atomic():
        services.attend(contact=c, actor=actor_of(request), at=clock.now(), **payload.dict())
    return ContactIdOut(id=c.pk, kind=c.kind, requested_at=c.requested_at, seen_at=c.seen_at)


class AwaitingOut(Schema):
    person_id: int
    custody_number: str
    admitted_at: dt.datetime
    hours_waiting: int


@router.get(
    "/facilities/{code}/awaiting-examination",
    response={200: list[AwaitingOut], **ERRORS},
    summary="People in custody without a medical examination on admission (Mandela Rule 30)",
)
def awaiting_examination(request: HttpRequest, code: str) -> list[AwaitingOut]:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    now = clock.now()
    return [
        AwaitingOut(
            person_id=e.person_id,
            custody_number=e.person.custody_number,
            admitted_at=e.admitted_at,
            hours_waiting=int((now - e.admitted_at).total_seconds() // 3600),
        )
        for e in selectors.awaiting_examination(facility, now)[:2000]
    ]
