"""Use cases on people: identity, groups, rivalries, affiliations and non-associations."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.core.errors import InvalidInput, NotFound, RuleViolation
from habeas.people.identity import custody_number
from habeas.people.models import (
    Affiliation,
    CustodyNumberSequence,
    NonAssociation,
    Person,
    Rivalry,
    Scope,
    SecurityThreatGroup,
)


def take_custody_numbers(*, year: int, count: int) -> list[str]:
    """Reserve ``count`` consecutive custody numbers for ``year`` (locks the year's counter)."""
    seq, _created = CustodyNumberSequence.objects.select_for_update().get_or_create(year=year)
    first = seq.last + 1
    seq.last += count
    seq.save(update_fields=["last"])
    return [custody_number(year, n) for n in range(first, first + count)]


def register_group(*, code: str, name: str, actor: Actor, at: dt.datetime) -> SecurityThreatGroup:
    if SecurityThreatGroup.objects.filter(code=code).exists():
        raise RuleViolation(
            code="GROUP_EXISTS",
            message=_("Group %(code)s already exists.") % {"code": code},
            field="code",
        )
    group = SecurityThreatGroup.objects.create(code=code, name=name)
    record(
        actor=actor,
        at=at,
        change=Change(
            action="group.register",
            object_type="people.SecurityThreatGroup",
            object_id=group.pk,
            after={"code": code, "name": name},
        ),
    )
    return group


def declare_rivalry(
    *,
    group: SecurityThreatGroup,
    rival: SecurityThreatGroup,
    scope: str,
    actor: Actor,
    at: dt.datetime,
    reason: str,
) -> Rivalry:
    """Members of rival groups are never placed together at the rivalry's scope. A new rivalry
    does not move anyone: the roll and a rebalance show who is now held with a rival."""
    if group.pk == rival.pk:
        raise InvalidInput(message=_("A group cannot be its own rival."), field="rival")
    if scope not in (Scope.CELL, Scope.UNIT):
        raise InvalidInput(message=_("A rivalry applies within a cell or a unit."), field="scope")
    a, b = sorted([group, rival], key=lambda g: g.pk)
    existing = Rivalry.objects.filter(group_a=a, group_b=b).first()
    before = {"scope": existing.scope} if existing else None
    if existing:
        existing.scope = scope
        existing.save(update_fields=["scope"])
        rivalry = existing
    else:
        rivalry = Rivalry.objects.create(group_a=a, group_b=b, scope=scope, recorded_at=at)
    record(
        actor=actor,
        at=at,
        change=Change(
            action="rivalry.declare",
            object_type="people.Rivalry",
            object_id=rivalry.pk,
            before=before,
            after={"groups": [a.code, b.code], "scope": scope},
            reason=reason,
        ),
    )
    return rivalry


def record_affiliation(
    *,
    person: Person,
    group: SecurityThreatGroup,
    status: str,
    source: str,
    recorded_on: dt.date,
    actor: Actor,
    at: dt.datetime,
) -> Affiliation:
    """Record or change a person's affiliation (claimed, assessed or renounced). Renouncing keeps
    the record: the history stays in the audit log."""
    if status not in Affiliation.Status.values:
        raise InvalidInput(message=_("Unknown affiliation status."), field="status")
    if not source.strip():
        raise InvalidInput(message=_("Say where the information comes from."), field="source")
    existing = Affiliation.objects.filter(person=person, group=group).first()
    before = {"status": existing.status, "source": existing.source} if existing else None
    affiliation, _created = Affiliation.objects.update_or_create(
        person=person,
        group=group,
        defaults={"status": status, "source": source.strip(), "recorded_on": recorded_on},
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="affiliation.record",
            object_type="people.Affiliation",
            object_id=affiliation.pk,
            before=before,
            after={"group": group.code, "status": status, "source": source},
            person_id=person.pk,
        ),
    )
    return affiliation


def separate(
    *, person: Person, other: Person, scope: str, reason: str, actor: Actor, at: dt.datetime
) -> NonAssociation:
    """Record that two people must be kept apart within a cell, a unit or a facility. Placing one
    of them where the other is held at that scope is refused from now on."""
    if person.pk == other.pk:
        raise InvalidInput(
            message=_("A person cannot be kept apart from themselves."), field="other"
        )
    if scope not in Scope.values:
        raise InvalidInput(message=_("Unknown scope."), field="scope")
    if not reason.strip():
        raise InvalidInput(message=_("Give the reason the two must be kept apart."), field="reason")
    a, b = sorted([person.pk, other.pk])
    if NonAssociation.objects.filter(person_a_id=a, person_b_id=b, ended_at__isnull=True).exists():
        raise RuleViolation(
            code="NON_ASSOCIATION_EXISTS",
            message=_("These two people are already kept apart."),
            field="other",
        )
    na = NonAssociation.objects.create(
        person_a_id=a, person_b_id=b, scope=scope, reason=reason.strip(), started_at=at
    )
    for pid in (a, b):
        record(
            actor=actor,
            at=at,
            change=Change(
                action="non_association.record",
                object_type="people.NonAssociation",
                object_id=na.pk,
                after={"a": a, "b": b, "scope": scope},
                reason=reason,
                person_id=pid,
            ),
        )
    return na


def end_separation(
    *, non_association: NonAssociation, reason: str, actor: Actor, at: dt.datetime
) -> NonAssociation:
    if non_association.ended_at is not None:
        raise RuleViolation(
            code="NON_ASSOCIATION_ENDED", message=_("This non-association has already ended.")
        )
    if not reason.strip():
        raise InvalidInput(message=_("Give the reason it ends."), field="reason")
    non_association.ended_at = at
    non_association.save(update_fields=["ended_at"])
    for pid in (non_association.person_a_id, non_association.person_b_id):
        record(
            actor=actor,
            at=at,
            change=Change(
                action="non_association.end",
                object_type="people.NonAssociation",
                object_id=non_association.pk,
                reason=reason,
                person_id=pid,
                before={"ended_at": None},
                after={"ended_at": at},
            ),
        )
    return non_association


def active_non_associations(person_ids: list[int]) -> list[NonAssociation]:
    return list(
        NonAssociation.objects.filter(
            Q(person_a_id__in=person_ids) | Q(person_b_id__in=person_ids), ended_at__isnull=True
        )
    )


def get_group(code: str) -> SecurityThreatGroup:
    try:
        return SecurityThreatGroup.objects.get(code=code)
    except SecurityThreatGroup.DoesNotExist as exc:
        raise NotFound(
            code="UNKNOWN_GROUP", message=_("No group %(code)s.") % {"code": code}, field="group"
        ) from exc
