"""The allocation engine: who may share a cell with whom, and who goes where.

Pure and typed: plain frozen dataclasses in and out, no Django, no database. The housing services
build an :class:`Instance` from the database, call one of the entry points and write the result
through their own use cases, translating each :class:`Refusal` code into words.

Hard rules, never broken by :func:`intake` or :func:`rebalance` and all found by
:func:`violations`:

* a cell out of service holds no one after a rebalance, and intake never adds anyone to it;
* a cell holds at most its operational capacity, or the ceiling a governor authorised above it,
  never more than its bunks (``over_capacity``);
* no two people whose security-threat groups are rivals share a cell (cell-scope rivalry) or a
  unit (unit-scope rivalry);
* people kept apart by a non-association never share its scope (cell, unit or the facility);
* categories the policy separates never mix within their scope: untried and convicted (Mandela
  Rule 11(b)), men and women (Rule 11(a)), children and adults (Rule 11(d));
* a person with a need (``ground_level``, ``near_clinic`` ...) goes only to a cell having it.

Objective, lexicographic: place as many people as possible (authorised over-capacity is used only
when the operational capacity cannot hold everyone); then make the most crowded in-service cell
as uncrowded as possible (occupancy / standard capacity, the space per person); then move as few
people already placed as possible.

Method (see docs/allocation.md): people are grouped into compatibility classes (same groups,
same separated categories, same needs); for a candidate crowding level every cell gets a ceiling,
and a class-level greedy decides how many people of each class go to each cell — rigid classes
first, each filling compatible room before opening cells, converting a cell of another class when
nothing else is left; a binary search finds the lowest level at which the greedy places as many
as it can at all. Individuals are then put into their class's places with every rule checked by
the same function that answers :func:`refusals`; non-associations are honoured by choosing among
the class's cells or swapping. Small instances get an exact backtracking search on top.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

__all__ = [
    "CATEGORIES",
    "SCOPES",
    "Cell",
    "CellOption",
    "Code",
    "Crowd",
    "Instance",
    "Move",
    "NonAssociation",
    "Person",
    "Plan",
    "Policy",
    "Refusal",
    "Rivalry",
    "Scope",
    "Unplaced",
    "intake",
    "options",
    "rebalance",
    "refusals",
    "violations",
]

Scope = Literal["cell", "unit", "facility"]
RivalryScope = Literal["cell", "unit"]

SCOPES: tuple[Scope, ...] = ("cell", "unit", "facility")
#: Person categories a policy may keep apart.
CATEGORIES: tuple[str, ...] = ("status", "sex", "age_band")
_SCOPE_RANK: dict[str, int] = {"cell": 0, "unit": 1, "facility": 2}
#: Mandela Rule 11: untried apart from convicted (here: not in one cell), men apart from women
#: and children apart from adults (here: not in one unit).
MANDELA_RULE_11: tuple[tuple[str, Scope], ...] = (
    ("status", "cell"),
    ("sex", "unit"),
    ("age_band", "unit"),
)


class Code(StrEnum):
    """Machine codes of refusals and breaches; the Django layer puts them into words."""

    CELL_OUT_OF_SERVICE = "CELL_OUT_OF_SERVICE"
    #: the cell is at its operational capacity, or at the ceiling a governor authorised
    CELL_FULL = "CELL_FULL"
    #: (breach) a cell holds more than it may
    OVER_CAPACITY = "OVER_CAPACITY"
    RIVAL_IN_CELL = "RIVAL_IN_CELL"
    RIVAL_IN_UNIT = "RIVAL_IN_UNIT"
    NON_ASSOCIATION = "NON_ASSOCIATION"
    CATEGORY_MIX = "CATEGORY_MIX"
    NEED_NOT_MET = "NEED_NOT_MET"
    #: (unplaced) no cell had room, although some cell's rules would accept the person
    NO_ROOM = "NO_ROOM"
    UNKNOWN_PERSON = "UNKNOWN_PERSON"
    UNKNOWN_CELL = "UNKNOWN_CELL"


# --------------------------------------------------------------------------------------------
# The data in and out
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    id: int
    unit: str  # unit code; unit-scope rules apply across cells with the same unit
    operational_capacity: int  # never exceeded unless over_capacity authorises it
    standard_capacity: int  # from floor area; the crowding objective is occupancy / this
    bed_capacity: int  # bunks; an over-capacity authorisation never goes beyond it
    in_service: bool = True
    attributes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    sex: str
    age: int
    status: str  # "untried" | "convicted" (compared for equality)
    groups: frozenset[str] = frozenset()  # active security-threat-group affiliations
    needs: frozenset[str] = frozenset()  # each must be among the cell's attributes


@dataclass(frozen=True, slots=True)
class NonAssociation:
    a: int
    b: int
    scope: Scope


@dataclass(frozen=True, slots=True)
class Rivalry:
    a: str
    b: str
    scope: RivalryScope


@dataclass(frozen=True, slots=True)
class Policy:
    rivalries: tuple[Rivalry, ...] = ()
    #: which categories ("status", "sex", "age_band") are kept apart, and within what scope
    separate: tuple[tuple[str, Scope], ...] = MANDELA_RULE_11
    adult_age: int = 18


@dataclass(frozen=True, slots=True)
class Instance:
    cells: tuple[Cell, ...]
    people: tuple[Person, ...]  # residents already placed and the people to place
    placements: Mapping[int, int]  # person id -> cell id
    non_associations: tuple[NonAssociation, ...] = ()
    policy: Policy = field(default_factory=Policy)
    #: cell id -> ceiling (an occupancy) a governor authorised above the operational capacity;
    #: never beyond the cell's bunks
    over_capacity: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Crowd:
    """``count`` residents of cell ``cell`` who look alike to the rules as ``person`` does.

    The options for one person need no one else's identity apart from their non-association
    partners: the rest of a facility is counts (how many, of which groups and categories, in
    which cell). Counting 40,000 residents is far cheaper than naming each. Only what the rules
    see of ``person`` matters: sex, status, groups, needs, and age only as the side of the
    policy's adult age it falls (so any age on the same side will do); its id is not used."""

    cell: int
    person: Person
    count: int


@dataclass(frozen=True, slots=True)
class Refusal:
    """A machine code and its parameters; no words here (the Django layer translates)."""

    code: str
    params: Mapping[str, str | int]

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))


@dataclass(frozen=True, slots=True)
class Move:
    person: int
    from_cell: int
    to_cell: int


@dataclass(frozen=True, slots=True)
class Unplaced:
    person: int
    reasons: tuple[Refusal, ...]


@dataclass(frozen=True, slots=True)
class CellOption:
    cell: int
    rank: int | None  # 1 = best; None when refused
    occupancy_after: int
    ratio_after: float
    refusals: tuple[Refusal, ...]


@dataclass
class Plan:
    placements: list[tuple[int, int]]  # (person, cell) for people not previously placed
    moves: list[Move]  # people already placed who change cell
    unplaced: list[Unplaced]
    occupancy: dict[int, int]  # cell id -> occupants after the plan
    worst_ratio: float  # max over in-service cells of occupancy / standard capacity
    shortfall: int  # people not placed for lack of room (as opposed to a rule)
    #: breaches still present after the plan: found in the residents (intake never moves them)
    #: or beyond what moving people can fix (facility scope, nowhere else to go)
    unresolved: list[Refusal] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The rules, compiled once per instance
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Profile:
    """What the rules look at in a person, apart from who they are (non-associations)."""

    groups: frozenset[str]
    cats: tuple[str, ...]  # one value per separation rule, in _Rules.separate order
    needs: frozenset[str]


def _category_value(person: Person, category: str, adult_age: int) -> str:
    if category == "status":
        return person.status
    if category == "sex":
        return person.sex
    return "minor" if person.age < adult_age else "adult"


def _authorised_limit(cell: Cell, ceiling: int | None) -> int:
    operational = max(0, cell.operational_capacity)
    if ceiling is None:
        return operational
    return max(operational, min(ceiling, cell.bed_capacity))


