"""Recording the regime: timetables, unlocks and meals (one entry for many cells), and contact
with the outside world.

Every use case runs in the caller's transaction, validates the whole batch before writing
anything (a bad batch names every problem and stores none), writes set-based (a bounded number of
statements whatever the number of entries or people) and appends one audit event per entry.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record, record_many
from habeas.core.bulk import insert_rows, matching, reserve_ids
from habeas.core.errors import FieldProblem, InvalidInput, RuleViolation
from habeas.estate.models import Cell, Facility, Unit
from habeas.people.models import Person
from habeas.regime.models import (
    Call,
    ContactKind,
    Direction,
    ExceptionReason,
    FamilyNotification,
    Hearing,
    HearingMode,
    Letter,
    Location,
    Meal,
    MealCell,
    MealKind,
    NotificationMethod,
    NotifiedEvent,
    Purpose,
    TimetablePeriod,
    Unlock,
    UnlockCell,
    UnlockException,
    Visit,
    VisitMode,
    VisitStatus,
)
from habeas.regime.presence import (
    check_choice,
    check_moment,
    placements_of,
    presence,
    problem_summary,
)
from habeas.regime.scope import CellIndex

LONGEST_UNLOCK = dt.timedelta(hours=24)


def _fail(problems: list[FieldProblem], what: str) -> None:
    if problems:
        raise InvalidInput(message=problem_summary(problems, what), problems=problems)


def _prefix(i: int, n: int, name: str) -> str:
    return f"[{i}].{name}" if n > 1 else name


# --- Timetables -------------------------------------------------------------------------------


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


# --- Unlocks ----------------------------------------------------------------------------------


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
    index = CellIndex.of(facility)
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


def _refuse_overlaps(
    unlocks: Sequence[UnlockIn], resolved: Sequence[tuple[str, Unit | None, list[Cell]]]
) -> None:
    """Refuse an entry that would unlock a cell already unlocked for part of the same time."""
    start = min(u.started_at for u in unlocks)
    end = max(u.ended_at for u in unlocks)
    cell_ids = {c.pk for _s, _u, cells in resolved for c in cells}
    periods: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    existing = UnlockCell.objects.filter(
        unlock__started_at__lt=end, unlock__ended_at__gt=start
    ).values_list("cell_id", "unlock__started_at", "unlock__ended_at")
    for cell, s, e in matching(existing, "cell_id", cell_ids):
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


# --- Meals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MealIn:
    kind: str
    served_at: dt.datetime
    unit: str | None = None
    cells: tuple[str, ...] = ()
    description: str = ""
    line: int | None = None


def record_meals(
    *, facility: Facility, meals: Sequence[MealIn], actor: Actor, at: dt.datetime
) -> list[int]:
    """Meals served to cells or whole units (Mandela Rule 22: food at the usual hours)."""
    problems: list[FieldProblem] = []
    index = CellIndex.of(facility)
    n = len(meals)
    resolved = []
    for i, m in enumerate(meals):
        check_moment(
            m.served_at,
            field_name=_prefix(i, n, "served_at"),
            now=at,
            problems=problems,
            line=m.line,
        )
        check_choice(
            m.kind,
            MealKind.values,
            field_name=_prefix(i, n, "kind"),
            problems=problems,
            line=m.line,
        )
        resolved.append(
            index.resolve(
                unit=m.unit, cells=m.cells, field=_prefix(i, n, ""), problems=problems, line=m.line
            )
        )
    _fail(problems, _("The meals"))
    ids = reserve_ids(Meal, n)
    insert_rows(
        Meal,
        (
            "id",
            "facility_id",
            "scope",
            "unit_id",
            "kind",
            "served_at",
            "description",
            "recorded_at",
            "recorded_by_id",
        ),
        (
            (
                pk,
                facility.pk,
                scope,
                unit.pk if unit else None,
                m.kind,
                m.served_at,
                m.description.strip(),
                at,
                actor.user_id,
            )
            for pk, m, (scope, unit, _c) in zip(ids, meals, resolved, strict=True)
        ),
    )
    insert_rows(
        MealCell,
        ("meal_id", "cell_id"),
        ((pk, c.pk) for pk, (_s, _u, cells) in zip(ids, resolved, strict=True) for c in cells),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.record_meal",
                object_type="regime.Meal",
                object_id=pk,
                facility_id=facility.pk,
                after={
                    "kind": m.kind,
                    "served_at": m.served_at,
                    "unit": unit.code if unit else None,
                    "cells": [c.code for c in cells],
                    "description": m.description,
                },
            )
            for pk, m, (_s, unit, cells) in zip(ids, meals, resolved, strict=True)
        ],
    )
    return ids


# --- Visits -----------------------------------------------------------------------------------


def _require_text(
    value: str, field: str, problems: list[FieldProblem], line: int | None = None
) -> None:
    if not value or not value.strip():
        problems.append(
            FieldProblem(
                field=field, message=_("This field is required."), code="REQUIRED", line=line
            )
        )


def _in_custody_here(
    person: Person,
    facility: Facility,
    moment: dt.datetime,
    problems: list[FieldProblem],
    field: str = "person",
) -> None:
    who = presence(facility, person_ids=[person.pk])
    who.held(person.pk, moment, field_name=field, problems=problems)


def request_visit(
    *,
    person: Person,
    facility: Facility,
    kind: str,
    visitor: str,
    relationship: str = "",
    requested_for: dt.datetime | None = None,
    actor: Actor,
    at: dt.datetime,
) -> Visit:
    """A visit asked for by the person or their visitor; it waits for a decision."""
    problems: list[FieldProblem] = []
    check_choice(kind, ContactKind.values, field_name="kind", problems=problems)
    _require_text(visitor, "visitor", problems)
    if requested_for is not None and requested_for.tzinfo is None:
        problems.append(
            FieldProblem(
                field="requested_for",
                code="NAIVE_DATETIME",
                message=_("Give the time with its offset."),
            )
        )
    _in_custody_here(person, facility, at, problems)
    _fail(problems, _("The visit"))
    visit = Visit.objects.create(
        person=person,
        facility=facility,
        kind=kind,
        visitor=visitor.strip(),
        relationship=relationship.strip(),
        requested_at=at,
        requested_for=requested_for,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="regime.request_visit",
            object_type="regime.Visit",
            object_id=visit.pk,
            facility_id=facility.pk,
            person_id=person.pk,
            after={
                "kind": kind,
                "visitor": visit.visitor,
                "relationship": visit.relationship,
                "requested_for": requested_for,
                "status": visit.status,
            },
        ),
    )
    return visit


def decide_visit(
    *, visit: Visit, approve: bool, reason: str = "", actor: Actor, at: dt.datetime
) -> Visit:
    """Approve or refuse a requested visit. A refusal gives its reason, which the person and the
    inspectors can read (a ban on family contact is a prohibited sanction: Mandela Rule 43)."""
    if visit.status != VisitStatus.REQUESTED:
        raise RuleViolation(
            code="VISIT_ALREADY_DECIDED",
            message=_("This visit is already %(status)s.")
            % {"status": VisitStatus(visit.status).label.lower()},
            field="visit",
        )
    if not approve and not reason.strip():
        raise InvalidInput(
            code="REQUIRED", message=_("Give the reason for the refusal."), field="reason"
        )
    before = visit.status
    visit.status = VisitStatus.APPROVED if approve else VisitStatus.REFUSED
    visit.decided_at = at
    visit.decided_by = actor.user
    visit.refusal_reason = "" if approve else reason.strip()
    visit.save(update_fields=["status", "decided_at", "decided_by", "refusal_reason"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="regime.decide_visit",
            object_type="regime.Visit",
            object_id=visit.pk,
            facility_id=visit.facility_id,
            person_id=visit.person_id,
            before={"status": before},
            after={"status": visit.status},
            reason=visit.refusal_reason,
        ),
    )
    return visit


def hold_visit(
    *,
    visit: Visit,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    mode: str,
    sight_not_hearing: bool,
    actor: Actor,
    at: dt.datetime,
) -> Visit:
    """An approved visit took place: when, for how long, how, and whether staff could hear."""
    if visit.status != VisitStatus.APPROVED:
        raise RuleViolation(
            code="VISIT_NOT_APPROVED",
            message=_("Only an approved visit can be held (this one is %(s)s).")
            % {"s": VisitStatus(visit.status).label.lower()},
            field="visit",
        )
    problems: list[FieldProblem] = []
    ok = check_moment(started_at, field_name="started_at", now=at, problems=problems)
    ok = check_moment(ended_at, field_name="ended_at", now=at, problems=problems) and ok
    if ok and ended_at <= started_at:
        problems.append(
            FieldProblem(
                field="ended_at", code="INVALID", message=_("The visit must end after it starts.")
            )
        )
    check_choice(mode, VisitMode.values, field_name="mode", problems=problems)
    _fail(problems, _("The visit"))
    visit.status = VisitStatus.HELD
    visit.started_at, visit.ended_at = started_at, ended_at
    visit.mode, visit.sight_not_hearing = mode, sight_not_hearing
    visit.save(update_fields=["status", "started_at", "ended_at", "mode", "sight_not_hearing"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="regime.hold_visit",
            object_type="regime.Visit",
            object_id=visit.pk,
            facility_id=visit.facility_id,
            person_id=visit.person_id,
            before={"status": VisitStatus.APPROVED},
            after={
                "status": visit.status,
                "from": started_at,
                "until": ended_at,
                "mode": mode,
                "sight_not_hearing": sight_not_hearing,
            },
        ),
    )
    return visit


@dataclass(frozen=True)
class VisitIn:
    """A visit entered after the fact from the visits book: held, or refused with a reason."""

    kind: str
    visitor: str
    requested_at: dt.datetime
    status: str
    person_id: int | None = None
    custody_number: str | None = None
    relationship: str = ""
    refusal_reason: str = ""
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    mode: str = ""
    sight_not_hearing: bool | None = None
    line: int | None = None


def record_visits(
    *, facility: Facility, visits: Sequence[VisitIn], actor: Actor, at: dt.datetime
) -> list[int]:
    """Many visits at once (the visits book of a day): set-based, one audit event per visit."""
    problems: list[FieldProblem] = []
    n = len(visits)
    who = presence(
        facility,
        person_ids=[v.person_id for v in visits],
        numbers=[v.custody_number for v in visits],
    )
    pids: list[int | None] = []
    for i, v in enumerate(visits):

        def name(f: str, i: int = i) -> str:
            return _prefix(i, n, f)

        check_choice(
            v.kind, ContactKind.values, field_name=name("kind"), problems=problems, line=v.line
        )
        _require_text(v.visitor, name("visitor"), problems, v.line)
        ok = check_moment(
            v.requested_at, field_name=name("requested_at"), now=at, problems=problems, line=v.line
        )
        pid = who.person_id(
            person_id=v.person_id,
            custody_number=v.custody_number,
            field_name=name("person"),
            problems=problems,
            line=v.line,
        )
        pids.append(pid)
        if not check_choice(
            v.status,
            [VisitStatus.HELD, VisitStatus.REFUSED],
            field_name=name("status"),
            problems=problems,
            line=v.line,
        ):
            continue
        if v.status == VisitStatus.REFUSED:
            _require_text(v.refusal_reason, name("refusal_reason"), problems, v.line)
            if pid is not None and ok:
                who.held(
                    pid, v.requested_at, field_name=name("person"), problems=problems, line=v.line
                )
            continue
        ok_s = check_moment(
            v.started_at, field_name=name("started_at"), now=at, problems=problems, line=v.line
        )
        ok_e = check_moment(
            v.ended_at, field_name=name("ended_at"), now=at, problems=problems, line=v.line
        )
        if ok_s and ok_e:
            assert v.started_at is not None and v.ended_at is not None
            if v.ended_at <= v.started_at:
                problems.append(
                    FieldProblem(
                        field=name("ended_at"),
                        code="INVALID",
                        message=_("The visit must end after it starts."),
                        line=v.line,
                    )
                )
            if pid is not None:
                who.held(
                    pid, v.started_at, field_name=name("person"), problems=problems, line=v.line
                )
        check_choice(
            v.mode, VisitMode.values, field_name=name("mode"), problems=problems, line=v.line
        )
    _fail(problems, _("The visits"))
    ids = reserve_ids(Visit, n)
    insert_rows(
        Visit,
        (
            "id",
            "person_id",
            "facility_id",
            "kind",
            "visitor",
            "relationship",
            "requested_at",
            "requested_for",
            "status",
            "decided_at",
            "decided_by_id",
            "refusal_reason",
            "mode",
            "started_at",
            "ended_at",
            "sight_not_hearing",
            "recorded_by_id",
        ),
        (
            (
                pk,
                pid,
                facility.pk,
                v.kind,
                v.visitor.strip(),
                v.relationship.strip(),
                v.requested_at,
                None,
                v.status,
                v.requested_at,
                actor.user_id,
                v.refusal_reason.strip(),
                v.mode if v.status == VisitStatus.HELD else "",
                v.started_at if v.status == VisitStatus.HELD else None,
                v.ended_at if v.status == VisitStatus.HELD else None,
                v.sight_not_hearing if v.status == VisitStatus.HELD else None,
                actor.user_id,
            )
            for pk, pid, v in zip(ids, pids, visits, strict=True)
        ),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.record_visit",
                object_type="regime.Visit",
                object_id=pk,
                facility_id=facility.pk,
                person_id=pid,
                after={
                    "kind": v.kind,
                    "visitor": v.visitor,
                    "status": v.status,
                    "from": v.started_at,
                    "until": v.ended_at,
                    "mode": v.mode,
                    "sight_not_hearing": v.sight_not_hearing,
                },
                reason=v.refusal_reason,
            )
            for pk, pid, v in zip(ids, pids, visits, strict=True)
        ],
    )
    return ids


# --- Hearings, calls, letters, notifications --------------------------------------------------


@dataclass(frozen=True)
class HearingIn:
    court: str
    started_at: dt.datetime
    ended_at: dt.datetime
    mode: str = HearingMode.VIDEO
    person_id: int | None = None
    custody_number: str | None = None
    reference: str = ""
    defender_present: bool = False
    defendants: int = 1
    line: int | None = None


@dataclass(frozen=True)
class CallIn:
    kind: str
    started_at: dt.datetime
    minutes: int
    direction: str = Direction.OUT
    person_id: int | None = None
    custody_number: str | None = None
    counterpart: str = ""
    monitored: bool = False
    line: int | None = None


@dataclass(frozen=True)
class LetterIn:
    kind: str
    handled_at: dt.datetime
    direction: str
    person_id: int | None = None
    custody_number: str | None = None
    counterpart: str = ""
    opened_by_staff: bool = False
    withheld: bool = False
    withheld_reason: str = ""
    line: int | None = None


@dataclass(frozen=True)
class NotificationIn:
    event: str
    event_at: dt.datetime
    notified_at: dt.datetime
    notified: str
    method: str
    person_id: int | None = None
    custody_number: str | None = None
    by_the_person: bool = False
    movement_id: int | None = None
    line: int | None = None


def _people_of(
    facility: Facility,
    items: Sequence[object],
    moments: Sequence[dt.datetime | None],
    problems: list[FieldProblem],
) -> list[int | None]:
    """Resolve and check the person of each item: known, and held here at the item's moment."""
    n = len(items)
    who = presence(
        facility,
        person_ids=[getattr(x, "person_id", None) for x in items],
        numbers=[getattr(x, "custody_number", None) for x in items],
    )
    out: list[int | None] = []
    for i, (x, moment) in enumerate(zip(items, moments, strict=True)):
        line = getattr(x, "line", None)
        pid = who.person_id(
            person_id=getattr(x, "person_id", None),
            custody_number=getattr(x, "custody_number", None),
            field_name=_prefix(i, n, "person"),
            problems=problems,
            line=line,
        )
        if pid is not None and moment is not None and moment.tzinfo is not None:
            who.held(pid, moment, field_name=_prefix(i, n, "person"), problems=problems, line=line)
        out.append(pid)
    return out


