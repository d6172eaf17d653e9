"""The demo's conditions in the cells: 30 days of hourly sensor readings per cell, drinking
water, showers and weekly inspections — through the same use cases as a sensor feed or an
officer.

"cecot": cells between 29 and 35 °C (hottest mid-afternoon), lights never off, humid, CO₂ rising
with crowding; water below 3 L a person a day; a cell's shower every other day; no mattresses.
"standards": 24–29 °C, lights off from 22:00 to 05:30, water on tap (about 8 L a person a day),
showers daily, clean cells with bedding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from habeas.conditions import services
from habeas.conditions.feed import ReadingIn
from habeas.conditions.models import Bedding, Rating
from habeas.estate.models import Facility
from habeas.regime.demo import ACTOR, Occupancy, rng_for


def build(
    *,
    facility: Facility,
    style: str,
    now: dt.datetime,
    seed: int,
    report: Callable[[str], None],
) -> None:
    occ = Occupancy.of(facility, now)
    if not occ.in_cell:
        return
    rng = rng_for(facility, seed, "conditions")
    cecot = style == "cecot"
    cells = [c for u in occ.units for c in occ.cells_of_unit.get(u.pk, [])]
    readings: list[ReadingIn] = []
    for day in occ.days:
        for hour in range(24):
            at = occ.at(day, hour)
            # A daily cycle: coolest at 05:00, hottest at 15:00.
            wave = (1 - math.cos((hour - 5) / 24 * 2 * math.pi)) / 2
            for c in cells:
                crowd = len(occ.in_cell.get(c.pk, ()))
                if cecot:
                    temperature = 29 + 6 * wave + rng.uniform(-0.4, 0.3)
                    lights = True
                    humidity = 68 + 14 * (1 - wave) + rng.uniform(-3, 3)
                    co2 = 700 + 25 * crowd * (0.7 + 0.3 * wave) + rng.uniform(-80, 80)
                else:
                    temperature = 24 + 5 * wave + rng.uniform(-0.4, 0.4)
                    lights = 6 <= hour < 22
                    humidity = 52 + 10 * (1 - wave) + rng.uniform(-3, 3)
                    co2 = 480 + 40 * crowd * (0.5 + 0.5 * wave) + rng.uniform(-40, 40)
                readings.append(
                    ReadingIn(
                        measured_at=at,
                        cell=c.code,
                        sensor=f"s-{c.code}",
                        temperature=round(min(temperature, 35.0), 1),
                        humidity_pct=round(min(humidity, 99.0), 1),
                        lights_on=lights,
                        co2_ppm=round(co2),
                    )
                )
    batch = services.import_readings(
        facility=facility,
        readings=readings,
        source="demo: sensors, hourly",
        actor=ACTOR,
        at=now,
    )
    litres_per_person = Decimal("2.5") if cecot else Decimal("8")
    for day in occ.days:
        for hour in (10,) if cecot else (8, 15):
            at = occ.at(day, hour)
            deliveries = []
            for c in cells:
                n = sum(1 for _p, _c in occ.people_in([c], at))
                if n:
                    each = litres_per_person / (1 if cecot else 2)
                    deliveries.append(services.WaterIn(c.code, (each * n).quantize(Decimal(1))))
            if deliveries:
                services.deliver_water(
                    facility=facility, delivered_at=at, deliveries=deliveries, actor=ACTOR, at=now
                )
        if not cecot or day.toordinal() % 2 == 0:
            for u in occ.units:
                services.record_showers(
                    facility=facility,
                    taken_at=occ.at(day, 6 if cecot else 7),
                    unit=u.code,
                    actor=ACTOR,
                    at=now,
                )
        if day.weekday() == 2:
            services.inspect_cells(
                facility=facility,
                inspections=[
                    services.InspectionIn(
                        cell=c.code,
                        inspected_at=occ.at(day, 11),
                        inspector="Jefe de sector" if cecot else "Inspección sanitaria del centro",
                        cleanliness=rng.choice([Rating.POOR, Rating.ACCEPTABLE])
                        if cecot
                        else rng.choice([Rating.GOOD, Rating.GOOD, Rating.ACCEPTABLE]),
                        bedding=Bedding.NONE if cecot else Bedding.ADEQUATE,
                        ventilation=Rating.POOR if cecot else Rating.GOOD,
                        pests=cecot and rng.random() < 0.3,
                        findings="Literas metálicas sin colchón; calor intenso"
                        if cecot
                        else "Celda limpia, ventilada, ropa de cama completa",
                    )
                    for c in cells
                ],
                actor=ACTOR,
                at=now,
            )
    report(
        _("%(facility)s: %(n)d sensor readings, water, showers and inspections over %(days)d days.")
        % {"facility": facility.code, "n": batch.stored, "days": len(occ.days)}
    )
