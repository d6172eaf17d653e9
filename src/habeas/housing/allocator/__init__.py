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

The package, by concept: ``model`` (the data in and out), ``rules`` (the rules compiled once per
instance and the state they judge), ``questions`` (one person), ``checker`` (the independent
checker), ``planner`` (the class-level planner), ``assign`` (from counts to people), ``exact``
(exact search for small instances) and ``solve`` (the two modes).
"""

from __future__ import annotations

from habeas.housing.allocator.checker import violations
from habeas.housing.allocator.model import (
    CATEGORIES,
    MANDELA_RULE_11,
    SCOPES,
    Cell,
    CellOption,
    Code,
    Crowd,
    Instance,
    Move,
    NonAssociation,
    Person,
    Plan,
    Policy,
    Refusal,
    Rivalry,
    RivalryScope,
    Scope,
    Unplaced,
)
from habeas.housing.allocator.questions import options, refusals
from habeas.housing.allocator.solve import intake, rebalance

__all__ = [
    "CATEGORIES",
    "MANDELA_RULE_11",
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
    "RivalryScope",
    "Scope",
    "Unplaced",
    "intake",
    "options",
    "rebalance",
    "refusals",
    "violations",
]
