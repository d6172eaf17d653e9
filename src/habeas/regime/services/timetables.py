"""The regime as planned: a facility's timetable of periods."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.core.errors import FieldProblem
from habeas.estate.models import Facility, Unit
from habeas.regime.models import Location, Purpose, TimetablePeriod
from habeas.regime.presence import check_choice
from habeas.regime.services.problems import _fail


@dataclass(frozen=True)
class PeriodIn:
    purpose: str
    location: str
    starts: dt.time
    ends: dt.time


def set_timetable(
    *,
    facility: Facility,
    unit: Unit,
    weekdays: Sequence[int],
    periods: Sequence[PeriodIn],
    valid_from: dt.date,
    actor: Actor,
    at: dt.datetime,
) -> list[TimetablePeriod]:
    """The planned day of a unit on the given weekdays from ``valid_from``: periods out of
    lock-up, each with where it happens. Replaces the periods in force from that date (they are
    closed, never deleted, so past timetables remain on the record)."""
    problems: list[FieldProblem] = []
    if unit.facility_id != facility.pk:
        problems.append(FieldProblem(field="unit", message=_("No such unit."), code="UNKNOWN_UNIT"))
    days = sorted(set(weekdays))
    if not days or any(d not in range(7) for d in days):
        problems.append(
            FieldProblem(
                field="weekdays",
                message=_("Give weekdays from 0 (Monday) to 6 (Sunday)."),
                code="INVALID",
            )
        )
    ordered = sorted(periods, key=lambda p: p.starts)
    for i, p in enumerate(periods):
        check_choice(
            p.purpose, Purpose.values, field_name=f"periods[{i}].purpose", problems=problems
        )
        check_choice(
            p.location, Location.values, field_name=f"periods[{i}].location", problems=problems
        )
        if p.ends <= p.starts:
            problems.append(
                FieldProblem(
                    field=f"periods[{i}].ends",
                    message=_("A period must end after it starts."),
                    code="INVALID",
                )
            )
    for a, b in itertools.pairwise(ordered):
        if b.starts < a.ends:
            problems.append(
                FieldProblem(
                    field="periods",
                    message=_("Periods %(a)s and %(b)s overlap.")
                    % {
                        "a": f"{a.starts:%H:%M}–{a.ends:%H:%M}",
                        "b": f"{b.starts:%H:%M}–{b.ends:%H:%M}",
                    },
                    code="OVERLAP",
                )
            )
    _fail(problems, _("The timetable"))
    current = TimetablePeriod.objects.filter(unit=unit, weekday__in=days).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from)
    )
    before = [
        {"weekday": p.weekday, "from": p.starts, "until": p.ends, "location": p.location}
        for p in current
    ]
    for old in current:
        old.valid_until = max(old.valid_from, valid_from)
        old.save(update_fields=["valid_until"])
    created = TimetablePeriod.objects.bulk_create(
        [
            TimetablePeriod(
                facility=facility,
                unit=unit,
                weekday=d,
                purpose=p.purpose,
                location=p.location,
                starts=p.starts,
                ends=p.ends,
                valid_from=valid_from,
                recorded_at=at,
                recorded_by=actor.user,
            )
            for d in days
            for p in ordered
        ]
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="regime.set_timetable",
            object_type="estate.Unit",
            object_id=unit.pk,
            facility_id=facility.pk,
            before=before,
            after={
                "unit": unit.code,
                "weekdays": days,
                "valid_from": valid_from,
                "periods": [
                    {
                        "purpose": p.purpose,
                        "location": p.location,
                        "from": p.starts,
                        "until": p.ends,
                    }
                    for p in ordered
                ],
            },
        ),
    )
    return created