class _Rules:
    """The instance indexed for the rules: cells by position, rivalries and non-associations
    normalised to their broadest scope, each person's profile."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        separate: dict[str, str] = {}
        for category, scope in instance.policy.separate:
            if category not in CATEGORIES:
                raise ValueError(f"unknown category to separate: {category!r}")
            if scope not in _SCOPE_RANK:
                raise ValueError(f"unknown scope: {scope!r}")
            if category not in separate or _SCOPE_RANK[scope] > _SCOPE_RANK[separate[category]]:
                separate[category] = scope
        self.separate: tuple[tuple[str, str], ...] = tuple(
            (c, separate[c]) for c in CATEGORIES if c in separate
        )
        self.adult_age = instance.policy.adult_age

        self.cells = instance.cells
        self.cell_index: dict[int, int] = {}
        unit_index: dict[str, int] = {}
        self.unit_of: list[int] = []
        self.units: list[str] = []
        for i, cell in enumerate(self.cells):
            if cell.id in self.cell_index:
                raise ValueError(f"duplicate cell id {cell.id}")
            self.cell_index[cell.id] = i
            if cell.unit not in unit_index:
                unit_index[cell.unit] = len(self.units)
                self.units.append(cell.unit)
            self.unit_of.append(unit_index[cell.unit])
        self.unit_cells: list[list[int]] = [[] for _ in self.units]
        for i, u in enumerate(self.unit_of):
            self.unit_cells[u].append(i)
        self.std = [max(0, cell.standard_capacity) for cell in self.cells]
        self.in_service = [cell.in_service for cell in self.cells]
        self.limit_op = [max(0, cell.operational_capacity) for cell in self.cells]
        self.limit = [
            _authorised_limit(cell, instance.over_capacity.get(cell.id)) for cell in self.cells
        ]
        # where each separation rule looks: cell c -> location index at the rule's scope
        self.loc: list[list[int]] = []
        for _category, rule_scope in self.separate:
            if rule_scope == "cell":
                self.loc.append(list(range(len(self.cells))))
            elif rule_scope == "unit":
                self.loc.append(list(self.unit_of))
            else:
                self.loc.append([0] * len(self.cells))

        self.people: dict[int, Person] = {}
        self.profile: dict[int, _Profile] = {}
        self._interned: dict[_Profile, _Profile] = {}
        for person in instance.people:
            if person.id in self.people:
                raise ValueError(f"duplicate person id {person.id}")
            self.people[person.id] = person
            self.profile[person.id] = self.profile_of(person)

        pair_scope: dict[tuple[str, str], str] = {}
        for rivalry in instance.policy.rivalries:
            if rivalry.scope not in ("cell", "unit"):
                raise ValueError(f"unknown rivalry scope: {rivalry.scope!r}")
            key = (min(rivalry.a, rivalry.b), max(rivalry.a, rivalry.b))
            if key not in pair_scope or _SCOPE_RANK[rivalry.scope] > _SCOPE_RANK[pair_scope[key]]:
                pair_scope[key] = rivalry.scope
        cell_rivals: dict[str, set[str]] = defaultdict(set)
        unit_rivals: dict[str, set[str]] = defaultdict(set)
        for (ga, gb), pscope in pair_scope.items():
            target = cell_rivals if pscope == "cell" else unit_rivals
            target[ga].add(gb)
            target[gb].add(ga)
        self.rival_pairs = pair_scope
        self.cell_rivals: dict[str, tuple[str, ...]] = {
            g: tuple(sorted(hs)) for g, hs in cell_rivals.items()
        }
        self.unit_rivals: dict[str, tuple[str, ...]] = {
            g: tuple(sorted(hs)) for g, hs in unit_rivals.items()
        }

        na_scope: dict[tuple[int, int], str] = {}
        for na in instance.non_associations:
            if na.scope not in _SCOPE_RANK:
                raise ValueError(f"unknown non-association scope: {na.scope!r}")
            if na.a == na.b or na.a not in self.people or na.b not in self.people:
                continue
            key2 = (min(na.a, na.b), max(na.a, na.b))
            if key2 not in na_scope or _SCOPE_RANK[na.scope] > _SCOPE_RANK[na_scope[key2]]:
                na_scope[key2] = na.scope
        self.na_pairs = na_scope
        self.partners: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for (pa, pb), nscope in sorted(na_scope.items()):
            self.partners[pa].append((pb, nscope))
            self.partners[pb].append((pa, nscope))

    def profile_of(self, person: Person) -> _Profile:
        """What the rules see in ``person``; one shared object per distinct profile, so that
        people who look alike are one class to the planner (and a crowd counts as its people)."""
        prof = _Profile(
            groups=person.groups,
            cats=tuple(_category_value(person, c, self.adult_age) for c, _s in self.separate),
            needs=person.needs,
        )
        return self._interned.setdefault(prof, prof)

    def placements(self, assignment: Mapping[int, int]) -> dict[int, int]:
        """person id -> cell position, for the known people in known cells."""
        return {
            pid: self.cell_index[cid]
            for pid, cid in assignment.items()
            if pid in self.people and cid in self.cell_index
        }

    def ratio(self, c: int, occupancy: int) -> float:
        if occupancy <= 0:
            return 0.0
        return occupancy / self.std[c] if self.std[c] > 0 else math.inf

    def live(self, limits: Sequence[int]) -> list[int]:
        """Cells that can take someone: in service, with some capacity."""
        return [c for c in range(len(self.cells)) if self.in_service[c] and limits[c] > 0]


class _State:
    """Who is where, as counts per cell, unit and facility (and, for people, their cell)."""

    __slots__ = ("cats", "cell_groups", "load", "rules", "unit_groups", "where")

    def __init__(self, rules: _Rules) -> None:
        self.rules = rules
        n_cells, n_units = len(rules.cells), len(rules.units)
        self.load = [0] * n_cells
        self.cell_groups: list[dict[str, int]] = [{} for _ in range(n_cells)]
        self.unit_groups: list[dict[str, int]] = [{} for _ in range(n_units)]
        self.cats: list[list[dict[str, int]]] = [
            [{} for _ in range(max(locs, default=-1) + 1)] for locs in rules.loc
        ]
        self.where: dict[int, int] = {}

    def copy(self, *, people: bool = True) -> _State:
        new = _State.__new__(_State)
        new.rules = self.rules
        new.load = list(self.load)
        new.cell_groups = [dict(d) for d in self.cell_groups]
        new.unit_groups = [dict(d) for d in self.unit_groups]
        new.cats = [[dict(d) for d in per_rule] for per_rule in self.cats]
        new.where = dict(self.where) if people else {}
        return new

    def add(self, prof: _Profile, c: int, n: int = 1) -> None:
        rules = self.rules
        self.load[c] += n
        cg = self.cell_groups[c]
        ug = self.unit_groups[rules.unit_of[c]]
        for g in prof.groups:
            cg[g] = cg.get(g, 0) + n
            ug[g] = ug.get(g, 0) + n
        for r, value in enumerate(prof.cats):
            counts = self.cats[r][rules.loc[r][c]]
            counts[value] = counts.get(value, 0) + n

    def remove(self, prof: _Profile, c: int, n: int = 1) -> None:
        rules = self.rules
        self.load[c] -= n
        cg = self.cell_groups[c]
        ug = self.unit_groups[rules.unit_of[c]]
        for g in prof.groups:
            _decrement(cg, g, n)
            _decrement(ug, g, n)
        for r, value in enumerate(prof.cats):
            _decrement(self.cats[r][rules.loc[r][c]], value, n)

    def place(self, pid: int, c: int) -> None:
        self.add(self.rules.profile[pid], c)
        self.where[pid] = c

    def unplace(self, pid: int) -> int:
        c = self.where.pop(pid)
        self.remove(self.rules.profile[pid], c)
        return c


def _decrement(counts: dict[str, int], key: str, n: int) -> None:
    left = counts[key] - n
    if left:
        counts[key] = left
    else:
        del counts[key]


def _state_of(rules: _Rules, where: Mapping[int, int]) -> _State:
    state = _State(rules)
    for pid, c in where.items():
        state.place(pid, c)
    return state


def _add_crowds(rules: _Rules, state: _State, crowds: Iterable[Crowd]) -> None:
    """Count each crowd into ``state`` as ``state.place`` would count its people one by one;
    a crowd in a cell the instance does not hold is left out, as a placement there would be."""
    for crowd in crowds:
        if crowd.count < 0:
            raise ValueError(f"a crowd of {crowd.count} people in cell {crowd.cell}")
        c = rules.cell_index.get(crowd.cell)
        if c is not None and crowd.count:
            state.add(rules.profile_of(crowd.person), c, crowd.count)


def _location_params(rules: _Rules, scope: str, c: int) -> dict[str, str | int]:
    cell = rules.cells[c]
    if scope == "cell":
        return {"cell": cell.id}
    if scope == "unit":
        return {"cell": cell.id, "unit": cell.unit}
    return {"cell": cell.id}


def _profile_refusals(
    rules: _Rules, state: _State, prof: _Profile, c: int, *, first_only: bool = False
) -> list[Refusal]:
    """Rivalries, category separation and needs: everything that depends on what a person is.

    The one implementation of these rules: single placements, options, the bulk planner and
    the individual assignment all ask it."""
    found: list[Refusal] = []
    cell = rules.cells[c]
    cell_groups = state.cell_groups[c]
    unit_groups = state.unit_groups[rules.unit_of[c]]
    for g in sorted(prof.groups) if len(prof.groups) > 1 else prof.groups:
        for h in rules.cell_rivals.get(g, ()):
            if h in cell_groups:
                found.append(Refusal(Code.RIVAL_IN_CELL, {"group": g, "rival": h, "cell": cell.id}))
                if first_only:
                    return found
        for h in rules.unit_rivals.get(g, ()):
            if h in unit_groups:
                found.append(
                    Refusal(
                        Code.RIVAL_IN_UNIT,
                        {"group": g, "rival": h, "cell": cell.id, "unit": cell.unit},
                    )
                )
                if first_only:
                    return found
    for r, (category, scope) in enumerate(rules.separate):
        counts = state.cats[r][rules.loc[r][c]]
        value = prof.cats[r]
        if counts and (len(counts) > 1 or value not in counts):
            other = min(v for v in counts if v != value)
            found.append(
                Refusal(
                    Code.CATEGORY_MIX,
                    {
                        "category": category,
                        "scope": scope,
                        "value": value,
                        "other": other,
                        **_location_params(rules, scope, c),
                    },
                )
            )
            if first_only:
                return found
    if prof.needs and not prof.needs <= cell.attributes:
        for need in sorted(prof.needs - cell.attributes):
            found.append(Refusal(Code.NEED_NOT_MET, {"need": need, "cell": cell.id}))
            if first_only:
                return found
    return found


def _na_refusals(
    rules: _Rules, state: _State, pid: int, c: int, *, first_only: bool = False
) -> list[Refusal]:
    found: list[Refusal] = []
    partners = rules.partners.get(pid)
    if not partners:
        return found
    unit = rules.unit_of[c]
    for other, scope in partners:
        oc = state.where.get(other)
        if oc is None:
            continue
        if (
            (scope == "cell" and oc == c)
            or (scope == "unit" and rules.unit_of[oc] == unit)
            or scope == "facility"
        ):
            found.append(
                Refusal(
                    Code.NON_ASSOCIATION,
                    {"scope": scope, "other": other, **_location_params(rules, scope, c)},
                )
            )
            if first_only:
                return found
    return found


def _person_refusals(
    rules: _Rules,
    state: _State,
    pid: int,
    c: int,
    limits: Sequence[int],
    *,
    first_only: bool = False,
    capacity: bool = True,
) -> list[Refusal]:
    """Every hard rule for one person in one cell, against ``state`` (which must not hold them)."""
    found: list[Refusal] = []
    cell = rules.cells[c]
    if not rules.in_service[c]:
        found.append(Refusal(Code.CELL_OUT_OF_SERVICE, {"cell": cell.id}))
        if first_only:
            return found
    if capacity and state.load[c] >= limits[c]:
        found.append(
            Refusal(
                Code.CELL_FULL,
                {"cell": cell.id, "occupancy": state.load[c], "capacity": limits[c]},
            )
        )
        if first_only:
            return found
    found.extend(_profile_refusals(rules, state, rules.profile[pid], c, first_only=first_only))
    if first_only and found:
        return found
    found.extend(_na_refusals(rules, state, pid, c, first_only=first_only))
    return found


# --------------------------------------------------------------------------------------------
# Questions about one person
# --------------------------------------------------------------------------------------------


def refusals(
    instance: Instance,
    person_id: int,
    cell_id: int,
    occupants: Mapping[int, int] | None = None,
) -> tuple[Refusal, ...]:
    """Every hard-rule reason ``person_id`` may not go into ``cell_id``, given the current
    placements (or ``occupants``: person id -> cell id). An empty tuple means allowed.

    The person's own current placement is ignored (they would leave it); capacity counts the
    authorised over-capacity ceiling where there is one."""
    rules = _Rules(instance)
    found: list[Refusal] = []
    if person_id not in rules.people:
        found.append(Refusal(Code.UNKNOWN_PERSON, {"person": person_id}))
    if cell_id not in rules.cell_index:
        found.append(Refusal(Code.UNKNOWN_CELL, {"cell": cell_id}))
    if found:
        return tuple(found)
    where = rules.placements(instance.placements if occupants is None else occupants)
    where.pop(person_id, None)
    state = _state_of(rules, where)
    return tuple(_person_refusals(rules, state, person_id, rules.cell_index[cell_id], rules.limit))


def options(instance: Instance, person_id: int, crowds: Sequence[Crowd] = ()) -> list[CellOption]:
    """Every cell for one person: the allowed ones ranked (the least crowded after the move
    first), then the refused ones with every reason, in the instance's cell order.

    The other residents may come as ``crowds`` rather than as people: then ``instance`` need
    hold only the cells, the person and their non-association partners (with placements), and
    the answer is the one the whole facility as people would give. The crowds must leave out
    the person and everyone ``instance`` names, or those would be counted twice."""
    rules = _Rules(instance)
    if person_id not in rules.people:
        unknown = (Refusal(Code.UNKNOWN_PERSON, {"person": person_id}),)
        return [CellOption(cell.id, None, 0, 0.0, unknown) for cell in rules.cells]
    where = rules.placements(instance.placements)
    where.pop(person_id, None)
    state = _state_of(rules, where)
    _add_crowds(rules, state, crowds)
    allowed: list[tuple[float, int, int]] = []
    refused: list[CellOption] = []
    for c, cell in enumerate(rules.cells):
        after = state.load[c] + 1
        found = _person_refusals(rules, state, person_id, c, rules.limit)
        if found:
            refused.append(CellOption(cell.id, None, after, rules.ratio(c, after), tuple(found)))
        else:
            allowed.append((rules.ratio(c, after), after, c))
    allowed.sort()
    ranked = [
        CellOption(rules.cells[c].id, rank, after, ratio, ())
        for rank, (ratio, after, c) in enumerate(allowed, start=1)
    ]
    return ranked + refused


# --------------------------------------------------------------------------------------------
# The independent checker
# --------------------------------------------------------------------------------------------


def violations(instance: Instance, assignment: Mapping[int, int]) -> list[Refusal]:
    """Every hard-rule breach in a complete assignment (person id -> cell id).

    Written apart from the planner's checks so that each can test the other. One entry per
    breach: per person in a cell out of service, per cell over capacity, per cell (or unit) and
    pair of rival groups, per location and separated category that mixes, per pair of people
    kept apart, per person and unmet need, per unknown person or cell."""
    rules = _Rules(instance)
    found: list[Refusal] = []
    by_cell: dict[int, list[int]] = defaultdict(list)
    for pid, cid in sorted(assignment.items()):
        if pid not in rules.people:
            found.append(Refusal(Code.UNKNOWN_PERSON, {"person": pid}))
        elif cid not in rules.cell_index:
            found.append(Refusal(Code.UNKNOWN_CELL, {"cell": cid, "person": pid}))
        else:
            by_cell[rules.cell_index[cid]].append(pid)

    by_unit: dict[int, list[int]] = defaultdict(list)
    for c in sorted(by_cell):
        cell = rules.cells[c]
        members = by_cell[c]
        by_unit[rules.unit_of[c]].extend(members)
        if not cell.in_service:
            found.extend(
                Refusal(Code.CELL_OUT_OF_SERVICE, {"cell": cell.id, "person": pid})
                for pid in members
            )
        if len(members) > rules.limit[c]:
            found.append(
                Refusal(
                    Code.OVER_CAPACITY,
                    {"cell": cell.id, "occupancy": len(members), "capacity": rules.limit[c]},
                )
            )
        for pid in members:
            for need in sorted(rules.people[pid].needs - cell.attributes):
                found.append(
                    Refusal(Code.NEED_NOT_MET, {"cell": cell.id, "person": pid, "need": need})
                )

    def holders(members: Iterable[int]) -> dict[str, set[int]]:
        held: dict[str, set[int]] = defaultdict(set)
        for pid in members:
            for g in rules.people[pid].groups:
                held[g].add(pid)
        return held

    def rival_breach(held: Mapping[str, set[int]], a: str, b: str) -> bool:
        # two different people, one holding each group (one person holding both is no pair)
        ha, hb = held.get(a), held.get(b)
        if not ha or not hb:
            return False
        return len(ha | hb) >= 2

    cell_held = {c: holders(members) for c, members in by_cell.items()}
    unit_held = {u: holders(members) for u, members in by_unit.items()}
    for (a, b), scope in sorted(rules.rival_pairs.items()):
        if scope == "cell":
            for c in sorted(cell_held):
                if rival_breach(cell_held[c], a, b):
                    found.append(
                        Refusal(
                            Code.RIVAL_IN_CELL, {"group": a, "rival": b, "cell": rules.cells[c].id}
                        )
                    )
        else:
            for u in sorted(unit_held):
                if rival_breach(unit_held[u], a, b):
                    found.append(
                        Refusal(
                            Code.RIVAL_IN_UNIT, {"group": a, "rival": b, "unit": rules.units[u]}
                        )
                    )

    everyone = [pid for members in by_cell.values() for pid in members]
    for category, scope in rules.separate:
        groups: dict[str, list[int]]
        if scope == "cell":
            groups = {str(rules.cells[c].id): m for c, m in by_cell.items()}
        elif scope == "unit":
            groups = {rules.units[u]: m for u, m in by_unit.items()}
        else:
            groups = {"": everyone}
        for where, members in sorted(groups.items()):
            values = sorted(
                {_category_value(rules.people[p], category, rules.adult_age) for p in members}
            )
            if len(values) > 1:
                params: dict[str, str | int] = {
                    "category": category,
                    "scope": scope,
                    "values": ",".join(values),
                }
                if scope == "cell":
                    params["cell"] = int(where)
                elif scope == "unit":
                    params["unit"] = where
                found.append(Refusal(Code.CATEGORY_MIX, params))

    located = {pid: c for c, members in by_cell.items() for pid in members}
    for (pa, pb), nscope in sorted(rules.na_pairs.items()):
        if pa not in located or pb not in located:
            continue
        ca, cb = located[pa], located[pb]
        if (
            nscope == "facility"
            or (nscope == "unit" and rules.unit_of[ca] == rules.unit_of[cb])
            or (nscope == "cell" and ca == cb)
        ):
            found.append(
                Refusal(Code.NON_ASSOCIATION, {"scope": nscope, "person": pa, "other": pb})
            )
    return found


# --------------------------------------------------------------------------------------------
# The class-level planner
# --------------------------------------------------------------------------------------------


@dataclass
class _CountPlan:
    level: float
    caps: list[int]
    kept: list[dict[int, int]]  # per cell: class -> people kept where they are
    added: list[dict[int, int]]  # per cell: class -> people to bring in
    placed: int


def _caps(rules: _Rules, limits: Sequence[int], live: Sequence[int], level: float) -> list[int]:
    caps = [0] * len(rules.cells)
    for c in live:
        std = rules.std[c]
        if level == math.inf:
            caps[c] = limits[c]
        elif std > 0:
            caps[c] = min(limits[c], math.floor(level * std + 1e-9))
    return caps


_TRIALS = 24  # simulations per conversion decision
_Kind = tuple[tuple[str | None, ...], frozenset[str]]


class _Rows:
    """Which cells each class could enter now, worked out for a class when first asked; and
    the cells in the order a simulation should use their room: those holding a class bound by
    rivalries first (few can use them), then those holding only flexible people, empty last."""

    def __init__(self, planner: _Planner, state: _State) -> None:
        self.planner = planner
        self.state = state
        self.rows: dict[int, list[bool]] = {}
        rules = planner.rules
        bound = set(rules.cell_rivals) | set(rules.unit_rivals)
        openness: dict[int, int] = {}
        for c in planner.live:
            if not state.load[c]:
                openness[c] = 2
            elif bound.isdisjoint(state.cell_groups[c]):
                openness[c] = 1
            else:
                openness[c] = 0
        self.order = sorted(planner.live, key=lambda c: openness[c])

    def __getitem__(self, k: int) -> list[bool]:
        row = self.rows.get(k)
        if row is None:
            planner, state = self.planner, self.state
            live = planner.live_set
            row = [c in live and planner.hosts(state, k, c) for c in range(len(state.load))]
            self.rows[k] = row
        return row


class _Planner:
    """Decides, for a crowding level, how many people of each class go to each cell."""

    def __init__(
        self,
        rules: _Rules,
        limits: Sequence[int],
        base: _State,
        kept: Mapping[int, int],
        demand: Sequence[int],
        prefer: Mapping[int, int] | None,
    ) -> None:
        self.rules = rules
        self.limits = limits
        self.base = base
        self.live = rules.live(limits)
        self.live_set = set(self.live)
        self.prefer = prefer
        index: dict[_Profile, int] = {}
        self.profiles: list[_Profile] = []
        self.members: list[list[int]] = []
        self.kept_members: dict[tuple[int, int], list[int]] = defaultdict(list)

        def class_of(pid: int) -> int:
            prof = rules.profile[pid]
            k = index.get(prof)
            if k is None:
                k = index[prof] = len(self.profiles)
                self.profiles.append(prof)
                self.members.append([])
            return k

        for pid in sorted(kept):
            self.kept_members[(kept[pid], class_of(pid))].append(pid)
        for pid in sorted(demand):
            self.members[class_of(pid)].append(pid)
        n_classes = len(self.profiles)
        self.kept_counts: list[dict[int, int]] = [{} for _ in rules.cells]
        for (c, k), pids in self.kept_members.items():
            self.kept_counts[c][k] = len(pids)
        self.demand_counts = [len(m) for m in self.members]
        self.total = len(demand) + len(kept)
        size = [len(m) for m in self.members]
        for (_c, k), pids in self.kept_members.items():
            size[k] += len(pids)
        # where each class lives now: to keep people where they are
        self.pref_counts: list[dict[int, int]] = [{} for _ in range(n_classes)]
        if prefer is not None:
            for k, pids in enumerate(self.members):
                for pid in pids:
                    pc = prefer.get(pid)
                    if pc is not None:
                        self.pref_counts[k][pc] = self.pref_counts[k].get(pc, 0) + 1
        for (c, k), pids in self.kept_members.items():
            self.pref_counts[k][c] = self.pref_counts[k].get(c, 0) + len(pids)

        def rivals_of(g: str) -> tuple[str, ...]:
            return rules.cell_rivals.get(g, ()) + rules.unit_rivals.get(g, ())

        self.compat = [
            [
                a.cats == b.cats and not any(h in b.groups for g in a.groups for h in rivals_of(g))
                for b in self.profiles
            ]
            for a in self.profiles
        ]
        self.alone = [not self.compat[k][k] for k in range(n_classes)]
        unit_scoped = {r for r, (_cat, scope) in enumerate(rules.separate) if scope != "cell"}
        self.unit_rules = sorted(unit_scoped)
        # a class's kind of unit: its unit-scoped category values, its unit-rival groups
        self.unit_label: list[_Kind] = [
            (
                tuple(p.cats[r] for r in self.unit_rules),
                frozenset(g for g in p.groups if g in rules.unit_rivals),
            )
            for p in self.profiles
        ]
        self.labels: list[_Kind | None] = [None] * len(rules.units)
        self.steps = 0
        rigid = [any(rivals_of(g) for g in p.groups) for p in self.profiles]
        self.rigid = rigid
        self.rank = sorted(
            range(n_classes),
            key=lambda k: (
                # people in two rival groups last: wherever they go, both groups are shut out
                self.alone[k],
                not self.profiles[k].needs,
                -len(self.profiles[k].needs),
                not rigid[k],
                -size[k],
                sorted(self.profiles[k].groups),
                self.profiles[k].cats,
                sorted(self.profiles[k].needs),
            ),
        )
        self.position = {k: i for i, k in enumerate(self.rank)}
        # cells where each class lives now, first (keeps people in place when re-planning)
        self.room_order = [
            sorted(self.live, key=lambda c: -counts.get(c, 0)) if counts else self.live
            for counts in self.pref_counts
        ]

    def levels(self) -> list[float]:
        found: set[float] = set()
        zero_std = False
        for c in self.live:
            std = self.rules.std[c]
            if std > 0:
                found.update(o / std for o in range(1, self.limits[c] + 1))
            else:
                zero_std = True
        if zero_std:
            found.add(math.inf)
        return sorted(found) or [0.0]

    def best(self) -> _CountPlan:
        """The lowest level at which the greedy places as many people as it can at all."""
        levels = self.levels()
        top = self.evaluate(levels[-1], pour=False)
        target = top.placed
        lo, hi = 0, len(levels) - 1
        best = top
        while lo < hi:
            mid = (lo + hi) // 2
            plan = self.evaluate(levels[mid], pour=False)
            if plan.placed >= target:
                hi, best = mid, plan
            else:
                lo = mid + 1
        poured = self.evaluate(best.level, pour=True)
        return poured if poured.placed >= best.placed else best

    def relabel(self, plan: _CountPlan) -> _CountPlan:
        """Fewer moves for the same plan: cells alike (same ceiling, size, attributes, unit
        kind) swap their planned contents so that each content lands where most of its people
        already live (a greedy maximum-overlap matching)."""
        rules = self.rules
        n_cells = len(rules.cells)
        content = [dict(plan.kept[c]) for c in range(n_cells)]
        for c in range(n_cells):
            for k, n in plan.added[c].items():
                if n:
                    content[c][k] = content[c].get(k, 0) + n
        for c in range(n_cells):
            content[c] = {k: n for k, n in content[c].items() if n}
        current: list[dict[int, int]] = [{} for _ in range(n_cells)]
        for k, counts in enumerate(self.pref_counts):
            for c, n in counts.items():
                current[c][k] = n
        unit_kind: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        for u, cells in enumerate(rules.unit_cells):
            values: set[str] = set()
            groups: set[str] = set()
            for c in cells:
                for k in content[c]:
                    values.update(
                        f"{r}:{v}"
                        for r, v in enumerate(self.profiles[k].cats)
                        if rules.separate[r][1] != "cell"
                    )
                    groups.update(self.unit_label[k][1])
            unit_kind[u] = (frozenset(values), frozenset(groups))
        alike: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for c in self.live:
            if self.base.load[c]:
                continue  # a cell holding pinned people keeps its content
            key = (
                plan.caps[c],
                self.limits[c],
                rules.std[c],
                rules.cells[c].attributes,
                unit_kind[rules.unit_of[c]],
            )
            alike[key].append(c)

        def moves(target: Mapping[int, int], c: int) -> int:
            return sum(max(0, n - target.get(k, 0)) for k, n in current[c].items())

        changed = False
        final = list(content)
        for cells in alike.values():
            if len(cells) < 2:
                continue
            by_class: dict[int, list[int]] = defaultdict(list)
            for c in cells:
                for k in current[c]:
                    by_class[k].append(c)
            overlap: dict[tuple[int, int], int] = defaultdict(int)
            for t in cells:  # content of cell t, put into cell c
                for k, n in content[t].items():
                    for c in by_class.get(k, ()):
                        overlap[(t, c)] += min(n, current[c][k])
            pairs = sorted(overlap.items(), key=lambda item: (-item[1], item[0]))
            taken_t: set[int] = set()
            taken_c: set[int] = set()
            match: dict[int, int] = {}
            for (t, c), _value in pairs:
                if t not in taken_t and c not in taken_c:
                    match[c] = t
                    taken_t.add(t)
                    taken_c.add(c)
            rest_t = [t for t in cells if t not in taken_t]
            rest_c = [c for c in cells if c not in taken_c]
            match.update(zip(rest_c, rest_t, strict=True))
            before = sum(moves(content[c], c) for c in cells)
            after = sum(moves(content[match[c]], c) for c in cells)
            if after < before:
                changed = True
                for c in cells:
                    final[c] = content[match[c]]
        if not changed:
            return plan
        kept: list[dict[int, int]] = [{} for _ in range(n_cells)]
        added: list[dict[int, int]] = [{} for _ in range(n_cells)]
        for c in range(n_cells):
            for k, n in final[c].items():
                stay = min(n, self.kept_counts[c].get(k, 0))
                if stay:
                    kept[c][k] = stay
                if n - stay:
                    added[c][k] = n - stay
        return _CountPlan(plan.level, plan.caps, kept, added, plan.placed)

    def evaluate(self, level: float, *, pour: bool) -> _CountPlan:
        plan = self._evaluate(level, pour=pour, convert=True)
        if plan.placed < self.total:
            plain = self._evaluate(level, pour=pour, convert=False)
            if plain.placed > plan.placed:
                return plain
        return plan

    def _evaluate(self, level: float, *, pour: bool, convert: bool) -> _CountPlan:
        rules = self.rules
        caps = _caps(rules, self.limits, self.live, level)
        state = self.base.copy(people=False)
        kept = [dict(d) for d in self.kept_counts]
        added: list[dict[int, int]] = [{} for _ in rules.cells]
        demand = list(self.demand_counts)
        for c, per_class in enumerate(kept):
            for k, n in per_class.items():
                state.add(self.profiles[k], c, n)
        # people kept in a cell now over the level's ceiling: the most flexible leave first
        for c, per_class in enumerate(kept):
            excess = state.load[c] - caps[c]
            if excess <= 0 or not per_class:
                continue
            for k in sorted(per_class, key=lambda k: -self.position[k]):
                take = min(excess, per_class[k])
                if take:
                    per_class[k] -= take
                    state.remove(self.profiles[k], c, take)
                    demand[k] += take
                    excess -= take
                if not excess:
                    break
        self._label_units(state, caps, demand)
        self.steps = 4 * len(self.live) + 16  # a backstop on conversions and displacements
        queue = [(self.position[k], k) for k in range(len(self.profiles)) if demand[k]]
        heapq.heapify(queue)
        converted: set[int] = set()
        while queue:
            _pos, k = heapq.heappop(queue)
            if not demand[k]:
                continue
            demand[k] = self._place_class(
                k, demand, state, caps, kept, added, pour, converted if convert else None, queue
            )
        placed = self.total - sum(demand)
        return _CountPlan(level, caps, kept, added, placed)

    def hosts(self, state: _State, k: int, c: int) -> bool:
        return self._hosts(state, k, c)

    def _hosts(self, state: _State, k: int, c: int) -> bool:
        return not _profile_refusals(self.rules, state, self.profiles[k], c, first_only=True)

    def _place_class(
        self,
        k: int,
        demand: list[int],
        state: _State,
        caps: list[int],
        kept: list[dict[int, int]],
        added: list[dict[int, int]],
        pour: bool,
        converted: set[int] | None,
        queue: list[tuple[int, int]],
    ) -> int:
        need = demand[k]
        if self.alone[k]:
            return self._place_one_by_one(k, need, state, caps, added)
        rooms: list[int] = []
        total = 0
        for c in self.room_order[k]:
            load = state.load[c]
            if load == 0 or caps[c] <= load or not self._hosts(state, k, c):
                continue
            rooms.append(c)
            total += caps[c] - load
            if not pour and total >= need:
                break
        if total < need:
            for c in self._empty_cells(k, state, caps, demand):
                if total >= need:
                    break
                rooms.append(c)
                total += caps[c]
        if total < need and converted is not None:
            # every room fills up: take them now, so that converting sees the class in place
            need -= self._take(k, self._fill(rooms, state, caps, need), state, added)
            return need - self._convert(
                k, need, state, caps, kept, added, converted, rooms, demand, queue
            )
        amounts = (
            self._pour(rooms, state, caps, need) if pour else self._fill(rooms, state, caps, need)
        )
        return need - self._take(k, amounts, state, added)

    def _take(
        self, k: int, amounts: list[tuple[int, int]], state: _State, added: list[dict[int, int]]
    ) -> int:
        prof = self.profiles[k]
        placed = 0
        for c, n in amounts:
            state.add(prof, c, n)
            added[c][k] = added[c].get(k, 0) + n
            placed += n
        return placed

    def _place_one_by_one(
        self, k: int, need: int, state: _State, caps: list[int], added: list[dict[int, int]]
    ) -> int:
        """People whose own groups are rivals: one per cell (per unit for a unit-scope rivalry),
        and only beside people rivalling none of their groups."""
        prof = self.profiles[k]
        kind = self.unit_label[k]
        for c in self.room_order[k]:
            if not need:
                break
            label = self.labels[self.rules.unit_of[c]]
            if label is not None and not self._accepts(label, kind):
                continue
            if caps[c] > state.load[c] and self._hosts(state, k, c):
                state.add(prof, c)
                added[c][k] = added[c].get(k, 0) + 1
                need -= 1
        return need

    def _accepts(self, label: _Kind, kind: _Kind) -> bool:
        """Whether a unit of kind ``label`` can take people of kind ``kind`` (None in a label:
        the unit mixes values already, or has none: left to the rules)."""
        values, groups = label
        if any(v is not None and v != w for v, w in zip(values, kind[0], strict=True)):
            return False
        rivals = self.rules.unit_rivals
        return not any(h in groups for g in kind[1] for h in rivals.get(g, ()))

    def _label_units(self, state: _State, caps: list[int], demand: list[int]) -> None:
        """Decide which units each kind of people (unit-scoped categories, unit-scope rival
        groups) will use, before any class takes a cell: the kinds bound by a rivalry first,
        then by demand, each taking the units that cover its needs and best fit what it lacks.
        Units already holding people keep their kind."""
        rules = self.rules
        n_units = len(rules.units)
        labels: list[_Kind | None] = [None] * n_units
        self.labels = labels
        if not self.unit_rules and not rules.unit_rivals:
            return  # one kind of people only: nothing to plan
        room = [0] * n_units
        attrs: list[set[str]] = [set() for _ in range(n_units)]
        for c in self.live:
            free = caps[c] - state.load[c]
            if free > 0:
                room[rules.unit_of[c]] += free
                attrs[rules.unit_of[c]].update(rules.cells[c].attributes)
        for u in range(n_units):
            cells = rules.unit_cells[u]
            if any(state.load[c] for c in cells):
                values: list[str | None] = []
                for r in self.unit_rules:
                    counts = state.cats[r][rules.loc[r][cells[0]]]
                    values.append(next(iter(counts)) if len(counts) == 1 else None)
                groups = frozenset(g for g in state.unit_groups[u] if g in rules.unit_rivals)
                labels[u] = (tuple(values), groups)
        wanted: dict[_Kind, int] = defaultdict(int)
        needs: dict[_Kind, set[str]] = defaultdict(set)
        for k, d in enumerate(demand):
            if d:
                wanted[self.unit_label[k]] += d
                needs[self.unit_label[k]].update(self.profiles[k].needs)
        # a facility-scope category admits one value: the one there, or the most wanted
        for i, r in enumerate(self.unit_rules):
            if rules.separate[r][1] != "facility":
                continue
            present = state.cats[r][0]
            if len(present) == 1:
                value: str | None = next(iter(present))
            else:
                by_value: dict[str | None, int] = defaultdict(int)
                for kind, d in wanted.items():
                    by_value[kind[0][i]] += d
                value = max(sorted(by_value, key=str), key=lambda v: by_value[v], default=None)
            wanted = defaultdict(int, {kd: d for kd, d in wanted.items() if kd[0][i] == value})
        left = list(room)
        rivals = rules.unit_rivals

        def torn(kind: _Kind) -> bool:  # holds two groups rivals within a unit
            return any(h in kind[1] for g in kind[1] for h in rivals.get(g, ()))

        order = sorted(
            wanted,
            key=lambda kd: (
                torn(kd),
                not kd[1],
                -wanted[kd],
                sorted(kd[1]),
                [str(v) for v in kd[0]],
            ),
        )
        for kind in order:
            rest = wanted[kind]
            covered: set[str] = set()
            for u in range(n_units):
                label = labels[u]
                if label is not None and self._accepts(label, kind) and left[u] and rest:
                    take = min(rest, left[u])
                    left[u] -= take
                    rest -= take
                    covered.update(attrs[u])
            while rest > 0:
                free_units = [u for u in range(n_units) if labels[u] is None and left[u] > 0]
                if not free_units:
                    break
                missing = needs[kind] - covered

                def fit(u: int, rest: int = rest, missing: set[str] = missing) -> tuple[int, ...]:
                    return (
                        0 if missing & attrs[u] else 1,
                        0 if left[u] >= rest else 1,
                        left[u] if left[u] >= rest else -left[u],
                        u,
                    )

                u = min(free_units, key=fit)
                labels[u] = kind
                take = min(rest, left[u])
                left[u] -= take
                rest -= take
                covered.update(attrs[u])

    def _empty_cells(self, k: int, state: _State, caps: list[int], demand: list[int]) -> list[int]:
        """Empty cells class ``k`` could open, best first: where it lives now, in units planned
        for its kind (or holding it), then in units planned for no one — the unit that best fits
        what its kind still needs — cells without attributes others need, the largest."""
        rules = self.rules
        prof = self.profiles[k]
        kind = self.unit_label[k]
        labels = self.labels

        def open_to(c: int) -> bool:
            label = labels[rules.unit_of[c]]
            return label is None or self._accepts(label, kind)

        cand = [
            c
            for c in self.live
            if state.load[c] == 0 and caps[c] > 0 and open_to(c) and self._hosts(state, k, c)
        ]
        if not cand:
            return cand
        label = kind
        label_need = sum(demand[j] for j in range(len(demand)) if self.unit_label[j] == label)
        unit_active: dict[int, bool] = {}
        unit_room: dict[int, int] = defaultdict(int)
        for c in cand:
            u = rules.unit_of[c]
            if u not in unit_active:
                unit_active[u] = labels[u] is not None or any(
                    state.load[x] for x in rules.unit_cells[u]
                )
            unit_room[u] += caps[c]

        def unit_rank(u: int) -> tuple[int, int, int]:
            if unit_active[u]:
                return (0, 0, u)
            room = unit_room[u]
            return (1, room, u) if room >= label_need else (2, -room, u)

        pref = self.pref_counts[k]
        return sorted(
            cand,
            key=lambda c: (
                -pref.get(c, 0),
                unit_rank(rules.unit_of[c]),
                len(rules.cells[c].attributes - prof.needs),
                -caps[c],
                c,
            ),
        )

    def _convert(
        self,
        k: int,
        short: int,
        state: _State,
        caps: list[int],
        kept: list[dict[int, int]],
        added: list[dict[int, int]],
        converted: set[int],
        rooms: list[int],
        demand: list[int],
        queue: list[tuple[int, int]],
    ) -> int:
        """Make room for ``short`` more people of class ``k``, moving the fewest people already
        placed: take over cells now held by classes ``k`` cannot live with, or send flexible
        people out of cells ``k`` can enter, whichever moves fewer. Only when those sent away
        (and everyone still waiting) fit elsewhere; they are queued to be placed again."""
        gained = 0
        compat = self.compat[k]
        while gained < short and self.steps > 0:
            self.steps -= 1
            free = [max(0, caps[c] - state.load[c]) for c in range(len(caps))]
            hosts = _Rows(self, state)
            candidates: list[tuple[int, int, int, int]] = []
            rigid_out: dict[int, int] = {}
            for c in self.live:
                if c in converted or c in rooms or state.load[c] == 0:
                    continue
                moved = evicted = hard = 0
                for j, n in kept[c].items():
                    if n and not compat[j]:
                        moved += n
                        evicted += n
                        hard += n if self.rigid[j] else 0
                for j, n in added[c].items():
                    if n and not compat[j]:
                        evicted += n
                        hard += n if self.rigid[j] else 0
                if not evicted:
                    continue
                room = caps[c] - (state.load[c] - evicted)
                if room > 0:
                    candidates.append((moved, evicted, -room, c))
                    rigid_out[c] = hard
            rest = short - gained
            # a conversion gains min(room, rest) places for `moved` moves; sending flexible
            # people away costs a move per place: convert only when that gains more
            # ties: fewer people of rival-bound classes to re-seat (flexible ones go anywhere)
            candidates.sort(key=lambda m: (m[0] - min(-m[2], rest), rigid_out[m[3]], m[0], m[3]))
            conversion = (k, candidates, kept, added, demand, free, hosts)
            chosen = self._best_conversion(*conversion, rest=rest, any_gain=False)
            if chosen is None:
                made = self._displace(k, rest, state, kept, added, demand, queue, free, hosts)
                gained += made
                if made:
                    continue  # the state moved on: look again
                chosen = self._best_conversion(*conversion, rest=rest, any_gain=True)
                if chosen is None:
                    break
            out = self._evict(chosen, k, state, kept, added)
            if not self._hosts(state, k, chosen):
                self._restore(chosen, out, state, kept, added)
                converted.add(chosen)  # not this one (a unit-scope rule): try others
                continue
            for j, n, _source in out:
                demand[j] += n
                heapq.heappush(queue, (self.position[j], j))
            converted.add(chosen)
            rooms.append(chosen)
            gained += self._take(k, self._fill([chosen], state, caps, short - gained), state, added)
        return gained

    def _best_conversion(
        self,
        k: int,
        candidates: list[tuple[int, int, int, int]],
        kept: list[dict[int, int]],
        added: list[dict[int, int]],
        demand: Sequence[int],
        free: Sequence[int],
        enter: _Rows,
        *,
        rest: int,
        any_gain: bool,
    ) -> int | None:
        """The cell whose take-over gains most places (of the ``rest`` still needed) for the
        moves it costs — its own people and those it sends on — and whose people fit elsewhere;
        only one gaining more places than it moves people unless ``any_gain``."""
        best: tuple[int, int] | None = None
        seen: dict[tuple[tuple[int, int], ...], int | None] = {}
        trials = 0
        for moved, _evicted, neg_room, c in candidates:
            naive = min(-neg_room, rest) - moved
            if best is not None and naive <= best[0]:
                break  # sorted by this bound: nothing further can do better
            if not any_gain and naive <= 0:
                break
            leaving = self._leaving(k, c, kept, added)
            key = tuple(sorted(leaving.items()))
            if key not in seen:  # cells emptied of the same people fare alike
                trials += 1
                if trials > _TRIALS:
                    break
                seen[key] = self._absorbable(k, c, leaving, demand, free, enter, kept, added)
            induced = seen[key]
            if induced is None:
                continue
            gain = naive - induced
            if (any_gain or gain > 0) and (best is None or gain > best[0]):
                best = (gain, c)
        return None if best is None else best[1]

    def _leaving(
        self, k: int, c: int, kept: list[dict[int, int]], added: list[dict[int, int]]
    ) -> dict[int, int]:
        leaving: dict[int, int] = defaultdict(int)
        for table in (kept, added):
            for j, n in table[c].items():
                if n and not self.compat[k][j]:
                    leaving[j] += n
        return leaving

    def _displace(
        self,
        k: int,
        short: int,
        state: _State,
        kept: list[dict[int, int]],
        added: list[dict[int, int]],
        demand: list[int],
        queue: list[tuple[int, int]],
        free: Sequence[int],
        hosts: _Rows,
    ) -> int:
        """Make room for class ``k`` in cells it can enter by sending elsewhere people of other
        classes living there (those planned here first: they have not moved in yet)."""
        compat = self.compat[k]
        after = self.position[k]
        options: list[tuple[int, int, int, int, int]] = []
        for c in self.live:
            if state.load[c] == 0 or not self._hosts(state, k, c):
                continue
            for source, table in ((0, added), (1, kept)):
                for j, n in table[c].items():
                    # only classes later in the order (more flexible): no class sends back
                    # those who sent it away, so this always ends
                    if n and self.position[j] > after and compat[j]:
                        options.append((source, -self.position[j], c, j, n))
        options.sort()
        chosen: list[tuple[int, int, int, int]] = []
        leaving: dict[int, int] = defaultdict(int)
        rest = short
        for source, _pos, c, j, n in options:
            take = min(n, rest)
            chosen.append((source, c, j, take))
            leaving[j] += take
            rest -= take
            if not rest:
                break
        absorbable = (demand, free, hosts, kept, added)
        while chosen and self._absorbable(k, None, leaving, *absorbable) is None:
            half = len(chosen) // 2  # fewer then: drop the dearer half
            for _source, _c, j, take in chosen[half:]:
                leaving[j] -= take
            chosen = chosen[:half]
        made = 0
        prof = self.profiles[k]
        for source, c, j, take in chosen:
            table = added if source == 0 else kept
            table[c][j] -= take
            state.remove(self.profiles[j], c, take)
            demand[j] += take
            heapq.heappush(queue, (self.position[j], j))
            state.add(prof, c, take)
            added[c][k] = added[c].get(k, 0) + take
            made += take
        return made

    def _absorbable(
        self,
        k: int,
        c: int | None,
        leaving: Mapping[int, int],
        demand: Sequence[int],
        free: Sequence[int],
        enter: _Rows,
        kept: Sequence[Mapping[int, int]],
        added: Sequence[Mapping[int, int]],
    ) -> int | None:
        """Whether the people leaving (cell ``c``) and every class still waiting (but ``k``) fit,
        in order, into the room left in cells that would take them — a class short of room may
        send more flexible people (later in the order) out of the cells it can enter: how many
        people already placed that sends away, or None when they do not fit."""
        left = list(free)
        if c is not None:
            left[c] = 0
        need = [(demand[j] if j != k else 0) + leaving.get(j, 0) for j in range(len(demand))]
        sent: dict[tuple[int, int, int], int] = defaultdict(int)
        induced = 0
        # rooms few classes can use go first, leaving shared rooms to the flexible classes
        order = enter.order
        for j in self.rank:
            if not need[j]:
                continue
            row = enter[j]
            for x in order:
                if left[x] and row[x]:
                    take = min(need[j], left[x])
                    left[x] -= take
                    need[j] -= take
                    if not need[j]:
                        break
            if need[j]:
                after = self.position[j]
                for x in order:
                    if x == c or not row[x]:
                        continue
                    for moves, table in ((0, added), (1, kept)):
                        for i, n in table[x].items():
                            if i == k or self.position[i] <= after or not self.compat[j][i]:
                                continue
                            take = min(need[j], n - sent[(x, i, moves)])
                            if take > 0:
                                sent[(x, i, moves)] += take
                                induced += moves * take
                                need[i] += take
                                need[j] -= take
                                if not need[j]:
                                    break
                        if not need[j]:
                            break
                    if not need[j]:
                        break
            if need[j]:
                return None
        return induced

    def _evict(
        self,
        c: int,
        k: int,
        state: _State,
        kept: list[dict[int, int]],
        added: list[dict[int, int]],
    ) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        for source, table in ((0, kept), (1, added)):
            for j, n in list(table[c].items()):
                if n and not self.compat[k][j]:
                    table[c][j] = 0
                    state.remove(self.profiles[j], c, n)
                    out.append((j, n, source))
        return out

    def _restore(
        self,
        c: int,
        out: list[tuple[int, int, int]],
        state: _State,
        kept: list[dict[int, int]],
        added: list[dict[int, int]],
    ) -> None:
        for j, n, source in out:
            table = kept if source == 0 else added
            table[c][j] = table[c].get(j, 0) + n
            state.add(self.profiles[j], c, n)

    @staticmethod
    def _fill(rooms: list[int], state: _State, caps: list[int], need: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for c in rooms:
            if not need:
                break
            n = min(need, caps[c] - state.load[c])
            if n > 0:
                out.append((c, n))
                need -= n
        return out

    def _pour(
        self, rooms: list[int], state: _State, caps: list[int], need: int
    ) -> list[tuple[int, int]]:
        """Water-filling: each person to the room whose crowding after is lowest."""
        rules = self.rules
        load = {c: state.load[c] for c in rooms}
        heap = [
            (rules.ratio(c, load[c] + 1), i, c) for i, c in enumerate(rooms) if caps[c] > load[c]
        ]
        heapq.heapify(heap)
        amounts: dict[int, int] = defaultdict(int)
        while need and heap:
            _r, i, c = heap[0]
            amounts[c] += 1
            load[c] += 1
            need -= 1
            if load[c] < caps[c]:
                heapq.heapreplace(heap, (rules.ratio(c, load[c] + 1), i, c))
            else:
                heapq.heappop(heap)
        return [(c, amounts[c]) for c in rooms if amounts.get(c)]


# --------------------------------------------------------------------------------------------
# From counts to people
# --------------------------------------------------------------------------------------------


@dataclass
class _Result:
    state: _State  # everyone placed: fixed, kept and newly placed
    placed: dict[int, int]  # movable person -> cell position (kept or newly placed)
    unplaced: list[int]
    limits: Sequence[int]
    level: float


def _ok(rules: _Rules, state: _State, pid: int, c: int, limits: Sequence[int]) -> bool:
    return not _person_refusals(rules, state, pid, c, limits, first_only=True)


def _assign(planner: _Planner, plan: _CountPlan) -> _Result:
    """Put individuals into the planned places, checking every rule for each of them."""
    rules = planner.rules
    limits = planner.limits
    state = planner.base.copy()
    placed: dict[int, int] = {}
    extra: dict[int, list[int]] = defaultdict(list)
    for (c, k), pids in sorted(planner.kept_members.items()):
        keep = plan.kept[c].get(k, 0)
        for i, pid in enumerate(pids):
            if i < keep and _ok(rules, state, pid, c, limits):
                state.place(pid, c)
                placed[pid] = c
            else:
                extra[k].append(pid)
    prefer = planner.prefer or {}
    leftovers: list[int] = []
    for k in planner.rank:
        people = planner.members[k] + extra.get(k, [])
        if not people:
            continue
        slots = {c: n for c in planner.live if (n := plan.added[c].get(k, 0)) > 0}
        leftovers.extend(_fill_slots(rules, state, limits, people, slots, prefer, placed))
    # anyone the plan could not seat: any allowed cell within the level, then within capacity
    still: list[int] = []
    hopeless: set[_Profile] = set()  # no cell took one of these: none takes the next
    for pid in sorted(leftovers):
        prof = rules.profile[pid]
        alone = not rules.partners.get(pid)
        if alone and prof in hopeless:
            still.append(pid)
            continue
        target = _best_cell(rules, state, pid, planner.live, plan.caps)
        if target is None:
            target = _best_cell(rules, state, pid, planner.live, limits)
        if target is None:
            still.append(pid)
            if alone:
                hopeless.add(prof)
        else:
            state.place(pid, target)
            placed[pid] = target
    return _Result(state, placed, still, limits, _worst(rules, state))


def _fill_slots(
    rules: _Rules,
    state: _State,
    limits: Sequence[int],
    people: list[int],
    slots: dict[int, int],
    prefer: Mapping[int, int],
    placed: dict[int, int],
) -> list[int]:
    """Seat one class's people into its planned places; returns those it could not seat."""
    if not slots:
        return people
    left = dict(slots)
    rest: list[int] = []
    for pid in people:  # people already living in a planned cell stay there
        c = prefer.get(pid)
        if c is not None and left.get(c, 0) > 0 and _ok(rules, state, pid, c, limits):
            state.place(pid, c)
            placed[pid] = c
            left[c] -= 1
        else:
            rest.append(pid)
    partners = rules.partners
    rest.sort(key=lambda p: (-len(partners.get(p, ())), p))
    cells = sorted(left, key=lambda c: (-left[c], c))
    n = len(cells)
    start = 0
    blocked: list[int] = []
    for pid in rest:
        for step in range(n):
            c = cells[(start + step) % n]
            if left[c] > 0 and _ok(rules, state, pid, c, limits):
                state.place(pid, c)
                placed[pid] = c
                left[c] -= 1
                if partners.get(pid):
                    start = (start + step + 1) % n  # spread people with partners
                elif left[c] == 0:
                    start = (start + step + 1) % n
                break
        else:
            blocked.append(pid)
    unseated: list[int] = []
    for pid in blocked:
        if not _swap_in(rules, state, limits, pid, left, placed, set(slots)):
            unseated.append(pid)
    return unseated


