"""Recording conditions in the cell: sensor readings in batches, drinking water, showers and
cell inspections. Each use case runs in the caller's transaction and writes its audit event."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record, record_many
from habeas.conditions.feed import ReadingIn
from habeas.conditions.models import (
    Bedding,
    CellInspection,
    Rating,
    Reading,
    ReadingBatch,
    Shower,
    WaterDelivery,
)
from habeas.core.bulk import insert_rows, reserve_ids
from habeas.core.errors import FieldProblem, InvalidInput
from habeas.estate.models import Cell, Facility
from habeas.regime.presence import (
    FUTURE_TOLERANCE,
    check_choice,
    check_moment,
    presence,
    problem_summary,
)
from habeas.regime.scope import CellIndex

# Plausible ranges: a value outside is a faulty sensor or a wrong unit, never stored.
TEMPERATURE_C = (-20.0, 60.0)
HUMIDITY_PCT = (0.0, 100.0)
CO2_PPM = (150.0, 40_000.0)
CELSIUS = {"c", "°c", "celsius"}
FAHRENHEIT = {"f", "°f", "fahrenheit"}
MOST_LITRES_PER_DELIVERY = Decimal(100_000)

# A reading's identity (cell, unit, moment, sensor) and its values in tenths (temperature,
# humidity), lights, CO₂ — compared as integers, so 31.5 and 31.50 are the same reading.
Key = tuple[int | None, int, dt.datetime | None, str]
Values = tuple[int | None, int | None, bool | None, int | None]

READING_FIELDS = (
    "facility_id",
    "unit_id",
    "cell_id",
    "measured_at",
    "sensor",
    "temperature_c",
    "humidity_pct",
    "lights_on",
    "co2_ppm",
    "batch_id",
)


@dataclass(frozen=True)
class ImportReport:
    batch_id: int
    lines: int
    stored: int
    duplicates: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None


def _lock_readings(facility: Facility) -> None:
    """Two feeds for the same facility are stored one after the other, so the duplicate check
    of the second sees the first. SQLite's write lock already serialises writers."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"conditions.readings:{facility.pk}".encode())
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _tenths(value: float) -> int:
    return int(Decimal(repr(value)).scaleb(1).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def import_readings(
    *,
    facility: Facility,
    readings: Sequence[ReadingIn],
    source: str,
    actor: Actor,
    at: dt.datetime,
    parse_problems: Sequence[FieldProblem] = (),
    lines: int | None = None,
) -> ImportReport:
    """Store a batch of environmental readings — all of it or none of it.

    Each reading is checked: a known cell or unit of the facility, a moment with its offset and
    not in the future, a temperature in °C (°F converted) between -20 and 60, humidity 0–100 %,
    CO₂ 150–40,000 ppm. A reading already stored with the same place, moment and sensor is a
    duplicate and ignored (a feed may resend); the same key with different values is refused.
    Problems found while parsing the file (``parse_problems``) are reported with these, by line.
    """
    problems: list[FieldProblem] = list(parse_problems)
    index = CellIndex.of(facility)
    limit = at + FUTURE_TOLERANCE
    lo_t, hi_t = TEMPERATURE_C
    rows: list[tuple[Key, Values, int]] = []
    for i, r in enumerate(readings):
        line = r.line if r.line is not None else i + 1

        def fail(field: str, message: str, code: str, line: int = line) -> None:
            problems.append(FieldProblem(field=field, message=message, code=code, line=line))

        cell = index.cells.get(r.cell) if r.cell else None
        unit = index.units.get(r.unit) if r.unit else None
        if r.cell and cell is None:
            fail(
                "cell",
                _("No cell %(code)s in %(f)s.") % {"code": r.cell, "f": facility.code},
                "UNKNOWN_CELL",
            )
        if r.unit and unit is None:
            fail(
                "unit",
                _("No unit %(code)s in %(f)s.") % {"code": r.unit, "f": facility.code},
                "UNKNOWN_UNIT",
            )
        if not r.cell and not r.unit:
            fail("cell", _("Say where: a cell or a unit."), "REQUIRED")
        if cell is not None and unit is not None and cell.unit_id != unit.pk:
            fail(
                "unit",
                _("Cell %(cell)s is not in unit %(unit)s.") % {"cell": r.cell, "unit": r.unit},
                "CELL_NOT_IN_UNIT",
            )
        m = r.measured_at
        if m is None or m.tzinfo is None:
            fail("measured_at", _("Give the time with its UTC offset."), "NAIVE_DATETIME")
        elif m > limit:
            fail("measured_at", _("%(at)s is in the future.") % {"at": m.isoformat()}, "IN_FUTURE")
        temperature: int | None = None
        if r.temperature is not None:
            unit_word = r.temperature_unit.strip().lower()
            celsius: float | None = None
            if unit_word in CELSIUS:
                celsius = r.temperature
            elif unit_word in FAHRENHEIT:
                celsius = (r.temperature - 32) * 5 / 9
            else:
                fail(
                    "temperature_unit",
                    _("Unknown unit of temperature %(u)r (use C or F).")
                    % {"u": r.temperature_unit},
                    "BAD_UNIT",
                )
            if celsius is not None:
                if not lo_t <= celsius <= hi_t:
                    fail(
                        "temperature_c",
                        _("%(v)s °C is outside %(lo)s–%(hi)s °C: a faulty sensor or a wrong unit.")
                        % {"v": round(celsius, 1), "lo": lo_t, "hi": hi_t},
                        "OUT_OF_RANGE",
                    )
                else:
                    temperature = _tenths(celsius)
        humidity: int | None = None
        if r.humidity_pct is not None:
            if not HUMIDITY_PCT[0] <= r.humidity_pct <= HUMIDITY_PCT[1]:
                fail("humidity_pct", _("Humidity must be between 0 and 100 %."), "OUT_OF_RANGE")
            else:
                humidity = _tenths(r.humidity_pct)
        co2: int | None = None
        if r.co2_ppm is not None:
            if not CO2_PPM[0] <= r.co2_ppm <= CO2_PPM[1]:
                fail("co2_ppm", _("CO₂ must be between 150 and 40,000 ppm."), "OUT_OF_RANGE")
            else:
                co2 = round(r.co2_ppm)
        if len(r.sensor) > 64:
            fail("sensor", _("A sensor name has at most 64 characters."), "TOO_LONG")
        if cell is None and unit is None:
            continue
        unit_id: int = cell.unit_id if cell is not None else unit.pk  # type: ignore[union-attr]
        key: Key = (cell.pk if cell is not None else None, unit_id, m, r.sensor)
        rows.append((key, (temperature, humidity, r.lights_on, co2), line))
    first = min((k[2] for k, _v, _l in rows if k[2] is not None), default=None)
    last = max((k[2] for k, _v, _l in rows if k[2] is not None), default=None)
    _lock_readings(facility)
    known: dict[Key, Values] = {}
    if first is not None and last is not None:
        existing = Reading.objects.filter(
            facility=facility, measured_at__gte=first, measured_at__lte=last
        ).values_list(
            "cell_id",
            "unit_id",
            "measured_at",
            "sensor",
            "temperature_c",
            "humidity_pct",
            "lights_on",
            "co2_ppm",
        )
        for c, u, m, s, t, h, lt, co in existing.iterator(chunk_size=20_000):
            known[(c, u, m, s)] = (
                None if t is None else int(t * 10),
                None if h is None else int(h * 10),
                lt,
                co,
            )
    fresh: list[tuple[Key, Values]] = []
    first_line: dict[Key, int] = {}
    duplicates = 0
    for key, values, line in rows:
        seen = known.get(key)
        if seen is None:
            known[key] = values
            first_line[key] = line
            fresh.append((key, values))
        elif seen == values:
            duplicates += 1
        else:
            where = (
                _("line %(n)s of this batch") % {"n": first_line[key]}
                if key in first_line
                else _("a reading already stored")
            )
            problems.append(
                FieldProblem(
                    field="measured_at",
                    message=_(
                        "A different reading for the same place, moment and sensor is in %(where)s."
                    )
                    % {"where": where},
                    code="CONFLICTING_READING",
                    line=line,
                )
            )
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        bad = len({p.line for p in problems})
        raise InvalidInput(
            code="INVALID_READINGS",
            message=_("%(n)d line(s) of %(source)s are wrong; no reading was stored.")
            % {"n": bad, "source": source},
            problems=problems,
        )
    batch = ReadingBatch.objects.create(
        facility=facility,
        source=source[:300],
        received_at=at,
        received_by=actor.user,
        actor_label=actor.label,
        lines=lines if lines is not None else len(readings),
        stored=len(fresh),
        duplicates=duplicates,
        first_at=first,
        last_at=last,
    )

    def tenths(v: object) -> str | None:
        return None if v is None else f"{int(v) / 10:.1f}"  # type: ignore[call-overload]

    insert_rows(
        Reading,
        READING_FIELDS,
        (
            (facility.pk, unit_id, cell_id, m, sensor, tenths(t), tenths(h), lt, co, batch.pk)
            for (cell_id, unit_id, m, sensor), (t, h, lt, co) in fresh
        ),
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="conditions.import_readings",
            object_type="conditions.ReadingBatch",
            object_id=batch.pk,
            facility_id=facility.pk,
            after={
                "source": batch.source,
                "lines": batch.lines,
                "stored": batch.stored,
                "duplicates": duplicates,
                "first_at": first,
                "last_at": last,
            },
        ),
    )
    return ImportReport(
        batch_id=batch.pk,
        lines=batch.lines,
        stored=batch.stored,
        duplicates=duplicates,
        first_at=first,
        last_at=last,
    )


