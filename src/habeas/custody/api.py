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
from habeas.custody import admission, selectors, services
from habeas.custody.inputs import (
    AdmissionIn,
    AffiliationIn,
    ArrivalIn,
    AuthorityIn,
    DocumentIn,
    PersonIn,
)
from habeas.estate.models import Cell, Facility
from habeas.housing import services as housing
from habeas.housing.api import ErrorOut, aware
from habeas.people.models import Person

router = Router(tags=["custody"])

ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class DocumentSchema(Schema):
    kind: str = Field(..., max_length=32)
    number: str = Field(..., max_length=64)
    issuing_country: str = Field(..., max_length=64)


class AffiliationSchema(Schema):
    group: str = Field(..., max_length=32)
    status: str = "assessed"
    source: str = Field("", max_length=200)
    recorded_on: dt.date | None = None


class PersonSchema(Schema):
    given_names: str = Field(..., max_length=150)
    family_names: str = Field(..., max_length=150)
    date_of_birth: dt.date
    sex: str = Field(..., max_length=1)
    nationality: str = Field(..., max_length=64)
    gender_identity: str = Field("", max_length=100)
    aliases: list[str] = []
    documents: list[DocumentSchema] = []
    affiliations: list[AffiliationSchema] = []


class AuthoritySchema(Schema):
    kind: str = Field(..., max_length=32)
    issuing_authority: str = Field(..., max_length=200)
    reference: str = Field(..., max_length=100)
    issued_on: dt.date
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None
    review_due_by: dt.datetime | None = None
    offence: str = Field("", max_length=300)


class ArrivalSchema(Schema):
    arrested_at: dt.datetime | None = None
    arrest_place: str = Field("", max_length=200)
    arresting_authority: str = Field("", max_length=200)
    visible_injuries: str = Field("", max_length=5000)
    ill_treatment_reported: str = Field("", max_length=5000)
    property_inventory: str = Field("", max_length=5000)
    family: str = Field("", max_length=5000)
    emergency_contact: str = Field("", max_length=300)


class AdmissionSchema(Schema):
    person: PersonSchema | None = None
    person_id: int | None = None
    authority: AuthoritySchema | None = None
    arrival: ArrivalSchema | None = None
    cell: str | None = Field(None, max_length=32)
    distinct_from: list[int] = Field(
        [], description="People the officer confirms this is not, after a POSSIBLE_DUPLICATE."
    )


class AdmittedOut(Schema):
    person_id: int
    custody_number: str
    episode_id: int
    cell: str | None


def _aware_or_none(value: dt.datetime | None) -> dt.datetime | None:
    return aware(value) if value is not None else None


def to_admission(p: AdmissionSchema) -> AdmissionIn:
    person = None
    if p.person is not None:
        person = PersonIn(
            given_names=p.person.given_names,
            family_names=p.person.family_names,
            date_of_birth=p.person.date_of_birth,
            sex=p.person.sex,
            nationality=p.person.nationality,
            gender_identity=p.person.gender_identity,
            aliases=tuple(p.person.aliases),
            documents=tuple(
                DocumentIn(d.kind, d.number, d.issuing_country) for d in p.person.documents
            ),
            affiliations=tuple(
                AffiliationIn(a.group, a.status, a.source, a.recorded_on)
                for a in p.person.affiliations
            ),
        )
    authority = None
    if p.authority is not None:
        a = p.authority
        authority = AuthorityIn(
            kind=a.kind,
            issuing_authority=a.issuing_authority,
            reference=a.reference,
            issued_on=a.issued_on,
            valid_from=aware(a.valid_from),
            valid_until=_aware_or_none(a.valid_until),
            review_due_by=_aware_or_none(a.review_due_by),
            offence=a.offence,
        )
    r = p.arrival or ArrivalSchema.model_validate({})
    arrival = ArrivalIn(
        arrested_at=_aware_or_none(r.arrested_at),
        arrest_place=r.arrest_place,
        arresting_authority=r.arresting_authority,
        visible_injuries=r.visible_injuries,
        ill_treatment_reported=r.ill_treatment_reported,
        property_inventory=r.property_inventory,
        family=r.family,
        emergency_contact=r.emergency_contact,
    )
    return AdmissionIn(
        authority=authority,
        person=person,
        person_id=p.person_id,
        arrival=arrival,
        cell=p.cell or None,
        distinct_from=tuple(p.distinct_from),
    )


