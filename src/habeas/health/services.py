"""Recording health care: the examination after admission (and later ones) and health contacts.

The audit events of these writes say what kind of record was made, when and by whom — never its
clinical content, because the audit log is read by roles that may not read health records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record, record_many
from habeas.core.bulk import insert_rows, matching, reserve_ids
from habeas.core.errors import FieldProblem, InvalidInput, RuleViolation
from habeas.custody.models import Episode, Stay
from habeas.estate.models import Facility
from habeas.health.models import ContactKind, Examination, ExaminationKind, HealthContact
from habeas.people.models import Person
from habeas.regime.presence import (
    FUTURE_TOLERANCE,
    LARGE_BATCH,
    check_choice,
    check_moment,
    presence,
    problem_summary,
)


@dataclass(frozen=True)
class ExaminationIn:
    examined_at: dt.datetime
    examined_by: str
    kind: str = ExaminationKind.ADMISSION
    person_id: int | None = None
    custody_number: str | None = None
    injuries_seen: bool = False
    injuries: str = ""
    ill_treatment_alleged: bool = False
    allegation: str = ""
    reported_to: str = ""
    findings: str = ""
    line: int | None = None


def record_examinations(
    *, facility: Facility, examinations: Sequence[ExaminationIn], actor: Actor, at: dt.datetime
) -> list[int]:
    """Medical examinations (Mandela Rule 30: after admission; Rule 34: injuries and any
    allegation of ill-treatment documented). Set-based; one audit event per examination."""
    problems: list[FieldProblem] = []
    n = len(examinations)

    def name(i: int, f: str) -> str:
        return f"[{i}].{f}" if n > 1 else f

    who = presence(
        facility,
        person_ids=[e.person_id for e in examinations],
        numbers=[e.custody_number for e in examinations],
    )
    pids: list[int | None] = []
    for i, e in enumerate(examinations):
        check_choice(
            e.kind,
            ExaminationKind.values,
            field_name=name(i, "kind"),
            problems=problems,
            line=e.line,
        )
        ok = check_moment(
            e.examined_at, field_name=name(i, "examined_at"), now=at, problems=problems, line=e.line
        )
        if not e.examined_by.strip():
            problems.append(
                FieldProblem(
                    field=name(i, "examined_by"),
                    code="REQUIRED",
                    message=_("Say who examined the person."),
                    line=e.line,
                )
            )
        if e.injuries_seen and not e.injuries.strip():
            problems.append(
                FieldProblem(
                    field=name(i, "injuries"),
                    code="REQUIRED",
                    message=_("Describe the injuries seen."),
                    line=e.line,
                )
            )
        if e.ill_treatment_alleged and not e.allegation.strip():
            problems.append(
                FieldProblem(
                    field=name(i, "allegation"),
                    code="REQUIRED",
                    message=_("Write down the person's account."),
                    line=e.line,
                )
            )
        pid = who.person_id(
            person_id=e.person_id,
            custody_number=e.custody_number,
            field_name=name(i, "person"),
            problems=problems,
            line=e.line,
        )
        if pid is not None and ok:
            who.held(
                pid, e.examined_at, field_name=name(i, "person"), problems=problems, line=e.line
            )
        pids.append(pid)
    if problems:
        raise InvalidInput(
            message=problem_summary(problems, _("The examinations")), problems=problems
        )
    spans: dict[int, list[tuple[int, dt.datetime, dt.datetime | None]]] = defaultdict(list)
    wanted = {p for p in pids if p}
    rows = Episode.objects.values_list("person_id", "pk", "admitted_at", "released_at")
    # Many people: the facility's episodes in one scan, rather than a long ``= ANY(array)``.
    found = (
        rows.filter(pk__in=Stay.objects.filter(facility=facility).values("episode_id"))
        if len(wanted) > LARGE_BATCH
        else matching(rows, "person_id", wanted)
    )
    for pid, eid, admitted, released in found:
        if pid in wanted:
            spans[pid].append((eid, admitted, released))
    episodes = [
        next(
            eid
            for eid, admitted, released in sorted(spans[pid], key=lambda s: s[1], reverse=True)
            if admitted <= e.examined_at + FUTURE_TOLERANCE
            and (released is None or e.examined_at <= released)
        )
        for e, pid in zip(examinations, pids, strict=True)
        if pid is not None
    ]
    ids = reserve_ids(Examination, n)
    insert_rows(
        Examination,
        (
            "id",
            "person_id",
            "episode_id",
            "facility_id",
            "kind",
            "examined_at",
            "examined_by",
            "injuries_seen",
            "injuries",
            "ill_treatment_alleged",
            "allegation",
            "reported_to",
            "findings",
            "recorded_at",
            "recorded_by_id",
        ),
        (
            (
                pk,
                pid,
                eid,
                facility.pk,
                e.kind,
                e.examined_at,
                e.examined_by.strip(),
                e.injuries_seen,
                e.injuries.strip(),
                e.ill_treatment_alleged,
                e.allegation.strip(),
                e.reported_to.strip(),
                e.findings.strip(),
                at,
                actor.user_id,
            )
            for pk, pid, eid, e in zip(ids, pids, episodes, examinations, strict=True)
        ),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="health.record_examination",
                object_type="health.Examination",
                object_id=pk,
                facility_id=facility.pk,
                person_id=pid,
                after={"kind": e.kind, "examined_at": e.examined_at},
            )
            for pk, pid, e in zip(ids, pids, examinations, strict=True)
        ],
    )
    return ids


def record_examination(
    *,
    person: Person,
    facility: Facility,
    examination: ExaminationIn,
    actor: Actor,
    at: dt.datetime,
) -> Examination:
    item = ExaminationIn(**{**examination.__dict__, "person_id": person.pk, "custody_number": None})
    (pk,) = record_examinations(facility=facility, examinations=[item], actor=actor, at=at)
    return Examination.objects.get(pk=pk)


def record_health_contact(
    *,
    person: Person,
    facility: Facility,
    kind: str,
    requested_at: dt.datetime | None = None,
    seen_at: dt.datetime | None = None,
    seen_by: str = "",
    notes: str = "",
    actor: Actor,
    at: dt.datetime,
) -> HealthContact:
    """A health contact: a sick call asked for (open until seen), or a contact that took place
    (Mandela Rule 31: daily access for the sick; Rule 46: daily visits in segregation)."""
    problems: list[FieldProblem] = []
    check_choice(kind, ContactKind.values, field_name="kind", problems=problems)
    if requested_at is None and seen_at is None:
        problems.append(
            FieldProblem(
                field="seen_at",
                code="REQUIRED",
                message=_("Say when it was asked for or when the person was seen."),
            )
        )
    ok_r = requested_at is not None and check_moment(
        requested_at, field_name="requested_at", now=at, problems=problems
    )
    ok_s = seen_at is not None and check_moment(
        seen_at, field_name="seen_at", now=at, problems=problems
    )
    if ok_r and ok_s and seen_at < requested_at:  # type: ignore[operator]
        problems.append(
            FieldProblem(
                field="seen_at",
                code="INVALID",
                message=_("The person cannot be seen before asking."),
            )
        )
    if seen_at is not None and not seen_by.strip():
        problems.append(
            FieldProblem(field="seen_by", code="REQUIRED", message=_("Say who saw the person."))
        )
    moment = requested_at or seen_at
    if moment is not None and moment.tzinfo is not None:
        presence(facility, person_ids=[person.pk]).held(
            person.pk, moment, field_name="person", problems=problems
        )
    if problems:
        raise InvalidInput(
            message=problem_summary(problems, _("The health contact")), problems=problems
        )
    contact = HealthContact.objects.create(
        person=person,
        facility=facility,
        kind=kind,
        requested_at=requested_at,
        seen_at=seen_at,
        seen_by=seen_by.strip(),
        notes=notes.strip(),
        recorded_at=at,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="health.record_contact",
            object_type="health.HealthContact",
            object_id=contact.pk,
            facility_id=facility.pk,
            person_id=person.pk,
            after={"kind": kind, "requested_at": requested_at, "seen_at": seen_at},
        ),
    )
    return contact


def attend(
    *,
    contact: HealthContact,
    seen_at: dt.datetime,
    seen_by: str,
    notes: str = "",
    actor: Actor,
    at: dt.datetime,
) -> HealthContact:
    """A sick call answered: when the person was seen and by whom."""
    if contact.seen_at is not None:
        raise RuleViolation(
            code="ALREADY_SEEN", field="contact", message=_("The person was already seen for this.")
        )
    problems: list[FieldProblem] = []
    if check_moment(seen_at, field_name="seen_at", now=at, problems=problems) and (
        contact.requested_at is not None and seen_at < contact.requested_at
    ):
        problems.append(
            FieldProblem(
                field="seen_at",
                code="INVALID",
                message=_("The person cannot be seen before asking."),
            )
        )
    if not seen_by.strip():
        problems.append(
            FieldProblem(field="seen_by", code="REQUIRED", message=_("Say who saw the person."))
        )
    if problems:
        raise InvalidInput(
            message=problem_summary(problems, _("The health contact")), problems=problems
        )
    contact.seen_at, contact.seen_by = seen_at, seen_by.strip()
    if notes.strip():
        contact.notes = (contact.notes + "\n" + notes.strip()).strip()
    contact.save(update_fields=["seen_at", "seen_by", "notes"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="health.attend",
            object_type="health.HealthContact",
            object_id=contact.pk,
            facility_id=contact.facility_id,
            person_id=contact.person_id,
            before={"seen_at": None},
            after={"seen_at": seen_at},
        ),
    )
    return contact
