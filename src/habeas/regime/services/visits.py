"""Visits: requested, decided, held, or recorded in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record, record_many
from habeas.core.bulk import insert_rows, reserve_ids
from habeas.core.errors import FieldProblem, InvalidInput, RuleViolation
from habeas.estate.models import Facility
from habeas.people.models import Person
from habeas.regime.models import ContactKind, Visit, VisitMode, VisitStatus
from habeas.regime.presence import check_choice, check_moment, presence
from habeas.regime.services.problems import _fail, _prefix


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
