"""Exact backtracking search for small instances, on top of the greedy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from habeas.housing.allocator.assign import _ok, _Result, _worst
from habeas.housing.allocator.planner import _caps, _Planner
from habeas.housing.allocator.rules import _Rules, _State

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