def record_hearings(
    *, facility: Facility, hearings: Sequence[HearingIn], actor: Actor, at: dt.datetime
) -> list[int]:
    """Court hearings attended from the facility (by video) or at court: legal contact on the
    record, and whether a defender was present (Mandela Rules 8 and 61)."""
    problems: list[FieldProblem] = []
    n = len(hearings)
    for i, h in enumerate(hearings):
        _require_text(h.court, _prefix(i, n, "court"), problems, h.line)
        ok = check_moment(
            h.started_at,
            field_name=_prefix(i, n, "started_at"),
            now=at,
            problems=problems,
            line=h.line,
        )
        ok = (
            check_moment(
                h.ended_at,
                field_name=_prefix(i, n, "ended_at"),
                now=at,
                problems=problems,
                line=h.line,
            )
            and ok
        )
        if ok and h.ended_at <= h.started_at:
            problems.append(
                FieldProblem(
                    field=_prefix(i, n, "ended_at"),
                    code="INVALID",
                    message=_("The hearing must end after it starts."),
                    line=h.line,
                )
            )
        check_choice(
            h.mode,
            HearingMode.values,
            field_name=_prefix(i, n, "mode"),
            problems=problems,
            line=h.line,
        )
        if h.defendants < 1:
            problems.append(
                FieldProblem(
                    field=_prefix(i, n, "defendants"),
                    code="INVALID",
                    message=_("At least one person is tried."),
                    line=h.line,
                )
            )
    pids = _people_of(facility, hearings, [h.started_at for h in hearings], problems)
    _fail(problems, _("The hearings"))
    ids = reserve_ids(Hearing, n)
    insert_rows(
        Hearing,
        (
            "id",
            "person_id",
            "facility_id",
            "court",
            "reference",
            "mode",
            "started_at",
            "ended_at",
            "defender_present",
            "defendants",
            "recorded_by_id",
        ),
        (
            (
                pk,
                pid,
                facility.pk,
                h.court.strip(),
                h.reference.strip(),
                h.mode,
                h.started_at,
                h.ended_at,
                h.defender_present,
                h.defendants,
                actor.user_id,
            )
            for pk, pid, h in zip(ids, pids, hearings, strict=True)
        ),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.record_hearing",
                object_type="regime.Hearing",
                object_id=pk,
                facility_id=facility.pk,
                person_id=pid,
                after={
                    "court": h.court,
                    "mode": h.mode,
                    "from": h.started_at,
                    "until": h.ended_at,
                    "defender_present": h.defender_present,
                    "defendants": h.defendants,
                },
            )
            for pk, pid, h in zip(ids, pids, hearings, strict=True)
        ],
    )
    return ids


