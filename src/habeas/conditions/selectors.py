"""Conditions of a facility on a day, cell by cell: heat, light, humidity, CO₂, water per person,
showers and the last inspection. Bounded queries whatever the population."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from habeas.conditions.models import CellInspection, Reading, ReadingBatch, Shower, WaterDelivery
from habeas.core import clock
from habeas.estate.models import Cell, Facility
from habeas.housing.models import Placement

# A reading stands for the time until the next one, at most this long.
SAMPLE_CAP = dt.timedelta(minutes=60)
HEAT_THRESHOLD_C = Decimal(32)  # W-09, a project default (standards.md): a profile sets it


@dataclass
class CellConditions:
    cell_id: int
    code: str
    unit: str
    occupants: int
    readings: int = 0
    max_temperature_c: Decimal | None = None
    min_temperature_c: Decimal | None = None
    minutes_at_or_above_heat: int = 0
    lights_off_minutes: int | None = None
    max_humidity_pct: Decimal | None = None
    max_co2_ppm: int | None = None
    water_litres: Decimal = Decimal(0)
    showers: int = 0
    last_inspection: CellInspection | None = None

    @property
    def water_per_person(self) -> Decimal | None:
        if not self.occupants:
            return None
        return (self.water_litres / self.occupants).quantize(Decimal("0.1"))


def cell_day(facility: Facility, day: dt.date) -> list[CellConditions]:
    """Each cell of ``facility`` on ``day`` (local): readings from the cell's sensor or, for a
    cell without one, its unit's; water and showers; the latest inspection up to that day."""
    tz = facility.time_zone
    start, end = clock.start_of_day(day, tz), clock.end_of_day(day, tz)
    midday = start + (end - start) / 2
    occupancy = dict(
        Placement.objects.filter(facility=facility, started_at__lte=midday)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=midday))
        .values("cell_id")
        .annotate(n=Count("id"))
        .values_list("cell_id", "n")
    )
    rows = {
        c.pk: CellConditions(c.pk, c.code, c.unit.code, occupancy.get(c.pk, 0))
        for c in Cell.objects.filter(facility=facility).select_related("unit").order_by("code")
    }
    unit_of = {c.cell_id: c.unit for c in rows.values()}
    series: dict[tuple[str, object], list[tuple[dt.datetime, Decimal | None, bool | None]]] = (
        defaultdict(list)
    )
    extremes: dict[tuple[str, object], tuple[Decimal | None, int | None]] = {}
    readings = Reading.objects.filter(
        facility=facility, measured_at__gte=start, measured_at__lt=end
    ).order_by("measured_at")
    for cell_id, unit_code, m, t, lights in readings.values_list(
        "cell_id", "unit__code", "measured_at", "temperature_c", "lights_on"
    ):
        key = ("cell", cell_id) if cell_id is not None else ("unit", unit_code)
        series[key].append((m, t, lights))
    for row in (
        readings.values("cell_id", "unit__code")
        .annotate(h=Max("humidity_pct"), co2=Max("co2_ppm"))
        .values_list("cell_id", "unit__code", "h", "co2")
    ):
        place: tuple[str, object] = ("cell", row[0]) if row[0] is not None else ("unit", row[1])
        extremes[place] = (row[2], row[3])
    for c in rows.values():
        here: tuple[str, object] = ("cell", c.cell_id)
        if here not in series:
            here = ("unit", unit_of[c.cell_id])
        samples = series.get(here, [])
        c.readings = len(samples)
        c.max_humidity_pct, c.max_co2_ppm = extremes.get(here, (None, None))
        for i, (m, t, lights) in enumerate(samples):
            nxt = samples[i + 1][0] if i + 1 < len(samples) else min(m + SAMPLE_CAP, end)
            span = int(min(nxt - m, SAMPLE_CAP).total_seconds() // 60)
            if t is not None:
                c.max_temperature_c = (
                    t if c.max_temperature_c is None else max(c.max_temperature_c, t)
                )
                c.min_temperature_c = (
                    t if c.min_temperature_c is None else min(c.min_temperature_c, t)
                )
                if t >= HEAT_THRESHOLD_C:
                    c.minutes_at_or_above_heat += span
            if lights is not None:
                c.lights_off_minutes = (c.lights_off_minutes or 0) + (0 if lights else span)
    for cell_id, litres in (
        WaterDelivery.objects.filter(
            facility=facility, delivered_at__gte=start, delivered_at__lt=end
        )
        .values("cell_id")
        .annotate(total=Sum("litres"))
        .values_list("cell_id", "total")
    ):
        rows[cell_id].water_litres = litres
    for cell_id, n in (
        Shower.objects.filter(
            facility=facility, cell__isnull=False, taken_at__gte=start, taken_at__lt=end
        )
        .values("cell_id")
        .annotate(n=Count("id"))
        .values_list("cell_id", "n")
    ):
        rows[cell_id].showers = n
    latest: dict[int, CellInspection] = {}
    # The latest inspection of each cell in the month up to the day.
    for insp in CellInspection.objects.filter(
        facility=facility, inspected_at__lt=end, inspected_at__gte=end - dt.timedelta(days=31)
    ).order_by("inspected_at"):
        latest[insp.cell_id] = insp
    for cell_id, insp in latest.items():
        rows[cell_id].last_inspection = insp
    return list(rows.values())


def recent_batches(facility: Facility, n: int = 10) -> list[ReadingBatch]:
    return list(ReadingBatch.objects.filter(facility=facility).order_by("-received_at", "-id")[:n])
