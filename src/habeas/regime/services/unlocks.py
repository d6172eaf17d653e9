"""Unlocks as they happened: one entry for many cells, with the people who did not take part."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record_many
from habeas.core.bulk import insert_rows, matching, reserve_ids
from habeas.core.errors import FieldProblem, RuleViolation
from habeas.core.prepared import LONGEST_LIST, prepared
from habeas.estate.models import Cell, Facility, Unit
from habeas.regime.models import (
    ExceptionReason,
    Location,
    Purpose,
    Unlock,
    UnlockCell,
    UnlockException,
)
from habeas.regime.presence import check_choice, check_moment, placements_of, presence
from habeas.regime.scope import CellIndex
from habeas.regime.services.problems import LONGEST_UNLOCK, _fail, _prefix


@dataclass(frozen=True)
class ExceptionIn:
    reason: str
    custody_number: str | None = None
    person_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class UnlockIn:
    started_at: dt.datetime
    ended_at: dt.datetime
    location: str
    purpose: str = Purpose.EXERCISE
    unit: str | None = None
    cells: tuple[str, ...] = ()
    exceptions: tuple[ExceptionIn, ...] = ()
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class RecordedUnlock:
    id: int
    scope: str
    unit: str | None
    cells: list[str]
    started_at: dt.datetime
    ended_at: dt.datetime
    location: str
    purpose: str
    exceptions: int


def record_unlocks(
    *, facility: Facility, unlocks: Sequence[UnlockIn], actor: Actor, at: dt.datetime
) -> list[RecordedUnlock]:
    """Record what actually happened: cells (or a whole unit) unlocked for a period, to the
    open air, a covered corridor or hall, or kept in the cell. Everyone in those cells took part
    but the listed exceptions, who must have been placed in one of the cells at the time.

    A cell cannot be unlocked twice at once: overlapping entries for the same cell are refused, so
    no minute out of cell is counted twice (Mandela Rule 23 is judged on these minutes)."""
    problems: list[FieldProblem] = []
    index = CellIndex.of(
        facility, units=[u.unit for u in unlocks], cells=[c for u in unlocks for c in u.cells]
    )
    n = len(unlocks)
    resolved: list[tuple[str, Unit | None, list[Cell]]] = []
    for i, u in enumerate(unlocks):

        def name(field: str, i: int = i) -> str:
            return _prefix(i, n, field)

        ok_start = check_moment(
            u.started_at, field_name=name("started_at"), now=at, problems=problems, line=u.line
        )
        ok_end = check_moment(
            u.ended_at, field_name=name("ended_at"), now=at, problems=problems, line=u.line
        )
        if ok_start and ok_end:
            if u.ended_at <= u.started_at:
                problems.append(
                    FieldProblem(
                        field=name("ended_at"),
                        message=_("The unlock must end after it starts."),
                        code="INVALID",
                        line=u.line,
                    )
                )
            elif u.ended_at - u.started_at > LONGEST_UNLOCK:
                problems.append(
                    FieldProblem(
                        field=name("ended_at"),
                        message=_("One entry covers at most 24 hours."),
                        code="TOO_LONG",
                        line=u.line,
                    )
                )
        check_choice(
            u.location, Location.values, field_name=name("location"), problems=problems, line=u.line
        )
        check_choice(
            u.purpose, Purpose.values, field_name=name("purpose"), problems=problems, line=u.line
        )
        resolved.append(
            index.resolve(
                unit=u.unit, cells=u.cells, field=name(""), problems=problems, line=u.line
            )
        )
    # The people excepted: known, and placed in one of the entry's cells during the period.
    who = presence(
        facility,
        person_ids=[e.person_id for u in unlocks for e in u.exceptions],
        numbers=[e.custody_number for u in unlocks for e in u.exceptions],
    )
    excepted: list[list[tuple[int, ExceptionIn]]] = []
    for i, u in enumerate(unlocks):
        rows = []
        seen: set[int] = set()
        for k, e in enumerate(u.exceptions):
            field = _prefix(i, n, f"exceptions[{k}]")
            check_choice(
                e.reason,
                ExceptionReason.values,
                field_name=f"{field}.reason",
                problems=problems,
                line=u.line,
            )
            pid = who.person_id(
                person_id=e.person_id,
                custody_number=e.custody_number,
                field_name=f"{field}.person",
                problems=problems,
                line=u.line,
            )
            if pid is None:
                continue
            if pid in seen:
                problems.append(
                    FieldProblem(
                        field=f"{field}.person",
                        message=_("This person is listed twice."),
                        code="DUPLICATE",
                        line=u.line,
                    )
                )
                continue
            seen.add(pid)
            rows.append((pid, e))
        excepted.append(rows)
    all_excepted = {pid for rows in excepted for pid, _e in rows}
    if all_excepted and not problems:
        start = min(u.started_at for u in unlocks)
        end = max(u.ended_at for u in unlocks)
        placed = placements_of(all_excepted, start, end)
        for i, (u, (_s, _unit, cells)) in enumerate(zip(unlocks, resolved, strict=True)):
            in_entry = {c.pk for c in cells}
            for k, (pid, _e) in enumerate(excepted[i]):
                inside = any(
                    cell in in_entry and s < u.ended_at and (e is None or e > u.started_at)
                    for cell, s, e in placed.get(pid, ())
                )
                if not inside:
                    problems.append(
                        FieldProblem(
                            field=_prefix(i, n, f"exceptions[{k}].person"),
                            message=_("This person was not in any of these cells at the time."),
                            code="NOT_IN_THESE_CELLS",
                            line=u.line,
                        )
                    )
    _fail(problems, _("The unlock log"))
    _refuse_overlaps(unlocks, resolved)
    ids = reserve_ids(Unlock, n)
    insert_rows(
        Unlock,
        (
            "id",
            "facility_id",
            "scope",
            "unit_id",
            "purpose",
            "location",
            "started_at",
            "ended_at",
            "note",
            "recorded_at",
            "recorded_by_id",
        ),
        (
            (
                pk,
                facility.pk,
                scope,
                unit.pk if unit else None,
                u.purpose,
                u.location,
                u.started_at,
                u.ended_at,
                u.note.strip(),
                at,
                actor.user_id,
            )
            for pk, u, (scope, unit, _c) in zip(ids, unlocks, resolved, strict=True)
        ),
    )
    insert_rows(
        UnlockCell,
        ("unlock_id", "cell_id"),
        ((pk, c.pk) for pk, (_s, _u, cells) in zip(ids, resolved, strict=True) for c in cells),
    )
    insert_rows(
        UnlockException,
        ("unlock_id", "person_id", "reason", "note"),
        (
            (pk, pid, e.reason, e.note.strip())
            for pk, rows in zip(ids, excepted, strict=True)
            for pid, e in rows
        ),
    )
    done = [
        RecordedUnlock(
            id=pk,
            scope=scope,
            unit=unit.code if unit else None,
            cells=[c.code for c in cells],
            started_at=u.started_at,
            ended_at=u.ended_at,
            location=u.location,
            purpose=u.purpose,
            exceptions=len(rows),
        )
        for pk, u, (scope, unit, cells), rows in zip(ids, unlocks, resolved, excepted, strict=True)
    ]
    numbers = {pid: num for num, pid in who.by_number.items()}
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.record_unlock",
                object_type="regime.Unlock",
                object_id=d.id,
                facility_id=facility.pk,
                after={
                    "scope": d.scope,
                    "unit": d.unit,
                    "cells": d.cells,
                    "from": d.started_at,
                    "until": d.ended_at,
                    "location": d.location,
                    "purpose": d.purpose,
                    "exceptions": [
                        {"person": numbers.get(pid, pid), "reason": e.reason} for pid, e in rows
                    ],
                },
            )
            for d, rows in zip(done, excepted, strict=True)
        ],
    )
    return done


_Unlocked = QuerySet[UnlockCell, tuple[int, dt.datetime, dt.datetime]]


def _unlocked_between(start: dt.datetime, end: dt.datetime) -> _Unlocked:
    """Cells unlocked for part of [start, end), with the unlock's period."""
    return UnlockCell.objects.filter(
        unlock__started_at__lt=end, unlock__ended_at__gt=start
    ).values_list("cell_id", "unlock__started_at", "unlock__ended_at")


