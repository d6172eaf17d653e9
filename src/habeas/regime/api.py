"""The regime and contact API: timetables, the unlock log (one entry for many cells), meals,
visits, hearings, calls, letters, family notifications, and one person's days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.api import actor_of, require, user_of, visible_facility
from habeas.core.errors import InvalidInput, NotFound
from habeas.custody.selectors import last_stay, visible_person
from habeas.estate.models import Facility, Unit
from habeas.housing.api import ErrorOut
from habeas.people.models import Person
from habeas.regime import days, selectors, services
from habeas.regime.models import Visit

router = Router(tags=["regime"])

ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
MAX_BATCH = 50_000


def _day(facility: Facility, day: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    return selectors.day_bounds(facility, day or selectors.today(facility))


def _batch(items: list[Any], name: str) -> None:
    if not items:
        raise InvalidInput(code="REQUIRED", message=_("The batch is empty."), field=name)
    if len(items) > MAX_BATCH:
        raise InvalidInput(
            code="TOO_MANY",
            message=_("At most %(n)d items per request.") % {"n": MAX_BATCH},
            field=name,
        )


# --- Timetable --------------------------------------------------------------------------------


class PeriodSchema(Schema):
    purpose: str = Field(..., max_length=16)
    location: str = Field(..., max_length=16)
    starts: dt.time
    ends: dt.time


class TimetableIn(Schema):
    weekdays: list[int] = Field(..., description="0 = Monday … 6 = Sunday")
    valid_from: dt.date
    periods: list[PeriodSchema]


class PeriodOut(Schema):
    purpose: str
    location: str
    starts: dt.time
    ends: dt.time
    minutes: int


class UnitTimetableOut(Schema):
    unit: str
    weekday: int
    periods: list[PeriodOut]
    minutes_out_of_cell: int
    minutes_open_air: int


@router.put(
    "/facilities/{code}/units/{unit}/timetable",
    response={200: list[UnitTimetableOut], **ERRORS},
    summary="Set a unit's timetable for some weekdays from a date",
)
def set_timetable(
    request: HttpRequest, code: str, unit: str, payload: TimetableIn
) -> list[UnitTimetableOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    target = Unit.objects.filter(facility=facility, code=unit).first()
    if target is None:
        raise NotFound(code="UNKNOWN_UNIT", message=_("No unit %(u)s.") % {"u": unit}, field="unit")
    with transaction.atomic():
        services.set_timetable(
            facility=facility,
            unit=target,
            weekdays=payload.weekdays,
            periods=[
                services.PeriodIn(p.purpose, p.location, p.starts, p.ends) for p in payload.periods
            ],
            valid_from=payload.valid_from,
            actor=actor_of(request),
            at=clock.now(),
        )
    return _timetable(facility, payload.valid_from, only=target.code)


def _timetable(facility: Facility, day: dt.date, only: str | None = None) -> list[UnitTimetableOut]:
    return [
        UnitTimetableOut(
            unit=t.unit.code,
            weekday=day.weekday(),
            periods=[
                PeriodOut(
                    purpose=p.purpose,
                    location=p.location,
                    starts=p.starts,
                    ends=p.ends,
                    minutes=p.minutes,
                )
                for p in t.periods
            ],
            minutes_out_of_cell=t.minutes_out,
            minutes_open_air=t.minutes_open_air,
        )
        for t in selectors.timetable(facility, day)
        if only is None or t.unit.code == only
    ]


@router.get(
    "/facilities/{code}/timetable",
    response={200: list[UnitTimetableOut], **ERRORS},
    summary="Each unit's planned day (the timetable in force on a date, today by default)",
)
def get_timetable(
    request: HttpRequest, code: str, date: dt.date | None = None
) -> list[UnitTimetableOut]:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    return _timetable(facility, date or selectors.today(facility))


# --- Unlocks ----------------------------------------------------------------------------------


class ExceptionSchema(Schema):
    custody_number: str | None = Field(None, max_length=20)
    person_id: int | None = None
    reason: str = Field(..., max_length=16)
    note: str = Field("", max_length=300)


class UnlockSchema(Schema):
    started_at: dt.datetime
    ended_at: dt.datetime
    location: str = Field(..., max_length=16, description="open_air, covered or in_cell")
    purpose: str = Field("exercise", max_length=16)
    unit: str | None = Field(None, max_length=32, description="a whole unit …")
    cells: list[str] = Field([], description="… or these cells")
    exceptions: list[ExceptionSchema] = []
    note: str = Field("", max_length=500)


class ExceptionOut(Schema):
    person_id: int
    custody_number: str
    reason: str


class UnlockOut(Schema):
    id: int
    scope: str
    unit: str | None
    cells: list[str]
    started_at: dt.datetime
    ended_at: dt.datetime
    minutes: int
    location: str
    purpose: str
    people: int = Field(..., description="placed in the cells when the unlock began")
    took_part: int
    exceptions: list[ExceptionOut]


def unlock_out(row: selectors.UnlockRow) -> UnlockOut:
    return UnlockOut(
        id=row.id,
        scope=row.scope,
        unit=row.unit,
        cells=row.cells,
        started_at=row.started_at,
        ended_at=row.ended_at,
        minutes=row.minutes,
        location=row.location,
        purpose=row.purpose,
        people=row.people,
        took_part=row.took_part,
        exceptions=[
            ExceptionOut(person_id=e.person_id, custody_number=e.custody_number, reason=e.reason)
            for e in row.exceptions
        ],
    )


def to_unlock(p: UnlockSchema) -> services.UnlockIn:
    return services.UnlockIn(
        started_at=p.started_at,
        ended_at=p.ended_at,
        location=p.location,
        purpose=p.purpose,
        unit=p.unit,
        cells=tuple(p.cells),
        note=p.note,
        exceptions=tuple(
            services.ExceptionIn(
                reason=e.reason, custody_number=e.custody_number, person_id=e.person_id, note=e.note
            )
            for e in p.exceptions
        ),
    )


@router.post(
    "/facilities/{code}/unlocks",
    response={201: UnlockOut, **ERRORS},
    summary="Record one unlock of some cells or a whole unit, with individual exceptions",
)
def record_unlock(request: HttpRequest, code: str, payload: UnlockSchema) -> Status[UnlockOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    with transaction.atomic():
        (done,) = services.record_unlocks(
            facility=facility,
            unlocks=[to_unlock(payload)],
            actor=actor_of(request),
            at=clock.now(),
        )
    (row,) = selectors.unlocks(facility, done.started_at, done.ended_at, ids=[done.id])
    return Status(201, unlock_out(row))


@router.get(
    "/facilities/{code}/unlocks",
    response={200: list[UnlockOut], **ERRORS},
    summary="The unlock log of a day (today by default)",
)
def list_unlocks(request: HttpRequest, code: str, date: dt.date | None = None) -> list[UnlockOut]:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    return [unlock_out(r) for r in selectors.unlocks(facility, *_day(facility, date))]


# --- Meals ------------------------------------------------------------------------------------


class MealSchema(Schema):
    kind: str = Field(..., max_length=16)
    served_at: dt.datetime
    unit: str | None = Field(None, max_length=32)
    cells: list[str] = []
    description: str = Field("", max_length=300)


class IdsOut(Schema):
    ids: list[int]


@router.post(
    "/facilities/{code}/meals",
    response={201: IdsOut, **ERRORS},
    summary="Record meals served to cells or whole units",
)
def record_meals(request: HttpRequest, code: str, payload: list[MealSchema]) -> Status[IdsOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    _batch(payload, "meals")
    with transaction.atomic():
        ids = services.record_meals(
            facility=facility,
            meals=[
                services.MealIn(
                    kind=m.kind,
                    served_at=m.served_at,
                    unit=m.unit,
                    cells=tuple(m.cells),
                    description=m.description,
                )
                for m in payload
            ],
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdsOut(ids=ids))


# --- Visits -----------------------------------------------------------------------------------


class VisitRequestIn(Schema):
    kind: str = Field(..., max_length=16)
    visitor: str = Field(..., max_length=200)
    relationship: str = Field("", max_length=100)
    requested_for: dt.datetime | None = None


class VisitOut(Schema):
    id: int
    person_id: int
    kind: str
    visitor: str
    relationship: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    refusal_reason: str
    mode: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    minutes: int | None
    sight_not_hearing: bool | None


def visit_out(v: Visit) -> VisitOut:
    return VisitOut(
        id=v.pk,
        person_id=v.person_id,
        kind=v.kind,
        visitor=v.visitor,
        relationship=v.relationship,
        status=v.status,
        requested_at=v.requested_at,
        decided_at=v.decided_at,
        refusal_reason=v.refusal_reason,
        mode=v.mode,
        started_at=v.started_at,
        ended_at=v.ended_at,
        minutes=v.minutes,
        sight_not_hearing=v.sight_not_hearing,
    )


@router.post(
    "/people/{person_id}/visits",
    response={201: VisitOut, **ERRORS},
    summary="Request a visit for a person",
)
def request_visit(
    request: HttpRequest, person_id: int, payload: VisitRequestIn
) -> Status[VisitOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    person = visible_person(user_of(request), pk=person_id)
    facility = _facility_of_person(person)
    with transaction.atomic():
        visit = services.request_visit(
            person=person,
            facility=facility,
            kind=payload.kind,
            visitor=payload.visitor,
            relationship=payload.relationship,
            requested_for=payload.requested_for,
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, visit_out(visit))


def _facility_of_person(person: Person) -> Facility:
    stay = last_stay(person)
    assert stay is not None  # visible_person guarantees a stay
    return stay.facility


def _visit(request: HttpRequest, visit_id: int) -> Visit:
    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None or not user_of(request).sees(visit.facility_id):
        raise NotFound(code="UNKNOWN_VISIT", message=_("No such visit."), field="visit")
    return visit


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)


@router.post(
    "/visits/{visit_id}/decision",
    response={200: VisitOut, **ERRORS},
    summary="Approve or refuse a requested visit (a refusal gives its reason)",
)
def decide_visit(request: HttpRequest, visit_id: int, payload: DecisionIn) -> VisitOut:
    require(request, Capability.DECIDE_REQUESTS)
    visit = _visit(request, visit_id)
    with transaction.atomic():
        services.decide_visit(
            visit=visit,
            approve=payload.approve,
            reason=payload.reason,
            actor=actor_of(request),
            at=clock.now(),
        )
    return visit_out(visit)


class HeldIn(Schema):
    started_at: dt.datetime
    ended_at: dt.datetime
    mode: str = Field(..., max_length=16)
    sight_not_hearing: bool


@router.post(
    "/visits/{visit_id}/held",
    response={200: VisitOut, **ERRORS},
    summary="Record that an approved visit was held: when, how long, sight but not hearing",
)
def hold_visit(request: HttpRequest, visit_id: int, payload: HeldIn) -> VisitOut:
    require(request, Capability.RECORD_DAILY_LIFE)
    visit = _visit(request, visit_id)
    with transaction.atomic():
        services.hold_visit(
            visit=visit,
            started_at=payload.started_at,
            ended_at=payload.ended_at,
            mode=payload.mode,
            sight_not_hearing=payload.sight_not_hearing,
            actor=actor_of(request),
            at=clock.now(),
        )
    return visit_out(visit)


@router.get(
    "/facilities/{code}/visits",
    response={200: list[VisitOut], **ERRORS},
    summary="Visits of a facility by status (requested ones by default)",
)
def list_visits(request: HttpRequest, code: str, status: str = "requested") -> list[VisitOut]:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    return [
        visit_out(v)
        for v in Visit.objects.filter(facility=facility, status=status).order_by("-requested_at")[
            :500
        ]
    ]


# --- Hearings, calls, letters, notifications ---------------------------------------------------


class HearingSchema(Schema):
    person_id: int | None = None
    custody_number: str | None = Field(None, max_length=20)
    court: str = Field(..., max_length=200)
    reference: str = Field("", max_length=100)
    mode: str = Field("video", max_length=16)
    started_at: dt.datetime
    ended_at: dt.datetime
    defender_present: bool = False
    defendants: int = 1


class CallSchema(Schema):
    person_id: int | None = None
    custody_number: str | None = Field(None, max_length=20)
    kind: str = Field(..., max_length=16)
    direction: str = Field("out", max_length=4)
    counterpart: str = Field("", max_length=200)
    started_at: dt.datetime
    minutes: int
    monitored: bool = False


class LetterSchema(Schema):
    person_id: int | None = None
    custody_number: str | None = Field(None, max_length=20)
    kind: str = Field(..., max_length=16)
    direction: str = Field(..., max_length=4)
    counterpart: str = Field("", max_length=200)
    handled_at: dt.datetime
    opened_by_staff: bool = False
    withheld: bool = False
    withheld_reason: str = Field("", max_length=2000)


class NotificationSchema(Schema):
    person_id: int | None = None
    custody_number: str | None = Field(None, max_length=20)
    event: str = Field(..., max_length=16)
    event_at: dt.datetime
    notified_at: dt.datetime
    notified: str = Field(..., max_length=200)
    method: str = Field(..., max_length=16)
    by_the_person: bool = False


@router.post(
    "/facilities/{code}/hearings",
    response={201: IdsOut, **ERRORS},
    summary="Record court hearings attended from the facility (a batch)",
)
def record_hearings(
    request: HttpRequest, code: str, payload: list[HearingSchema]
) -> Status[IdsOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    _batch(payload, "hearings")
    with transaction.atomic():
        ids = services.record_hearings(
            facility=facility,
            hearings=[services.HearingIn(**h.dict()) for h in payload],
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdsOut(ids=ids))


@router.post(
    "/facilities/{code}/calls",
    response={201: IdsOut, **ERRORS},
    summary="Record telephone calls (a batch, e.g. a day from the telephone system)",
)
def record_calls(request: HttpRequest, code: str, payload: list[CallSchema]) -> Status[IdsOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    _batch(payload, "calls")
    with transaction.atomic():
        ids = services.record_calls(
            facility=facility,
            calls=[services.CallIn(**c.dict()) for c in payload],
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdsOut(ids=ids))


@router.post(
    "/facilities/{code}/letters",
    response={201: IdsOut, **ERRORS},
    summary="Record letters sent and received (a batch)",
)
def record_letters(request: HttpRequest, code: str, payload: list[LetterSchema]) -> Status[IdsOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    _batch(payload, "letters")
    with transaction.atomic():
        ids = services.record_letters(
            facility=facility,
            letters=[services.LetterIn(**x.dict()) for x in payload],
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdsOut(ids=ids))


@router.post(
    "/facilities/{code}/family-notifications",
    response={201: IdsOut, **ERRORS},
    summary="Record when families were told of an admission or transfer (a batch)",
)
def notify_family(
    request: HttpRequest, code: str, payload: list[NotificationSchema]
) -> Status[IdsOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    _batch(payload, "notifications")
    with transaction.atomic():
        ids = services.notify_family(
            facility=facility,
            notifications=[services.NotificationIn(**x.dict()) for x in payload],
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdsOut(ids=ids))


# Not ``ContactOut``: health has one, and OpenAPI names one schema per name (issue #8 fuzzer).
class OutsideContactOut(Schema):
    date: dt.date
    visits_requested: int
    visits_approved: int
    visits_held: int
    visits_refused: int
    hearings: int
    hearings_by_video: int
    calls: int
    call_minutes: int
    letters: int
    letters_withheld: int
    family_notifications: int


@router.get(
    "/facilities/{code}/contact",
    response={200: OutsideContactOut, **ERRORS},
    summary="Contact with the outside world on a day (today by default)",
)
def get_contact(request: HttpRequest, code: str, date: dt.date | None = None) -> OutsideContactOut:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    day = date or selectors.today(facility)
    c = selectors.contact(facility, *selectors.day_bounds(facility, day))
    return OutsideContactOut(
        date=day,
        visits_requested=len(c.pending_visits),
        visits_approved=len(c.approved_visits),
        visits_held=sum(1 for v in c.visits if v.status == "held"),
        visits_refused=sum(1 for v in c.visits if v.status == "refused"),
        hearings=len(c.hearings),
        hearings_by_video=sum(1 for h in c.hearings if h.mode == "video"),
        calls=c.calls,
        call_minutes=c.call_minutes,
        letters=c.letters,
        letters_withheld=c.letters_withheld,
        family_notifications=len(c.notifications),
    )


# --- One person's days ------------------------------------------------------------------------


class UnlockTakenOut(Schema):
    id: int
    started_at: dt.datetime
    ended_at: dt.datetime
    location: str
    purpose: str
    cell: str
    minutes: int
    exception: str | None


class PersonDayOut(Schema):
    day: dt.date
    cells: list[str]
    minutes_out_of_cell: int
    minutes_open_air: int
    unlocks: list[UnlockTakenOut]
    meals: int
    family_visits: int
    legal_visits: int
    visits_refused: int
    hearings: int
    calls: int
    letters: int
    family_contact: bool
    legal_contact: bool
    showered: bool
    water_litres: float | None
    max_temperature_c: float | None
    lights_off_minutes: int | None
    restraint_minutes: int
    sanctions: list[str]
    collective_sanction: bool
    segregated: bool
    uses_of_force: int
    incidents: int
    medical_examination: bool


class DaysQuery(Schema):
    start: dt.date | None = Field(
        None, alias="from", description="first day (default: 29 days before the last)"
    )
    end: dt.date | None = Field(None, alias="to", description="last day (default: today)")


class PersonDaysOut(Schema):
    person_id: int
    custody_number: str
    facility: str | None
    first: dt.date
    last: dt.date
    days: list[PersonDayOut]


@router.get(
    "/people/{person_id}/daily-life",
    response={200: PersonDaysOut, **ERRORS},
    summary="A person's days: minutes out of cell and in the open air, contact, conditions",
)
def person_daily_life(
    request: HttpRequest,
    person_id: int,
    period: Query[DaysQuery],
) -> PersonDaysOut:
    require(request, Capability.VIEW_PERSON)
    person = visible_person(user_of(request), pk=person_id)
    start, end = period.start, period.end
    # Bounded whichever end is left to its default (issue #8: the API fuzzer's ``from=0001-01-01``
    # alone made one request build two thousand years of days).
    if start and not end:
        stay = last_stay(person)
        end = clock.local_date(clock.now(), stay.facility.time_zone if stay else "UTC")
    if start and end and (end < start or (end - start).days > 366):
        raise InvalidInput(
            code="BAD_RANGE",
            field="to",
            message=_("Give a range of at most a year, ending after it starts."),
        )
    pd = days.person_days(person, start, end)
    return PersonDaysOut(
        person_id=person.pk,
        custody_number=person.custody_number,
        facility=pd.facility.code if pd.facility else None,
        first=pd.first,
        last=pd.last,
        days=[
            PersonDayOut(
                day=d.day,
                cells=d.cells,
                minutes_out_of_cell=d.minutes_out_of_cell,
                minutes_open_air=d.minutes_open_air,
                unlocks=[UnlockTakenOut(**u.__dict__) for u in d.unlocks],
                meals=d.meals,
                family_visits=d.family_visits,
                legal_visits=d.legal_visits,
                visits_refused=d.visits_refused,
                hearings=d.hearings,
                calls=d.calls,
                letters=d.letters,
                family_contact=d.family_contact,
                legal_contact=d.legal_contact,
                showered=d.showered,
                water_litres=float(d.water_litres) if d.water_litres is not None else None,
                max_temperature_c=(
                    float(d.max_temperature_c) if d.max_temperature_c is not None else None
                ),
                lights_off_minutes=d.lights_off_minutes,
                restraint_minutes=d.restraint_minutes,
                sanctions=d.sanctions,
                collective_sanction=d.collective_sanction,
                segregated=d.segregated,
                uses_of_force=d.uses_of_force,
                incidents=d.incidents,
                medical_examination=d.examined,
            )
            for d in pd.days
        ],
    )
