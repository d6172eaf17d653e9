"""Who was where, for bulk daily-life records: the people of a batch resolved by id or custody
number, their stays at the facility and their placements, in a bounded number of queries whatever
the size of the batch (``core.bulk.matching``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from habeas.core.bulk import matching
from habeas.core.errors import FieldProblem
from habeas.custody.models import Stay
from habeas.estate.models import Facility
from habeas.housing.models import Placement
from habeas.people.models import Person

# A record may be entered a few minutes ahead of a slow clock, never further.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

Period = tuple[dt.datetime, dt.datetime | None]
LARGE_BATCH = 500


def covers(periods: Iterable[Period], moment: dt.datetime) -> bool:
    return any(start <= moment and (end is None or moment < end) for start, end in periods)


@dataclass
class Presence:
    """People of a batch: ids by custody number, and their stays at one facility."""

    by_number: dict[str, int] = field(default_factory=dict)
    known: set[int] = field(default_factory=set)
    stays: dict[int, list[Period]] = field(default_factory=lambda: defaultdict(list))

    def person_id(
        self,
        *,
        person_id: int | None,
        custody_number: str | None,
        field_name: str,
        problems: list[FieldProblem],
        line: int | None = None,
    ) -> int | None:
        """The id of the person a record names (by id or custody number), or a problem."""
        if person_id is None and not custody_number:
            problems.append(
                FieldProblem(
                    field=field_name,
                    message=_("Name the person by id or custody number."),
                    code="REQUIRED",
                    line=line,
                )
            )
            return None
        pid = person_id if person_id is not None else self.by_number.get(custody_number or "")
        if pid is None or pid not in self.known:
            problems.append(
                FieldProblem(
                    field=field_name,
                    message=_("No such person: %(who)s.") % {"who": person_id or custody_number},
                    code="UNKNOWN_PERSON",
                    line=line,
                )
            )
            return None
        return pid

    def held(
        self,
        pid: int,
        moment: dt.datetime,
        *,
        field_name: str,
        problems: list[FieldProblem],
        line: int | None = None,
    ) -> bool:
        """Whether the person was on the facility's roll at ``moment`` (else a problem)."""
        if covers(self.stays.get(pid, ()), moment):
            return True
        problems.append(
            FieldProblem(
                field=field_name,
                message=_("This person was not held at this facility at %(at)s.")
                % {"at": moment.isoformat(timespec="minutes")},
                code="NOT_HELD_HERE",
                line=line,
            )
        )
        return False


def presence(
    facility: Facility, *, person_ids: Iterable[int | None] = (), numbers: Iterable[str | None] = ()
) -> Presence:
    """Resolve people named by id or custody number, with their stays at ``facility``. Three
    queries whatever the number of people."""
    p = Presence()
    ids = {i for i in person_ids if i is not None}
    wanted = [n for n in numbers if n]
    for pk, number in matching(
        Person.objects.values_list("pk", "custody_number"), "custody_number", wanted
    ):
        p.by_number[number] = pk
        ids.add(pk)
    p.known = {pk for (pk,) in matching(Person.objects.values_list("pk"), "pk", ids)}
    stays = Stay.objects.filter(facility=facility).values_list(
        "person_id", "started_at", "ended_at"
    )
    # For a large batch, reading every stay of the facility is cheaper than asking for thousands
    # of people by id (PostgreSQL tests ``= ANY(array)`` row by row against a long array).
    rows = stays if len(p.known) > LARGE_BATCH else matching(stays, "person_id", p.known)
    for pid, start, end in rows:
        if pid in p.known:
            p.stays[pid].append((start, end))
    return p


def placements_of(
    person_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[int, dt.datetime, dt.datetime | None]]]:
    """person → [(cell, from, until)] for placements overlapping [start, end)."""
    out: dict[int, list[tuple[int, dt.datetime, dt.datetime | None]]] = defaultdict(list)
    qs = Placement.objects.filter(started_at__lt=end).exclude(ended_at__lte=start)
    rows = qs.values_list("person_id", "cell_id", "started_at", "ended_at")
    for pid, cell, s, e in matching(rows, "person_id", set(person_ids)):
        out[pid].append((cell, s, e))
    return out


def check_moment(
    value: dt.datetime | None,
    *,
    field_name: str,
    now: dt.datetime,
    problems: list[FieldProblem],
    line: int | None = None,
    required: bool = True,
) -> bool:
    """An aware moment, not in the future. Appends a problem and returns False otherwise."""
    if value is None:
        if required:
            problems.append(
                FieldProblem(
                    field=field_name,
                    message=_("This field is required."),
                    code="REQUIRED",
                    line=line,
                )
            )
        return False
    if value.tzinfo is None or value.utcoffset() is None:
        problems.append(
            FieldProblem(
                field=field_name,
                message=_("Give the time with its offset, e.g. 2026-11-25T08:00:00-06:00."),
                code="NAIVE_DATETIME",
                line=line,
            )
        )
        return False
    if value > now + FUTURE_TOLERANCE:
        problems.append(
            FieldProblem(
                field=field_name,
                message=_("%(at)s is in the future.") % {"at": value.isoformat(timespec="minutes")},
                code="IN_FUTURE",
                line=line,
            )
        )
        return False
    return True


def check_choice(
    value: str,
    choices: Iterable[str],
    *,
    field_name: str,
    problems: list[FieldProblem],
    line: int | None = None,
) -> bool:
    allowed = list(choices)
    if value in allowed:
        return True
    problems.append(
        FieldProblem(
            field=field_name,
            message=_("%(value)s is not one of: %(allowed)s.")
            % {"value": value or "—", "allowed": ", ".join(allowed)},
            code="INVALID_CHOICE",
            line=line,
        )
    )
    return False


def problem_summary(problems: list[FieldProblem], what: str) -> str:
    if len(problems) == 1:
        return problems[0].message
    return _("%(what)s: %(n)d problems; nothing was recorded.") % {
        "what": what,
        "n": len(problems),
    }
