"""The rules, compiled once per instance: profiles, limits, the count-based state, and every
hard rule for one person in one cell (the one implementation all entry points ask)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from habeas.housing.allocator.model import (
    _SCOPE_RANK,
    CATEGORIES,
    Cell,
    Code,
    Crowd,
    Instance,
    Person,
    Refusal,
)


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
