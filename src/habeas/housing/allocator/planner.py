"""The class-level planner: how many people of each compatibility class go to each cell at a
candidate crowding level."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from habeas.housing.allocator.rules import _Profile, _profile_refusals, _Rules, _State


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
