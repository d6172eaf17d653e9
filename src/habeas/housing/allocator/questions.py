"""Questions about one person: why not this cell (:func:`refusals`), and every cell ranked
(:func:`options`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from habeas.housing.allocator.model import CellOption, Code, Crowd, Instance, Refusal
from habeas.housing.allocator.rules import _add_crowds, _person_refusals, _Rules, _state_of


def refusals(
    instance: Instance,
    person_id: int,
    cell_id: int,
    occupants: Mapping[int, int] | None = None,
    crowds: Sequence[Crowd] = (),
) -> tuple[Refusal, ...]:
    """Every hard-rule reason ``person_id`` may not go into ``cell_id``, given the current
    placements (or ``occupants``: person id -> cell id). An empty tuple means allowed.

    The person's own current placement is ignored (they would leave it); capacity counts the
    authorised over-capacity ceiling where there is one. The other residents may come as
    ``crowds``, as for :func:`options` (the same rule about whom they leave out)."""
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
    _add_crowds(rules, state, crowds)
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
