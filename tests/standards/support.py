"""A small facility run by the book for twenty days, built through the same use cases as staff —
so that a test can add one wrong thing and see exactly one rule breached.

The ward (men, America/El_Salvador): unit A with cells of 20, 20, 10, 5.8, 3.8 and 7.2 m²;
unit B with a 20 m² cell of 4 bunks but 2 mattresses and a 20 m² cell without a working
toilet. Eight people arrive on D0 at 09:00 in pairs (A-1, A-2, A-3, B-1); every day both
units go out to the open air from 14:00 to 16:00; everyone is examined two hours after
arrival and their family told after one. The judged range is D0 … D19, and "now" is D20 in
the evening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from habeas.core import clock
from habeas.estate.models import Facility
from habeas.health import services as health
from habeas.ledger.models import CustodyDay
from habeas.ledger.services import build_ledger
from habeas.people.models import Person
from habeas.regime import services as regime
from habeas.standards.models import EvaluationRun, Finding
from habeas.standards.services import check_standards
from tests import factories as f

TZ = ZoneInfo("America/El_Salvador")
D0 = dt.date(2026, 3, 5)
DAYS = 20
LAST = D0 + dt.timedelta(days=DAYS - 1)
NOW = dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(20), tzinfo=TZ)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def at(n: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """Local time on day ``n`` (D0 is day 0)."""
    return dt.datetime.combine(day(n), dt.time(hour, minute), tzinfo=TZ)


ARRIVAL = at(0, 9)


def ward(code: str = "ward", *, sex: str = "M") -> Facility:
    return f.facility(
        code,
        name="Pabellón de prueba",
        sex=sex,
        units={
            "A": [
                f.cell("A-1"),
                f.cell("A-2"),
                f.cell("A-3", area="10", bunks=3, mattresses=3),
                f.cell("A-4", area="5.8", bunks=2, mattresses=2),
                f.cell("A-5", area="3.8", bunks=2, mattresses=2),
                f.cell("A-6", area="7.2", bunks=2, mattresses=2),
            ],
            "B": [
                f.cell("B-1", bunks=4, mattresses=2),
                f.cell("B-2", bunks=4, mattresses=4, toilets=0),
            ],
        },
    )


@dataclass
class Ward:
    facility: Facility
    people: dict[str, Person] = field(default_factory=dict)
    arrived: dict[str, dt.datetime] = field(default_factory=dict)

    def admit(
        self,
        label: str,
        cell: str,
        *,
        when: dt.datetime = ARRIVAL,
        kind: str = "provisional_detention",
        sex: str | None = None,
        review_days: int | None = None,
    ) -> Person:
        person = f.person(
            f.admit_person(
                self.facility,
                cell=cell,
                at=when,
                kind=kind,
                review_days=review_days,
                person=f.person_in(label.title(), sex=sex or self.facility.holds_sex),
            )
        )
        self.people[label] = person
        self.arrived[label] = when
        return person

    def settle(
        self,
        *,
        no_exam: Iterable[str] = (),
        no_notice: Iterable[str] = (),
        exceptions: dict[tuple[str, int], str] | None = None,
    ) -> None:
        """Examinations, family notifications and the daily open air for everyone admitted,
        less what the test leaves out; ``exceptions`` maps (person, day) to the reason they
        missed that day's unlock."""
        skip_exam, skip_notice = set(no_exam), set(no_notice)
        exceptions = exceptions or {}
        now = clock.now()
        with transaction.atomic():
            exams = [
                health.ExaminationIn(
                    examined_at=self.arrived[k] + dt.timedelta(hours=2),
                    examined_by="Dra. Prueba",
                    person_id=p.pk,
                )
                for k, p in self.people.items()
                if k not in skip_exam
            ]
            if exams:
                health.record_examinations(
                    facility=self.facility, examinations=exams, actor=f.SYSTEM, at=now
                )
            notices = [
                regime.NotificationIn(
                    event="admission",
                    event_at=self.arrived[k],
                    notified_at=self.arrived[k] + dt.timedelta(hours=1),
                    notified="Madre",
                    method="call",
                    person_id=p.pk,
                )
                for k, p in self.people.items()
                if k not in skip_notice
            ]
            if notices:
                regime.notify_family(
                    facility=self.facility, notifications=notices, actor=f.SYSTEM, at=now
                )
            unlocks = []
            for n in range(DAYS):
                for unit in ("A", "B"):
                    excused = tuple(
                        regime.ExceptionIn(reason=reason, person_id=self.people[k].pk)
                        for (k, d), reason in exceptions.items()
                        if d == n and self._unit_of(k, n) == unit
                    )
                    unlocks.append(
                        regime.UnlockIn(
                            started_at=at(n, 14),
                            ended_at=at(n, 16),
                            location="open_air",
                            unit=unit,
                            exceptions=excused,
                        )
                    )
            regime.record_unlocks(facility=self.facility, unlocks=unlocks, actor=f.SYSTEM, at=now)

    def _unit_of(self, label: str, n: int) -> str:
        moment = at(n, 14)
        placement = (
            self.people[label]
            .placements.filter(started_at__lte=moment)
            .order_by("-started_at")
            .select_related("cell__unit")
            .first()
        )
        assert placement is not None
        return placement.cell.unit.code

    def build(self) -> None:
        with transaction.atomic():
            build_ledger(
                facility=self.facility, first=D0, last=LAST, actor=f.SYSTEM, at=clock.now()
            )

    def check(self, profile: str = "mandela") -> EvaluationRun:
        with transaction.atomic():
            return check_standards(
                facility=self.facility,
                first=D0,
                last=LAST,
                actor=f.SYSTEM,
                at=clock.now(),
                profile=profile,
            )

    def row(self, label: str, n: int) -> CustodyDay:
        return CustodyDay.objects.get(facility=self.facility, person=self.people[label], day=day(n))


def breaches(run: EvaluationRun) -> dict[str, tuple[int, int]]:
    """rule → (person-days in breach, people) for every rule the run found breached."""
    return {
        fi.rule.code: (fi.person_days, fi.people)
        for fi in Finding.objects.filter(run=run).select_related("rule")
        if fi.person_days
    }


def finding(run: EvaluationRun, rule: str) -> Finding:
    return Finding.objects.select_related("rule").get(run=run, rule__code=rule)


def baseline(w: Ward) -> None:
    """The eight people of D0, two to a cell."""
    for cell in ("A-1", "A-2", "A-3", "B-1"):
        for i in (1, 2):
            w.admit(f"{cell.lower().replace('-', '')}{'ab'[i - 1]}", cell)


def decimal(value: str) -> Decimal:
    return Decimal(value)