# --- Water, showers, inspections ---------------------------------------------------------------


@dataclass(frozen=True)
class WaterIn:
    cell: str
    litres: Decimal


def deliver_water(
    *,
    facility: Facility,
    delivered_at: dt.datetime,
    deliveries: Sequence[WaterIn],
    actor: Actor,
    at: dt.datetime,
    note: str = "",
) -> list[int]:
    """Drinking water delivered to cells in one round (ICRC: 3–5 L per person per day when
    locked in more than 16 hours or in a hot climate; the ledger divides by the occupants)."""
    problems: list[FieldProblem] = []
    check_moment(delivered_at, field_name="delivered_at", now=at, problems=problems)
    index = CellIndex.of(facility)
    cells: list[Cell] = []
    litres: list[Decimal] = []
    if not deliveries:
        problems.append(
            FieldProblem(field="deliveries", message=_("Give at least one cell."), code="REQUIRED")
        )
    for i, d in enumerate(deliveries):
        cell = index.cells.get(d.cell)
        if cell is None:
            problems.append(
                FieldProblem(
                    field=f"deliveries[{i}].cell",
                    code="UNKNOWN_CELL",
                    message=_("No cell %(code)s.") % {"code": d.cell},
                )
            )
        else:
            cells.append(cell)
        try:
            amount = Decimal(d.litres).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError, TypeError):
            amount = Decimal(-1)
        if not Decimal(0) < amount <= MOST_LITRES_PER_DELIVERY:
            problems.append(
                FieldProblem(
                    field=f"deliveries[{i}].litres",
                    code="OUT_OF_RANGE",
                    message=_("Litres must be more than 0 and at most 100,000."),
                )
            )
        litres.append(amount)
    if problems:
        raise InvalidInput(
            message=problem_summary(problems, _("The water round")), problems=problems
        )
    ids = reserve_ids(WaterDelivery, len(cells))
    insert_rows(
        WaterDelivery,
        (
            "id",
            "facility_id",
            "cell_id",
            "delivered_at",
            "litres",
            "note",
            "recorded_at",
            "recorded_by_id",
        ),
        (
            (pk, facility.pk, c.pk, delivered_at, amount, note.strip(), at, actor.user_id)
            for pk, c, amount in zip(ids, cells, litres, strict=True)
        ),
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="conditions.deliver_water",
            object_type="conditions.WaterDelivery",
            object_id=ids[0],
            facility_id=facility.pk,
            after={
                "delivered_at": delivered_at,
                "ids": ids,
                "litres": {c.code: amount for c, amount in zip(cells, litres, strict=True)},
            },
        ),
    )
    return ids


