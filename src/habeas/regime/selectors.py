"""Reading the regime of a facility on a day: the timetable, the unlock log, meals and contact.

Bounded queries whatever the population: counts of people come from placements by aggregate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from habeas.core import clock
from habeas.core.prepared import prepared
from habeas.estate.models import Facility, Unit
from habeas.regime.models import (
    Call,
    ExceptionReason,
    FamilyNotification,
    Hearing,
    Letter,
    Location,
    Meal,
    MealKind,
    Purpose,
    TimetablePeriod,
    Unlock,
    UnlockCell,
    UnlockException,
    Visit,
    VisitStatus,
)


def day_bounds(facility: Facility, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return clock.start_of_day(day, facility.time_zone), clock.end_of_day(day, facility.time_zone)


def today(facility: Facility) -> dt.date:
    return clock.local_date(clock.now(), facility.time_zone)


@dataclass
class UnitTimetable:
    unit: Unit
    periods: list[TimetablePeriod]

    @property
    def minutes_out(self) -> int:
        return sum(p.minutes for p in self.periods if p.location != "in_cell")

    @property
    def minutes_open_air(self) -> int:
        return sum(p.minutes for p in self.periods if p.location == "open_air")


def timetable(facility: Facility, day: dt.date) -> list[UnitTimetable]:
    """Each unit's planned periods on ``day`` (the timetable in force for its weekday)."""
    periods = (
        TimetablePeriod.objects.filter(
            facility=facility, weekday=day.weekday(), valid_from__lte=day
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
        .order_by("unit__code", "starts")
    )
    by_unit: dict[int, list[TimetablePeriod]] = defaultdict(list)
    for p in periods:
        by_unit[p.unit_id].append(p)
    return [
        UnitTimetable(unit=u, periods=by_unit.get(u.pk, []))
        for u in Unit.objects.filter(facility=facility).order_by("code")
    ]


@dataclass
class ExceptionRow:
    person_id: int
    custody_number: str
    name: str
    reason: str

    @property
    def reason_label(self) -> str:
        return str(ExceptionReason(self.reason).label)


@dataclass
class UnlockRow:
    id: int
    scope: str
    unit: str | None
    cells: list[str]
    started_at: dt.datetime
    ended_at: dt.datetime
    location: str
    purpose: str
    note: str
    people: int  # placed in the cells when the unlock began
    exceptions: list[ExceptionRow] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)

    @property
    def took_part(self) -> int:
        return max(self.people - len(self.exceptions), 0)

    @property
    def location_label(self) -> str:
        return str(Location(self.location).label)

    @property
    def purpose_label(self) -> str:
        return str(Purpose(self.purpose).label)

    @property
    def cells_label(self) -> str:
        if len(self.cells) <= 3:
            return ", ".join(self.cells)
        return f"{self.cells[0]} … {self.cells[-1]} ({len(self.cells)})"


def _with_people(qs: QuerySet[Unlock]) -> QuerySet[Unlock]:
    """Unlock entries with the number of people placed in their cells when each began."""
    in_cells = Q(cells__placements__started_at__lte=F("started_at")) & (
        Q(cells__placements__ended_at__isnull=True)
        | Q(cells__placements__ended_at__gt=F("started_at"))
    )
    return (
        qs.select_related("unit")
        .annotate(people=Count("cells__placements", filter=in_cells))
        .order_by("started_at", "pk")
    )


def _cell_codes(unlock_ids: QuerySet[Unlock, int] | list[int]) -> QuerySet[UnlockCell, Any]:
    return (
        UnlockCell.objects.filter(unlock_id__in=unlock_ids)
        .order_by("cell__code")
        .values_list("unlock_id", "cell__code")
    )


def _exceptions(unlock_ids: QuerySet[Unlock, int] | list[int]) -> QuerySet[UnlockException, Any]:
    return (
        UnlockException.objects.filter(unlock_id__in=unlock_ids)
        .order_by("person__custody_number")
        .values_list(
            "unlock_id",
            "person_id",
            "person__custody_number",
            "person__given_names",
            "person__family_names",
            "reason",
        )
    )


# The entry a daily log has just written, read back for its answer (issue #8): prepared.
@prepared
def _entries(facility_id: int, ids: list[int]) -> QuerySet[Unlock]:
    return _with_people(Unlock.objects.filter(facility_id=facility_id, pk__in=ids))