def _swap_in(
    rules: _Rules,
    state: _State,
    limits: Sequence[int],
    pid: int,
    left: dict[int, int],
    placed: dict[int, int],
    cells: set[int],
) -> bool:
    """Seat ``pid`` (kept out of every free place by someone they must be kept apart from) by
    sending a person of the same kind from another planned cell to the free place."""
    prof = rules.profile[pid]
    free = [c for c, n in left.items() if n > 0]
    if not free:
        return False
    budget = 400
    for c1 in sorted(cells):
        for q in [q for q, cq in placed.items() if cq == c1 and rules.profile[q] is prof][:20]:
            budget -= 1
            if budget < 0:
                return False
            state.unplace(q)
            if _ok(rules, state, pid, c1, limits):
                state.place(pid, c1)
                for c2 in free:
                    if c2 != c1 and _ok(rules, state, q, c2, limits):
                        state.place(q, c2)
                        placed[pid], placed[q] = c1, c2
                        left[c2] -= 1
                        return True
                state.unplace(pid)
            state.place(q, c1)
    return False


def _best_cell(
    rules: _Rules, state: _State, pid: int, live: Sequence[int], caps: Sequence[int]
) -> int | None:
    best: tuple[float, int] | None = None
    for c in live:
        if state.load[c] < caps[c] and _ok(rules, state, pid, c, caps):
            key = (rules.ratio(c, state.load[c] + 1), c)
            if best is None or key < best:
                best = key
    return None if best is None else best[1]