def record_showers(
    *,
    facility: Facility,
    taken_at: dt.datetime,
    actor: Actor,
    at: dt.datetime,
    unit: str | None = None,
    cells: Sequence[str] = (),
    people: Sequence[str] = (),
) -> list[int]:
    """Showers taken by everyone in some cells (or a unit) or by named people (custody
    numbers). Mandela Rule 16: as hygiene requires, daily in a hot climate."""
    problems: list[FieldProblem] = []
    check_moment(taken_at, field_name="taken_at", now=at, problems=problems)
    chosen: list[Cell] = []
    if people and (unit or cells):
        problems.append(
            FieldProblem(
                field="people",
                code="PEOPLE_AND_CELLS",
                message=_("Give cells or people, not both."),
            )
        )
    elif not people:
        _scope, _unit, chosen = CellIndex.of(facility).resolve(
            unit=unit, cells=cells, field="", problems=problems
        )
    pids: list[int] = []
    if people:
        who = presence(facility, numbers=people)
        for i, number in enumerate(people):
            pid = who.person_id(
                person_id=None, custody_number=number, field_name=f"people[{i}]", problems=problems
            )
            if pid is not None and taken_at.tzinfo is not None:
                who.held(pid, taken_at, field_name=f"people[{i}]", problems=problems)
                pids.append(pid)
    if problems:
        raise InvalidInput(message=problem_summary(problems, _("The showers")), problems=problems)
    targets: list[tuple[int | None, int | None]] = [(c.pk, None) for c in chosen]
    targets += [(None, pid) for pid in dict.fromkeys(pids)]
    ids = reserve_ids(Shower, len(targets))
    insert_rows(
        Shower,
        ("id", "facility_id", "cell_id", "person_id", "taken_at", "recorded_at", "recorded_by_id"),
        (
            (pk, facility.pk, c, p, taken_at, at, actor.user_id)
            for pk, (c, p) in zip(ids, targets, strict=True)
        ),
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="conditions.record_showers",
            object_type="conditions.Shower",
            object_id=ids[0],
            facility_id=facility.pk,
            person_id=pids[0] if len(pids) == 1 else None,
            after={
                "taken_at": taken_at,
                "ids": ids,
                "unit": unit,
                "cells": [c.code for c in chosen],
                "people": list(people),
            },
        ),
    )
    return ids