@prepared
def _unlocked_during(start: dt.datetime, end: dt.datetime, cell_ids: list[int]) -> _Unlocked:
    return _unlocked_between(start, end).filter(cell_id__in=cell_ids)


def _refuse_overlaps(
    unlocks: Sequence[UnlockIn], resolved: Sequence[tuple[str, Unit | None, list[Cell]]]
) -> None:
    """Refuse an entry that would unlock a cell already unlocked for part of the same time."""
    start = min(u.started_at for u in unlocks)
    end = max(u.ended_at for u in unlocks)
    cell_ids = sorted({c.pk for _s, _u, cells in resolved for c in cells})
    periods: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    if len(cell_ids) <= LONGEST_LIST:  # a daily log: a cell or a unit, prepared
        existing: Iterable[tuple[int, dt.datetime, dt.datetime]] = _unlocked_during(
            start=start, end=end, cell_ids=cell_ids
        )
    else:  # a bulk import: the cells in chunks SQLite accepts
        existing = matching(_unlocked_between(start, end), "cell_id", cell_ids)
    for cell, s, e in existing:
        periods[cell].append((s, e))
    codes = {c.pk: c.code for _s, _u, cells in resolved for c in cells}
    clashes: list[str] = []
    for u, (_s, _u, cells) in zip(unlocks, resolved, strict=True):
        for c in cells:
            if any(s < u.ended_at and e > u.started_at for s, e in periods[c.pk]):
                clashes.append(codes[c.pk])
            periods[c.pk].append((u.started_at, u.ended_at))
    if clashes:
        listed = sorted(set(clashes))
        raise RuleViolation(
            code="ALREADY_UNLOCKED",
            message=_("Already recorded as unlocked for part of this time: %(cells)s.")
            % {"cells": ", ".join(listed[:10]) + (" …" if len(listed) > 10 else "")},
            field="cells",
            details={"cells": listed},
        )
