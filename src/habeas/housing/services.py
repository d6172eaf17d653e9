"""Placing people in cells, and a governor's over-capacity decisions.

Every placement goes through the allocation engine's rules (``allocator.refusals``): a cell out of
service, at capacity, holding a rival group's member, or someone the person must be kept apart
from, or mixing categories Mandela Rule 11 keeps apart, is refused with the reason in words.

Concurrency: the facility's row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite takes
its write lock when the transaction begins), so two officers placing two people into the last
place of a cell are served one after the other and the second is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.core import clock
from habeas.core.errors import InvalidInput, RuleViolation
from habeas.custody.models import Episode, Stay
from habeas.estate.models import Cell, Facility
from habeas.housing import allocator as alloc
from habeas.housing import engine
from habeas.housing.models import OverCapacityAuthorisation, Placement
from habeas.people.models import ACTIVE_AFFILIATION, Person


def lock_facility(facility_id: int) -> Facility:
    # FOR NO KEY UPDATE, not FOR UPDATE: rows inserted elsewhere that merely reference the
    # facility (an unlock, a reading) take FOR KEY SHARE on it for their foreign key, and must not
    # wait for a placement. With FOR UPDATE a daily log that had already appended its audit event
    # waited here while the placement holding this lock waited for the audit head: a deadlock
    # (issue #8, found by the shift load test on PostgreSQL).
    return (
        Facility.objects.select_for_update(no_key=True)
        .select_related("space_standard")
        .get(pk=facility_id)
    )


def person_spec(person: Person, facility: Facility, at: dt.datetime) -> alloc.Person:
    convicted = (
        Episode.objects.filter(person=person, released_at__isnull=True)
        .filter(engine.convicted_filter(at, episode_ref="pk"))
        .exists()
    )
    groups = frozenset(
        person.affiliations.filter(ACTIVE_AFFILIATION).values_list("group__code", flat=True)
    )
    return alloc.Person(
        id=person.pk,
        sex=person.sex,
        age=clock.age_on(person.date_of_birth, clock.local_date(at, facility.time_zone)),
        status=engine.CONVICTED if convicted else engine.UNTRIED,
        groups=groups,
    )


def refusals_for(*, person: Person, cell: Cell, at: dt.datetime) -> list[str]:
    """Every reason, in words, ``person`` may not be placed in ``cell`` now (empty: allowed)."""
    facility = cell.facility
    spec = person_spec(person, facility, at)
    instance, crowds = engine.local_instance(facility=facility, cell=cell, person=spec, at=at)
    found = alloc.refusals(instance, person.pk, cell.pk, crowds=crowds)
    return [engine.describe(r, {cell.pk: cell.code}) for r in found]


def place(
    *,
    person: Person,
    cell: Cell,
    actor: Actor,
    at: dt.datetime,
    reason: str = "",
) -> Placement:
    """Put a person in custody at the cell's facility into ``cell``, ending any current placement.

    Refused (409) when the person is not on the facility's roll, is already in that cell, or the
    cell would break a rule; the refusal lists every reason."""
    facility = lock_facility(cell.facility_id)
    cell = Cell.objects.select_related("unit", "facility").get(pk=cell.pk)
    stay = Stay.objects.filter(person=person, ended_at__isnull=True).first()
    if stay is None or stay.facility_id != facility.pk:
        raise RuleViolation(
            code="NOT_ON_ROLL",
            message=_("%(who)s is not in custody at %(facility)s.")
            % {"who": person, "facility": facility.code},
            field="person",
        )
    current = Placement.objects.filter(person=person, ended_at__isnull=True).first()
    if current is not None and current.cell_id == cell.pk:
        raise RuleViolation(
            code="ALREADY_IN_CELL",
            message=_("%(who)s is already in cell %(cell)s.") % {"who": person, "cell": cell.code},
            field="cell",
        )
    if current is not None and current.started_at > at:
        raise InvalidInput(
            code="BEFORE_CURRENT_PLACEMENT",
            message=_("The move cannot be earlier than the current placement."),
            field="at",
        )
    spec = person_spec(person, facility, at)
    instance, crowds = engine.local_instance(facility=facility, cell=cell, person=spec, at=at)
    found = alloc.refusals(instance, person.pk, cell.pk, crowds=crowds)
    if found:
        people = {person.pk: str(person)}
        others = [o for r in found if isinstance(o := r.params.get("other"), int)]
        people.update({p.pk: str(p) for p in Person.objects.filter(pk__in=others)})
        messages = [engine.describe(r, {cell.pk: cell.code}, people) for r in found]
        raise RuleViolation(
            code=found[0].code,
            message=" ".join(messages),
            field="cell",
            details={
                "reasons": [
                    {"code": r.code, "message": m} for r, m in zip(found, messages, strict=True)
                ]
            },
        )
    authorisation = None
    occupancy = Placement.objects.filter(cell=cell, ended_at__isnull=True).count()
    if occupancy >= cell.operational_capacity:
        authorisation = active_authorisation(cell, at)
    before = None
    if current is not None:
        before = {"cell": current.cell.code}
        current.ended_at = at
        current.save(update_fields=["ended_at"])
    placement = Placement.objects.create(
        episode=stay.episode,
        person=person,
        facility=facility,
        cell=cell,
        started_at=at,
        reason=reason,
        authorisation=authorisation,
        placed_by=actor.user,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="housing.place" if current is None else "housing.move",
            object_type="housing.Placement",
            object_id=placement.pk,
            facility_id=facility.pk,
            person_id=person.pk,
            before=before,
            after={
                "cell": cell.code,
                "over_capacity_authorisation": authorisation.pk if authorisation else None,
            },
            reason=reason,
        ),
    )
    return placement


def active_authorisation(cell: Cell, at: dt.datetime) -> OverCapacityAuthorisation | None:
    return (
        OverCapacityAuthorisation.objects.filter(cell=cell, valid_from__lte=at)
        .exclude(valid_until__lte=at)
        .order_by("-ceiling")
        .first()
    )


def end_placement(*, person: Person, at: dt.datetime) -> Placement | None:
    """Close the open placement (on release, transfer or death). Audited by the caller's event."""
    current = Placement.objects.filter(person=person, ended_at__isnull=True).first()
    if current is not None:
        current.ended_at = at
        current.save(update_fields=["ended_at"])
    return current