@router.post(
    "/facilities/{code}/admissions",
    response={201: AdmittedOut, **ERRORS},
    summary="Admit one person on a lawful authority",
)
def admit(request: HttpRequest, code: str, payload: AdmissionSchema) -> Status[AdmittedOut]:
    require(request, Capability.ADMIT)
    facility = visible_facility(request, code)
    with transaction.atomic():
        done = admission.admit(
            admission=to_admission(payload),
            facility=facility,
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(
        201,
        AdmittedOut(
            person_id=done.person_id,
            custody_number=done.custody_number,
            episode_id=done.episode_id,
            cell=done.cell,
        ),
    )


class AuthorityOut(Schema):
    id: int
    kind: str
    issuing_authority: str
    reference: str
    issued_on: dt.date
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    review_due_by: dt.datetime | None
    revoked_at: dt.datetime | None
    offence: str
    covers_now: bool


class PlacementOut(Schema):
    facility: str
    cell: str
    started_at: dt.datetime
    ended_at: dt.datetime | None


class PersonOut(Schema):
    id: int
    custody_number: str
    given_names: str
    family_names: str
    date_of_birth: dt.date
    sex: str
    nationality: str
    in_custody: bool
    facility: str | None
    cell: str | None
    away: str | None
    custody_status: str | None
    lawful_authority_now: bool
    affiliations: list[dict[str, str]]
    authorities: list[AuthorityOut]
    placements: list[PlacementOut]


def person_out(person: Person) -> PersonOut:
    now = clock.now()
    w = selectors.whereabouts(person, now)
    return PersonOut(
        id=person.pk,
        custody_number=person.custody_number,
        given_names=person.given_names,
        family_names=person.family_names,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        nationality=person.nationality,
        in_custody=w.in_custody,
        facility=w.facility_code,
        cell=w.cell_code,
        away=w.away,
        custody_status=w.status,
        lawful_authority_now=w.covered,
        affiliations=[
            {"group": a.group.code, "status": a.status, "source": a.source}
            for a in person.affiliations.select_related("group")
        ],
        authorities=[
            AuthorityOut(
                id=a.pk,
                kind=a.kind,
                issuing_authority=a.issuing_authority,
                reference=a.reference,
                issued_on=a.issued_on,
                valid_from=a.valid_from,
                valid_until=a.valid_until,
                review_due_by=a.review_due_by,
                revoked_at=a.revoked_at,
                offence=a.offence,
                covers_now=a.covers(now),
            )
            for a in selectors.authorities_of(person)
        ],
        placements=[
            PlacementOut(
                facility=p.facility.code,
                cell=p.cell.code,
                started_at=p.started_at,
                ended_at=p.ended_at,
            )
            for p in selectors.placements_of(person)
        ],
    )


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, **ERRORS},
    summary="A person: where, on what authority, since when",
)
def get_person(request: HttpRequest, person_id: int) -> PersonOut:
    require(request, Capability.VIEW_PERSON)
    return person_out(selectors.visible_person(user_of(request), pk=person_id))


class PlaceIn(Schema):
    cell: str = Field(..., max_length=32)
    reason: str = Field("", max_length=300)


@router.post(
    "/people/{person_id}/placement",
    response={200: PersonOut, **ERRORS},
    summary="Place or move a person into a cell of their facility",
)
def place(request: HttpRequest, person_id: int, payload: PlaceIn) -> PersonOut:
    require(request, Capability.PLACE)
    person = selectors.visible_person(user_of(request), pk=person_id)
    stay = selectors.last_stay(person)
    assert stay is not None
    cell = Cell.objects.filter(facility_id=stay.facility_id, code=payload.cell).first()
    if cell is None:
        raise NotFound(code="UNKNOWN_CELL", message=_("No such cell."), field="cell")
    with transaction.atomic():
        housing.place(
            person=person, cell=cell, actor=actor_of(request), at=clock.now(), reason=payload.reason
        )
    return person_out(person)


@router.post(
    "/people/{person_id}/authorities",
    response={201: AuthorityOut, **ERRORS},
    summary="Record a further lawful authority (a review, a conviction)",
)
def add_authority(
    request: HttpRequest, person_id: int, payload: AuthoritySchema
) -> Status[AuthorityOut]:
    require(request, Capability.MANAGE_AUTHORITIES)
    person = selectors.visible_person(user_of(request), pk=person_id)
    a = payload
    with transaction.atomic():
        obj = services.add_authority(
            person=person,
            authority=AuthorityIn(
                kind=a.kind,
                issuing_authority=a.issuing_authority,
                reference=a.reference,
                issued_on=a.issued_on,
                valid_from=aware(a.valid_from),
                valid_until=_aware_or_none(a.valid_until),
                review_due_by=_aware_or_none(a.review_due_by),
                offence=a.offence,
            ),
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(
        201,
        AuthorityOut(
            id=obj.pk,
            kind=obj.kind,
            issuing_authority=obj.issuing_authority,
            reference=obj.reference,
            issued_on=obj.issued_on,
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
            review_due_by=obj.review_due_by,
            revoked_at=obj.revoked_at,
            offence=obj.offence,
            covers_now=obj.covers(clock.now()),
        ),
    )


class ReleaseIn(Schema):
    order_reference: str = Field(..., max_length=100)
    ordered_by: str = Field(..., max_length=200)
    reason: str = Field(..., max_length=2000)


@router.post(
    "/people/{person_id}/release",
    response={200: PersonOut, **ERRORS},
    summary="Release on a court order or at the end of a sentence",
)
def release(request: HttpRequest, person_id: int, payload: ReleaseIn) -> PersonOut:
    require(request, Capability.RELEASE)
    person = selectors.visible_person(user_of(request), pk=person_id)
    with transaction.atomic():
        services.release(
            person=person,
            at=clock.now(),
            order_reference=payload.order_reference,
            ordered_by=payload.ordered_by,
            reason=payload.reason,
            actor=actor_of(request),
        )
    return person_out(person)


class TransferIn(Schema):
    to: str = Field(..., max_length=32)
    order_reference: str = Field(..., max_length=100)
    ordered_by: str = Field(..., max_length=200)
    reason: str = Field("", max_length=2000)


@router.post(
    "/people/{person_id}/transfer",
    response={200: PersonOut, **ERRORS},
    summary="Transfer to another facility on a transfer order",
)
def transfer(request: HttpRequest, person_id: int, payload: TransferIn) -> PersonOut:
    require(request, Capability.TRANSFER)
    person = selectors.visible_person(user_of(request), pk=person_id)
    to = Facility.objects.filter(code=payload.to).first()
    if to is None:
        raise NotFound(code="UNKNOWN_FACILITY", message=_("No such facility."), field="to")
    with transaction.atomic():
        services.transfer(
            person=person,
            to=to,
            at=clock.now(),
            order_reference=payload.order_reference,
            ordered_by=payload.ordered_by,
            reason=payload.reason,
            actor=actor_of(request),
        )
    return person_out(person)
