"""Custody after admission: lawful authorities, absences, transfers and release.

Every use case runs in the caller's transaction and writes its audit event; a refusal leaves
nothing behind.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.core import clock
from habeas.core.errors import FieldProblem, InvalidInput, NotFound, RuleViolation
from habeas.custody.inputs import AuthorityIn
from habeas.custody.models import (
    REVIEWABLE_KINDS,
    Absence,
    AuthorityKind,
    Episode,
    LawfulAuthority,
    Movement,
    MovementKind,
    Stay,
)
from habeas.estate.models import Facility, Sex
from habeas.housing.services import end_placement, lock_facility
from habeas.people.models import Person


def open_episode(person: Person) -> Episode:
    episode = Episode.objects.filter(person=person, released_at__isnull=True).first()
    if episode is None:
        raise RuleViolation(
            code="NOT_IN_CUSTODY",
            message=_("%(who)s is not in custody.") % {"who": person},
            field="person",
        )
    return episode


def open_stay(person: Person) -> Stay:
    stay = (
        Stay.objects.filter(person=person, ended_at__isnull=True).select_related("facility").first()
    )
    if stay is None:
        raise RuleViolation(
            code="NOT_IN_CUSTODY",
            message=_("%(who)s is not in custody.") % {"who": person},
            field="person",
        )
    return stay


def validate_authority(a: AuthorityIn, *, kinds: set[str] | None = None) -> list[FieldProblem]:
    problems: list[FieldProblem] = []

    def fail(name: str, message: str, code: str = "INVALID") -> None:
        problems.append(FieldProblem(field=name, message=str(message), code=code))

    if a.kind not in (kinds or set(AuthorityKind.values)):
        fail("kind", _("Unknown kind of authority: %(kind)s.") % {"kind": a.kind})
    if not a.issuing_authority.strip():
        fail("issuing_authority", _("This field is required."), "REQUIRED")
    if not a.reference.strip():
        fail("reference", _("This field is required."), "REQUIRED")
    if a.issued_on is None:
        fail("issued_on", _("This field is required."), "REQUIRED")
    if a.valid_from is None:
        fail("valid_from", _("This field is required."), "REQUIRED")
    elif a.valid_until is not None and a.valid_until <= a.valid_from:
        fail("valid_until", _("The authority must end after it starts."))
    if a.kind in REVIEWABLE_KINDS and a.review_due_by is None:
        fail(
            "review_due_by",
            _("An arrest or administrative detention must say by when a judge must review it."),
            "REQUIRED",
        )
    if a.review_due_by is not None and a.valid_from is not None and a.review_due_by <= a.valid_from:
        fail("review_due_by", _("The judicial review must be due after the detention starts."))
    return problems


def add_authority(
    *, person: Person, authority: AuthorityIn, actor: Actor, at: dt.datetime
) -> LawfulAuthority:
    """Record a further lawful authority for a person in custody — a judge's provisional detention
    order after review, a conviction and sentence warrant. Custody status follows from it."""
    episode = open_episode(person)
    problems = validate_authority(authority)
    if problems:
        raise InvalidInput(
            message=problems[0].message
            if len(problems) == 1
            else _("The authority has %(n)d problems.") % {"n": len(problems)},
            problems=problems,
        )
    assert authority.issued_on is not None and authority.valid_from is not None
    obj = LawfulAuthority.objects.create(
        episode=episode,
        kind=authority.kind,
        issuing_authority=authority.issuing_authority.strip(),
        reference=authority.reference.strip(),
        issued_on=authority.issued_on,
        valid_from=authority.valid_from,
        valid_until=authority.valid_until,
        review_due_by=authority.review_due_by,
        offence=authority.offence,
        recorded_at=at,
        recorded_by=actor.user,
    )
    stay = open_stay(person)
    record(
        actor=actor,
        at=at,
        change=Change(
            action="custody.add_authority",
            object_type="custody.LawfulAuthority",
            object_id=obj.pk,
            facility_id=stay.facility_id,
            person_id=person.pk,
            after={
                "kind": obj.kind,
                "reference": obj.reference,
                "issuing_authority": obj.issuing_authority,
                "valid_from": obj.valid_from,
                "valid_until": obj.valid_until,
                "review_due_by": obj.review_due_by,
                "offence": obj.offence,
            },
        ),
    )
    return obj


def revoke_authority(
    *, authority: LawfulAuthority, reason: str, actor: Actor, at: dt.datetime
) -> LawfulAuthority:
    """An authority quashed, annulled or superseded stops covering custody from ``at``. It is
    never deleted: the roll shows anyone left held without one."""
    if authority.revoked_at is not None:
        raise RuleViolation(
            code="AUTHORITY_ALREADY_REVOKED",
            message=_("This authority was already revoked."),
            field="authority",
        )
    if not reason.strip():
        raise InvalidInput(message=_("Give the reason."), field="reason")
    authority.revoked_at = at
    authority.revoked_reason = reason.strip()
    authority.save(update_fields=["revoked_at", "revoked_reason"])
    episode = authority.episode
    record(
        actor=actor,
        at=at,
        change=Change(
            action="custody.revoke_authority",
            object_type="custody.LawfulAuthority",
            object_id=authority.pk,
            person_id=episode.person_id,
            facility_id=Stay.objects.filter(episode=episode)
            .order_by("-started_at")
            .values_list("facility_id", flat=True)
            .first(),
            before={"revoked_at": None},
            after={"revoked_at": at},
            reason=reason,
        ),
    )
    return authority


def _require(value: str, field: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(code="REQUIRED", message=_("This field is required."), field=field)
    return value.strip()


def release(
    *,
    person: Person,
    at: dt.datetime,
    order_reference: str,
    ordered_by: str,
    reason: str,
    actor: Actor,
) -> Movement:
    """Release from custody on a court order, at the end of a sentence, or on another lawful
    ground. Ends the placement, the stay and any absence, and closes the episode."""
    stay = open_stay(person)
    lock_facility(stay.facility_id)
    reason = _require(reason, "reason")
    order_reference = _require(order_reference, "order_reference")
    ordered_by = _require(ordered_by, "ordered_by")
    if at > clock.now() + dt.timedelta(minutes=5):
        raise InvalidInput(
            code="IN_FUTURE", message=_("A release cannot be recorded in advance."), field="at"
        )
    if at < stay.started_at:
        raise InvalidInput(
            code="BEFORE_ADMISSION",
            message=_("The release cannot be before the person arrived."),
            field="at",
        )
    placement = end_placement(person=person, at=at)
    Absence.objects.filter(person=person, ended_at__isnull=True).update(ended_at=at)
    stay.ended_at = at
    stay.save(update_fields=["ended_at"])
    episode = stay.episode
    episode.released_at = at
    episode.save(update_fields=["released_at"])
    movement = Movement.objects.create(
        episode=episode,
        person=person,
        facility=stay.facility,
        kind=MovementKind.RELEASE,
        at=at,
        order_reference=order_reference,
        ordered_by=ordered_by,
        reason=reason,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="custody.release",
            object_type="custody.Movement",
            object_id=movement.pk,
            facility_id=stay.facility_id,
            person_id=person.pk,
            before={"cell": placement.cell.code if placement else None},
            after={"released_at": at, "order_reference": order_reference, "ordered_by": ordered_by},
            reason=reason,
        ),
    )
    return movement


def transfer(
    *,
    person: Person,
    to: Facility,
    at: dt.datetime,
    order_reference: str,
    ordered_by: str,
    reason: str,
    actor: Actor,
) -> Stay:
    """Move a person to another facility on a transfer order. The destination's own rules apply
    (Mandela Rule 11: sex and age). The person arrives without a cell; place them there."""
    stay = open_stay(person)
    if stay.facility_id == to.pk:
        raise RuleViolation(
            code="SAME_FACILITY",
            message=_("%(who)s is already at %(facility)s.") % {"who": person, "facility": to.code},
            field="to",
        )
    order_reference = _require(order_reference, "order_reference")
    ordered_by = _require(ordered_by, "ordered_by")
    if person.sex != to.holds_sex:
        raise RuleViolation(
            code="WRONG_SEX_FOR_FACILITY",
            message=_("%(facility)s holds only %(sex)s.")
            % {"facility": to.code, "sex": Sex(to.holds_sex).label.lower()},
            field="to",
        )
    age = clock.age_on(person.date_of_birth, clock.local_date(at, to.time_zone))
    if to.kind == Facility.Kind.ADULT and age < 18:
        raise RuleViolation(
            code="UNDER_AGE",
            message=_(
                "A person aged %(age)d cannot be held in an adult facility (Mandela Rule 11)."
            )
            % {"age": age},
            field="to",
        )
    for fid in sorted([stay.facility_id, to.pk]):
        lock_facility(fid)
    placement = end_placement(person=person, at=at)
    stay.ended_at = at
    stay.save(update_fields=["ended_at"])
    Movement.objects.create(
        episode=stay.episode,
        person=person,
        facility=stay.facility,
        kind=MovementKind.TRANSFER_OUT,
        at=at,
        destination=to.name,
        order_reference=order_reference,
        ordered_by=ordered_by,
        reason=reason,
        recorded_by=actor.user,
    )
    new_stay = Stay.objects.create(episode=stay.episode, person=person, facility=to, started_at=at)
    Movement.objects.create(
        episode=stay.episode,
        person=person,
        facility=to,
        kind=MovementKind.TRANSFER_IN,
        at=at,
        destination=stay.facility.name,
        order_reference=order_reference,
        ordered_by=ordered_by,
        reason=reason,
        recorded_by=actor.user,
    )
    for fid in (stay.facility_id, to.pk):
        record(
            actor=actor,
            at=at,
            change=Change(
                action="custody.transfer",
                object_type="custody.Stay",
                object_id=new_stay.pk,
                facility_id=fid,
                person_id=person.pk,
                before={
                    "facility": stay.facility.code,
                    "cell": placement.cell.code if placement else None,
                },
                after={"facility": to.code, "order_reference": order_reference},
                reason=reason,
            ),
        )
    return new_stay


def send_out(
    *,
    person: Person,
    kind: str,
    destination: str,
    at: dt.datetime,
    reason: str,
    actor: Actor,
) -> Absence:
    """Out to court or hospital: still on the facility's roll, shown as away."""
    if kind not in Absence.Kind.values:
        raise InvalidInput(message=_("Unknown kind of absence."), field="kind")
    destination = _require(destination, "destination")
    stay = open_stay(person)
    if Absence.objects.filter(person=person, ended_at__isnull=True).exists():
        raise RuleViolation(
            code="ALREADY_AWAY",
            message=_("%(who)s is already away.") % {"who": person},
            field="person",
        )
    absence = Absence.objects.create(
        episode=stay.episode,
        person=person,
        facility=stay.facility,
        kind=kind,
        destination=destination,
        started_at=at,
    )
    Movement.objects.create(
        episode=stay.episode,
        person=person,
        facility=stay.facility,
        kind=MovementKind.COURT_OUT if kind == Absence.Kind.COURT else MovementKind.HOSPITAL_OUT,
        at=at,
        destination=destination,
        reason=reason,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="custody.send_out",
            object_type="custody.Absence",
            object_id=absence.pk,
            facility_id=stay.facility_id,
            person_id=person.pk,
            after={"kind": kind, "destination": destination},
            reason=reason,
        ),
    )
    return absence