def _worst(rules: _Rules, state: _State) -> float:
    worst = 0.0
    for c, load in enumerate(state.load):
        if rules.in_service[c] and load:
            worst = max(worst, rules.ratio(c, load))
    return worst


# --------------------------------------------------------------------------------------------
# Exact search for small instances
# --------------------------------------------------------------------------------------------

_SMALL = 300  # movable people x live cells at or below which the exact search runs
_BUDGET = 20_000  # search nodes per question


class _OutOfBudgetError(Exception):
    pass


def _search(
    rules: _Rules,
    base: _State,
    people: Sequence[int],
    live: Sequence[int],
    caps: Sequence[int],
    prefer: Mapping[int, int],
    need: int,
) -> dict[int, int] | None:
    """A placement of at least ``need`` of ``people`` within ``caps`` (the others left out), or
    None: there is none, or the search ran out of budget."""
    state = base.copy()
    allowed = {p: sum(1 for c in live if _ok(rules, state, p, c, caps)) for p in people}
    order = sorted(people, key=lambda p: (allowed[p], -len(rules.partners.get(p, ())), p))
    # interchangeable neighbours (same profile, no partners, no preferred cell) take cells in
    # non-decreasing order, leaving out last: one of each set of symmetric solutions
    twin = [
        i > 0
        and rules.profile[order[i]] is rules.profile[order[i - 1]]
        and not rules.partners.get(order[i])
        and not rules.partners.get(order[i - 1])
        and order[i] not in prefer
        and order[i - 1] not in prefer
        for i in range(len(order))
    ]
    position = {c: i for i, c in enumerate(live)}
    out = len(live)  # the position of "left out"
    chosen: list[int] = []
    nodes = 0

    def domain(p: int) -> list[int]:
        first = prefer.get(p)
        if first is not None and first in position:
            return [first] + [c for c in live if c != first]
        return list(live)

    def go(i: int, placed: int) -> bool:
        nonlocal nodes
        if placed >= need:
            return True
        if i == len(order) or placed + len(order) - i < need:
            return False
        nodes += 1
        if nodes > _BUDGET:
            raise _OutOfBudgetError
        pid = order[i]
        floor = chosen[i - 1] if twin[i] else -1
        for c in domain(pid):
            if position[c] < floor or not _ok(rules, state, pid, c, caps):
                continue
            state.place(pid, c)
            chosen.append(position[c])
            if go(i + 1, placed + 1):
                return True
            chosen.pop()
            state.unplace(pid)
        chosen.append(out)  # leave this person out
        if go(i + 1, placed):
            return True
        chosen.pop()
        return False

    try:
        if go(0, 0):
            return {p: live[x] for p, x in zip(order, chosen, strict=False) if x != out}
    except _OutOfBudgetError:
        return None
    return None


