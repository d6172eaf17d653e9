"""The bridge between the database and the pure allocation engine (``housing.allocator``).

It reads the state of a facility (or one unit of it) in a bounded number of set-based queries and
returns an ``allocator.Instance``; it turns the engine's refusals into messages for people.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from copy import copy
from typing import cast

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from habeas.core import clock
from habeas.custody.models import AuthorityKind, LawfulAuthority
from habeas.estate.models import Cell, Facility
from habeas.housing import allocator as alloc
from habeas.housing.models import OverCapacityAuthorisation, Placement
from habeas.people.models import (
    ACTIVE_AFFILIATION,
    Affiliation,
    NonAssociation,
    Rivalry,
    SecurityThreatGroup,
)

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
    qs = Cell.objects.filter(facility=facility).order_by("code")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    # Values rather than model instances (a large facility has hundreds of cells, and this is
    # on the path of every placement and every list of options); the standard capacity as
    # Cell.standard_capacity computes it.
    rows = qs.values_list(
        "pk",
        "unit__code",
        "operational_capacity",
        "floor_area_m2",
        "kind",
        "bunks",
        "in_service",
        "attributes",
    )
    cells = tuple(
        alloc.Cell(
            id=pk,
            unit=unit,
            operational_capacity=operational,
            standard_capacity=standard.capacity_of(
                floor_area_m2=area, single=kind == Cell.Kind.SINGLE
            ),
            bed_capacity=bunks,
            in_service=in_service,
            attributes=frozenset(attributes or ()),
        )
        for pk, unit, operational, area, kind, bunks, in_service, attributes in rows
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
    return Exists(_convictions(at).filter(episode=OuterRef(episode_ref)))


def _convictions(at: dt.datetime) -> QuerySet[LawfulAuthority]:
    return LawfulAuthority.objects.filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gt=at),
        kind=AuthorityKind.CONVICTION,
        valid_from__lte=at,
    )


def resident_specs(
    facility: Facility,
    at: dt.datetime,
    *,
    unit_id: int | None = None,
    extra_person_ids: Iterable[int] = (),
    person_ids: Iterable[int] | None = None,
) -> tuple[list[alloc.Person], dict[int, int]]:
    """People currently placed in the facility (or unit, or only ``person_ids`` of them), with
    the engine's view of each."""
    placed = Placement.objects.filter(facility=facility, ended_at__isnull=True)
    if unit_id is not None:
        placed = placed.filter(cell__unit_id=unit_id)
    if person_ids is not None:
        placed = placed.filter(person_id__in=list(person_ids))
    extra = list(extra_person_ids)
    if extra:
        placed = Placement.objects.filter(
            Q(pk__in=placed.values("pk")) | Q(person_id__in=extra, ended_at__isnull=True)
        )
    return _people_placed(placed, facility, at)


def _people_placed(
    placed: QuerySet[Placement], facility: Facility, at: dt.datetime
) -> tuple[list[alloc.Person], dict[int, int]]:
    """The people of open ``placed`` placements as the engine sees them, and their cells."""
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


def adult_born_by(today: dt.date, adult_age: int) -> dt.date:
    """The latest date of birth of a person ``adult_age`` or older on ``today``, counted as
    ``clock.age_on`` counts: on 29 February, in a common year, that is 28 February."""
    year = today.year - adult_age
    try:
        return today.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


#: what sets a resident apart in the rules' eyes, apart from their groups:
#: (cell id, sex, adult, convicted)
_Kind = tuple[int, str, bool, bool]


def resident_crowds(
    facility: Facility,
    at: dt.datetime,
    *,
    adult_age: int,
    excluding: Iterable[int] = (),
    unit_id: int | None = None,
) -> list[alloc.Crowd]:
    """Everyone placed in the facility (or in one unit of it) but ``excluding``, as crowds of
    people who look alike to the rules.

    The options for one person need only counts of the others, and counting in the database
    is far cheaper than reading 40,000 rows: one grouped query counts the residents by kind
    (cell, sex, adult or not, status) and group. Someone in several groups is counted once per
    group, which a count of each cell's residents reveals; the few such people are then read
    one by one, so that each keeps their whole set of groups, and taken out of the counts."""
    placed = Placement.objects.filter(facility=facility, ended_at__isnull=True).exclude(
        person_id__in=list(excluding)
    )
    if unit_id is not None:
        placed = placed.filter(cell__unit_id=unit_id)
    today = clock.local_date(at, facility.time_zone)
    counts = _count_by_kind_and_group(placed, at, adult_born_by(today, adult_age))
    occupancy = dict(
        placed.values("cell_id").annotate(n=Count("pk")).values_list("cell_id", "n").order_by()
    )
    counted: Counter[int] = Counter()
    for (kind, _group), n in counts.items():
        counted[kind[0]] += n
    crowds: list[alloc.Crowd] = []
    mixed = {c for c, n in counted.items() if n > occupancy.get(c, 0)}
    if mixed:
        for person, cell_id in _people_in_several_groups(placed, mixed, facility, at):
            kind = (cell_id, person.sex, person.age >= adult_age, person.status == CONVICTED)
            counts.subtract((kind, g) for g in person.groups)
            crowds.append(alloc.Crowd(cell_id, person, 1))
    crowds.extend(_crowd(kind, group, n, adult_age) for (kind, group), n in counts.items() if n > 0)
    return crowds


