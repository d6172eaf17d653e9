"""Solving and the two modes: :func:`intake` and :func:`rebalance`."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from habeas.housing.allocator.assign import _assign, _Result, _worst
from habeas.housing.allocator.checker import violations
from habeas.housing.allocator.exact import _exact
from habeas.housing.allocator.model import Code, Instance, Move, Plan, Refusal, Unplaced
from habeas.housing.allocator.planner import _caps, _Planner
from habeas.housing.allocator.rules import (
    _na_refusals,
    _person_refusals,
    _Profile,
    _profile_refusals,
    _Rules,
    _State,
    _state_of,
)


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