def authorise_over_capacity(
    *,
    cell: Cell,
    ceiling: int,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    until: dt.datetime | None = None,
) -> OverCapacityAuthorisation:
    """A governor lets ``cell`` hold up to ``ceiling`` people — more than its operational capacity,
    never more than its bunks — for a reason, recorded and audited."""
    if not reason.strip():
        raise InvalidInput(
            message=_(
                "Give the reason for holding more people than the cell's operational capacity."
            ),
            field="reason",
        )
    if ceiling <= cell.operational_capacity:
        raise InvalidInput(
            code="NOT_ABOVE_CAPACITY",
            message=_("The ceiling must be above the operational capacity (%(n)d).")
            % {"n": cell.operational_capacity},
            field="ceiling",
        )
    if ceiling > cell.bunks:
        raise RuleViolation(
            code="ABOVE_BED_CAPACITY",
            message=_("Cell %(cell)s has %(bunks)d bunks: no one may be placed beyond them.")
            % {"cell": cell.code, "bunks": cell.bunks},
            field="ceiling",
        )
    if until is not None and until <= at:
        raise InvalidInput(message=_("The authorisation must end after it starts."), field="until")
    auth = OverCapacityAuthorisation.objects.create(
        cell=cell,
        facility_id=cell.facility_id,
        ceiling=ceiling,
        reason=reason.strip(),
        authorised_by=actor.user,
        valid_from=at,
        valid_until=until,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="housing.authorise_over_capacity",
            object_type="housing.OverCapacityAuthorisation",
            object_id=auth.pk,
            facility_id=cell.facility_id,
            after={
                "cell": cell.code,
                "ceiling": ceiling,
                "operational_capacity": cell.operational_capacity,
                "until": until,
            },
            reason=reason,
        ),
    )
    return auth


__all__ = ["authorise_over_capacity", "end_placement", "place", "refusals_for"]


class CellOptionView(TypedDict):
    cell: str
    rank: int | None
    occupancy_after: int
    reasons: list[str]


def cell_options(*, person: Person, at: dt.datetime) -> list[CellOptionView]:
    """Every cell of the person's facility for a move: allowed cells ranked (least crowded after
    the move first), and for each refused cell every reason in words."""
    stay = (
        Stay.objects.filter(person=person, ended_at__isnull=True)
        .select_related("facility__space_standard")
        .first()
    )
    if stay is None:
        raise RuleViolation(
            code="NOT_IN_CUSTODY",
            field="person",
            message=_("%(who)s is not in custody.") % {"who": person},
        )
    facility = stay.facility
    current = (
        Placement.objects.filter(person=person, ended_at__isnull=True)
        .values_list("cell_id", flat=True)
        .first()
    )
    # A placed person is among the residents already; someone waiting joins as a newcomer.
    newcomers = [] if current is not None else [person_spec(person, facility, at)]
    instance, crowds = engine.options_instance(
        facility, at, person_id=person.pk, newcomers=newcomers
    )
    codes = dict(Cell.objects.filter(facility=facility).values_list("pk", "code"))
    out: list[CellOptionView] = []
    for option in alloc.options(instance, person.pk, crowds):
        if option.cell == current:
            continue
        out.append(
            {
                "cell": codes[option.cell],
                "rank": option.rank,
                "occupancy_after": option.occupancy_after,
                "reasons": [engine.describe(r, codes) for r in option.refusals],
            }
        )
    out.sort(key=lambda o: (o["rank"] is None, o["rank"] or 0, str(o["cell"])))
    return out