def _exact(
    rules: _Rules,
    planner: _Planner,
    movable: Sequence[int],
    prefer: Mapping[int, int],
    result: _Result,
) -> _Result:
    """On a small instance, make the plan exactly optimal: place as many people as can be,
    then lower the crowding level while that many still fit (within the search budget)."""
    live = planner.live
    if not movable or len(movable) * max(1, len(live)) > _SMALL:
        return result
    limits = planner.limits
    base = planner.base
    best = result
    count = len(movable) - len(result.unplaced)
    while count < len(movable):  # one more each time: only the last search fails
        found = _search(rules, base, movable, live, limits, prefer, count + 1)
        if found is None:
            break
        best = _result_of(rules, base, found, movable, limits)
        count = len(found)
    levels = [x for x in planner.levels() if x < best.level - 1e-12]
    lo, hi = 0, len(levels)
    while lo < hi:  # the lowest level at which as many still fit
        mid = (lo + hi) // 2
        caps = _caps(rules, limits, live, levels[mid])
        found = _search(rules, base, movable, live, caps, prefer, count)
        if found is None:
            lo = mid + 1
        else:
            best, hi = _result_of(rules, base, found, movable, limits), mid
    return best


def _result_of(
    rules: _Rules,
    base: _State,
    found: Mapping[int, int],
    movable: Sequence[int],
    limits: Sequence[int],
) -> _Result:
    state = base.copy()
    for pid, c in found.items():
        state.place(pid, c)
    left = [p for p in movable if p not in found]
    return _Result(state, dict(found), left, limits, _worst(rules, state))


