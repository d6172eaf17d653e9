"""Incidents, use of force, restraints and deaths in custody.

Each use case runs in the caller's transaction and writes its audit event. What is prohibited
(chains, a restraint as a punishment) is recorded as it happened and flagged, never refused: the
record must show what was done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.core.errors import FieldProblem, InvalidInput, RuleViolation
from habeas.custody.models import Absence, Movement, MovementKind, Stay
from habeas.estate.models import Facility
from habeas.housing.services import end_placement, lock_facility
from habeas.incidents.models import (
    Death,
    ForceTechnique,
    Incident,
    IncidentKind,
    Involvement,
    InvolvementRole,
    Manner,
    Restraint,
    RestraintKind,
    RestraintPurpose,
    Technique,
    UseOfForce,
)
from habeas.people.models import Person
from habeas.regime.presence import check_choice, check_moment, presence, problem_summary
from habeas.regime.scope import CellIndex


def fail_if(problems: list[FieldProblem], what: str) -> None:
    if problems:
        raise InvalidInput(message=problem_summary(problems, what), problems=problems)


def require(value: str, field: str, problems: list[FieldProblem]) -> str:
    if not value or not value.strip():
        problems.append(
            FieldProblem(field=field, message=_("This field is required."), code="REQUIRED")
        )
        return ""
    return value.strip()


def held_here(
    person: Person,
    facility: Facility,
    moment: dt.datetime | None,
    problems: list[FieldProblem],
    field: str = "person",
) -> None:
    if moment is None or moment.tzinfo is None:
        return
    presence(facility, person_ids=[person.pk]).held(
        person.pk, moment, field_name=field, problems=problems
    )


def period(
    started_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    *,
    at: dt.datetime,
    problems: list[FieldProblem],
    end_required: bool = False,
    allow_equal: bool = False,
) -> bool:
    ok = check_moment(started_at, field_name="started_at", now=at, problems=problems)
    if ended_at is None:
        if end_required:
            check_moment(None, field_name="ended_at", now=at, problems=problems)
        return ok
    ok_end = check_moment(ended_at, field_name="ended_at", now=at, problems=problems)
    if ok and ok_end:
        assert started_at is not None
        if ended_at < started_at or (ended_at == started_at and not allow_equal):
            problems.append(
                FieldProblem(
                    field="ended_at", message=_("The end must be after the start."), code="INVALID"
                )
            )
            return False
    return ok and ok_end


# --- Incidents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvolvedIn:
    role: str
    person_id: int | None = None
    custody_number: str | None = None
    injured: bool = False
    note: str = ""


def record_incident(
    *,
    facility: Facility,
    kind: str,
    occurred_at: dt.datetime,
    description: str,
    involved: Sequence[InvolvedIn] = (),
    cell: str | None = None,
    unit: str | None = None,
    place: str = "",
    serious: bool = False,
    reported_to: str = "",
    reported_to_at: dt.datetime | None = None,
    actor: Actor,
    at: dt.datetime,
) -> Incident:
    """An incident with the people involved and their roles. A serious injury is reported
    without delay to an independent authority (Mandela Rule 71); when it was is kept here."""
    problems: list[FieldProblem] = []
    check_choice(kind, IncidentKind.values, field_name="kind", problems=problems)
    check_moment(occurred_at, field_name="occurred_at", now=at, problems=problems)
    description = require(description, "description", problems)
    index = CellIndex.of(facility)
    cell_obj = index.cells.get(cell) if cell else None
    unit_obj = index.units.get(unit) if unit else None
    if cell and cell_obj is None:
        problems.append(
            FieldProblem(
                field="cell", message=_("No cell %(c)s.") % {"c": cell}, code="UNKNOWN_CELL"
            )
        )
    if unit and unit_obj is None:
        problems.append(
            FieldProblem(
                field="unit", message=_("No unit %(u)s.") % {"u": unit}, code="UNKNOWN_UNIT"
            )
        )
    if cell_obj is not None and unit_obj is None:
        unit_obj = next((u for u in index.units.values() if u.pk == cell_obj.unit_id), None)
    if reported_to_at is not None:
        check_moment(reported_to_at, field_name="reported_to_at", now=at, problems=problems)
        require(reported_to, "reported_to", problems)
    who = presence(
        facility,
        person_ids=[x.person_id for x in involved],
        numbers=[x.custody_number for x in involved],
    )
    people: list[tuple[int, InvolvedIn]] = []
    for i, x in enumerate(involved):
        check_choice(
            x.role, InvolvementRole.values, field_name=f"involved[{i}].role", problems=problems
        )
        pid = who.person_id(
            person_id=x.person_id,
            custody_number=x.custody_number,
            field_name=f"involved[{i}].person",
            problems=problems,
        )
        if pid is None:
            continue
        if any(pid == p for p, _x in people):
            problems.append(
                FieldProblem(
                    field=f"involved[{i}].person",
                    code="DUPLICATE",
                    message=_("This person is listed twice."),
                )
            )
            continue
        if occurred_at.tzinfo is not None:
            who.held(pid, occurred_at, field_name=f"involved[{i}].person", problems=problems)
        people.append((pid, x))
    fail_if(problems, _("The incident"))
    incident = Incident.objects.create(
        facility=facility,
        kind=kind,
        occurred_at=occurred_at,
        unit=unit_obj,
        cell=cell_obj,
        place=place.strip(),
        description=description,
        serious=serious,
        reported_to=reported_to.strip(),
        reported_to_at=reported_to_at,
        recorded_at=at,
        recorded_by=actor.user,
    )
    Involvement.objects.bulk_create(
        [
            Involvement(
                incident=incident,
                person_id=pid,
                role=x.role,
                injured=x.injured,
                note=x.note.strip(),
            )
            for pid, x in people
        ]
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="incidents.record_incident",
            object_type="incidents.Incident",
            object_id=incident.pk,
            facility_id=facility.pk,
            person_id=people[0][0] if len(people) == 1 else None,
            after={
                "kind": kind,
                "occurred_at": occurred_at,
                "cell": cell,
                "unit": unit,
                "serious": serious,
                "description": description,
                "involved": [
                    {"person": pid, "role": x.role, "injured": x.injured} for pid, x in people
                ],
            },
        ),
    )
    return incident


def report_incident(
    *,
    incident: Incident,
    reported_to: str,
    reported_to_at: dt.datetime,
    actor: Actor,
    at: dt.datetime,
) -> Incident:
    """Record when a serious incident was reported to an independent authority (Rule 71)."""
    problems: list[FieldProblem] = []
    reported_to = require(reported_to, "reported_to", problems)
    if check_moment(reported_to_at, field_name="reported_to_at", now=at, problems=problems) and (
        reported_to_at < incident.occurred_at
    ):
        problems.append(
            FieldProblem(
                field="reported_to_at",
                code="INVALID",
                message=_("It cannot be reported before it happened."),
            )
        )
    fail_if(problems, _("The report"))
    before = {"reported_to": incident.reported_to, "reported_to_at": incident.reported_to_at}
    incident.reported_to, incident.reported_to_at = reported_to, reported_to_at
    incident.save(update_fields=["reported_to", "reported_to_at"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="incidents.report_incident",
            object_type="incidents.Incident",
            object_id=incident.pk,
            facility_id=incident.facility_id,
            before=before,
            after={"reported_to": reported_to, "reported_to_at": reported_to_at},
        ),
    )
    return incident


# --- Force and restraints ---------------------------------------------------------------------


@dataclass(frozen=True)
class TechniqueIn:
    technique: str
    applied_by: str = ""
    note: str = ""


def record_use_of_force(
    *,
    person: Person,
    facility: Facility,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    techniques: Sequence[TechniqueIn],
    reason: str,
    authorised_by: str,
    injuries: str = "",
    incident: Incident | None = None,
    actor: Actor,
    at: dt.datetime,
) -> UseOfForce:
    """Force used on a person, with each technique and who applied it (Mandela Rule 82: only
    when strictly necessary, reported at once)."""
    problems: list[FieldProblem] = []
    period(started_at, ended_at, at=at, problems=problems, end_required=True, allow_equal=True)
    reason = require(reason, "reason", problems)
    authorised_by = require(authorised_by, "authorised_by", problems)
    if not techniques:
        problems.append(
            FieldProblem(
                field="techniques", code="REQUIRED", message=_("Name at least one technique.")
            )
        )
    for i, t in enumerate(techniques):
        check_choice(
            t.technique,
            Technique.values,
            field_name=f"techniques[{i}].technique",
            problems=problems,
        )
    if incident is not None and incident.facility_id != facility.pk:
        problems.append(
            FieldProblem(field="incident", code="UNKNOWN_INCIDENT", message=_("No such incident."))
        )
    held_here(person, facility, started_at, problems)
    fail_if(problems, _("The use of force"))
    use = UseOfForce.objects.create(
        facility=facility,
        person=person,
        incident=incident,
        started_at=started_at,
        ended_at=ended_at,
        reason=reason,
        authorised_by=authorised_by,
        injuries=injuries.strip(),
        recorded_at=at,
        recorded_by=actor.user,
    )
    ForceTechnique.objects.bulk_create(
        [
            ForceTechnique(
                use=use, technique=t.technique, applied_by=t.applied_by.strip(), note=t.note.strip()
            )
            for t in techniques
        ]
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="incidents.record_use_of_force",
            object_type="incidents.UseOfForce",
            object_id=use.pk,
            facility_id=facility.pk,
            person_id=person.pk,
            after={
                "from": started_at,
                "until": ended_at,
                "authorised_by": authorised_by,
                "techniques": [t.technique for t in techniques],
                "injuries": use.injuries,
                "incident": incident.pk if incident else None,
            },
            reason=reason,
        ),
    )
    return use


def apply_restraint(
    *,
    person: Person,
    facility: Facility,
    kind: str,
    purpose: str,
    started_at: dt.datetime,
    reason: str,
    authorised_by: str,
    ended_at: dt.datetime | None = None,
    use_of_force: UseOfForce | None = None,
    actor: Actor,
    at: dt.datetime,
) -> Restraint:
    """A restraint put on a person (open until removed). Chains and irons, and any restraint
    used as a punishment, are prohibited (Mandela Rules 43 and 47): recorded and flagged."""
    problems: list[FieldProblem] = []
    check_choice(kind, RestraintKind.values, field_name="kind", problems=problems)
    check_choice(purpose, RestraintPurpose.values, field_name="purpose", problems=problems)
    period(started_at, ended_at, at=at, problems=problems)
    reason = require(reason, "reason", problems)
    authorised_by = require(authorised_by, "authorised_by", problems)
    held_here(person, facility, started_at, problems)
    fail_if(problems, _("The restraint"))
    overlapping = Restraint.objects.filter(person=person, kind=kind).exclude(
        ended_at__lte=started_at
    )
    if ended_at is not None:
        overlapping = overlapping.filter(started_at__lt=ended_at)
    if overlapping.exists():
        raise RuleViolation(
            code="ALREADY_RESTRAINED",
            message=_("A restraint of this kind is already recorded for part of this time."),
            field="started_at",
        )
    obj = Restraint.objects.create(
        facility=facility,
        person=person,
        kind=kind,
        purpose=purpose,
        started_at=started_at,
        ended_at=ended_at,
        reason=reason,
        authorised_by=authorised_by,
        use_of_force=use_of_force,
        recorded_at=at,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="incidents.apply_restraint",
            object_type="incidents.Restraint",
            object_id=obj.pk,
            facility_id=facility.pk,
            person_id=person.pk,
            after={
                "kind": kind,
                "purpose": purpose,
                "from": started_at,
                "until": ended_at,
                "authorised_by": authorised_by,
                "prohibited": obj.prohibited,
            },
            reason=reason,
        ),
    )
    return obj


def remove_restraint(
    *, restraint: Restraint, ended_at: dt.datetime, actor: Actor, at: dt.datetime
) -> Restraint:
    if restraint.ended_at is not None:
        raise RuleViolation(
            code="ALREADY_ENDED",
            message=_("This restraint was already removed."),
            field="restraint",
        )
    problems: list[FieldProblem] = []
    period(restraint.started_at, ended_at, at=at, problems=problems)
    fail_if(problems, _("The restraint"))
    restraint.ended_at = ended_at
    restraint.save(update_fields=["ended_at"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="incidents.remove_restraint",
            object_type="incidents.Restraint",
            object_id=restraint.pk,
            facility_id=restraint.facility_id,
            person_id=restraint.person_id,
            before={"until": None},
            after={"until": ended_at},
        ),
    )
    return restraint


# --- Deaths -----------------------------------------------------------------------------------


def record_death(
    *,
    person: Person,
    died_at: dt.datetime,
    place: str,
    circumstances: str,
    manner: str,
    cause_stated: str = "",
    family_informed_at: dt.datetime | None = None,
    family_informed: str = "",
    authority_informed_at: dt.datetime | None = None,
    authority: str = "",
    remains_to: str = "",
    incident: Incident | None = None,
    actor: Actor,
    at: dt.datetime,
) -> Death:
    """A death in custody ends custody (placement, stay and episode, with a movement of kind
    death) and keeps when the family and an independent authority were told (Rules 69, 71)."""
    problems: list[FieldProblem] = []
    aware = check_moment(died_at, field_name="died_at", now=at, problems=problems)
    stay = (
        Stay.objects.filter(person=person, started_at__lte=died_at)
        .exclude(ended_at__lte=died_at)
        .select_related("facility", "episode")
        .first()
        if aware
        else None
    )
    place = require(place, "place", problems)
    circumstances = require(circumstances, "circumstances", problems)
    check_choice(manner, Manner.values, field_name="manner", problems=problems)
    for name, moment, who, who_field in (
        ("family_informed_at", family_informed_at, family_informed, "family_informed"),
        ("authority_informed_at", authority_informed_at, authority, "authority"),
    ):
        if moment is None:
            continue
        if check_moment(moment, field_name=name, now=at, problems=problems) and moment < died_at:
            problems.append(
                FieldProblem(
                    field=name, code="INVALID", message=_("No one can be told before the death.")
                )
            )
        if not who.strip():
            problems.append(
                FieldProblem(field=who_field, code="REQUIRED", message=_("Say who was told."))
            )
    if aware and stay is None:
        problems.append(
            FieldProblem(
                field="died_at",
                code="NOT_IN_CUSTODY",
                message=_("%(who)s was not in custody at that time.") % {"who": person},
            )
        )
    fail_if(problems, _("The record of the death"))
    assert stay is not None
    if Death.objects.filter(person=person).exists():
        raise RuleViolation(
            code="DEATH_ALREADY_RECORDED",
            message=_("The death of %(who)s is already recorded.") % {"who": person},
            field="person",
        )
    lock_facility(stay.facility_id)
    placement = end_placement(person=person, at=died_at)
    Absence.objects.filter(person=person, ended_at__isnull=True).update(ended_at=died_at)
    stay.ended_at = died_at
    stay.save(update_fields=["ended_at"])
    episode = stay.episode
    episode.released_at = died_at
    episode.save(update_fields=["released_at"])
    Movement.objects.create(
        episode=episode,
        person=person,
        facility=stay.facility,
        kind=MovementKind.DEATH,
        at=died_at,
        destination=remains_to.strip(),
        reason=circumstances,
        recorded_by=actor.user,
    )
    death = Death.objects.create(
        facility=stay.facility,
        person=person,
        incident=incident,
        died_at=died_at,
        place=place,
        circumstances=circumstances,
        cause_stated=cause_stated.strip(),
        manner=manner,
        family_informed_at=family_informed_at,
        family_informed=family_informed.strip(),
        authority_informed_at=authority_informed_at,
        authority=authority.strip(),
        remains_to=remains_to.strip(),
        recorded_at=at,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="incidents.record_death",
            object_type="incidents.Death",
            object_id=death.pk,
            facility_id=stay.facility_id,
            person_id=person.pk,
            before={"cell": placement.cell.code if placement else None},
            after={
                "died_at": died_at,
                "place": place,
                "manner": manner,
                "family_informed_at": family_informed_at,
                "authority_informed_at": authority_informed_at,
            },
            reason=circumstances,
        ),
    )
    return death


def inform_of_death(
    *,
    death: Death,
    actor: Actor,
    at: dt.datetime,
    family_informed_at: dt.datetime | None = None,
    family_informed: str = "",
    authority_informed_at: dt.datetime | None = None,
    authority: str = "",
) -> Death:
    """Record, later, when the family or the independent authority was told of a death."""
    problems: list[FieldProblem] = []
    changed: dict[str, object] = {}
    if family_informed_at is None and authority_informed_at is None:
        problems.append(
            FieldProblem(
                field="family_informed_at",
                code="REQUIRED",
                message=_("Say when the family or the authority was told."),
            )
        )
    for name, moment, who, who_field, current in (
        (
            "family_informed_at",
            family_informed_at,
            family_informed,
            "family_informed",
            death.family_informed_at,
        ),
        (
            "authority_informed_at",
            authority_informed_at,
            authority,
            "authority",
            death.authority_informed_at,
        ),
    ):
        if moment is None:
            continue
        if current is not None:
            problems.append(
                FieldProblem(
                    field=name, code="ALREADY_RECORDED", message=_("This is already recorded.")
                )
            )
            continue
        if check_moment(moment, field_name=name, now=at, problems=problems) and (
            moment < death.died_at
        ):
            problems.append(
                FieldProblem(
                    field=name, code="INVALID", message=_("No one can be told before the death.")
                )
            )
        if not who.strip():
            problems.append(
                FieldProblem(field=who_field, code="REQUIRED", message=_("Say who was told."))
            )
        changed[name] = moment
        changed[who_field] = who.strip()
    fail_if(problems, _("The record of the death"))
    for name, value in changed.items():
        setattr(death, name, value)
    death.save(update_fields=list(changed))
    record(
        actor=actor,
        at=at,
        change=Change(
            action="incidents.inform_of_death",
            object_type="incidents.Death",
            object_id=death.pk,
            facility_id=death.facility_id,
            person_id=death.person_id,
            after=changed,
        ),
    )
    return death
