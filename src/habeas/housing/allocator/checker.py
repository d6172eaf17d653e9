"""The independent checker: every hard-rule breach in a complete assignment, written apart from
the planner's checks so that each can test the other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from habeas.housing.allocator.model import Code, Instance, Refusal
from habeas.housing.allocator.rules import _category_value, _Rules


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