# --------------------------------------------------------------------------------------------
# Solving and the two modes
# --------------------------------------------------------------------------------------------


def _solve(
    rules: _Rules,
    base: _State,
    kept: Mapping[int, int],
    demand: Sequence[int],
    prefer: Mapping[int, int] | None,
) -> _Result:
    """Place ``demand`` (and keep ``kept`` where they are when the plan allows) around the fixed
    people in ``base``. Within operational capacity first; authorised over-capacity only when
    that leaves people unplaced."""
    movable = sorted(set(kept) | set(demand))
    best: _Result | None = None
    for limits in (rules.limit_op, rules.limit):
        if best is not None and (not best.unplaced or list(limits) == list(rules.limit_op)):
            break
        planner = _Planner(rules, limits, base, kept, demand, prefer)
        plan = planner.best()
        if prefer is not None:
            plan = planner.relabel(plan)
        result = _assign(planner, plan)
        result = _exact(rules, planner, movable, prefer or {}, result)
        if best is None or len(result.unplaced) < len(best.unplaced):
            best = result
    assert best is not None
    return best


def intake(instance: Instance, new_people: Sequence[int]) -> Plan:
    """Place a batch of people around the residents, moving no one.

    People already placed, or named twice, are ignored; unknown ids are reported unplaced.
    Residents who already break a rule stay as they are (reported in ``unresolved``); nobody is
    added to a breach."""
    rules = _Rules(instance)
    current = rules.placements(instance.placements)
    unknown: list[Unplaced] = []
    demand: list[int] = []
    for pid in dict.fromkeys(new_people):
        if pid not in rules.people:
            unknown.append(Unplaced(pid, (Refusal(Code.UNKNOWN_PERSON, {"person": pid}),)))
        elif pid not in current and pid not in instance.placements:
            demand.append(pid)
    base = _state_of(rules, current)
    result = _solve(rules, base, {}, demand, None)
    return _plan(rules, instance, current, base, result, demand, unknown)


