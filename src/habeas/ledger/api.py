"""The ledger API: build a range, read a person's days, and one person-day with the operational
records behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.api import actor_of, require, visible_facility
from habeas.core.errors import NotFound
from habeas.housing.api import ErrorOut
from habeas.ledger.evidence import evidence, ledger_row_as_dict
from habeas.ledger.models import CustodyDay
from habeas.ledger.options import days_range
from habeas.ledger.services import build_ledger
from habeas.people.models import Person

router = Router(tags=["ledger"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MOST_DAYS_LISTED = 400


class BuildIn(Schema):
    first: dt.date | None = Field(None, alias="from", description="default: 30 days ago")
    last: dt.date | None = Field(None, alias="to", description="default: yesterday")


@router.post(
    "/facilities/{code}/ledger/builds",
    response={201: dict[str, Any], **ERRORS},
    summary="Rebuild the ledger of a range of days from the operational records",
)
def post_build(request: HttpRequest, code: str, payload: BuildIn) -> Status[dict[str, Any]]:
    require(request, Capability.CHECK_STANDARDS)
    facility = visible_facility(request, code)
    first, last = days_range(facility, payload.first, payload.last)
    with transaction.atomic():
        b = build_ledger(
            facility=facility, first=first, last=last, actor=actor_of(request), at=clock.now()
        )
    return Status(
        201,
        {
            "id": b.pk,
            "facility": facility.code,
            "from": b.first_day.isoformat(),
            "to": b.last_day.isoformat(),
            "person_days": b.rows,
            "people": b.people,
            "ledger_hash": b.ledger_hash,
            "seconds": b.seconds,
        },
    )


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(code="UNKNOWN_PERSON", message=_("No such person."), field="person")
    return person


@router.get(
    "/facilities/{code}/ledger/people/{person_id}",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="A person's rows of the ledger (the last 30 days by default)",
)
def get_person_rows(
    request: HttpRequest,
    code: str,
    person_id: int,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    require(request, Capability.VIEW_STANDARDS)
    facility = visible_facility(request, code)
    person = _person(person_id)
    start, end = days_range(facility, since, until)
    rows = CustodyDay.objects.filter(
        facility=facility, person=person, day__gte=start, day__lte=end
    ).order_by("day")[:MOST_DAYS_LISTED]
    return [ledger_row_as_dict(r) for r in rows]


@router.get(
    "/facilities/{code}/ledger/people/{person_id}/days/{day}",
    response={200: dict[str, Any], **ERRORS},
    summary="One person-day: the ledger row and the operational records behind it",
)
def get_person_day(request: HttpRequest, code: str, person_id: int, day: dt.date) -> dict[str, Any]:
    require(request, Capability.VIEW_STANDARDS)
    facility = visible_facility(request, code)
    ev = evidence(facility, _person(person_id), day)
    if ev.row is None and not ev.groups:
        raise NotFound(
            code="NOT_IN_LEDGER",
            message=_("This person was not on this facility's roll that day."),
            field="day",
        )
    return {
        "facility": facility.code,
        "person_id": person_id,
        "day": day,
        "ledger": ledger_row_as_dict(ev.row) if ev.row is not None else None,
        "records": {group: [r.__dict__ for r in records] for group, records in ev.groups.items()},
    }