def record_calls(
    *, facility: Facility, calls: Sequence[CallIn], actor: Actor, at: dt.datetime
) -> list[int]:
    """Telephone calls (a day's log from the telephone system): Mandela Rule 58."""
    problems: list[FieldProblem] = []
    n = len(calls)
    for i, c in enumerate(calls):
        check_choice(
            c.kind,
            ContactKind.values,
            field_name=_prefix(i, n, "kind"),
            problems=problems,
            line=c.line,
        )
        check_choice(
            c.direction,
            Direction.values,
            field_name=_prefix(i, n, "direction"),
            problems=problems,
            line=c.line,
        )
        check_moment(
            c.started_at,
            field_name=_prefix(i, n, "started_at"),
            now=at,
            problems=problems,
            line=c.line,
        )
        if not 0 < c.minutes <= 24 * 60:
            problems.append(
                FieldProblem(
                    field=_prefix(i, n, "minutes"),
                    code="OUT_OF_RANGE",
                    message=_("Minutes must be between 1 and 1440."),
                    line=c.line,
                )
            )
    pids = _people_of(facility, calls, [c.started_at for c in calls], problems)
    _fail(problems, _("The calls"))
    ids = reserve_ids(Call, n)
    insert_rows(
        Call,
        (
            "id",
            "person_id",
            "facility_id",
            "kind",
            "direction",
            "counterpart",
            "started_at",
            "minutes",
            "monitored",
            "recorded_by_id",
        ),
        (
            (
                pk,
                pid,
                facility.pk,
                c.kind,
                c.direction,
                c.counterpart.strip(),
                c.started_at,
                c.minutes,
                c.monitored,
                actor.user_id,
            )
            for pk, pid, c in zip(ids, pids, calls, strict=True)
        ),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.record_call",
                object_type="regime.Call",
                object_id=pk,
                facility_id=facility.pk,
                person_id=pid,
                after={
                    "kind": c.kind,
                    "direction": c.direction,
                    "at": c.started_at,
                    "minutes": c.minutes,
                    "monitored": c.monitored,
                },
            )
            for pk, pid, c in zip(ids, pids, calls, strict=True)
        ],
    )
    return ids


