"""One person's daily life, day by day: where they were, the unlocks they took part in, minutes
out of the cell and in the open air, meals, contact, showers, water, heat and light, restraints,
sanctions and segregation — derived from the bulk records exactly as the custody ledger derives
them (``docs/daily-life.md``), for one person and a few weeks, in a bounded number of queries.

Clinical content is never read here: only whether a medical examination took place.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q

from habeas.conditions.models import Reading, Shower, WaterDelivery
from habeas.core import clock
from habeas.custody.models import Stay
from habeas.estate.models import Facility
from habeas.health.models import Examination
from habeas.housing.models import Placement
from habeas.incidents.models import (
    Involvement,
    Restraint,
    Sanction,
    SanctionKind,
    SanctionScope,
    Segregation,
    UseOfForce,
)
from habeas.people.models import Person
from habeas.regime.models import (
    Call,
    ContactKind,
    ExceptionReason,
    Hearing,
    Letter,
    Location,
    MealCell,
    UnlockCell,
    UnlockException,
    Visit,
    VisitStatus,
)

# A reading stands for the time until the next one, at most this long (a sensor that stops
# reporting does not make its last value last for ever).
SAMPLE_CAP = dt.timedelta(minutes=60)
LEGAL_KINDS = {ContactKind.LEGAL, ContactKind.CONSULAR}


@dataclass
class UnlockTaken:
    id: int
    started_at: dt.datetime
    ended_at: dt.datetime
    location: str
    purpose: str
    cell: str
    minutes: int  # of this unlock while the person was in the cell, on this day
    exception: str | None  # why the person did not take part

    @property
    def location_label(self) -> str:
        return str(Location(self.location).label)

    @property
    def exception_label(self) -> str:
        return str(ExceptionReason(self.exception).label) if self.exception else ""


@dataclass
class PersonDay:
    day: dt.date
    cells: list[str] = field(default_factory=list)
    unlocks: list[UnlockTaken] = field(default_factory=list)
    minutes_out_of_cell: int = 0
    minutes_open_air: int = 0
    meals: int = 0
    family_visits: int = 0
    legal_visits: int = 0
    visit_minutes: int = 0
    visits_refused: int = 0
    hearings: int = 0
    calls: int = 0
    letters: int = 0
    showered: bool = False
    water_litres: Decimal | None = None  # per person, from deliveries to the cell
    max_temperature_c: Decimal | None = None
    lights_off_minutes: int | None = None  # None: no light readings that day
    restraint_minutes: int = 0
    sanctions: list[str] = field(default_factory=list)
    collective_sanction: bool = False
    segregated: bool = False
    uses_of_force: int = 0
    incidents: int = 0
    examined: bool = False

    @property
    def sanction_labels(self) -> list[str]:
        return [str(SanctionKind(k).label) for k in self.sanctions]

    @property
    def family_contact(self) -> bool:
        return self.family_visits > 0 or self.calls > 0 or self.letters > 0

    @property
    def legal_contact(self) -> bool:
        return self.legal_visits > 0 or self.hearings > 0


@dataclass
class PersonDays:
    person: Person
    facility: Facility | None
    first: dt.date
    last: dt.date
    days: list[PersonDay]

    @property
    def total_open_air(self) -> int:
        return sum(d.minutes_open_air for d in self.days)

    @property
    def total_out_of_cell(self) -> int:
        return sum(d.minutes_out_of_cell for d in self.days)


def _split(
    start: dt.datetime, end: dt.datetime, tz: ZoneInfo
) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """[start, end) cut at local midnights: (day, from, until) pieces."""
    pieces = []
    cur = start
    while cur < end:
        day = cur.astimezone(tz).date()
        stop = min(end, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz))
        pieces.append((day, cur, stop))
        cur = stop
    return pieces


def _minutes(a: dt.datetime, b: dt.datetime) -> int:
    return max(int((b - a).total_seconds() // 60), 0)


def _overlap(
    s1: dt.datetime, e1: dt.datetime | None, s2: dt.datetime, e2: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime] | None:
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    start, end = max(s1, s2), min(e1 or far, e2 or far)
    return (start, end) if start < end else None


def person_days(
    person: Person,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> PersonDays:
    """The person's days from ``first`` to ``last`` (inclusive; by default the last 30 days),
    in the time zone of their facility."""
    stay = (
        Stay.objects.filter(person=person)
        .select_related("facility")
        .order_by("-started_at")
        .first()
    )
    facility = stay.facility if stay else None
    tz_name = facility.time_zone if facility else "UTC"
    tz = ZoneInfo(tz_name)
    last = last or clock.local_date(clock.now(), tz_name)
    first = first or last - dt.timedelta(days=29)
    start, end = clock.start_of_day(first, tz_name), clock.end_of_day(last, tz_name)
    days = {
        first + dt.timedelta(days=i): PersonDay(first + dt.timedelta(days=i))
        for i in range((last - first).days + 1)
    }

    d: PersonDay | None = None

    def at_day(moment: dt.datetime | None) -> PersonDay | None:
        if moment is None:
            return None
        return days.get(moment.astimezone(tz).date())

    placements = [
        (p.cell_id, p.cell.code, p.cell.unit_id, p.started_at, p.ended_at)
        for p in Placement.objects.filter(person=person, started_at__lt=end)
        .exclude(ended_at__lte=start)
        .select_related("cell")
        .order_by("started_at")
    ]
    cell_ids = {p[0] for p in placements}
    unit_ids = {p[2] for p in placements}
    codes = {p[0]: p[1] for p in placements}
    for _cid, code, _u, s, e in placements:
        clipped = _overlap(s, e, start, end)
        if clipped:
            for day, _a, _b in _split(*clipped, tz):
                if code not in days[day].cells:
                    days[day].cells.append(code)

    def in_cell(cell_id: int, moment: dt.datetime) -> bool:
        return any(
            c == cell_id and s <= moment and (e is None or moment < e)
            for c, _code, _u, s, e in placements
        )

    # Unlocks of the person's cells, less their exceptions.
    excused = dict(
        UnlockException.objects.filter(
            person=person, unlock__started_at__lt=end, unlock__ended_at__gt=start
        ).values_list("unlock_id", "reason")
    )
    for cell_id, uid, us, ue, location, purpose in (
        UnlockCell.objects.filter(
            cell_id__in=cell_ids, unlock__started_at__lt=end, unlock__ended_at__gt=start
        )
        .values_list(
            "cell_id",
            "unlock_id",
            "unlock__started_at",
            "unlock__ended_at",
            "unlock__location",
            "unlock__purpose",
        )
        .order_by("unlock__started_at")
    ):
        for c, _code, _u, ps, pe in placements:
            if c != cell_id:
                continue
            window = _overlap(us, ue, ps, pe)
            window = window and _overlap(window[0], window[1], start, end)
            if not window:
                continue
            for day, a, b in _split(*window, tz):
                n = _minutes(a, b)
                d = days[day]
                d.unlocks.append(
                    UnlockTaken(uid, us, ue, location, purpose, codes[cell_id], n, excused.get(uid))
                )
                if uid in excused:
                    continue
                if location != Location.IN_CELL:
                    d.minutes_out_of_cell += n
                if location == Location.OPEN_AIR:
                    d.minutes_open_air += n

    for cell_id, served in MealCell.objects.filter(
        cell_id__in=cell_ids, meal__served_at__gte=start, meal__served_at__lt=end
    ).values_list("cell_id", "meal__served_at"):
        d = at_day(served)
        if d and in_cell(cell_id, served):
            d.meals += 1

    # Contact with the outside.
    for kind, status, vs, ve, decided in (
        Visit.objects.filter(person=person)
        .filter(
            Q(started_at__gte=start, started_at__lt=end)
            | Q(status=VisitStatus.REFUSED, decided_at__gte=start, decided_at__lt=end)
        )
        .values_list("kind", "status", "started_at", "ended_at", "decided_at")
    ):
        if status == VisitStatus.REFUSED:
            if (d := at_day(decided)) is not None:
                d.visits_refused += 1
            continue
        if status != VisitStatus.HELD or (d := at_day(vs)) is None:
            continue
        if kind in LEGAL_KINDS:
            d.legal_visits += 1
        elif kind == ContactKind.FAMILY:
            d.family_visits += 1
        d.visit_minutes += _minutes(vs, ve) if vs and ve else 0
    for (s,) in Hearing.objects.filter(
        person=person, started_at__gte=start, started_at__lt=end
    ).values_list("started_at"):
        if (d := at_day(s)) is not None:
            d.hearings += 1
    for (s,) in Call.objects.filter(
        person=person, kind=ContactKind.FAMILY, started_at__gte=start, started_at__lt=end
    ).values_list("started_at"):
        if (d := at_day(s)) is not None:
            d.calls += 1
    for (s,) in Letter.objects.filter(
        person=person,
        kind=ContactKind.FAMILY,
        withheld=False,
        handled_at__gte=start,
        handled_at__lt=end,
    ).values_list("handled_at"):
        if (d := at_day(s)) is not None:
            d.letters += 1

    # Conditions in the cell.
    for cell_id, person_id, taken in Shower.objects.filter(
        Q(person=person) | Q(cell_id__in=cell_ids), taken_at__gte=start, taken_at__lt=end
    ).values_list("cell_id", "person_id", "taken_at"):
        d = at_day(taken)
        if d and (person_id == person.pk or in_cell(cell_id, taken)):
            d.showered = True
    occupants = Q(cell__placements__started_at__lte=F("delivered_at")) & (
        Q(cell__placements__ended_at__isnull=True)
        | Q(cell__placements__ended_at__gt=F("delivered_at"))
    )
    for cell_id, when, litres, n in (
        WaterDelivery.objects.filter(
            cell_id__in=cell_ids, delivered_at__gte=start, delivered_at__lt=end
        )
        .annotate(n=Count("cell__placements", filter=occupants))
        .values_list("cell_id", "delivered_at", "litres", "n")
    ):
        d = at_day(when)
        if d and n and in_cell(cell_id, when):
            d.water_litres = (d.water_litres or Decimal(0)) + (litres / n).quantize(Decimal("0.1"))
    _readings(days, placements, unit_ids, cell_ids, start, end, tz)

    # Force, restraints, sanctions, segregation, incidents.
    for s, e in (
        Restraint.objects.filter(person=person, started_at__lt=end)
        .exclude(ended_at__lte=start)
        .values_list("started_at", "ended_at")
    ):
        window = _overlap(s, e or clock.now(), start, end)
        if window:
            for day, a, b in _split(*window, tz):
                days[day].restraint_minutes += _minutes(a, b)
    for s in UseOfForce.objects.filter(
        person=person, started_at__gte=start, started_at__lt=end
    ).values_list("started_at", flat=True):
        if (d := at_day(s)) is not None:
            d.uses_of_force += 1
    for s in Involvement.objects.filter(
        person=person, incident__occurred_at__gte=start, incident__occurred_at__lt=end
    ).values_list("incident__occurred_at", flat=True):
        if (d := at_day(s)) is not None:
            d.incidents += 1
    sanctions = Sanction.objects.filter(
        Q(person=person) | Q(cell_id__in=cell_ids) | Q(unit_id__in=unit_ids),
        started_at__lt=end,
    ).exclude(ended_at__lte=start)
    for kind, scope, cell_id, unit_id, s, e in sanctions.values_list(
        "kind", "scope", "cell_id", "unit_id", "started_at", "ended_at"
    ):
        targets: list[tuple[int | None, str, int | None, dt.datetime, dt.datetime | None]] = (
            list(placements) if scope != SanctionScope.PERSON else [(None, "", None, start, end)]
        )
        for tc, _code, tu, ps, pe in targets:
            if scope == SanctionScope.CELL and tc != cell_id:
                continue
            if scope == SanctionScope.UNIT and tu != unit_id:
                continue
            window = _overlap(s, e, ps, pe)
            window = window and _overlap(window[0], window[1], start, end)
            if not window:
                continue
            for day, _a, _b in _split(*window, tz):
                if kind not in days[day].sanctions:
                    days[day].sanctions.append(kind)
                if scope != SanctionScope.PERSON:
                    days[day].collective_sanction = True
    for s, e in (
        Segregation.objects.filter(person=person, started_at__lt=end)
        .exclude(ended_at__lte=start)
        .values_list("started_at", "ended_at")
    ):
        window = _overlap(s, e, start, end)
        if window:
            for day, _a, _b in _split(*window, tz):
                days[day].segregated = True
    for s in Examination.objects.filter(
        person=person, examined_at__gte=start, examined_at__lt=end
    ).values_list("examined_at", flat=True):
        if (d := at_day(s)) is not None:
            d.examined = True
    return PersonDays(
        person=person, facility=facility, first=first, last=last, days=list(days.values())
    )


def _readings(
    days: dict[dt.date, PersonDay],
    placements: list[tuple[int, str, int, dt.datetime, dt.datetime | None]],
    unit_ids: set[int],
    cell_ids: set[int],
    start: dt.datetime,
    end: dt.datetime,
    tz: ZoneInfo,
) -> None:
    """Highest temperature and minutes with the lights off in the person's cell, from the cell's
    own sensor (or the unit's, for a cell without one); each sample lasts until the next,
    capped at ``SAMPLE_CAP``."""
    rows = Reading.objects.filter(
        Q(cell_id__in=cell_ids) | Q(cell__isnull=True, unit_id__in=unit_ids),
        measured_at__gte=start,
        measured_at__lt=end,
    ).values_list("cell_id", "unit_id", "measured_at", "temperature_c", "lights_on")
    series: dict[tuple[str, int], list[tuple[dt.datetime, Decimal | None, bool | None]]] = (
        defaultdict(list)
    )
    for cell_id, unit_id, m, t, lights in rows.order_by("measured_at"):
        key = ("cell", cell_id) if cell_id is not None else ("unit", unit_id)
        series[key].append((m, t, lights))
    with_own = {k[1] for k in series if k[0] == "cell"}
    for c, _code, u, ps, pe in placements:
        key = ("cell", c) if c in with_own else ("unit", u)
        samples = series.get(key, [])
        for i, (m, t, lights) in enumerate(samples):
            if m < ps or (pe is not None and m >= pe):
                continue
            d = days.get(m.astimezone(tz).date())
            if d is None:
                continue
            if t is not None and (d.max_temperature_c is None or t > d.max_temperature_c):
                d.max_temperature_c = t
            if lights is not None:
                nxt = samples[i + 1][0] if i + 1 < len(samples) else m + SAMPLE_CAP
                span = min(nxt - m, SAMPLE_CAP)
                d.lights_off_minutes = (d.lights_off_minutes or 0) + (
                    0 if lights else int(span.total_seconds() // 60)
                )
