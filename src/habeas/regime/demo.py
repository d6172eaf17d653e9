"""The demo's regime and contact: 30 days, through the same bulk use cases an officer would use.

"cecot" follows what the press reported of CECOT (``shared/domain/facility.md``): 30 minutes a
day in the corridor of the module, no open air, no family visits (requests refused under the
state of exception), no calls or letters, court hearings by video in large group trials.
"standards" runs closer to the Mandela Rules: an hour and a half a day in the open air, six and a
half hours out of the cell, a family visit a week, calls, letters, families told of admissions.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from habeas.audit.services import Actor
from habeas.custody.models import Movement, MovementKind
from habeas.estate.models import Cell, Facility, Unit
from habeas.housing.models import Placement
from habeas.people.models import Person
from habeas.regime import services
from habeas.regime.models import ContactKind, ExceptionReason, Location, Purpose, VisitStatus

DAYS = 30
ACTOR = Actor(label="system:demo")


@dataclass
class Occupancy:
    """Who was in which cell during the demo's 30 days (from the placements)."""

    facility: Facility
    now: dt.datetime
    tz: ZoneInfo
    days: list[dt.date]
    units: list[Unit]
    cells_of_unit: dict[int, list[Cell]]
    in_cell: dict[int, list[tuple[int, dt.datetime, dt.datetime | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    admitted: dict[int, dt.datetime] = field(default_factory=dict)

    @classmethod
    def of(cls, facility: Facility, now: dt.datetime) -> Occupancy:
        tz = ZoneInfo(facility.time_zone)
        today = now.astimezone(tz).date()
        units = list(Unit.objects.filter(facility=facility).order_by("code"))
        cells: dict[int, list[Cell]] = defaultdict(list)
        for c in Cell.objects.filter(facility=facility).order_by("code"):
            cells[c.unit_id].append(c)
        occ = cls(
            facility=facility,
            now=now,
            tz=tz,
            days=[today - dt.timedelta(days=DAYS - i) for i in range(DAYS)],
            units=units,
            cells_of_unit=dict(cells),
        )
        for pid, cell_id, s, e in Placement.objects.filter(facility=facility).values_list(
            "person_id", "cell_id", "started_at", "ended_at"
        ):
            occ.in_cell[cell_id].append((pid, s, e))
        occ.admitted = dict(
            Movement.objects.filter(facility=facility, kind=MovementKind.ADMISSION).values_list(
                "person_id", "at"
            )
        )
        return occ

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def people_in(self, cells: list[Cell], moment: dt.datetime) -> list[tuple[int, int]]:
        """(person, cell) placed in ``cells`` at ``moment``."""
        return [
            (pid, c.pk)
            for c in cells
            for pid, s, e in self.in_cell.get(c.pk, ())
            if s <= moment and (e is None or moment < e)
        ]

    def everyone_at(self, moment: dt.datetime) -> list[tuple[int, int]]:
        return [p for u in self.units for p in self.people_in(self.cells_of_unit[u.pk], moment)]


def rng_for(facility: Facility, seed: int, app: str) -> random.Random:
    seeded = seed * 1_000_003 + zlib.crc32(f"{app}:{facility.code}".encode())
    return random.Random(seeded)  # noqa: S311 (synthetic demo data, not security)


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
    rng = rng_for(facility, seed, "regime")
    cecot = style == "cecot"
    first = occ.days[0]
    # The planned day of each unit.
    if cecot:
        plans = {
            u.code: [
                services.PeriodIn(
                    Purpose.EXERCISE,
                    Location.COVERED,
                    dt.time(6 + (30 * i) // 60, (30 * i) % 60),
                    dt.time(6 + (30 * i + 30) // 60, (30 * i + 30) % 60),
                )
            ]
            for i, u in enumerate(occ.units)
        }
    else:
        day_plan = [
            services.PeriodIn(Purpose.ASSOCIATION, Location.COVERED, dt.time(8), dt.time(10)),
            services.PeriodIn(Purpose.EXERCISE, Location.OPEN_AIR, dt.time(10), dt.time(11, 30)),
            services.PeriodIn(Purpose.ACTIVITY, Location.COVERED, dt.time(14), dt.time(17)),
        ]
        plans = {u.code: day_plan for u in occ.units}
    for u in occ.units:
        services.set_timetable(
            facility=facility,
            unit=u,
            weekdays=range(7),
            periods=plans[u.code],
            valid_from=first,
            actor=ACTOR,
            at=now,
        )
    # What happened: one entry per unit and period, with a few people who did not take part.
    unlocks: list[services.UnlockIn] = []
    meals: list[services.MealIn] = []
    for day in occ.days:
        for u in occ.units:
            cells = occ.cells_of_unit.get(u.pk, [])
            if cecot and rng.random() < 0.12:
                continue  # a day of lockdown for the whole module: no unlock at all
            for p in plans[u.code]:
                start = occ.at(day, p.starts.hour, p.starts.minute)
                end = occ.at(day, p.ends.hour, p.ends.minute)
                inside = occ.people_in(cells, start)
                k = max(0, round(len(inside) * rng.uniform(0.002, 0.01)))
                chosen = rng.sample(inside, min(k, len(inside)))
                reasons = (
                    [ExceptionReason.SICK, ExceptionReason.SEGREGATED, ExceptionReason.KEPT_IN]
                    if cecot
                    else [ExceptionReason.SICK, ExceptionReason.REFUSED, ExceptionReason.VISIT]
                )
                unlocks.append(
                    services.UnlockIn(
                        started_at=start,
                        ended_at=end,
                        location=p.location,
                        purpose=p.purpose,
                        unit=u.code,
                        exceptions=tuple(
                            services.ExceptionIn(reason=rng.choice(reasons), person_id=pid)
                            for pid, _c in chosen
                        ),
                    )
                )
        for hour, kind, what in (
            (7, "breakfast", "Frijoles, tortilla" if cecot else "Huevos, frijoles, pan, café"),
            (12, "lunch", "Arroz, pasta, tortilla" if cecot else "Pollo, arroz, verduras, fruta"),
            (17, "dinner", "Frijoles, tortilla" if cecot else "Sopa, tortilla, frijoles"),
        ):
            for u in occ.units:
                meals.append(
                    services.MealIn(
                        kind=kind, served_at=occ.at(day, hour), unit=u.code, description=what
                    )
                )
    services.record_unlocks(facility=facility, unlocks=unlocks, actor=ACTOR, at=now)
    services.record_meals(facility=facility, meals=meals, actor=ACTOR, at=now)
    _contact(occ, rng, cecot)
    report(
        _("%(facility)s: %(unlocks)d unlocks and %(meals)d meals over %(days)d days (%(regime)s).")
        % {
            "facility": facility.code,
            "unlocks": len(unlocks),
            "meals": len(meals),
            "days": DAYS,
            "regime": _("30 minutes in a corridor")
            if cecot
            else _("6.5 hours out, 1.5 in the open air"),
        }
    )


def _contact(occ: Occupancy, rng: random.Random, cecot: bool) -> None:
    facility, now = occ.facility, occ.now
    visits: list[services.VisitIn] = []
    hearings: list[services.HearingIn] = []
    calls: list[services.CallIn] = []
    letters: list[services.LetterIn] = []
    for day in occ.days:
        # People on the roll from the start of the day (no one leaves during a demo day).
        people = occ.everyone_at(occ.at(day, 0))
        if not people:
            continue
        if cecot:
            # Family visits are not allowed: the requests that reach the record are refused.
            for pid, _c in rng.sample(people, min(len(people), rng.randint(1, 4))):
                visits.append(
                    services.VisitIn(
                        kind=ContactKind.FAMILY,
                        visitor="Madre",
                        relationship="madre",
                        requested_at=occ.at(day, 9),
                        status=VisitStatus.REFUSED,
                        refusal_reason="Visitas familiares suspendidas (régimen de excepción)",
                        person_id=pid,
                    )
                )
            if rng.random() < 0.3:
                pid, _c = rng.choice(people)
                start = occ.at(day, 10)
                visits.append(
                    services.VisitIn(
                        kind=ContactKind.LEGAL,
                        visitor="Defensor público",
                        requested_at=occ.at(day, 8),
                        status=VisitStatus.HELD,
                        started_at=start,
                        ended_at=start + dt.timedelta(minutes=15),
                        mode="video",
                        sight_not_hearing=False,
                        person_id=pid,
                    )
                )
            # A group trial by video link: dozens of people at once, rarely with a defender.
            if rng.random() < 0.5:
                group = rng.sample(people, min(len(people), rng.randint(20, 120)))
                start = occ.at(day, 9)
                hearings += [
                    services.HearingIn(
                        court="Tribunal Contra el Crimen Organizado, San Salvador",
                        reference=f"REF-{day:%Y%m%d}-{rng.randint(100, 999)}",
                        started_at=start,
                        ended_at=start + dt.timedelta(hours=3),
                        mode="video",
                        defender_present=rng.random() < 0.1,
                        defendants=len(group),
                        person_id=pid,
                    )
                    for pid, _c in group
                ]
            continue
        for pid, _c in rng.sample(people, max(1, len(people) // 7)):
            start = occ.at(day, rng.choice([9, 10, 14, 15]))
            visits.append(
                services.VisitIn(
                    kind=ContactKind.FAMILY,
                    visitor=rng.choice(["Madre", "Esposa", "Hermana", "Hijo"]),
                    requested_at=start - dt.timedelta(days=3),
                    status=VisitStatus.HELD,
                    started_at=start,
                    ended_at=start + dt.timedelta(minutes=rng.choice([60, 90])),
                    mode="open",
                    sight_not_hearing=False,
                    person_id=pid,
                )
            )
        for pid, _c in rng.sample(people, max(1, len(people) // 50)):
            start = occ.at(day, 11)
            visits.append(
                services.VisitIn(
                    kind=ContactKind.LEGAL,
                    visitor="Defensoría Pública",
                    requested_at=start - dt.timedelta(days=1),
                    status=VisitStatus.HELD,
                    started_at=start,
                    ended_at=start + dt.timedelta(minutes=45),
                    mode="open",
                    sight_not_hearing=True,
                    person_id=pid,
                )
            )
        for pid, _c in rng.sample(people, max(1, len(people) // 100)):
            start = occ.at(day, 9)
            hearings.append(
                services.HearingIn(
                    court="Juzgado de Instrucción, San Salvador",
                    started_at=start,
                    ended_at=start + dt.timedelta(hours=1),
                    mode="video",
                    defender_present=True,
                    person_id=pid,
                )
            )
        for pid, _c in rng.sample(people, len(people) // 2):
            calls.append(
                services.CallIn(
                    kind=ContactKind.FAMILY,
                    started_at=occ.at(day, rng.randint(9, 18), rng.choice([0, 15, 30, 45])),
                    minutes=10,
                    person_id=pid,
                    counterpart="Familia",
                )
            )
        for pid, _c in rng.sample(people, max(1, len(people) // 10)):
            letters.append(
                services.LetterIn(
                    kind=ContactKind.FAMILY,
                    direction=rng.choice(["in", "out"]),
                    handled_at=occ.at(day, 16),
                    person_id=pid,
                )
            )
    notifications: list[services.NotificationIn] = []
    if not cecot:
        start = occ.at(occ.days[0], 0)
        for pid, admitted in occ.admitted.items():
            if admitted >= start and admitted + dt.timedelta(hours=6) < now:
                notifications.append(
                    services.NotificationIn(
                        event="admission",
                        event_at=admitted,
                        notified_at=admitted + dt.timedelta(hours=rng.randint(1, 6)),
                        notified="Familia (contacto de emergencia)",
                        method="call",
                        by_the_person=True,
                        person_id=pid,
                    )
                )
        # Today: a few visits already held.
        # Held here since before the visit was requested (not admitted in the last two hours).
        earlier = set(occ.everyone_at(now - dt.timedelta(hours=2)))
        today_people = [p for p in occ.everyone_at(now) if p in earlier]
        for pid, _c in rng.sample(today_people, min(4, len(today_people))):
            visits.append(
                services.VisitIn(
                    kind=ContactKind.FAMILY,
                    visitor="Madre",
                    requested_at=now - dt.timedelta(hours=2),
                    status=VisitStatus.HELD,
                    started_at=now - dt.timedelta(hours=1, minutes=30),
                    ended_at=now - dt.timedelta(minutes=30),
                    mode="open",
                    sight_not_hearing=False,
                    person_id=pid,
                )
            )
    args = {"facility": facility, "actor": ACTOR, "at": now}
    if visits:
        services.record_visits(visits=visits, **args)  # type: ignore[arg-type]
    if hearings:
        services.record_hearings(hearings=hearings, **args)  # type: ignore[arg-type]
    if calls:
        services.record_calls(calls=calls, **args)  # type: ignore[arg-type]
    if letters:
        services.record_letters(letters=letters, **args)  # type: ignore[arg-type]
    if notifications:
        services.notify_family(notifications=notifications, **args)  # type: ignore[arg-type]
    # Three requests waiting for a decision, for the contact page.
    for pid, _c in occ.everyone_at(now)[:3]:
        person = Person.objects.get(pk=pid)
        services.request_visit(
            person=person,
            facility=facility,
            kind=ContactKind.FAMILY,
            visitor="Hermana",
            relationship="hermana",
            actor=ACTOR,
            at=now,
        )