def record_letters(
    *, facility: Facility, letters: Sequence[LetterIn], actor: Actor, at: dt.datetime
) -> list[int]:
    """Letters sent and received; a withheld letter carries the reason (Mandela Rule 58)."""
    problems: list[FieldProblem] = []
    n = len(letters)
    for i, x in enumerate(letters):
        check_choice(
            x.kind,
            ContactKind.values,
            field_name=_prefix(i, n, "kind"),
            problems=problems,
            line=x.line,
        )
        check_choice(
            x.direction,
            Direction.values,
            field_name=_prefix(i, n, "direction"),
            problems=problems,
            line=x.line,
        )
        check_moment(
            x.handled_at,
            field_name=_prefix(i, n, "handled_at"),
            now=at,
            problems=problems,
            line=x.line,
        )
        if x.withheld:
            _require_text(x.withheld_reason, _prefix(i, n, "withheld_reason"), problems, x.line)
    pids = _people_of(facility, letters, [x.handled_at for x in letters], problems)
    _fail(problems, _("The letters"))
    ids = reserve_ids(Letter, n)
    insert_rows(
        Letter,
        (
            "id",
            "person_id",
            "facility_id",
            "kind",
            "direction",
            "counterpart",
            "handled_at",
            "opened_by_staff",
            "withheld",
            "withheld_reason",
            "recorded_by_id",
        ),
        (
            (
                pk,
                pid,
                facility.pk,
                x.kind,
                x.direction,
                x.counterpart.strip(),
                x.handled_at,
                x.opened_by_staff,
                x.withheld,
                x.withheld_reason.strip() if x.withheld else "",
                actor.user_id,
            )
            for pk, pid, x in zip(ids, pids, letters, strict=True)
        ),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.record_letter",
                object_type="regime.Letter",
                object_id=pk,
                facility_id=facility.pk,
                person_id=pid,
                after={
                    "kind": x.kind,
                    "direction": x.direction,
                    "at": x.handled_at,
                    "opened_by_staff": x.opened_by_staff,
                    "withheld": x.withheld,
                },
                reason=x.withheld_reason,
            )
            for pk, pid, x in zip(ids, pids, letters, strict=True)
        ],
    )
    return ids


