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
from habeas.core.errors import InvalidInput, NotFound
from habeas.estate.models import Cell
from habeas.housing import planning, selectors, services

router = Router(tags=["housing"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None
    details: dict[str, Any] | None = None


def aware(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return clock.now()
    if at.tzinfo is None:
        raise InvalidInput(
            code="NAIVE_DATETIME",
            message=_("Give the time with its offset, e.g. 2026-11-25T08:00:00Z."),
            field="at",
        )
    return at


@router.get(
    "/facilities/{code}/roll",
    response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut},
    summary="The roll at a moment (now by default)",
)
def get_roll(request: HttpRequest, code: str, at: dt.datetime | None = None) -> dict[str, Any]:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    return selectors.roll_as_dict(selectors.roll(facility, aware(at)))


class OverCapacityIn(Schema):
    ceiling: int
    reason: str
    until: dt.datetime | None = None


class OverCapacityOut(Schema):
    id: int
    cell: str
    ceiling: int
    valid_from: dt.datetime
    valid_until: dt.datetime | None


@router.post(
    "/facilities/{code}/cells/{cell}/over-capacity",
    response={201: OverCapacityOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="A governor authorises a cell to hold more than its operational capacity",
)
def authorise_over_capacity(
    request: HttpRequest, code: str, cell: str, payload: OverCapacityIn
) -> Status[OverCapacityOut]:
    require(request, Capability.AUTHORISE_OVER_CAPACITY)
    facility = visible_facility(request, code)
    target = Cell.objects.filter(facility=facility, code=cell).first()
    if target is None:
        raise NotFound(
            code="UNKNOWN_CELL", message=_("No cell %(cell)s.") % {"cell": cell}, field="cell"
        )
    with transaction.atomic():
        auth = services.authorise_over_capacity(
            cell=target,
            ceiling=payload.ceiling,
            reason=payload.reason,
            actor=actor_of(request),
            at=clock.now(),
            until=aware(payload.until) if payload.until else None,
        )
    return Status(
        201,
        OverCapacityOut(
            id=auth.pk,
            cell=target.code,
            ceiling=auth.ceiling,
            valid_from=auth.valid_from,
            valid_until=auth.valid_until,
        ),
    )


class AllocationIn(Schema):
    mode: str = Field("intake", pattern="^(intake|rebalance)$")
    dry_run: bool = True
    fingerprint: str | None = Field(
        None,
        max_length=64,
        description="From a dry run: the plan is applied only if nothing changed since.",
    )
    reason: str = Field("", max_length=300)


@router.post(
    "/facilities/{code}/allocations",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Plan (dry run) or apply placements for everyone waiting, or a rebalance",
)
def allocate(request: HttpRequest, code: str, payload: AllocationIn) -> dict[str, Any]:
    require(request, Capability.PLACE if payload.mode == "intake" else Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    if payload.dry_run:
        proposal = planning.propose(facility=facility, mode=payload.mode, at=clock.now())
        return {**proposal.as_dict(), "applied": False}
    if payload.mode == "rebalance":
        require(request, Capability.APPROVE_PLAN)
    with transaction.atomic():
        proposal = planning.apply(
            facility=facility,
            mode=payload.mode,
            expected=payload.fingerprint,
            reason=payload.reason,
            actor=actor_of(request),
            at=clock.now(),
        )
    return {**proposal.as_dict(), "applied": True}


class CellOptionOut(Schema):
    cell: str
    rank: int | None
    occupancy_after: int
    reasons: list[str]


@router.get(
    "/people/{person_id}/cell-options",
    response={200: list[CellOptionOut], 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Every cell of the person's facility: ranked if allowed, with reasons if not",
)
def cell_options(request: HttpRequest, person_id: int) -> list[CellOptionOut]:
    require(request, Capability.VIEW_PERSON)
    from habeas.custody.selectors import visible_person

    person = visible_person(user_of(request), pk=person_id)
    return [CellOptionOut(**o) for o in services.cell_options(person=person, at=clock.now())]