def rebalance(instance: Instance) -> Plan:
    """Re-plan everyone, moving as few people as possible.

    People in cells out of service, in breach of a rule (the smaller side of a breach leaves),
    or over a cell's capacity must move; everyone not placed is placed if possible; others move
    only when that places more people or lowers the worst crowding. A valid plan that cannot be
    bettered moves no one. Breaches moving cannot fix (facility scope, nowhere to go) stay and
    are reported in ``unresolved``."""
    rules = _Rules(instance)
    current = rules.placements(instance.placements)
    kept, evicted, pinned = _select_kept(rules, current)
    waiting = [pid for pid in rules.people if pid not in instance.placements]
    plan, level, base = _replan(rules, instance, current, pinned, kept, sorted(evicted + waiting))
    plans = [plan]
    movable = sorted(set(kept) | set(evicted) | set(waiting))
    if plan.unplaced or plan.unresolved or level > _lower_bound(rules, base, len(movable)) + 1e-12:
        plans.append(_replan(rules, instance, current, pinned, {}, movable)[0])
    if not violations(instance, instance.placements):
        plans.append(_unchanged(rules, instance, current, waiting))
    return min(plans, key=lambda p: _objective(rules, current, p))


def _replan(
    rules: _Rules,
    instance: Instance,
    current: Mapping[int, int],
    pinned: Mapping[int, int],
    kept: Mapping[int, int],
    demand: Sequence[int],
) -> tuple[Plan, float, _State]:
    """Solve, and whoever was placed in a cell in service and found no place again stays where
    they were (pinned there, breach and all: rebalance moves people, it never turns them out)."""
    pins, keep, wait = dict(pinned), dict(kept), list(demand)
    considered = sorted(set(keep) | set(wait))
    while True:
        base = _state_of(rules, pins)
        result = _solve(rules, base, keep, wait, current)
        back = {
            p: current[p] for p in result.unplaced if p in current and rules.in_service[current[p]]
        }
        if not back:
            break
        pins.update(back)
        keep = {p: c for p, c in keep.items() if p not in back}
        wait = [p for p in wait if p not in back]
    return _plan(rules, instance, current, base, result, considered, []), result.level, base