def notify_family(
    *,
    facility: Facility,
    notifications: Sequence[NotificationIn],
    actor: Actor,
    at: dt.datetime,
) -> list[int]:
    """When the family learned of an admission or transfer, and who told them (Mandela Rule 68:
    the person may inform their family at once)."""
    problems: list[FieldProblem] = []
    n = len(notifications)
    for i, x in enumerate(notifications):
        check_choice(
            x.event,
            NotifiedEvent.values,
            field_name=_prefix(i, n, "event"),
            problems=problems,
            line=x.line,
        )
        check_choice(
            x.method,
            NotificationMethod.values,
            field_name=_prefix(i, n, "method"),
            problems=problems,
            line=x.line,
        )
        _require_text(x.notified, _prefix(i, n, "notified"), problems, x.line)
        ok = check_moment(
            x.event_at, field_name=_prefix(i, n, "event_at"), now=at, problems=problems, line=x.line
        )
        ok = (
            check_moment(
                x.notified_at,
                field_name=_prefix(i, n, "notified_at"),
                now=at,
                problems=problems,
                line=x.line,
            )
            and ok
        )
        if ok and x.notified_at < x.event_at:
            problems.append(
                FieldProblem(
                    field=_prefix(i, n, "notified_at"),
                    code="INVALID",
                    message=_("The family cannot be told before the event."),
                    line=x.line,
                )
            )
    # The person was held here when the event happened (the receiving facility records it).
    pids = _people_of(facility, notifications, [x.event_at for x in notifications], problems)
    _fail(problems, _("The notifications"))
    ids = reserve_ids(FamilyNotification, n)
    insert_rows(
        FamilyNotification,
        (
            "id",
            "person_id",
            "facility_id",
            "event",
            "event_at",
            "movement_id",
            "notified_at",
            "notified",
            "method",
            "by_the_person",
            "recorded_by_id",
        ),
        (
            (
                pk,
                pid,
                facility.pk,
                x.event,
                x.event_at,
                x.movement_id,
                x.notified_at,
                x.notified.strip(),
                x.method,
                x.by_the_person,
                actor.user_id,
            )
            for pk, pid, x in zip(ids, pids, notifications, strict=True)
        ),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.notify_family",
                object_type="regime.FamilyNotification",
                object_id=pk,
                facility_id=facility.pk,
                person_id=pid,
                after={
                    "event": x.event,
                    "event_at": x.event_at,
                    "notified_at": x.notified_at,
                    "notified": x.notified,
                    "method": x.method,
                    "by_the_person": x.by_the_person,
                },
            )
            for pk, pid, x in zip(ids, pids, notifications, strict=True)
        ],
    )
    return ids