def bring_back(*, person: Person, at: dt.datetime, actor: Actor) -> Absence:
    absence = Absence.objects.filter(person=person, ended_at__isnull=True).first()
    if absence is None:
        raise RuleViolation(
            code="NOT_AWAY", message=_("%(who)s is not away.") % {"who": person}, field="person"
        )
    if at < absence.started_at:
        raise InvalidInput(message=_("The return cannot be before the departure."), field="at")
    absence.ended_at = at
    absence.save(update_fields=["ended_at"])
    Movement.objects.create(
        episode=absence.episode,
        person=person,
        facility=absence.facility,
        kind=(
            MovementKind.COURT_RETURN
            if absence.kind == Absence.Kind.COURT
            else MovementKind.HOSPITAL_RETURN
        ),
        at=at,
        destination=absence.destination,
        recorded_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="custody.bring_back",
            object_type="custody.Absence",
            object_id=absence.pk,
            facility_id=absence.facility_id,
            person_id=person.pk,
            before={"away": absence.destination},
            after={"away": None},
        ),
    )
    return absence


def get_person(*, custody_number: str | None = None, pk: int | None = None) -> Person:
    try:
        if pk is not None:
            return Person.objects.get(pk=pk)
        return Person.objects.get(custody_number=custody_number)
    except Person.DoesNotExist as exc:
        raise NotFound(code="UNKNOWN_PERSON", message=_("No such person."), field="person") from exc