def _lower_bound(rules: _Rules, base: _State, total: int) -> float:
    """The crowding level no plan can beat: everyone poured into every cell at once."""
    live = rules.live(rules.limit_op)
    need = total + sum(base.load[c] for c in live)
    lo, hi = 0.0, 1e9
    if sum(rules.limit_op[c] for c in live if rules.std[c] > 0) < need:
        return math.inf
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(min(rules.limit_op[c], mid * rules.std[c]) for c in live) >= need:
            hi = mid
        else:
            lo = mid
    # the first attainable level (an occupancy over a standard capacity) at or above it
    steps = sorted(
        {math.ceil(lo * rules.std[c] - 1e-9) / rules.std[c] for c in live if rules.std[c] > 0}
    )
    for level in steps:
        if sum(_caps(rules, rules.limit_op, live, level)) >= need:
            return level
    return hi


def _objective(
    rules: _Rules, current: Mapping[int, int], plan: Plan
) -> tuple[int, int, int, int, float, int]:
    """Nobody turned out of a cell in service, fewest breaches, most people placed, fewest above
    operational capacity, least crowding, fewest moves."""
    lost = sum(
        1 for u in plan.unplaced if u.person in current and rules.in_service[current[u.person]]
    )
    placed = sum(plan.occupancy.values())
    over = sum(
        max(0, plan.occupancy[cell.id] - rules.limit_op[c]) for c, cell in enumerate(rules.cells)
    )
    return (lost, len(plan.unresolved), -placed, over, round(plan.worst_ratio, 9), len(plan.moves))


def _select_kept(
    rules: _Rules, current: Mapping[int, int]
) -> tuple[dict[int, int], list[int], dict[int, int]]:
    """Who may stay where they are: everyone but those in cells out of service, the smaller
    side of each breach, and those over a cell's capacity. Breaches at facility scope cannot be
    mended by moving: those people are pinned where they are."""
    state = _State(rules)
    kept: dict[int, int] = {}
    pinned: dict[int, int] = {}
    evicted: list[int] = []
    in_unit: dict[tuple[int, _Profile], int] = defaultdict(int)
    in_cell: dict[tuple[int, _Profile], int] = defaultdict(int)
    for pid, c in current.items():
        prof = rules.profile[pid]
        in_unit[(rules.unit_of[c], prof)] += 1
        in_cell[(c, prof)] += 1

    def order(pid: int) -> tuple[int, int, int, int]:
        c = current[pid]
        prof = rules.profile[pid]
        u = rules.unit_of[c]
        return (u, -in_unit[(u, prof)], -in_cell[(c, prof)], pid)

    for pid in sorted(current, key=order):
        c = current[pid]
        if not rules.in_service[c]:
            evicted.append(pid)
            continue
        found = _person_refusals(rules, state, pid, c, rules.limit)
        if not found:
            kept[pid] = c
        elif all(r.params.get("scope") == "facility" for r in found):
            pinned[pid] = c
        else:
            evicted.append(pid)
            continue
        state.place(pid, c)
    return kept, sorted(evicted), pinned


def _plan(
    rules: _Rules,
    instance: Instance,
    current: Mapping[int, int],
    base: _State,
    result: _Result,
    considered: Sequence[int],
    unknown: list[Unplaced],
) -> Plan:
    state = result.state
    cells = rules.cells
    placements: list[tuple[int, int]] = []
    moves: list[Move] = []
    for pid in sorted(result.placed):
        c = result.placed[pid]
        if pid in current:
            if current[pid] != c:
                moves.append(Move(pid, cells[current[pid]].id, cells[c].id))
        else:
            placements.append((pid, cells[c].id))
    missing = sorted(p for p in considered if p not in state.where)
    reasons = _explain(rules, base, state, missing, result.limits)
    unplaced = unknown + [Unplaced(p, reasons[p]) for p in missing]
    shortfall = sum(1 for p in missing if reasons[p] and reasons[p][0].code == Code.NO_ROOM)
    final = {pid: cells[c].id for pid, c in state.where.items()}
    # people ignored by the engine (unknown cells) keep their placements in the record
    return Plan(
        placements=placements,
        moves=moves,
        unplaced=unplaced,
        occupancy={cell.id: state.load[c] for c, cell in enumerate(cells)},
        worst_ratio=_worst(rules, state),
        shortfall=shortfall,
        unresolved=violations(instance, final),
    )


def _unchanged(
    rules: _Rules, instance: Instance, current: Mapping[int, int], unplaced: Sequence[int]
) -> Plan:
    """The current placements as a plan: nobody moves."""
    state = _state_of(rules, current)
    result = _Result(state, dict(current), list(unplaced), rules.limit, _worst(rules, state))
    return _plan(rules, instance, current, _State(rules), result, unplaced, [])


def _explain(
    rules: _Rules,
    base: _State,
    state: _State,
    missing: Sequence[int],
    limits: Sequence[int],
) -> dict[int, tuple[Refusal, ...]]:
    """Why each person is left out: NO_ROOM when some cell's rules would take them (now, or
    had the plan not filled it with people they cannot live with); otherwise every rule that
    shuts them out, counted over the cells."""
    live = [c for c in range(len(rules.cells)) if rules.in_service[c]]
    out: dict[int, tuple[Refusal, ...]] = {}
    if not missing:
        return out
    by_profile: dict[_Profile, tuple[list[list[Refusal]], set[int]]] = {}
    for pid in missing:
        prof = rules.profile[pid]
        if prof not in by_profile:
            final = [_profile_refusals(rules, state, prof, c) for c in live]
            fixed = {
                c for c in live if not _profile_refusals(rules, base, prof, c, first_only=True)
            }
            by_profile[prof] = (final, fixed)
        final, fixed = by_profile[prof]
        na: dict[int, list[Refusal]] = {}
        if rules.partners.get(pid):
            na = {c: _na_refusals(rules, state, pid, c) for c in live}
        roomy = [c for i, c in enumerate(live) if not final[i] and not na.get(c) and limits[c] > 0]
        if not roomy:
            roomy = [c for c in fixed if not na.get(c) and limits[c] > 0]
        if roomy:
            out[pid] = (Refusal(Code.NO_ROOM, {"person": pid, "cells": len(roomy)}),)
            continue
        counted: dict[tuple[str, tuple[tuple[str, str | int], ...]], int] = defaultdict(int)
        for i, c in enumerate(live):
            for refusal in final[i] + na.get(c, []):
                params = tuple(
                    sorted((k, v) for k, v in refusal.params.items() if k not in ("cell", "unit"))
                )
                counted[(refusal.code, params)] += 1
            if limits[c] <= 0:
                counted[(Code.CELL_FULL, (("capacity", 0),))] += 1
        if not live:
            out[pid] = (Refusal(Code.NO_ROOM, {"person": pid, "cells": 0}),)
        else:
            out[pid] = tuple(
                Refusal(code, {**dict(params), "cells": n})
                for (code, params), n in sorted(counted.items())
            )
    return out