@dataclass(frozen=True)
class InspectionIn:
    cell: str
    inspected_at: dt.datetime
    inspector: str
    cleanliness: str
    bedding: str
    ventilation: str
    pests: bool = False
    findings: str = ""


def inspect_cells(
    *,
    facility: Facility,
    inspections: Sequence[InspectionIn],
    actor: Actor,
    at: dt.datetime,
) -> list[int]:
    """What inspections of cells found (Mandela Rules 17, 21 and 35): cleanliness, bedding,
    ventilation, pests. Set-based; one audit event per inspection."""
    problems: list[FieldProblem] = []
    index = CellIndex.of(facility)
    n = len(inspections)

    def name(i: int, f: str) -> str:
        return f"[{i}].{f}" if n > 1 else f

    cells: list[Cell | None] = []
    for i, x in enumerate(inspections):
        cell = index.cells.get(x.cell)
        if cell is None:
            problems.append(
                FieldProblem(
                    field=name(i, "cell"),
                    code="UNKNOWN_CELL",
                    message=_("No cell %(code)s.") % {"code": x.cell},
                )
            )
        cells.append(cell)
        check_moment(x.inspected_at, field_name=name(i, "inspected_at"), now=at, problems=problems)
        check_choice(
            x.cleanliness, Rating.values, field_name=name(i, "cleanliness"), problems=problems
        )
        check_choice(x.bedding, Bedding.values, field_name=name(i, "bedding"), problems=problems)
        check_choice(
            x.ventilation, Rating.values, field_name=name(i, "ventilation"), problems=problems
        )
        if not x.inspector.strip():
            problems.append(
                FieldProblem(
                    field=name(i, "inspector"),
                    code="REQUIRED",
                    message=_("This field is required."),
                )
            )
    if problems:
        raise InvalidInput(
            message=problem_summary(problems, _("The inspection")), problems=problems
        )
    ids = reserve_ids(CellInspection, n)
    insert_rows(
        CellInspection,
        (
            "id",
            "facility_id",
            "cell_id",
            "inspected_at",
            "inspector",
            "cleanliness",
            "bedding",
            "ventilation",
            "pests",
            "findings",
            "recorded_at",
            "recorded_by_id",
        ),
        (
            (
                pk,
                facility.pk,
                c.pk,
                x.inspected_at,
                x.inspector.strip(),
                x.cleanliness,
                x.bedding,
                x.ventilation,
                x.pests,
                x.findings.strip(),
                at,
                actor.user_id,
            )
            for pk, c, x in zip(ids, cells, inspections, strict=True)
            if c is not None
        ),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="conditions.inspect_cell",
                object_type="conditions.CellInspection",
                object_id=pk,
                facility_id=facility.pk,
                after={
                    "cell": x.cell,
                    "inspected_at": x.inspected_at,
                    "cleanliness": x.cleanliness,
                    "bedding": x.bedding,
                    "ventilation": x.ventilation,
                    "pests": x.pests,
                    "findings": x.findings,
                },
            )
            for pk, x in zip(ids, inspections, strict=True)
        ],
    )
    return ids


def inspect_cell(*, cell: Cell, actor: Actor, at: dt.datetime, **found: object) -> CellInspection:
    """One inspection (see ``inspect_cells``)."""
    facility = Facility.objects.get(pk=cell.facility_id)
    (pk,) = inspect_cells(
        facility=facility,
        inspections=[InspectionIn(cell=cell.code, **found)],  # type: ignore[arg-type]
        actor=actor,
        at=at,
    )
    return CellInspection.objects.get(pk=pk)
