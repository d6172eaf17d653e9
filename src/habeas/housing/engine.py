"""The bridge between the database and the pure allocation engine (``housing.allocator``).

It reads the state of a facility (or one unit of it) in a bounded number of set-based queries and
returns an ``allocator.Instance``; it turns the engine's refusals into messages for people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import cast

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from habeas.core import clock
from habeas.custody.models import AuthorityKind, LawfulAuthority
from habeas.estate.models import Cell, Facility
from habeas.housing import allocator as alloc
from habeas.housing.models import OverCapacityAuthorisation, Placement
from habeas.people.models import ACTIVE_AFFILIATION, Affiliation, NonAssociation, Rivalry

UNTRIED = "untried"
CONVICTED = "convicted"


def policy() -> alloc.Policy:
    rivalries = tuple(
        alloc.Rivalry(a=a, b=b, scope=cast(alloc.RivalryScope, scope))
        for a, b, scope in Rivalry.objects.values_list("group_a__code", "group_b__code", "scope")
    )
    return alloc.Policy(rivalries=rivalries)


def cell_specs(
    facility: Facility, at: dt.datetime, *, unit_id: int | None = None
) -> tuple[tuple[alloc.Cell, ...], dict[int, int]]:
    """The facility's cells as the engine sees them, and the over-capacity ceilings in force."""
    standard = facility.space_standard
    qs = Cell.objects.filter(facility=facility).select_related("unit").order_by("code")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    cells = tuple(
        alloc.Cell(
            id=c.pk,
            unit=c.unit.code,
            operational_capacity=c.operational_capacity,
            standard_capacity=c.standard_capacity(standard),
            bed_capacity=c.bunks,
            in_service=c.in_service,
            attributes=frozenset(c.attributes or ()),
        )
        for c in qs
    )
    ceilings: dict[int, int] = {}
    auths = OverCapacityAuthorisation.objects.filter(facility=facility, valid_from__lte=at).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )
    if unit_id is not None:
        auths = auths.filter(cell__unit_id=unit_id)
    for cell_id, ceiling in auths.values_list("cell_id", "ceiling"):
        ceilings[cell_id] = max(ceiling, ceilings.get(cell_id, 0))
    return cells, ceilings


def convicted_filter(at: dt.datetime, episode_ref: str = "episode") -> Exists:
    """True for a row whose custody episode, at ``at``, rests on a conviction — including a
    person held past the end of their sentence: their custody may be unlawful, but they are a
    convicted person for the separation of categories (Mandela Rule 11)."""
    return Exists(
        LawfulAuthority.objects.filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=at),
            kind=AuthorityKind.CONVICTION,
            valid_from__lte=at,
            episode=OuterRef(episode_ref),
        )
    )


def resident_specs(
    facility: Facility,
    at: dt.datetime,
    *,
    unit_id: int | None = None,
    extra_person_ids: Iterable[int] = (),
) -> tuple[list[alloc.Person], dict[int, int]]:
    """People currently placed in the facility (or unit), with the engine's view of each."""
    placed = Placement.objects.filter(facility=facility, ended_at__isnull=True)
    if unit_id is not None:
        placed = placed.filter(cell__unit_id=unit_id)
    extra = list(extra_person_ids)
    if extra:
        placed = Placement.objects.filter(
            Q(pk__in=placed.values("pk")) | Q(person_id__in=extra, ended_at__isnull=True)
        )
    rows = list(
        placed.annotate(convicted=convicted_filter(at)).values_list(
            "person_id", "cell_id", "person__sex", "person__date_of_birth", "convicted"
        )
    )
    groups: dict[int, set[str]] = defaultdict(set)
    for pid, code in Affiliation.objects.filter(
        ACTIVE_AFFILIATION, person__placements__in=placed
    ).values_list("person_id", "group__code"):
        groups[pid].add(code)
    today = clock.local_date(at, facility.time_zone)
    people: list[alloc.Person] = []
    placements: dict[int, int] = {}
    for pid, cell_id, sex, dob, convicted in rows:
        people.append(
            alloc.Person(
                id=pid,
                sex=sex,
                age=clock.age_on(dob, today),
                status=CONVICTED if convicted else UNTRIED,
                groups=frozenset(groups.get(pid, ())),
            )
        )
        placements[pid] = cell_id
    return people, placements


def non_associations(person_ids: Iterable[int] | None = None) -> tuple[alloc.NonAssociation, ...]:
    qs = NonAssociation.objects.filter(ended_at__isnull=True)
    if person_ids is not None:
        ids = list(person_ids)
        qs = qs.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
    return tuple(
        alloc.NonAssociation(a=a, b=b, scope=cast(alloc.Scope, scope))
        for a, b, scope in qs.values_list("person_a_id", "person_b_id", "scope")
    )