def _count_by_kind_and_group(
    placed: QuerySet[Placement], at: dt.datetime, adult_born_by: dt.date
) -> Counter[tuple[_Kind, str | None]]:
    """(kind, group) -> residents of that kind in that group (``None``: in none)."""
    rows = list(
        placed.annotate(
            active=FilteredRelation(
                "person__affiliations",
                condition=_through(ACTIVE_AFFILIATION, "person__affiliations"),
            ),
            adult=Case(
                When(person__date_of_birth__lte=adult_born_by, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            # IN rather than convicted_filter's EXISTS: the same answer, but PostgreSQL hashes
            # the convictions once where it would evaluate EXISTS for every grouped row.
            convicted=ExpressionWrapper(
                Q(episode_id__in=_convictions(at).values("episode_id")),
                output_field=BooleanField(),
            ),
        )
        .values("cell_id", "person__sex", "adult", "convicted", "active__group_id")
        .annotate(n=Count("pk"))
        .values_list("cell_id", "person__sex", "adult", "convicted", "active__group_id", "n")
        .order_by()
    )
    # Grouped by group id, not code: joining the groups costs a lookup per resident (a tenth of
    # the query's time at 40,000), and their codes come from a query of a few rows.
    codes = dict(
        SecurityThreatGroup.objects.filter(
            pk__in={r[4] for r in rows if r[4] is not None}
        ).values_list("pk", "code")
    )
    return Counter(
        {
            ((cell, sex, bool(adult), bool(convicted)), codes.get(group)): n
            for cell, sex, adult, convicted, group, n in rows
        }
    )


def _through(condition: Q, relation: str) -> Q:
    """``condition`` on a model, as seen across ``relation`` from another (for a
    FilteredRelation, which takes no subquery)."""
    seen = copy(condition)
    seen.children = []
    for child in condition.children:
        if isinstance(child, Q):
            seen.children.append(_through(child, relation))
        else:
            lookup, value = cast(tuple[str, object], child)
            seen.children.append((f"{relation}__{lookup}", value))
    return seen


def _people_in_several_groups(
    placed: QuerySet[Placement], cell_ids: set[int], facility: Facility, at: dt.datetime
) -> list[tuple[alloc.Person, int]]:
    """The residents of ``cell_ids`` in more than one group, each with their cell."""
    several = list(
        Affiliation.objects.filter(
            ACTIVE_AFFILIATION,
            person_id__in=placed.filter(cell_id__in=cell_ids).values("person_id"),
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("person_id", flat=True)
    )
    people, placements = _people_placed(placed.filter(person_id__in=several), facility, at)
    return [(p, placements[p.id]) for p in people]


def _crowd(kind: _Kind, group: str | None, count: int, adult_age: int) -> alloc.Crowd:
    cell_id, sex, adult, convicted = kind
    person = alloc.Person(
        id=0,
        sex=sex,
        age=adult_age if adult else adult_age - 1,  # the rules see only the side of adult_age
        status=CONVICTED if convicted else UNTRIED,
        groups=frozenset(() if group is None else (group,)),
    )
    return alloc.Crowd(cell_id, person, count)


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


def options_instance(
    facility: Facility,
    at: dt.datetime,
    *,
    person_id: int,
    newcomers: Iterable[alloc.Person] = (),
) -> tuple[alloc.Instance, list[alloc.Crowd]]:
    """What ``allocator.options`` needs for one person: every cell, the person (placed, or among
    ``newcomers``) and their non-association partners as people, everyone else as crowds.

    The same answer as over :func:`facility_instance`, without naming every resident."""
    cells, ceilings = cell_specs(facility, at)
    nas = non_associations([person_id])
    named = {person_id} | {na.b if na.a == person_id else na.a for na in nas}
    people, placements = resident_specs(facility, at, person_ids=named)
    rules = policy()
    crowds = resident_crowds(facility, at, adult_age=rules.adult_age, excluding=named)
    instance = alloc.Instance(
        cells=cells,
        people=(*people, *newcomers),
        placements=placements,
        non_associations=nas,
        policy=rules,
        over_capacity=ceilings,
    )
    return instance, crowds


def local_instance(
    *, facility: Facility, cell: Cell, person: alloc.Person, at: dt.datetime
) -> tuple[alloc.Instance, list[alloc.Crowd]]:
    """Enough of the facility to judge one person in one cell, for ``allocator.refusals``: the
    cell's unit (unit-scope rules) with its residents as crowds of look-alikes, the person, and
    where each of their non-association partners is placed (facility scope), as people.

    The same answer as the whole facility read as people (tests/housing/test_cell_options.py),
    without naming the unit's thousands of residents on every placement (issue #8)."""
    cells, ceilings = cell_specs(facility, at, unit_id=cell.unit_id)
    nas = non_associations([person.id])
    partners = {na.b if na.a == person.id else na.a for na in nas}
    people, placements = resident_specs(facility, at, person_ids=partners)
    rules = policy()
    crowds = resident_crowds(
        facility,
        at,
        adult_age=rules.adult_age,
        excluding={person.id} | partners,
        unit_id=cell.unit_id,
    )
    known_cells = {c.id for c in cells}
    # Partners elsewhere in the facility: give the engine their cells so facility scope is judged.
    extra_cells = Cell.objects.filter(pk__in=set(placements.values()) - known_cells).select_related(
        "unit"
    )
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
    instance = alloc.Instance(
        cells=cells,
        people=(*people, person),
        placements=placements,
        non_associations=nas,
        policy=rules,
        over_capacity=ceilings,
    )
    return instance, crowds


def cell_unit(cells: Mapping[int, Cell], cell_id: int) -> str:
    cell = cells.get(cell_id)
    return cell.unit.code if cell is not None else "?"


# Words marked here and translated when used: describe runs once per refusal, hundreds of times
# for one person's options, and should translate only the words it needs.
_SCOPE_WORDS: dict[str, Promise] = {
    "cell": gettext_lazy("cell"),
    "unit": gettext_lazy("unit"),
    "facility": gettext_lazy("facility"),
}
_CATEGORY_WORDS: dict[str, Promise] = {
    "status": gettext_lazy("untried and convicted people"),
    "sex": gettext_lazy("men and women"),
    "age_band": gettext_lazy("children and adults"),
}
_TEMPLATES: dict[str, Promise] = {
    "CELL_OUT_OF_SERVICE": gettext_lazy("Cell %(cell)s is out of service."),
    "CELL_FULL": gettext_lazy("Cell %(cell)s is full: it holds %(occupancy)s of %(capacity)s."),
    "RIVAL_IN_CELL": gettext_lazy(
        "Cell %(cell)s holds a member of %(rival)s, a rival of %(group)s."
    ),
    "RIVAL_IN_UNIT": gettext_lazy(
        "The unit of cell %(cell)s holds a member of %(rival)s, a rival of %(group)s."
    ),
    "NON_ASSOCIATION": gettext_lazy(
        "%(other)s, who must be kept apart from this person within the "
        "same %(scope)s, is held there."
    ),
    "CATEGORY_MIX": gettext_lazy(
        "Cell %(cell)s would mix %(category)s within the same %(scope)s (Mandela Rule 11)."
    ),
    "NEED_NOT_MET": gettext_lazy("Cell %(cell)s does not meet the need: %(need)s."),
    "NO_ROOM": gettext_lazy("No cell has room within its operational capacity."),
    "UNKNOWN_CELL": gettext_lazy("No such cell."),
    "UNKNOWN_PERSON": gettext_lazy("No such person."),
}


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
    if "scope" in p and (scope := _SCOPE_WORDS.get(str(p["scope"]))) is not None:
        p["scope"] = str(scope)
    if "category" in p and (category := _CATEGORY_WORDS.get(str(p["category"]))) is not None:
        p["category"] = str(category)
    lazy = _TEMPLATES.get(refusal.code)
    if lazy is None:
        return f"{refusal.code}: " + ", ".join(f"{k}={v}" for k, v in sorted(p.items()))
    template = str(lazy)
    try:
        return template % p
    except (KeyError, TypeError):
        return f"{template} ({refusal.code})"
