"""The conditions API: sensor readings in batches, water, showers, inspections, and a facility's
conditions cell by cell on a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from habeas.accounts.roles import Capability
from habeas.conditions import feed, selectors, services
from habeas.core import clock
from habeas.core.api import actor_of, require, visible_facility
from habeas.core.errors import FieldProblem, InvalidInput, NotFound
from habeas.estate.models import Cell
from habeas.housing.api import ErrorOut
from habeas.regime.api import IdsOut  # one schema of that name in the OpenAPI document
from habeas.regime.selectors import today

router = Router(tags=["conditions"])

ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
MAX_READINGS = 200_000


class ReadingsIn(Schema):
    facility: str = Field(..., max_length=32)
    source: str = Field("api", max_length=200, description="the feed or device sending them")
    readings: list[dict[str, Any]] = Field(
        ...,
        description=(
            "One object per reading: cell (or unit), measured_at (ISO 8601 with offset), and "
            "any of temperature_c (or temperature with temperature_unit C/F), humidity_pct, "
            "lights (true/false), co2_ppm, sensor."
        ),
    )


class ImportOut(Schema):
    batch_id: int
    lines: int
    stored: int
    duplicates: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None


@router.post(
    "/conditions/readings",
    response={201: ImportOut, **ERRORS},
    summary="Store a batch of environmental readings: all or none; duplicates ignored",
)
def post_readings(request: HttpRequest, payload: ReadingsIn) -> Status[ImportOut]:
    require(request, Capability.RECORD_READINGS)
    facility = visible_facility(request, payload.facility)
    if not payload.readings:
        raise InvalidInput(code="REQUIRED", message=_("The batch is empty."), field="readings")
    if len(payload.readings) > MAX_READINGS:
        raise InvalidInput(
            code="TOO_MANY",
            message=_("At most %(n)d readings per request.") % {"n": MAX_READINGS},
            field="readings",
        )
    problems: list[FieldProblem] = []
    readings = [
        r
        for i, raw in enumerate(payload.readings, start=1)
        if (r := feed.reading_of(raw, i, problems)) is not None
    ]
    with transaction.atomic():
        report = services.import_readings(
            facility=facility,
            readings=readings,
            source=payload.source or "api",
            actor=actor_of(request),
            at=clock.now(),
            parse_problems=problems,
            lines=len(payload.readings),
        )
    return Status(201, ImportOut(**report.__dict__))


class CellConditionsOut(Schema):
    cell: str
    unit: str
    occupants: int
    readings: int
    max_temperature_c: float | None
    min_temperature_c: float | None
    minutes_at_or_above_heat_threshold: int
    lights_off_minutes: int | None
    max_humidity_pct: float | None
    max_co2_ppm: int | None
    water_litres: float
    water_litres_per_person: float | None
    showers: int
    last_inspection: dt.datetime | None


class ConditionsOut(Schema):
    facility: str
    date: dt.date
    heat_threshold_c: float
    cells: list[CellConditionsOut]


def _num(d: Decimal | None) -> float | None:
    return float(d) if d is not None else None


@router.get(
    "/facilities/{code}/conditions",
    response={200: ConditionsOut, **ERRORS},
    summary="Conditions cell by cell on a day (today by default)",
)
def get_conditions(request: HttpRequest, code: str, date: dt.date | None = None) -> ConditionsOut:
    require(request, Capability.VIEW_ROLL)
    facility = visible_facility(request, code)
    day = date or today(facility)
    return ConditionsOut(
        facility=facility.code,
        date=day,
        heat_threshold_c=float(selectors.HEAT_THRESHOLD_C),
        cells=[
            CellConditionsOut(
                cell=c.code,
                unit=c.unit,
                occupants=c.occupants,
                readings=c.readings,
                max_temperature_c=_num(c.max_temperature_c),
                min_temperature_c=_num(c.min_temperature_c),
                minutes_at_or_above_heat_threshold=c.minutes_at_or_above_heat,
                lights_off_minutes=c.lights_off_minutes,
                max_humidity_pct=_num(c.max_humidity_pct),
                max_co2_ppm=c.max_co2_ppm,
                water_litres=float(c.water_litres),
                water_litres_per_person=_num(c.water_per_person),
                showers=c.showers,
                last_inspection=c.last_inspection.inspected_at if c.last_inspection else None,
            )
            for c in selectors.cell_day(facility, day)
        ],
    )


class WaterCellIn(Schema):
    cell: str = Field(..., max_length=32)
    litres: Decimal


class WaterIn(Schema):
    delivered_at: dt.datetime
    unit: str | None = Field(None, max_length=32, description="every cell of a unit …")
    litres_per_cell: Decimal | None = Field(None, description="… each receiving this much")
    deliveries: list[WaterCellIn] = Field([], description="or cell by cell")
    note: str = Field("", max_length=300)


@router.post(
    "/facilities/{code}/water",
    response={201: IdsOut, **ERRORS},
    summary="Record drinking water delivered to cells, in litres",
)
def deliver_water(request: HttpRequest, code: str, payload: WaterIn) -> Status[IdsOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    deliveries = [services.WaterIn(d.cell, d.litres) for d in payload.deliveries]
    if payload.unit:
        if deliveries or payload.litres_per_cell is None:
            raise InvalidInput(
                code="UNIT_NEEDS_LITRES",
                message=_("With a unit, give litres_per_cell and no deliveries."),
                field="litres_per_cell",
            )
        codes = list(
            Cell.objects.filter(facility=facility, unit__code=payload.unit)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if not codes:
            raise InvalidInput(
                code="UNKNOWN_UNIT", message=_("No unit %(u)s.") % {"u": payload.unit}, field="unit"
            )
        deliveries = [services.WaterIn(c, payload.litres_per_cell) for c in codes]
    with transaction.atomic():
        ids = services.deliver_water(
            facility=facility,
            delivered_at=payload.delivered_at,
            deliveries=deliveries,
            note=payload.note,
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdsOut(ids=ids))


class ShowersIn(Schema):
    taken_at: dt.datetime
    unit: str | None = Field(None, max_length=32)
    cells: list[str] = []
    people: list[str] = Field([], description="custody numbers, for showers person by person")


@router.post(
    "/facilities/{code}/showers",
    response={201: IdsOut, **ERRORS},
    summary="Record showers taken by whole cells or units, or by named people",
)
def record_showers(request: HttpRequest, code: str, payload: ShowersIn) -> Status[IdsOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    with transaction.atomic():
        ids = services.record_showers(
            facility=facility,
            taken_at=payload.taken_at,
            unit=payload.unit,
            cells=payload.cells,
            people=payload.people,
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, IdsOut(ids=ids))


class InspectionIn(Schema):
    inspected_at: dt.datetime
    inspector: str = Field(..., max_length=200)
    cleanliness: str = Field(..., max_length=16)
    bedding: str = Field(..., max_length=16)
    ventilation: str = Field(..., max_length=16)
    pests: bool = False
    findings: str = Field("", max_length=5000)


class InspectionOut(Schema):
    id: int
    cell: str
    inspected_at: dt.datetime
    cleanliness: str
    bedding: str
    ventilation: str
    pests: bool


@router.post(
    "/facilities/{code}/cells/{cell}/inspections",
    response={201: InspectionOut, **ERRORS},
    summary="Record a cell inspection: cleanliness, bedding, ventilation, pests",
)
def inspect_cell(
    request: HttpRequest, code: str, cell: str, payload: InspectionIn
) -> Status[InspectionOut]:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = visible_facility(request, code)
    target = Cell.objects.filter(facility=facility, code=cell).first()
    if target is None:
        raise NotFound(code="UNKNOWN_CELL", message=_("No cell %(c)s.") % {"c": cell}, field="cell")
    with transaction.atomic():
        obj = services.inspect_cell(
            cell=target, actor=actor_of(request), at=clock.now(), **payload.dict()
        )
    return Status(
        201,
        InspectionOut(
            id=obj.pk,
            cell=target.code,
            inspected_at=obj.inspected_at,
            cleanliness=obj.cleanliness,
            bedding=obj.bedding,
            ventilation=obj.ventilation,
            pests=obj.pests,
        ),
    )
