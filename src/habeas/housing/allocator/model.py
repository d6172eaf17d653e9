"""The engine's data in and out: cells, people, policies, instances, refusals and plans."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Scope = Literal["cell", "unit", "facility"]


RivalryScope = Literal["cell", "unit"]


SCOPES: tuple[Scope, ...] = ("cell", "unit", "facility")


CATEGORIES: tuple[str, ...] = ("status", "sex", "age_band")


_SCOPE_RANK: dict[str, int] = {"cell": 0, "unit": 1, "facility": 2}


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