@prepared
def _entry_cell_codes(ids: list[int]) -> QuerySet[UnlockCell, Any]:
    return _cell_codes(ids)


@prepared
def _entry_exceptions(ids: list[int]) -> QuerySet[UnlockException, Any]:
    return _exceptions(ids)


def unlocks(
    facility: Facility, start: dt.datetime, end: dt.datetime, *, ids: list[int] | None = None
) -> list[UnlockRow]:
    """Unlock entries beginning in [start, end) (or those of ``ids``), with the people in their
    cells at the start. Three queries whatever the number of entries and people."""
    if ids is not None:
        entries = _entries(facility_id=facility.pk, ids=ids)
        found = [u.pk for u in entries]
        codes = _entry_cell_codes(ids=found) if found else []
        excepted = _entry_exceptions(ids=found) if found else []
    else:
        entries = list(
            _with_people(
                Unlock.objects.filter(facility=facility, started_at__gte=start, started_at__lt=end)
            )
        )
        found = [u.pk for u in entries]
        codes = list(_cell_codes(found)) if found else []
        excepted = list(_exceptions(found)) if found else []
    rows = {
        u.pk: UnlockRow(
            id=u.pk,
            scope=u.scope,
            unit=u.unit.code if u.unit else None,
            cells=[],
            started_at=u.started_at,
            ended_at=u.ended_at,
            location=u.location,
            purpose=u.purpose,
            note=u.note,
            people=u.people,  # type: ignore[attr-defined]
        )
        for u in entries
    }
    for uid, code in codes:
        rows[uid].cells.append(code)
    for uid, pid, number, given, family, reason in excepted:
        rows[uid].exceptions.append(ExceptionRow(pid, number, f"{given} {family}", reason))
    return list(rows.values())


@dataclass
class MealRow:
    id: int
    kind: str
    served_at: dt.datetime
    unit: str | None
    cells: int
    description: str

    @property
    def kind_label(self) -> str:
        return str(MealKind(self.kind).label)


def meals(facility: Facility, start: dt.datetime, end: dt.datetime) -> list[MealRow]:
    return [
        MealRow(m.pk, m.kind, m.served_at, m.unit.code if m.unit else None, m.n, m.description)
        for m in Meal.objects.filter(facility=facility, served_at__gte=start, served_at__lt=end)
        .select_related("unit")
        .annotate(n=Count("cells"))
        .order_by("served_at", "pk")
    ]


@dataclass
class ContactDay:
    pending_visits: list[Visit]
    approved_visits: list[Visit]
    visits: list[Visit]  # held or refused on the day
    hearings: list[Hearing]
    calls: int
    call_minutes: int
    letters: int
    letters_withheld: int
    notifications: list[FamilyNotification]


def contact(facility: Facility, start: dt.datetime, end: dt.datetime) -> ContactDay:
    visits = Visit.objects.filter(facility=facility).select_related("person")
    calls = Call.objects.filter(facility=facility, started_at__gte=start, started_at__lt=end)
    call_totals = calls.aggregate(n=Count("id"), minutes=Sum("minutes"))
    letters = Letter.objects.filter(facility=facility, handled_at__gte=start, handled_at__lt=end)
    letter_totals = letters.aggregate(n=Count("id"), withheld=Count("id", filter=Q(withheld=True)))
    return ContactDay(
        pending_visits=list(visits.filter(status=VisitStatus.REQUESTED).order_by("requested_at")),
        approved_visits=list(visits.filter(status=VisitStatus.APPROVED).order_by("requested_at")),
        visits=list(
            visits.filter(
                Q(status=VisitStatus.HELD, started_at__gte=start, started_at__lt=end)
                | Q(status=VisitStatus.REFUSED, decided_at__gte=start, decided_at__lt=end)
            ).order_by("started_at", "decided_at")
        ),
        hearings=list(
            Hearing.objects.filter(facility=facility, started_at__gte=start, started_at__lt=end)
            .select_related("person")
            .order_by("started_at")
        ),
        calls=call_totals["n"],
        call_minutes=call_totals["minutes"] or 0,
        letters=letter_totals["n"],
        letters_withheld=letter_totals["withheld"],
        notifications=list(
            FamilyNotification.objects.filter(
                facility=facility, notified_at__gte=start, notified_at__lt=end
            )
            .select_related("person")
            .order_by("notified_at")
        ),
    )