def facility_instance(
    facility: Facility,
    at: dt.datetime,
    *,
    newcomers: Iterable[alloc.Person] = (),
    newcomer_non_associations: Iterable[alloc.NonAssociation] = (),
) -> alloc.Instance:
    """The whole facility: every cell, every placed person, and ``newcomers`` to place."""
    cells, ceilings = cell_specs(facility, at)
    people, placements = resident_specs(facility, at)
    newcomers = list(newcomers)
    placed_ids = [p.id for p in people]
    known = set(placed_ids) | {p.id for p in newcomers}
    # Active non-associations are few (thousands at most): read them all, keep those that bind
    # two people the engine will see.
    nas = [na for na in non_associations() if na.a in known and na.b in known]
    nas.extend(newcomer_non_associations)
    return alloc.Instance(
        cells=cells,
        people=tuple(people) + tuple(newcomers),
        placements=placements,
        non_associations=tuple(dict.fromkeys(nas)),
        policy=policy(),
        over_capacity=ceilings,
    )


def local_instance(
    *, facility: Facility, cell: Cell, person: alloc.Person, at: dt.datetime
) -> alloc.Instance:
    """Enough of the facility to judge one person in one cell: the cell's unit (unit-scope rules),
    the person, and where each of their non-association partners is placed (facility scope)."""
    cells, ceilings = cell_specs(facility, at, unit_id=cell.unit_id)
    nas = non_associations([person.id])
    partners = {na.b if na.a == person.id else na.a for na in nas}
    people, placements = resident_specs(
        facility, at, unit_id=cell.unit_id, extra_person_ids=partners
    )
    known_cells = {c.id for c in cells}
    # Partners elsewhere in the facility: give the engine their cells so facility scope is judged.
    extra_cells = Cell.objects.filter(
        pk__in={placements[p] for p in partners if p in placements} - known_cells
    ).select_related("unit")
    standard = facility.space_standard
    cells = cells + tuple(
        alloc.Cell(
            id=c.pk,
            unit=c.unit.code,
            operational_capacity=c.operational_capacity,
            standard_capacity=c.standard_capacity(standard),
            bed_capacity=c.bunks,
            in_service=c.in_service,
            attributes=frozenset(c.attributes or ()),
        )
        for c in extra_cells
    )
    people = [p for p in people if p.id != person.id]
    placements.pop(person.id, None)
    return alloc.Instance(
        cells=cells,
        people=(*people, person),
        placements=placements,
        non_associations=nas,
        policy=policy(),
        over_capacity=ceilings,
    )


def cell_unit(cells: Mapping[int, Cell], cell_id: int) -> str:
    cell = cells.get(cell_id)
    return cell.unit.code if cell is not None else "?"


def describe(
    refusal: alloc.Refusal,
    cells: Mapping[int, str] | None = None,
    people: Mapping[int, str] | None = None,
) -> str:
    """A refusal in words, for the person at the screen."""
    p: dict[str, object] = dict(refusal.params)
    if cells is not None and "cell" in p and isinstance(p["cell"], int):
        p["cell"] = cells.get(p["cell"], p["cell"])
    if people is not None and "other" in p and isinstance(p["other"], int):
        p["other"] = people.get(p["other"], p["other"])
    scope_words = {"cell": _("cell"), "unit": _("unit"), "facility": _("facility")}
    if "scope" in p:
        p["scope"] = scope_words.get(str(p["scope"]), p["scope"])
    category_words = {
        "status": _("untried and convicted people"),
        "sex": _("men and women"),
        "age_band": _("children and adults"),
    }
    if "category" in p:
        p["category"] = category_words.get(str(p["category"]), p["category"])
    templates = {
        "CELL_OUT_OF_SERVICE": _("Cell %(cell)s is out of service."),
        "CELL_FULL": _("Cell %(cell)s is full: it holds %(occupancy)s of %(capacity)s."),
        "RIVAL_IN_CELL": _("Cell %(cell)s holds a member of %(rival)s, a rival of %(group)s."),
        "RIVAL_IN_UNIT": _(
            "The unit of cell %(cell)s holds a member of %(rival)s, a rival of %(group)s."
        ),
        "NON_ASSOCIATION": _(
            "%(other)s, who must be kept apart from this person within the "
            "same %(scope)s, is held there."
        ),
        "CATEGORY_MIX": _(
            "Cell %(cell)s would mix %(category)s within the same %(scope)s (Mandela Rule 11)."
        ),
        "NEED_NOT_MET": _("Cell %(cell)s does not meet the need: %(need)s."),
        "NO_ROOM": _("No cell has room within its operational capacity."),
        "UNKNOWN_CELL": _("No such cell."),
        "UNKNOWN_PERSON": _("No such person."),
    }
    template = templates.get(refusal.code)
    if template is None:
        return f"{refusal.code}: " + ", ".join(f"{k}={v}" for k, v in sorted(p.items()))
    try:
        return template % p
    except (KeyError, TypeError):
        return f"{template} ({refusal.code})"
