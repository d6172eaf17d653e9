"""Contact with the outside world besides visits: court hearings (by video or in person),
calls, letters and notifications to the family."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record_many
from habeas.core.bulk import insert_rows, reserve_ids
from habeas.core.errors import FieldProblem
from habeas.estate.models import Facility
from habeas.regime.models import (
    Call,
    ContactKind,
    Direction,
    FamilyNotification,
    Hearing,
    HearingMode,
    Letter,
    NotificationMethod,
    NotifiedEvent,
)
from habeas.regime.presence import check_choice, check_moment, presence
from habeas.regime.services.problems import _fail, _prefix
from habeas.regime.services.visits import _require_text


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
