"""Benchmark: the pure allocation engine against a CP-SAT count model on a CECOT-sized estate.

    .venv/bin/python bench/allocation.py [--seed N] [--people N] [--cp-sat-seconds S]

The estate: 8 units x 32 cells of 100 m² (standard capacity 100 / 3.4 = 29), operational capacity
156 (40,000 / 256), 160 bunks. The population: 36,000 men, MS-13 60 %, Barrio 18 Sureños 20 %,
Revolucionarios 15 % (all three rivals of each other at cell scope), 5 % unaffiliated, 70 %
untried, 2,000 random non-associations at cell scope.

Two scenarios, each solved by ``habeas.housing.allocator`` (pure Python) and by OR-Tools CP-SAT:
intake of everyone into the empty estate, then a rebalance of the engine's intake plan after
the 16 cells of one half-module go out of service. Every plan is checked with
``allocator.violations``. Prints a Markdown table and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from habeas.housing import allocator as alloc

GROUPS = (("MS13", 0.60), ("B18S", 0.20), ("B18R", 0.15))
UNITS, CELLS_PER_UNIT = 8, 32


def build_instance(seed: int, people: int, non_associations: int) -> alloc.Instance:
    rng = random.Random(seed)
    cells = tuple(
        alloc.Cell(
            id=u * 100 + i + 1,
            unit=f"M{u + 1}",
            operational_capacity=156,
            standard_capacity=int(100 / 3.4),
            bed_capacity=160,
        )
        for u in range(UNITS)
        for i in range(CELLS_PER_UNIT)
    )
    persons = []
    for pid in range(1, people + 1):
        r = rng.random()
        group = None
        edge = 0.0
        for code, share in GROUPS:
            edge += share
            if r < edge:
                group = code
                break
        persons.append(
            alloc.Person(
                id=pid,
                sex="M",
                age=rng.randint(18, 65),
                status="untried" if rng.random() < 0.70 else "convicted",
                groups=frozenset({group}) if group else frozenset(),
            )
        )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < non_associations:
        a, b = rng.sample(range(1, people + 1), 2)
        pairs.add((min(a, b), max(a, b)))
    rivalries = tuple(
        alloc.Rivalry(a, b, "cell") for i, (a, _s) in enumerate(GROUPS) for b, _t in GROUPS[i + 1 :]
    )
    return alloc.Instance(
        cells=cells,
        people=tuple(persons),
        placements={},
        non_associations=tuple(alloc.NonAssociation(a, b, "cell") for a, b in sorted(pairs)),
        policy=alloc.Policy(rivalries=rivalries),
    )


def out_of_service(instance: alloc.Instance, placements: Mapping[int, int]) -> alloc.Instance:
    """The first half of module 1 (16 cells) out of service, everyone as placed."""
    closed = {cell.id for cell in instance.cells if cell.unit == "M1"}
    closed = set(sorted(closed)[:16])
    cells = tuple(replace(c, in_service=c.id not in closed) for c in instance.cells)
    return replace(instance, cells=cells, placements=dict(placements))


@dataclass
class Row:
    scenario: str
    method: str
    seconds: float
    status: str
    placed: int
    violations: int
    worst_ratio: float
    worst_occupancy: int
    moves: int | str


def judge(
    scenario: str,
    method: str,
    instance: alloc.Instance,
    assignment: Mapping[int, int],
    seconds: float,
    status: str,
    moves: int | str,
) -> Row:
    occupancy: dict[int, int] = defaultdict(int)
    for cid in assignment.values():
        occupancy[cid] += 1
    live = {c.id: c for c in instance.cells if c.in_service}
    worst = max((occupancy[cid] / c.standard_capacity for cid, c in live.items()), default=0.0)
    return Row(
        scenario,
        method,
        seconds,
        status,
        len(assignment),
        len(alloc.violations(instance, assignment)),
        worst,
        max((occupancy[cid] for cid in live), default=0),
        moves,
    )


# ----------------------------------------------------------------------------------------------
# The engine
# ----------------------------------------------------------------------------------------------


def ours_intake(instance: alloc.Instance, repeats: int) -> tuple[dict[int, int], float]:
    times = []
    plan = None
    for _ in range(repeats):
        start = time.perf_counter()
        plan = alloc.intake(instance, [p.id for p in instance.people])
        times.append(time.perf_counter() - start)
    assert plan is not None
    return dict(plan.placements), sorted(times)[len(times) // 2]


def ours_rebalance(instance: alloc.Instance) -> tuple[dict[int, int], float, int]:
    start = time.perf_counter()
    plan = alloc.rebalance(instance)
    seconds = time.perf_counter() - start
    final = dict(instance.placements)
    for move in plan.moves:
        final[move.person] = move.to_cell
    for pid, cid in plan.placements:
        final[pid] = cid
    for unplaced in plan.unplaced:
        final.pop(unplaced.person, None)
    return final, seconds, len(plan.moves)


# ----------------------------------------------------------------------------------------------
# CP-SAT: integer counts per cell x class (family x status), family and status flags per cell
# ----------------------------------------------------------------------------------------------


def classes_of(instance: alloc.Instance) -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for person in instance.people:
        family = min(person.groups) if person.groups else ""
        found[(family, person.status)].append(person.id)
    return dict(sorted(found.items()))


def cp_sat(
    instance: alloc.Instance,
    seconds: float,
    current: Mapping[int, int] | None,
) -> tuple[dict[int, int], float, str, int | str]:
    from ortools.sat.python import cp_model

    classes = classes_of(instance)
    keys = list(classes)
    live = [c for c in instance.cells if c.in_service]
    families = sorted({f for f, _s in keys if f})
    statuses = sorted({s for _f, s in keys})
    rivals = {(r.a, r.b) for r in instance.policy.rivalries} | {
        (r.b, r.a) for r in instance.policy.rivalries
    }
    model = cp_model.CpModel()
    x = {}
    fam = {}
    stat = {}
    occupancy_max = model.NewIntVar(0, max(c.operational_capacity for c in live), "max")
    for cell in live:
        cap = cell.operational_capacity
        for f in families:
            fam[cell.id, f] = model.NewBoolVar(f"f{cell.id}{f}")
        for s in statuses:
            stat[cell.id, s] = model.NewBoolVar(f"s{cell.id}{s}")
        for i, f in enumerate(families):
            for g in families[i + 1 :]:
                if (f, g) in rivals:
                    model.Add(fam[cell.id, f] + fam[cell.id, g] <= 1)
        model.Add(sum(stat[cell.id, s] for s in statuses) <= 1)
        for k in keys:
            var = model.NewIntVar(0, min(cap, len(classes[k])), f"x{cell.id}{k}")
            x[cell.id, k] = var
            family, status = k
            if family:
                model.Add(var <= cap * fam[cell.id, family])
            model.Add(var <= cap * stat[cell.id, status])
        load = sum(x[cell.id, k] for k in keys)
        model.Add(load <= cap)
        # all cells here have one standard capacity: the worst ratio is the largest occupancy
        model.Add(load <= occupancy_max)
    for k in keys:
        model.Add(sum(x[cell.id, k] for cell in live) == len(classes[k]))
    kept_vars = []
    cur: dict[tuple[int, tuple[str, str]], list[int]] = defaultdict(list)
    if current is not None:
        key_of = {pid: k for k, pids in classes.items() for pid in pids}
        for pid, cid in sorted(current.items()):
            cur[cid, key_of[pid]].append(pid)
        for cell in live:
            for k in keys:
                n = len(cur.get((cell.id, k), ()))
                if n:
                    stay = model.NewIntVar(0, n, f"k{cell.id}{k}")
                    model.Add(stay <= x[cell.id, k])
                    kept_vars.append(stay)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, os.cpu_count() or 1)
    solver.parameters.random_seed = 1
    start = time.perf_counter()
    # lexicographic, as the engine: the worst occupancy first, then (rebalance) the fewest moves
    model.Minimize(occupancy_max)
    # a rebalance shares the time: half for the worst occupancy, the rest for the moves
    solver.parameters.max_time_in_seconds = seconds / 2 if kept_vars else seconds
    status = solver.Solve(model)
    name = solver.StatusName(status)
    bound = ""
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and kept_vars:
        model.Add(occupancy_max <= int(solver.Value(occupancy_max)))
        model.ClearObjective()
        model.Maximize(sum(kept_vars))
        solver.parameters.max_time_in_seconds = max(1.0, seconds - (time.perf_counter() - start))
        second = solver.Solve(model)
        name = f"{name} / {solver.StatusName(second)}"
        if second in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            status = second
            # kept people at most this many: moves at least the rest
            bound = f", moves ≥ {len(current or {}) - int(solver.BestObjectiveBound())}"
        else:
            status = second
    elapsed = time.perf_counter() - start
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, elapsed, name, "-"
    counts = {(cid, k): solver.Value(var) for (cid, k), var in x.items() if solver.Value(var) > 0}
    assignment = decode(instance, classes, counts, cur)
    moves: int | str = "-"
    if current is not None:
        moves = sum(1 for pid, cid in current.items() if assignment.get(pid) != cid)
        name += bound
    return assignment, elapsed, name, moves


def decode(
    instance: alloc.Instance,
    classes: Mapping[tuple[str, str], Sequence[int]],
    counts: Mapping[tuple[int, tuple[str, str]], int],
    current: Mapping[tuple[int, tuple[str, str]], Sequence[int]],
) -> dict[int, int]:
    """Individuals into the solver's counts: those already in a cell keep their place while the
    counts allow; the rest go, person by person, to the first cell with a free place of their
    class and none of their non-associates (a cell-scope non-association is honoured when
    possible; the checker counts the rest)."""
    partners: dict[int, set[int]] = defaultdict(set)
    for na in instance.non_associations:
        partners[na.a].add(na.b)
        partners[na.b].add(na.a)
    assignment: dict[int, int] = {}
    members: dict[int, set[int]] = defaultdict(set)
    slots: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for (cid, k), n in counts.items():
        slots[k][cid] = n
    waiting: dict[tuple[str, str], list[int]] = {}
    for k, pids in classes.items():
        staying: set[int] = set()
        for cid in list(slots[k]):
            for pid in current.get((cid, k), ()):
                if slots[k][cid] and not (partners[pid] & members[cid]):
                    assignment[pid] = cid
                    members[cid].add(pid)
                    slots[k][cid] -= 1
                    staying.add(pid)
        waiting[k] = sorted(
            (p for p in pids if p not in staying), key=lambda p: (-len(partners[p]), p)
        )
    for k, pids in waiting.items():
        cells = [cid for cid, n in slots[k].items() if n]
        turn = 0
        for pid in pids:
            chosen = None
            for step in range(len(cells)):
                cid = cells[(turn + step) % len(cells)]
                if slots[k][cid] and not (partners[pid] & members[cid]):
                    chosen = cid
                    turn = (turn + step + 1) % len(cells)
                    break
            if chosen is None:
                chosen = next((cid for cid in cells if slots[k][cid]), None)
            if chosen is None:
                continue
            assignment[pid] = chosen
            members[chosen].add(pid)
            slots[k][chosen] -= 1
    return assignment


# ----------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--people", type=int, default=36_000)
    parser.add_argument("--non-associations", type=int, default=2_000)
    parser.add_argument("--cp-sat-seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-cp-sat", action="store_true")
    args = parser.parse_args(argv)

    instance = build_instance(args.seed, args.people, args.non_associations)
    rows: list[Row] = []
    placements, seconds = ours_intake(instance, args.repeats)
    rows.append(judge("intake", "engine (pure Python)", instance, placements, seconds, "-", "-"))
    if not args.no_cp_sat:
        assignment, seconds, status, _moves = cp_sat(instance, args.cp_sat_seconds, None)
        rows.append(
            judge("intake", "CP-SAT count model", instance, assignment, seconds, status, "-")
        )

    damaged = out_of_service(instance, placements)
    forced = sum(
        1
        for cid in placements.values()
        if not next(c for c in damaged.cells if c.id == cid).in_service
    )
    final, seconds, moves = ours_rebalance(damaged)
    rows.append(judge("rebalance", "engine (pure Python)", damaged, final, seconds, "-", moves))
    if not args.no_cp_sat:
        assignment, seconds, status, cp_moves = cp_sat(damaged, args.cp_sat_seconds, placements)
        rows.append(
            judge("rebalance", "CP-SAT count model", damaged, assignment, seconds, status, cp_moves)
        )

    print(
        f"Estate: {UNITS} units x {CELLS_PER_UNIT} cells, operational capacity 156, standard "
        f"capacity 29, 160 bunks; {args.people} people, {args.non_associations} "
        f"non-associations, seed {args.seed}. Rebalance: 16 cells out of service holding "
        f"{forced} people."
    )
    print()
    print(
        "| scenario | method | seconds | solver status | placed | violations "
        "| worst occupancy / standard | worst occupancy | moves |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.scenario} | {r.method} | {r.seconds:.2f} | {r.status} | {r.placed} | "
            f"{r.violations} | {r.worst_ratio:.3f} | {r.worst_occupancy} | {r.moves} |"
        )
    print()
    print(
        f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
        + ("" if args.no_cp_sat else f", OR-Tools {ortools_version()}")
        + f"; engine time is the median of {args.repeats} runs."
    )


def ortools_version() -> str:
    import ortools

    return str(ortools.__version__)


if __name__ == "__main__":
    main()
