"""From counts to people: individuals put into their class's places, every rule checked, with
non-associations honoured by choosing among cells or swapping."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from habeas.housing.allocator.planner import _CountPlan, _Planner
from habeas.housing.allocator.rules import _person_refusals, _Profile, _Rules, _State


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
