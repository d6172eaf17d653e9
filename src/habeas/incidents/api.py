"""The incidents API: incidents with the people involved, use of force, restraints, discipline
and sanctions (collective ones recorded as such), segregation and its reviews, complaints and
deaths in custody."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.api import actor_of, require, user_of, visible_facility
from habeas.core.errors import NotFound
from habeas.custody.selectors import last_stay, visible_person
from habeas.estate.models import Cell, Facility
from habeas.housing.api import ErrorOut
from habeas.incidents import discipline, selectors, services
from habeas.incidents.models import (
    Charge,
    Complaint,
    Death,
    Incident,
    Restraint,
    Sanction,
    Segregation,
)
from habeas.people.models import Person
from habeas.regime.selectors import day_bounds, today

router = Router(tags=["incidents"])

ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
M = TypeVar("M", bound=models.Model)


def _visible(request: HttpRequest, model: type[M], pk: int, code: str) -> M:
    """An object of a facility the user is assigned to; 404 otherwise."""
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None or not user_of(request).sees(obj.facility_id):  # type: ignore[attr-defined]
        raise NotFound(code=code, message=_("Not found."), field=None)
    return obj


def _person_here(request: HttpRequest, person_id: int) -> tuple[Person, Facility]:
    person = visible_person(user_of(request), pk=person_id)
    stay = last_stay(person)
    assert stay is not None
    return person, stay.facility


class IdOut(Schema):
    id: int


# --- Incidents --------------------------------------------------------------------------------


class InvolvedSchema(Schema):
    person_id: int | None = None
    custody_number: str | None = Field(None, max_length=20)
    role: str = Field(..., max_length=16)
    injured: bool = False
    note: str = Field("", max_length=300)


class IncidentIn(Schema):
    kind: str = Field(..., max_length=24)
    occurred_at: dt.datetime
    description: str = Field(..., max_length=10_000)
    cell: str | None = Field(None, max_length=32)
    unit: str | None = Field(None, max_length=32)
    place: str = Field("", max_length=200)
    serious: bool = False
    reported_to: str = Field("", max_length=200)
    reported_to_at: dt.datetime | None = None
    involved: list[InvolvedSchema] = []


class InvolvedOut(Schema):
    person_id: int
    custody_number: str
    role: str
    injured: bool


class IncidentOut(Schema):
    id: int
    kind: str
    occurred_at: dt.datetime
    description: str
    cell: str | None
    serious: bool
    reported_to: str
    reported_to_at: dt.datetime | None
    involved: list[InvolvedOut]
    uses_of_force: list[int]


def incident_out(i: Incident) -> IncidentOut:
    return IncidentOut(
        id=i.pk,
        kind=i.kind,
        occurred_at=i.occurred_at,
        description=i.description,
        cell=i.cell.code if i.cell else None,
        serious=i.serious,
        reported_to=i.reported_to,
        reported_to_at=i.reported_to_at,
        involved=[
            InvolvedOut(
                person_id=x.person_id,
                custody_number=x.person.custody_number,
                role=x.role,
                injured=x.injured,
            )
            for x in i.involved.select_related("person")
        ],
        uses_of_force=[u.pk for u in i.uses_of_force.all()],
    )


@router.post(
    "/facilities/{code}/incidents",
    response={201: IncidentOut, **ERRORS},
    summary="Record an incident with the people involved and their roles",
)
def record_incident(request: HttpRequest, code: str, payload: IncidentIn) -> Status[IncidentOut]:
    require(request, Capability.RECORD_INCIDENTS)
    facility = visible_facility(request, code)
    data = payload.dict()
    involved = [services.InvolvedIn(**x) for x in data.pop("involved")]
    with transaction.atomic():
        incident = services.record_incident(
            facility=facility, involved=involved, actor=actor_of(request), at=clock.now(), **data
        )
    return Status(201, incident_out(incident))


@router.get(
    "/facilities/{code}/incidents",
    response={200: list[IncidentOut], **ERRORS},
    summary="Incidents of a period (the last 30 days by default)",
)
def list_incidents(
    request: HttpRequest, code: str, since: dt.date | None = None, until: dt.date | None = None
) -> list[IncidentOut]:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    last = until or today(facility)
    first = since or last - dt.timedelta(days=29)
    start, _e = day_bounds(facility, first)
    _s, end = day_bounds(facility, last)
    return [incident_out(i) for i in selectors.incidents(facility, start, end)[:1000]]


@router.get(
    "/incidents/{incident_id}", response={200: IncidentOut, **ERRORS}, summary="An incident"
)
def get_incident(request: HttpRequest, incident_id: int) -> IncidentOut:
    require(request, Capability.VIEW_ROLL)
    return incident_out(_visible(request, Incident, incident_id, "UNKNOWN_INCIDENT"))


class ReportIn(Schema):
    reported_to: str = Field(..., max_length=200)
    reported_to_at: dt.datetime


@router.post(
    "/incidents/{incident_id}/report",
    response={200: IncidentOut, **ERRORS},
    summary="Record when a serious incident was reported to an independent authority",
)
def report_incident(request: HttpRequest, incident_id: int, payload: ReportIn) -> IncidentOut:
    require(request, Capability.RECORD_INCIDENTS)
    incident = _visible(request, Incident, incident_id, "UNKNOWN_INCIDENT")
    with transaction.atomic():
        services.report_incident(
            incident=incident, actor=actor_of(request), at=clock.now(), **payload.dict()
        )
    return incident_out(incident)


# --- Force and restraints ---------------------------------------------------------------------


class TechniqueSchema(Schema):
    technique: str = Field(..., max_length=16)
    applied_by: str = Field("", max_length=200)
    note: str = Field("", max_length=300)


class ForceIn(Schema):
    started_at: dt.datetime
    ended_at: dt.datetime
    techniques: list[TechniqueSchema]
    reason: str = Field(..., max_length=5000)
    authorised_by: str = Field(..., max_length=200)
    injuries: str = Field("", max_length=5000)
    incident_id: int | None = None


@router.post(
    "/people/{person_id}/uses-of-force",
    response={201: IdOut, **ERRORS},
    summary="Record force used on a person, with each technique",
)
def record_force(request: HttpRequest, person_id: int, payload: ForceIn) -> Status[IdOut]:
    require(request, Capability.RECORD_INCIDENTS)
    person, facility = _person_here(request, person_id)
    incident = (
        _visible(request, Incident, payload.incident_id, "UNKNOWN_INCIDENT")
        if payload.incident_id
        else None
    )
    with transaction.atomic():
        use = services.record_use_of_force(
            person=person,
            facility=facility,
            started_at=payload.started_at,
            ended_at=payload.ended_at,
            techniques=[services.TechniqueIn(**t.dict()) for t in payload.techniques],
            reason=payload.reason,
            authorised_by=payload.authorised_by,
            injuries=payload.injuries,
            incident=incident,
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdOut(id=use.pk))


class RestraintIn(Schema):
    kind: str = Field(..., max_length=16)
    purpose: str = Field(..., max_length=16)
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    reason: str = Field(..., max_length=5000)
    authorised_by: str = Field(..., max_length=200)


class RestraintOut(Schema):
    id: int
    person_id: int
    kind: str
    purpose: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    prohibited: bool


def restraint_out(r: Restraint) -> RestraintOut:
    return RestraintOut(
        id=r.pk,
        person_id=r.person_id,
        kind=r.kind,
        purpose=r.purpose,
        started_at=r.started_at,
        ended_at=r.ended_at,
        prohibited=r.prohibited,
    )


@router.post(
    "/people/{person_id}/restraints",
    response={201: RestraintOut, **ERRORS},
    summary="Record a restraint put on a person (prohibited kinds are recorded and flagged)",
)
def apply_restraint(
    request: HttpRequest, person_id: int, payload: RestraintIn
) -> Status[RestraintOut]:
    require(request, Capability.RECORD_INCIDENTS)
    person, facility = _person_here(request, person_id)
    with transaction.atomic():
        r = services.apply_restraint(
            person=person,
            facility=facility,
            actor=actor_of(request),
            at=clock.now(),
            **payload.dict(),
        )
    return Status(201, restraint_out(r))


class EndIn(Schema):
    ended_at: dt.datetime


@router.post(
    "/restraints/{restraint_id}/removal",
    response={200: RestraintOut, **ERRORS},
    summary="Record when a restraint was removed",
)
def remove_restraint(request: HttpRequest, restraint_id: int, payload: EndIn) -> RestraintOut:
    require(request, Capability.RECORD_INCIDENTS)
    r = _visible(request, Restraint, restraint_id, "UNKNOWN_RESTRAINT")
    with transaction.atomic():
        services.remove_restraint(
            restraint=r, ended_at=payload.ended_at, actor=actor_of(request), at=clock.now()
        )
    return restraint_out(r)


# --- Discipline -------------------------------------------------------------------------------


class ChargeIn(Schema):
    offence: str = Field(..., max_length=300)
    charged_at: dt.datetime
    notified_at: dt.datetime | None = None
    incident_id: int | None = None


class SanctionSchema(Schema):
    kind: str = Field(..., max_length=24)
    started_at: dt.datetime
    ended_at: dt.datetime | None = None


class SanctionOut(Schema):
    id: int
    kind: str
    scope: str
    collective: bool
    prohibited: bool
    person_id: int | None
    cell: str | None
    unit: str | None
    started_at: dt.datetime
    ended_at: dt.datetime | None


def sanction_out(s: Sanction) -> SanctionOut:
    return SanctionOut(
        id=s.pk,
        kind=s.kind,
        scope=s.scope,
        collective=s.collective,
        prohibited=s.prohibited,
        person_id=s.person_id,
        cell=s.cell.code if s.cell else None,
        unit=s.unit.code if s.unit else None,
        started_at=s.started_at,
        ended_at=s.ended_at,
    )


class ChargeOut(Schema):
    id: int
    person_id: int
    offence: str
    charged_at: dt.datetime
    notified_at: dt.datetime | None
    hearing_at: dt.datetime | None
    outcome: str
    sanctions: list[SanctionOut]


def charge_out(c: Charge) -> ChargeOut:
    return ChargeOut(
        id=c.pk,
        person_id=c.person_id,
        offence=c.offence,
        charged_at=c.charged_at,
        notified_at=c.notified_at,
        hearing_at=c.hearing_at,
        outcome=c.outcome,
        sanctions=[sanction_out(s) for s in c.sanctions.select_related("cell", "unit")],
    )


@router.post(
    "/people/{person_id}/charges",
    response={201: ChargeOut, **ERRORS},
    summary="Bring a disciplinary charge",
)
def bring_charge(request: HttpRequest, person_id: int, payload: ChargeIn) -> Status[ChargeOut]:
    require(request, Capability.DISCIPLINE)
    person, facility = _person_here(request, person_id)
    incident = (
        _visible(request, Incident, payload.incident_id, "UNKNOWN_INCIDENT")
        if payload.incident_id
        else None
    )
    with transaction.atomic():
        charge = discipline.bring_charge(
            person=person,
            facility=facility,
            offence=payload.offence,
            charged_at=payload.charged_at,
            notified_at=payload.notified_at,
            incident=incident,
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, charge_out(charge))


class HearingIn(Schema):
    hearing_at: dt.datetime
    adjudicator: str = Field(..., max_length=200)
    person_heard: bool
    interpreter: bool | None = None
    legal_assistance: bool | None = None
    outcome: str = Field(..., max_length=16)
    reasons: str = Field(..., max_length=5000)
    sanctions: list[SanctionSchema] = []


@router.post(
    "/charges/{charge_id}/hearing",
    response={200: ChargeOut, **ERRORS},
    summary="Record the hearing of a charge, its outcome and any sanctions",
)
def hear_charge(request: HttpRequest, charge_id: int, payload: HearingIn) -> ChargeOut:
    require(request, Capability.DISCIPLINE)
    charge = _visible(request, Charge, charge_id, "UNKNOWN_CHARGE")
    data = payload.dict()
    sanctions = [discipline.SanctionIn(**s) for s in data.pop("sanctions")]
    with transaction.atomic():
        discipline.hear_charge(
            charge=charge, sanctions=sanctions, actor=actor_of(request), at=clock.now(), **data
        )
    return charge_out(charge)


class CollectiveIn(Schema):
    kind: str = Field(..., max_length=24)
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    reason: str = Field(..., max_length=5000)
    imposed_by: str = Field(..., max_length=200)
    unit: str | None = Field(None, max_length=32)
    cells: list[str] = []


@router.post(
    "/facilities/{code}/collective-sanctions",
    response={201: list[SanctionOut], **ERRORS},
    summary="Record a sanction imposed on a whole cell or unit (collective: Mandela Rule 43)",
)
def collective_sanction(
    request: HttpRequest, code: str, payload: CollectiveIn
) -> Status[list[SanctionOut]]:
    require(request, Capability.DISCIPLINE)
    facility = visible_facility(request, code)
    with transaction.atomic():
        created = discipline.impose_collective_sanction(
            facility=facility, actor=actor_of(request), at=clock.now(), **payload.dict()
        )
    return Status(201, [sanction_out(s) for s in created])


@router.post(
    "/sanctions/{sanction_id}/end",
    response={200: SanctionOut, **ERRORS},
    summary="End a sanction",
)
def end_sanction(request: HttpRequest, sanction_id: int, payload: EndIn) -> SanctionOut:
    require(request, Capability.DISCIPLINE)
    s = _visible(request, Sanction, sanction_id, "UNKNOWN_SANCTION")
    with transaction.atomic():
        discipline.end_sanction(
            sanction=s, ended_at=payload.ended_at, actor=actor_of(request), at=clock.now()
        )
    return sanction_out(s)


# --- Segregation ------------------------------------------------------------------------------


class SegregationIn(Schema):
    kind: str = Field(..., max_length=16)
    grounds: str = Field(..., max_length=5000)
    started_at: dt.datetime
    authorised_by: str = Field(..., max_length=200)
    cell: str | None = Field(None, max_length=32)


class ReviewOut(Schema):
    reviewed_at: dt.datetime
    reviewer: str
    independent: bool
    health_seen: bool
    decision: str


class SegregationOut(Schema):
    id: int
    person_id: int
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    authorised_by: str
    reviews: list[ReviewOut]


def segregation_out(s: Segregation) -> SegregationOut:
    return SegregationOut(
        id=s.pk,
        person_id=s.person_id,
        kind=s.kind,
        started_at=s.started_at,
        ended_at=s.ended_at,
        authorised_by=s.authorised_by,
        reviews=[
            ReviewOut(
                reviewed_at=r.reviewed_at,
                reviewer=r.reviewer,
                independent=r.independent,
                health_seen=r.health_seen,
                decision=r.decision,
            )
            for r in selectors.reviews_of(s)
        ],
    )


@router.post(
    "/people/{person_id}/segregations",
    response={201: SegregationOut, **ERRORS},
    summary="Segregate a person: grounds and who authorised it",
)
def segregate(
    request: HttpRequest, person_id: int, payload: SegregationIn
) -> Status[SegregationOut]:
    require(request, Capability.DISCIPLINE)
    person, facility = _person_here(request, person_id)
    cell = None
    if payload.cell:
        cell = Cell.objects.filter(facility=facility, code=payload.cell).first()
        if cell is None:
            raise NotFound(code="UNKNOWN_CELL", message=_("No such cell."), field="cell")
    data = payload.dict()
    data.pop("cell")
    with transaction.atomic():
        s = discipline.segregate(
            person=person,
            facility=facility,
            cell=cell,
            actor=actor_of(request),
            at=clock.now(),
            **data,
        )
    return Status(201, segregation_out(s))


class ReviewIn(Schema):
    reviewed_at: dt.datetime
    reviewer: str = Field(..., max_length=200)
    independent: bool
    health_seen: bool
    decision: str = Field(..., max_length=16)
    note: str = Field("", max_length=5000)


@router.post(
    "/segregations/{segregation_id}/reviews",
    response={201: SegregationOut, **ERRORS},
    summary="Record a review of a segregation (continue or end)",
)
def review_segregation(
    request: HttpRequest, segregation_id: int, payload: ReviewIn
) -> Status[SegregationOut]:
    require(request, Capability.DISCIPLINE)
    s = _visible(request, Segregation, segregation_id, "UNKNOWN_SEGREGATION")
    with transaction.atomic():
        discipline.review_segregation(
            segregation=s, actor=actor_of(request), at=clock.now(), **payload.dict()
        )
    return Status(201, segregation_out(s))


class EndWithReasonIn(Schema):
    ended_at: dt.datetime
    reason: str = Field(..., max_length=5000)


@router.post(
    "/segregations/{segregation_id}/end",
    response={200: SegregationOut, **ERRORS},
    summary="End a segregation",
)
def end_segregation(
    request: HttpRequest, segregation_id: int, payload: EndWithReasonIn
) -> SegregationOut:
    require(request, Capability.DISCIPLINE)
    s = _visible(request, Segregation, segregation_id, "UNKNOWN_SEGREGATION")
    with transaction.atomic():
        discipline.end_segregation(
            segregation=s, actor=actor_of(request), at=clock.now(), **payload.dict()
        )
    return segregation_out(s)


# --- Complaints -------------------------------------------------------------------------------


class ComplaintIn(Schema):
    subject: str = Field(..., max_length=16)
    channel: str = Field(..., max_length=16)
    summary: str = Field(..., max_length=10_000)
    filed_at: dt.datetime
    confidential: bool = False


class ComplaintOut(Schema):
    id: int
    person_id: int
    subject: str
    channel: str
    confidential: bool
    filed_at: dt.datetime
    answered_at: dt.datetime | None
    outcome: str


def complaint_out(c: Complaint) -> ComplaintOut:
    return ComplaintOut(
        id=c.pk,
        person_id=c.person_id,
        subject=c.subject,
        channel=c.channel,
        confidential=c.confidential,
        filed_at=c.filed_at,
        answered_at=c.answered_at,
        outcome=c.outcome,
    )


@router.post(
    "/people/{person_id}/complaints",
    response={201: ComplaintOut, **ERRORS},
    summary="Record a complaint as the person made it",
)
def file_complaint(
    request: HttpRequest, person_id: int, payload: ComplaintIn
) -> Status[ComplaintOut]:
    require(request, Capability.RECORD_INCIDENTS)
    person, facility = _person_here(request, person_id)
    with transaction.atomic():
        c = discipline.file_complaint(
            person=person,
            facility=facility,
            actor=actor_of(request),
            at=clock.now(),
            **payload.dict(),
        )
    return Status(201, complaint_out(c))


class AnswerIn(Schema):
    answer: str = Field(..., max_length=10_000)
    outcome: str = Field(..., max_length=16)
    answered_at: dt.datetime


@router.post(
    "/complaints/{complaint_id}/answer",
    response={200: ComplaintOut, **ERRORS},
    summary="Answer a complaint",
)
def answer_complaint(request: HttpRequest, complaint_id: int, payload: AnswerIn) -> ComplaintOut:
    require(request, Capability.DECIDE_REQUESTS)
    c = _visible(request, Complaint, complaint_id, "UNKNOWN_COMPLAINT")
    with transaction.atomic():
        discipline.answer_complaint(
            complaint=c, actor=actor_of(request), at=clock.now(), **payload.dict()
        )
    return complaint_out(c)


# --- Deaths -----------------------------------------------------------------------------------


class DeathIn(Schema):
    died_at: dt.datetime
    place: str = Field(..., max_length=200)
    circumstances: str = Field(..., max_length=10_000)
    manner: str = Field(..., max_length=16)
    cause_stated: str = Field("", max_length=300)
    family_informed_at: dt.datetime | None = None
    family_informed: str = Field("", max_length=200)
    authority_informed_at: dt.datetime | None = None
    authority: str = Field("", max_length=200)
    remains_to: str = Field("", max_length=200)
    incident_id: int | None = None


class DeathOut(Schema):
    id: int
    person_id: int
    died_at: dt.datetime
    manner: str
    family_informed_at: dt.datetime | None
    authority_informed_at: dt.datetime | None
    authority: str


def death_out(d: Death) -> DeathOut:
    return DeathOut(
        id=d.pk,
        person_id=d.person_id,
        died_at=d.died_at,
        manner=d.manner,
        family_informed_at=d.family_informed_at,
        authority_informed_at=d.authority_informed_at,
        authority=d.authority,
    )


@router.post(
    "/people/{person_id}/death",
    response={201: DeathOut, **ERRORS},
    summary="Record a death in custody (ends custody; who was told and when)",
)
def record_death(request: HttpRequest, person_id: int, payload: DeathIn) -> Status[DeathOut]:
    require(request, Capability.RECORD_INCIDENTS)
    person, _facility = _person_here(request, person_id)
    data = payload.dict()
    incident_id = data.pop("incident_id")
    incident = _visible(request, Incident, incident_id, "UNKNOWN_INCIDENT") if incident_id else None
    with transaction.atomic():
        d = services.record_death(
            person=person, incident=incident, actor=actor_of(request), at=clock.now(), **data
        )
    return Status(201, death_out(d))


class InformIn(Schema):
    family_informed_at: dt.datetime | None = None
    family_informed: str = Field("", max_length=200)
    authority_informed_at: dt.datetime | None = None
    authority: str = Field("", max_length=200)


@router.post(
    "/deaths/{death_id}/notifications",
    response={200: DeathOut, **ERRORS},
    summary="Record when the family or an independent authority was told of a death",
)
def inform_of_death(request: HttpRequest, death_id: int, payload: InformIn) -> DeathOut:
    require(request, Capability.RECORD_INCIDENTS)
    d = _visible(request, Death, death_id, "UNKNOWN_DEATH")
    with transaction.atomic():
        services.inform_of_death(death=d, actor=actor_of(request), at=clock.now(), **payload.dict())
    return death_out(d)


# --- What is in force -------------------------------------------------------------------------


class SegregationNowOut(Schema):
    id: int
    person_id: int
    custody_number: str
    kind: str
    started_at: dt.datetime
    days: int
    prolonged: bool
    reviews: int
    last_review: dt.datetime | None


class InForceOut(Schema):
    at: dt.datetime
    restraints: list[RestraintOut]
    segregations: list[SegregationNowOut]
    sanctions: list[SanctionOut]
    complaints_unanswered: list[ComplaintOut]
    deaths_last_30_days: list[DeathOut]
    uses_of_force_last_30_days: int
    incidents_last_30_days: int


@router.get(
    "/facilities/{code}/in-force",
    response={200: InForceOut, **ERRORS},
    summary="Restraints, segregation and sanctions in force now; complaints without an answer",
)
def in_force(request: HttpRequest, code: str) -> InForceOut:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    now = clock.now()
    s = selectors.summary(facility, now, now - dt.timedelta(days=30))
    return InForceOut(
        at=now,
        restraints=[restraint_out(r) for r in s.restraints],
        segregations=[
            SegregationNowOut(
                id=row.segregation.pk,
                person_id=row.segregation.person_id,
                custody_number=row.segregation.person.custody_number,
                kind=row.segregation.kind,
                started_at=row.segregation.started_at,
                days=row.days,
                prolonged=row.prolonged,
                reviews=row.reviews,
                last_review=row.last_review,
            )
            for row in s.segregations
        ],
        sanctions=[sanction_out(x) for x in s.sanctions],
        complaints_unanswered=[complaint_out(c) for c in s.complaints_unanswered],
        deaths_last_30_days=[death_out(d) for d in s.deaths],
        uses_of_force_last_30_days=s.uses_of_force,
        incidents_last_30_days=s.incidents,
    )
