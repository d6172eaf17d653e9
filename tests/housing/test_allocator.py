"""The pure allocation engine: each rule, each mode, and properties over random small estates.

No database: the engine takes and returns plain dataclasses. An exact backtracking search written
here (using only ``violations`` as the judge) decides, on small random instances, whether
everyone could be placed; the engine must then place everyone.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from habeas.housing.allocator import (
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
    intake,
    options,
    rebalance,
    refusals,
    violations,
)

MS13, SURENOS, REVOLUCIONARIOS = "MS13", "B18S", "B18R"
GANG_WAR = (
    Rivalry(MS13, SURENOS, "cell"),
    Rivalry(MS13, REVOLUCIONARIOS, "cell"),
    Rivalry(SURENOS, REVOLUCIONARIOS, "cell"),
)


def cell(
    cid: int,
    *,
    unit: str = "A",
    capacity: int = 4,
    standard: int = 4,
    beds: int | None = None,
    in_service: bool = True,
    attributes: Iterable[str] = (),
) -> Cell:
    return Cell(
        id=cid,
        unit=unit,
        operational_capacity=capacity,
        standard_capacity=standard,
        bed_capacity=capacity if beds is None else beds,
        in_service=in_service,
        attributes=frozenset(attributes),
    )


def person(
    pid: int,
    *,
    sex: str = "M",
    age: int = 30,
    status: str = "untried",
    groups: Iterable[str] = (),
    needs: Iterable[str] = (),
) -> Person:
    return Person(pid, sex, age, status, frozenset(groups), frozenset(needs))


def estate(
    cells: Sequence[Cell],
    people: Sequence[Person],
    placements: Mapping[int, int] | None = None,
    *,
    rivalries: Sequence[Rivalry] = GANG_WAR,
    non_associations: Sequence[NonAssociation] = (),
    over_capacity: Mapping[int, int] | None = None,
    separate: tuple[tuple[str, str], ...] | None = None,
) -> Instance:
    policy = Policy(rivalries=tuple(rivalries))
    if separate is not None:
        policy = replace(policy, separate=separate)  # type: ignore[arg-type]
    return Instance(
        cells=tuple(cells),
        people=tuple(people),
        placements=dict(placements or {}),
        non_associations=tuple(non_associations),
        policy=policy,
        over_capacity=dict(over_capacity or {}),
    )


def after(instance: Instance, plan: Plan) -> dict[int, int]:
    """Everyone's cell once the plan is carried out."""
    final = dict(instance.placements)
    final.update(plan.placements)
    for move in plan.moves:
        final[move.person] = move.to_cell
    for left in plan.unplaced:
        final.pop(left.person, None)
    return final


def codes(found: Iterable[Refusal]) -> list[str]:
    return [r.code for r in found]


# ----------------------------------------------------------------------------------------------
# refusals: one person, one cell
# ----------------------------------------------------------------------------------------------


class TestRefusals:
    def test_allows_a_person_into_an_empty_suitable_cell(self) -> None:
        instance = estate([cell(1)], [person(1)])
        assert refusals(instance, 1, 1) == ()

    def test_refuses_a_cell_out_of_service(self) -> None:
        instance = estate([cell(1, in_service=False)], [person(1)])
        assert refusals(instance, 1, 1) == (Refusal(Code.CELL_OUT_OF_SERVICE, {"cell": 1}),)

    def test_refuses_a_cell_at_its_operational_capacity(self) -> None:
        instance = estate([cell(1, capacity=1)], [person(1), person(2)], {2: 1})
        assert refusals(instance, 1, 1) == (
            Refusal(Code.CELL_FULL, {"cell": 1, "occupancy": 1, "capacity": 1}),
        )

    def test_lets_a_full_cell_take_more_up_to_an_authorised_ceiling(self) -> None:
        instance = estate(
            [cell(1, capacity=1, beds=3)], [person(1), person(2)], {2: 1}, over_capacity={1: 2}
        )
        assert refusals(instance, 1, 1) == ()

    def test_never_lets_an_authorised_ceiling_go_beyond_the_bunks(self) -> None:
        instance = estate(
            [cell(1, capacity=1, beds=1)], [person(1), person(2)], {2: 1}, over_capacity={1: 5}
        )
        assert codes(refusals(instance, 1, 1)) == [Code.CELL_FULL]

    def test_refuses_a_cell_holding_a_rival_gang_member(self) -> None:
        instance = estate(
            [cell(1)], [person(1, groups=[MS13]), person(2, groups=[SURENOS])], {2: 1}
        )
        assert refusals(instance, 1, 1) == (
            Refusal(Code.RIVAL_IN_CELL, {"group": MS13, "rival": SURENOS, "cell": 1}),
        )

    def test_refuses_a_rival_anywhere_in_the_unit_for_a_unit_scope_rivalry(self) -> None:
        instance = estate(
            [cell(1, unit="A"), cell(2, unit="A")],
            [person(1, groups=[MS13]), person(2, groups=[SURENOS])],
            {2: 2},
            rivalries=[Rivalry(MS13, SURENOS, "unit")],
        )
        assert refusals(instance, 1, 1) == (
            Refusal(Code.RIVAL_IN_UNIT, {"group": MS13, "rival": SURENOS, "cell": 1, "unit": "A"}),
        )

    def test_allows_members_of_groups_that_are_not_rivals(self) -> None:
        instance = estate([cell(1)], [person(1, groups=[MS13]), person(2, groups=["X"])], {2: 1})
        assert refusals(instance, 1, 1) == ()

    def test_keeps_a_person_in_two_rival_groups_away_from_either_group(self) -> None:
        instance = estate(
            [cell(1), cell(2), cell(3)],
            [person(1, groups=[MS13, SURENOS]), person(2, groups=[SURENOS]), person(3)],
            {2: 2, 3: 3},
        )
        assert codes(refusals(instance, 1, 2)) == [Code.RIVAL_IN_CELL]
        assert refusals(instance, 1, 3) == ()
        assert refusals(instance, 1, 1) == ()

    @pytest.mark.parametrize(("scope", "where"), [("cell", 1), ("unit", 2), ("facility", 3)])
    def test_refuses_a_non_associate_within_its_scope(self, scope: str, where: int) -> None:
        instance = estate(
            [cell(1, unit="A"), cell(2, unit="A"), cell(3, unit="B")],
            [person(1), person(2)],
            {2: where},
            non_associations=[NonAssociation(1, 2, scope)],  # type: ignore[arg-type]
        )
        found = refusals(instance, 1, 1)
        assert [(r.code, r.params["scope"], r.params["other"]) for r in found] == [
            (Code.NON_ASSOCIATION, scope, 2)
        ]

    def test_allows_a_non_associate_beyond_its_scope(self) -> None:
        instance = estate(
            [cell(1, unit="A"), cell(2, unit="B")],
            [person(1), person(2)],
            {2: 2},
            non_associations=[NonAssociation(1, 2, "unit")],
        )
        assert refusals(instance, 1, 1) == ()

    def test_refuses_to_mix_untried_and_convicted_in_a_cell(self) -> None:
        instance = estate([cell(1)], [person(1), person(2, status="convicted")], {2: 1})
        assert refusals(instance, 1, 1) == (
            Refusal(
                Code.CATEGORY_MIX,
                {
                    "category": "status",
                    "scope": "cell",
                    "value": "untried",
                    "other": "convicted",
                    "cell": 1,
                },
            ),
        )

    def test_refuses_a_woman_in_a_unit_holding_men(self) -> None:
        instance = estate([cell(1), cell(2)], [person(1, sex="F"), person(2)], {2: 2})
        assert [
            (r.code, r.params["category"], r.params["scope"]) for r in refusals(instance, 1, 1)
        ] == [(Code.CATEGORY_MIX, "sex", "unit")]

    def test_refuses_a_child_in_a_unit_holding_adults(self) -> None:
        instance = estate([cell(1), cell(2)], [person(1, age=16), person(2, age=40)], {2: 2})
        assert [
            (r.code, r.params["category"], r.params["value"]) for r in refusals(instance, 1, 1)
        ] == [(Code.CATEGORY_MIX, "age_band", "minor")]

    def test_refuses_a_cell_lacking_a_need(self) -> None:
        instance = estate(
            [cell(1, attributes=["near_clinic"])], [person(1, needs=["ground_level"])]
        )
        assert refusals(instance, 1, 1) == (
            Refusal(Code.NEED_NOT_MET, {"need": "ground_level", "cell": 1}),
        )

    def test_allows_a_cell_having_the_need(self) -> None:
        instance = estate(
            [cell(1, attributes=["ground_level"])], [person(1, needs=["ground_level"])]
        )
        assert refusals(instance, 1, 1) == ()

    def test_reports_an_unknown_person_and_an_unknown_cell(self) -> None:
        instance = estate([cell(1)], [person(1)])
        assert refusals(instance, 9, 8) == (
            Refusal(Code.UNKNOWN_PERSON, {"person": 9}),
            Refusal(Code.UNKNOWN_CELL, {"cell": 8}),
        )

    def test_lists_every_reason_at_once(self) -> None:
        instance = estate(
            [cell(1, capacity=1, in_service=False)],
            [
                person(1, groups=[MS13], needs=["ground_level"]),
                person(2, status="convicted", groups=[SURENOS]),
            ],
            {2: 1},
        )
        assert codes(refusals(instance, 1, 1)) == [
            Code.CELL_OUT_OF_SERVICE,
            Code.CELL_FULL,
            Code.RIVAL_IN_CELL,
            Code.CATEGORY_MIX,
            Code.NEED_NOT_MET,
        ]

    def test_ignores_the_persons_own_current_placement(self) -> None:
        instance = estate([cell(1, capacity=1)], [person(1)], {1: 1})
        assert refusals(instance, 1, 1) == ()

    def test_judges_against_the_occupants_given_instead_of_the_placements(self) -> None:
        instance = estate(
            [cell(1), cell(2)], [person(1, groups=[MS13]), person(2, groups=[SURENOS])], {2: 1}
        )
        assert refusals(instance, 1, 1, occupants={2: 2}) == ()


# ----------------------------------------------------------------------------------------------
# intake: place a batch, move no one
# ----------------------------------------------------------------------------------------------


class TestIntake:
    def test_places_everyone_when_there_is_room_and_moves_no_one(self) -> None:
        instance = estate([cell(1), cell(2)], [person(i) for i in range(1, 6)], {1: 1})
        plan = intake(instance, [2, 3, 4, 5])
        assert plan.moves == []
        assert plan.unplaced == []
        assert sorted(pid for pid, _c in plan.placements) == [2, 3, 4, 5]
        assert violations(instance, after(instance, plan)) == []

    def test_refuses_to_exceed_operational_capacity_and_reports_the_shortfall(self) -> None:
        instance = estate([cell(1, capacity=2, beds=6)], [person(i) for i in range(1, 5)])
        plan = intake(instance, [1, 2, 3, 4])
        assert len(plan.placements) == 2
        assert plan.shortfall == 2
        assert {codes(u.reasons)[0] for u in plan.unplaced} == {Code.NO_ROOM}
        assert plan.occupancy == {1: 2}

    def test_fills_an_authorised_ceiling_but_never_beyond_the_bunks(self) -> None:
        instance = estate(
            [cell(1, capacity=2, beds=3)], [person(i) for i in range(1, 6)], over_capacity={1: 4}
        )
        plan = intake(instance, [1, 2, 3, 4, 5])
        assert plan.occupancy == {1: 3}
        assert plan.shortfall == 2

    def test_uses_authorised_over_capacity_only_when_operational_capacity_is_not_enough(
        self,
    ) -> None:
        instance = estate(
            [cell(1, capacity=2, beds=4), cell(2, capacity=2)],
            [person(i) for i in range(1, 5)],
            over_capacity={1: 4},
        )
        plan = intake(instance, [1, 2, 3, 4])
        assert plan.occupancy == {1: 2, 2: 2}

    def test_keeps_rival_gangs_in_separate_cells(self) -> None:
        people = [
            person(1, groups=[MS13]),
            person(2, groups=[SURENOS]),
            person(3, groups=[REVOLUCIONARIOS]),
            person(4, groups=[MS13]),
        ]
        instance = estate([cell(1), cell(2), cell(3)], people)
        plan = intake(instance, [1, 2, 3, 4])
        final = after(instance, plan)
        assert plan.unplaced == []
        assert final[1] == final[4]
        assert len({final[1], final[2], final[3]}) == 3

    def test_keeps_untried_apart_from_convicted(self) -> None:
        people = [
            person(1),
            person(2, status="convicted"),
            person(3),
            person(4, status="convicted"),
        ]
        instance = estate([cell(1, capacity=2), cell(2, capacity=2)], people)
        final = after(instance, intake(instance, [1, 2, 3, 4]))
        assert final[1] == final[3] != final[2] == final[4]

    def test_spreads_people_so_the_most_crowded_cell_is_as_uncrowded_as_possible(self) -> None:
        instance = estate(
            [cell(1, capacity=10, standard=2), cell(2, capacity=10, standard=4)],
            [person(i) for i in range(1, 7)],
        )
        plan = intake(instance, list(range(1, 7)))
        assert plan.occupancy == {1: 2, 2: 4}
        assert plan.worst_ratio == 1.0

    def test_places_a_person_with_a_need_only_in_a_cell_having_it(self) -> None:
        instance = estate(
            [cell(1), cell(2, attributes=["ground_level"])],
            [person(1, needs=["ground_level"]), person(2)],
        )
        final = after(instance, intake(instance, [1, 2]))
        assert final[1] == 2

    def test_reports_a_rule_not_a_shortfall_when_no_cell_could_ever_take_the_person(
        self,
    ) -> None:
        instance = estate([cell(1), cell(2)], [person(1, needs=["near_clinic"])])
        plan = intake(instance, [1])
        assert plan.shortfall == 0
        assert plan.unplaced[0].reasons == (
            Refusal(Code.NEED_NOT_MET, {"need": "near_clinic", "cells": 2}),
        )

    def test_honours_a_cell_scope_non_association(self) -> None:
        instance = estate(
            [cell(1), cell(2)],
            [person(1), person(2)],
            non_associations=[NonAssociation(1, 2, "cell")],
        )
        final = after(instance, intake(instance, [1, 2]))
        assert final[1] != final[2]

    def test_refuses_the_second_of_a_facility_scope_non_association(self) -> None:
        instance = estate(
            [cell(1), cell(2)],
            [person(1), person(2)],
            {1: 1},
            non_associations=[NonAssociation(1, 2, "facility")],
        )
        plan = intake(instance, [2])
        assert plan.shortfall == 0
        assert [u.person for u in plan.unplaced] == [2]
        assert codes(plan.unplaced[0].reasons) == [Code.NON_ASSOCIATION]
        assert plan.unplaced[0].reasons[0].params["scope"] == "facility"

    def test_adds_no_breach_to_residents_already_in_breach_and_reports_theirs(self) -> None:
        people = [
            person(1, groups=[MS13]),
            person(2, groups=[SURENOS]),
            person(3, groups=[MS13]),
            person(4),
        ]
        instance = estate([cell(1), cell(2)], people, {1: 1, 2: 1})
        plan = intake(instance, [3, 4])
        final = after(instance, plan)
        assert final[3] == 2
        assert plan.unresolved == [
            Refusal(Code.RIVAL_IN_CELL, {"group": SURENOS, "rival": MS13, "cell": 1})
        ] or plan.unresolved == [
            Refusal(Code.RIVAL_IN_CELL, {"group": MS13, "rival": SURENOS, "cell": 1})
        ]
        assert violations(instance, final) == plan.unresolved

    def test_leaves_residents_of_a_cell_out_of_service_and_adds_no_one_to_it(self) -> None:
        instance = estate([cell(1, in_service=False), cell(2)], [person(1), person(2)], {1: 1})
        plan = intake(instance, [2])
        assert plan.placements == [(2, 2)]
        assert plan.occupancy == {1: 1, 2: 1}

    def test_reports_unknown_people_and_ignores_people_already_placed(self) -> None:
        instance = estate([cell(1)], [person(1)], {1: 1})
        plan = intake(instance, [1, 7])
        assert plan.placements == []
        assert plan.unplaced[0].person == 7
        assert codes(plan.unplaced[0].reasons) == [Code.UNKNOWN_PERSON]

    def test_uses_a_cell_with_no_floor_area_only_as_a_last_resort(self) -> None:
        instance = estate(
            [cell(1, capacity=1, standard=0), cell(2, capacity=1, standard=2)],
            [person(1), person(2)],
        )
        first = intake(instance, [1])
        assert first.placements == [(1, 2)]
        both = intake(instance, [1, 2])
        assert both.occupancy == {1: 1, 2: 1}
        assert both.worst_ratio == float("inf")


# ----------------------------------------------------------------------------------------------
# rebalance: re-plan everyone with the fewest moves
# ----------------------------------------------------------------------------------------------


class TestRebalance:
    def test_moves_everyone_out_of_cells_out_of_service_and_no_one_else(self) -> None:
        cells = [cell(1, in_service=False), cell(2), cell(3)]
        people = [person(i) for i in range(1, 8)]
        instance = estate(cells, people, {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3})
        plan = rebalance(instance)
        assert sorted(m.person for m in plan.moves) == [1, 2, 3]
        assert all(m.from_cell == 1 for m in plan.moves)
        assert plan.occupancy[1] == 0
        assert violations(instance, after(instance, plan)) == []

    def test_separates_rivals_after_a_new_rivalry_by_moving_the_smaller_side(self) -> None:
        people = [person(1, groups=[MS13]), person(2, groups=[MS13]), person(3, groups=["NEW"])]
        valid = estate([cell(1), cell(2)], people, {1: 1, 2: 1, 3: 1})
        assert violations(valid, valid.placements) == []
        feud = replace(valid, policy=Policy(rivalries=(*GANG_WAR, Rivalry(MS13, "NEW", "cell"))))
        plan = rebalance(feud)
        assert plan.moves == [Move(3, 1, 2)]
        assert plan.unresolved == []

    def test_moves_no_one_when_the_plan_is_valid_and_cannot_be_bettered(self) -> None:
        instance = estate(
            [cell(1), cell(2)], [person(i) for i in range(1, 5)], {1: 1, 2: 1, 3: 2, 4: 2}
        )
        plan = rebalance(instance)
        assert plan.moves == []
        assert plan.placements == []

    def test_places_people_not_yet_placed_without_moving_anyone(self) -> None:
        instance = estate([cell(1), cell(2)], [person(i) for i in range(1, 5)], {1: 1, 2: 2})
        plan = rebalance(instance)
        assert plan.moves == []
        assert sorted(pid for pid, _c in plan.placements) == [3, 4]

    def test_evens_out_a_crowded_cell(self) -> None:
        instance = estate(
            [cell(1), cell(2)], [person(i) for i in range(1, 5)], {1: 1, 2: 1, 3: 1, 4: 1}
        )
        plan = rebalance(instance)
        assert len(plan.moves) == 2
        assert plan.occupancy == {1: 2, 2: 2}

    def test_leaves_someone_in_breach_in_place_when_there_is_nowhere_to_go(self) -> None:
        instance = estate(
            [cell(1, capacity=2), cell(2, capacity=1)],
            [person(1, groups=[MS13]), person(2, groups=[SURENOS]), person(3, status="convicted")],
            {1: 1, 2: 1, 3: 2},
        )
        plan = rebalance(instance)
        assert plan.moves == []
        assert codes(plan.unresolved) == [Code.RIVAL_IN_CELL]

    def test_reports_a_facility_scope_breach_it_cannot_mend(self) -> None:
        instance = estate(
            [cell(1), cell(2)],
            [person(1), person(2)],
            {1: 1, 2: 2},
            non_associations=[NonAssociation(1, 2, "facility")],
        )
        plan = rebalance(instance)
        assert plan.moves == []
        assert codes(plan.unresolved) == [Code.NON_ASSOCIATION]

    def test_leaves_unplaced_those_in_a_closed_cell_when_there_is_no_room(self) -> None:
        instance = estate(
            [cell(1, in_service=False), cell(2, capacity=1)], [person(1), person(2)], {1: 1, 2: 1}
        )
        plan = rebalance(instance)
        assert plan.moves == [Move(1, 1, 2)]
        assert [u.person for u in plan.unplaced] == [2]
        assert plan.shortfall == 1
        assert plan.occupancy == {1: 0, 2: 1}


# ----------------------------------------------------------------------------------------------
# options and violations
# ----------------------------------------------------------------------------------------------


class TestOptions:
    def test_ranks_allowed_cells_emptiest_first_and_explains_each_excluded_cell(self) -> None:
        cells = [cell(1), cell(2), cell(3, in_service=False), cell(4, capacity=1), cell(5)]
        people = [person(1), person(2), person(3), person(4), person(5, status="convicted")]
        instance = estate(cells, people, {2: 1, 3: 1, 4: 4, 5: 5})
        found = options(instance, 1)
        assert found == [
            CellOption(2, 1, 1, 0.25, ()),
            CellOption(1, 2, 3, 0.75, ()),
            CellOption(3, None, 1, 0.25, (Refusal(Code.CELL_OUT_OF_SERVICE, {"cell": 3}),)),
            CellOption(
                4,
                None,
                2,
                0.5,
                (Refusal(Code.CELL_FULL, {"cell": 4, "occupancy": 1, "capacity": 1}),),
            ),
            CellOption(5, None, 2, 0.5, refusals(instance, 1, 5)),
        ]
        assert codes(found[-1].refusals) == [Code.CATEGORY_MIX]

    def test_counts_crowds_as_the_people_they_stand_for(self) -> None:
        cells = [cell(1), cell(2), cell(3, unit="B"), cell(4, unit="B")]
        people = [person(1, groups=[MS13]), person(2), person(3, status="convicted")]
        rivals = [Rivalry(MS13, SURENOS, "cell"), Rivalry(MS13, REVOLUCIONARIOS, "unit")]
        placements = {2: 2, 3: 3}
        everyone = estate(
            cells,
            [*people, person(4, groups=[SURENOS]), person(5), person(6, groups=[REVOLUCIONARIOS])],
            {**placements, 4: 1, 5: 2, 6: 4},
            rivalries=rivals,
            non_associations=[NonAssociation(1, 3, "unit")],
        )
        few = replace(everyone, people=tuple(people), placements=placements)
        crowds = [
            Crowd(1, person(0, groups=[SURENOS]), 1),
            Crowd(2, person(0), 1),
            Crowd(4, person(0, groups=[REVOLUCIONARIOS]), 1),
        ]
        assert options(few, 1, crowds) == options(everyone, 1)
        assert [o.cell for o in options(few, 1, crowds) if o.rank is not None] == [2]

    def test_a_crowd_of_no_one_or_in_an_unknown_cell_changes_nothing(self) -> None:
        instance = estate([cell(1), cell(2)], [person(1)])
        crowds = [Crowd(1, person(0, status="convicted"), 0), Crowd(9, person(0), 3)]
        assert options(instance, 1, crowds) == options(instance, 1)
        with pytest.raises(ValueError, match="crowd of -1"):
            options(instance, 1, [Crowd(1, person(0), -1)])

    def test_refuses_every_cell_to_an_unknown_person(self) -> None:
        instance = estate([cell(1)], [])
        assert options(instance, 5) == [
            CellOption(1, None, 0, 0.0, (Refusal(Code.UNKNOWN_PERSON, {"person": 5}),))
        ]


class TestViolations:
    def test_finds_nothing_in_a_valid_assignment(self) -> None:
        instance = estate([cell(1), cell(2)], [person(1, groups=[MS13]), person(2)])
        assert violations(instance, {1: 1, 2: 1}) == []

    def test_finds_each_kind_of_breach(self) -> None:
        cells = [cell(1, capacity=1), cell(2, in_service=False), cell(3, unit="B")]
        people = [
            person(1, groups=[MS13]),
            person(2, groups=[SURENOS], status="convicted"),
            person(3, needs=["ground_level"]),
            person(4, sex="F"),
            person(5),
        ]
        instance = estate(cells, people, non_associations=[NonAssociation(3, 4, "facility")])
        found = violations(instance, {1: 1, 2: 1, 3: 2, 4: 2, 5: 77, 9: 1})
        assert sorted(codes(found)) == sorted(
            [
                Code.UNKNOWN_PERSON,
                Code.UNKNOWN_CELL,
                Code.CELL_OUT_OF_SERVICE,
                Code.CELL_OUT_OF_SERVICE,
                Code.OVER_CAPACITY,
                Code.NEED_NOT_MET,
                Code.RIVAL_IN_CELL,
                Code.CATEGORY_MIX,
                Code.CATEGORY_MIX,
                Code.NON_ASSOCIATION,
            ]
        )

    def test_a_person_in_two_rival_groups_alone_is_no_breach(self) -> None:
        instance = estate([cell(1)], [person(1, groups=[MS13, SURENOS]), person(2)])
        assert violations(instance, {1: 1, 2: 1}) == []


# ----------------------------------------------------------------------------------------------
# Properties over random small estates
# ----------------------------------------------------------------------------------------------

GROUPS = (MS13, SURENOS, REVOLUCIONARIOS, "X")
NEEDS = ("ground_level", "near_clinic")
SEPARATIONS: tuple[tuple[tuple[str, str], ...], ...] = (
    Policy().separate,
    (("status", "cell"),),
    (("status", "unit"), ("sex", "facility")),
    (),
)


@st.composite
def estates(draw: st.DrawFn) -> Instance:
    cells: list[Cell] = []
    for u in range(draw(st.integers(1, 2))):
        for _ in range(draw(st.integers(1, 3))):
            capacity = draw(st.integers(0, 3))
            cells.append(
                Cell(
                    id=len(cells) + 1,
                    unit=f"U{u}",
                    operational_capacity=capacity,
                    standard_capacity=draw(st.integers(0, 4)),
                    bed_capacity=capacity + draw(st.integers(0, 1)),
                    in_service=draw(st.sampled_from((True, True, True, False))),
                    attributes=draw(st.frozensets(st.sampled_from(NEEDS), max_size=1)),
                )
            )
    people = [
        Person(
            id=100 + i,
            sex=draw(st.sampled_from("MMF")),
            age=draw(st.sampled_from((16, 30, 30))),
            status=draw(st.sampled_from(("untried", "untried", "convicted"))),
            groups=draw(st.frozensets(st.sampled_from(GROUPS), max_size=2)),
            needs=draw(
                st.frozensets(st.sampled_from(NEEDS), max_size=1).filter(
                    lambda s: not s or draw(st.booleans())
                )
            ),
        )
        for i in range(draw(st.integers(0, 6)))
    ]
    pairs = [(a, b) for i, a in enumerate(GROUPS[:3]) for b in GROUPS[i + 1 : 3]]
    rivalries = tuple(
        Rivalry(a, b, draw(st.sampled_from(("cell", "cell", "unit"))))
        for a, b in pairs
        if draw(st.booleans())
    )
    ids = [p.id for p in people]
    nas: list[NonAssociation] = []
    if len(ids) >= 2:
        for a, b in draw(
            st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=3)
        ):
            if a != b:
                nas.append(
                    NonAssociation(a, b, draw(st.sampled_from(("cell", "unit", "facility"))))
                )
    over = {
        c.id: c.bed_capacity
        for c in cells
        if c.bed_capacity > c.operational_capacity and draw(st.booleans())
    }
    return Instance(
        cells=tuple(cells),
        people=tuple(people),
        placements={},
        non_associations=tuple(nas),
        policy=Policy(rivalries=rivalries, separate=draw(st.sampled_from(SEPARATIONS))),  # type: ignore[arg-type]
        over_capacity=over,
    )


def placement_exists(instance: Instance, fixed: Mapping[int, int], people: Sequence[int]) -> bool:
    """An exact search: can ``people`` all be placed, around ``fixed``, breaking no rule?

    Judged only by ``violations`` (which never loses a breach when someone is added, so a
    partial assignment in breach is a dead end). Interchangeable people take cells in order."""
    cells = [c.id for c in instance.cells]
    assignment = dict(fixed)
    partnered = {p for na in instance.non_associations for p in (na.a, na.b)}
    by_id = {p.id: p for p in instance.people}

    def alone(pid: int) -> list[int]:
        return [c for c in cells if not violations(instance, {**assignment, pid: c})]

    allowed = {pid: alone(pid) for pid in people}
    if any(not cs for cs in allowed.values()):
        return False
    order = sorted(people, key=lambda p: (len(allowed[p]), p))

    def same(a: int, b: int) -> bool:
        pa, pb = by_id[a], by_id[b]
        return a not in partnered and b not in partnered and replace(pa, id=0) == replace(pb, id=0)

    def go(i: int, floor: int) -> bool:
        if i == len(order):
            return True
        pid = order[i]
        for c in allowed[pid]:
            if c < floor:
                continue
            assignment[pid] = c
            if not violations(instance, assignment):
                nxt = order[i + 1] if i + 1 < len(order) else None
                if go(i + 1, c if nxt is not None and same(pid, nxt) else 0):
                    return True
            del assignment[pid]
        return False

    return go(0, 0)


def partners(instance: Instance, pid: int) -> set[int]:
    """The people kept apart from ``pid`` by a non-association, at any scope."""
    return {
        na.b if na.a == pid else na.a for na in instance.non_associations if pid in (na.a, na.b)
    }


def as_crowds(
    people: Sequence[Person],
    where: Mapping[int, int],
    *,
    adult_age: int,
    by_band: bool,
    one_each: bool,
) -> list[Crowd]:
    """``people`` as crowds of look-alikes per cell, or one crowd each; ``by_band`` stands each
    for any age on their side of ``adult_age``, as the database adapter does."""

    def looks(p: Person) -> Person:
        age = (adult_age if p.age >= adult_age else adult_age - 1) if by_band else p.age
        return replace(p, id=0, age=age)

    if one_each:
        return [Crowd(where[p.id], looks(p), 1) for p in people]
    counts = Counter((where[p.id], looks(p)) for p in people)
    return [Crowd(c, p, n) for (c, p), n in counts.items()]


def keys(found: Iterable[Refusal]) -> set[tuple[str, object]]:
    """A breach's kind and where it is, leaving out counts that may change."""
    return {
        (r.code, r.params.get("cell", r.params.get("unit", r.params.get("person")))) for r in found
    }


PROPERTY = settings(
    max_examples=int(os.environ.get("HABEAS_ALLOCATOR_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class TestProperties:
    @PROPERTY
    @given(estates(), st.data())
    def test_intake_never_breaks_a_hard_constraint(
        self, instance: Instance, data: st.DataObject
    ) -> None:
        ids = [p.id for p in instance.people]
        first = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
        start = after(instance, intake(instance, first))
        assert violations(instance, start) == []
        resident = replace(instance, placements=start)
        plan = intake(resident, [p for p in ids if p not in start])
        assert plan.moves == []
        assert violations(instance, after(resident, plan)) == []
        assert all(v == start[p] for p, v in after(resident, plan).items() if p in start)

    @PROPERTY
    @given(estates(), st.data())
    def test_intake_places_everyone_whenever_a_placement_of_everyone_exists(
        self, instance: Instance, data: st.DataObject
    ) -> None:
        ids = [p.id for p in instance.people]
        first = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
        start = after(instance, intake(instance, first))
        waiting = [p for p in ids if p not in start]
        resident = replace(instance, placements=start)
        plan = intake(resident, waiting)
        if placement_exists(instance, start, waiting):
            assert plan.unplaced == []
            assert plan.shortfall == 0

    @PROPERTY
    @given(estates())
    def test_rebalance_of_an_intake_plan_moves_no_one(self, instance: Instance) -> None:
        ids = [p.id for p in instance.people]
        first = intake(instance, ids)
        placed = replace(instance, placements=after(instance, first))
        plan = rebalance(placed)
        assert plan.moves == []
        assert plan.placements == []
        assert violations(instance, after(placed, plan)) == []

    @PROPERTY
    @given(estates(), st.data())
    def test_rebalance_after_a_change_places_everyone_whenever_anyone_could(
        self, instance: Instance, data: st.DataObject
    ) -> None:
        ids = [p.id for p in instance.people]
        start = after(instance, intake(instance, ids))
        closed = set(
            data.draw(st.lists(st.sampled_from([c.id for c in instance.cells]), max_size=2))
        )
        feud = data.draw(
            st.lists(
                st.sampled_from([Rivalry(MS13, "X", "cell"), Rivalry(SURENOS, "X", "unit")]),
                max_size=1,
            )
        )
        changed = replace(
            instance,
            cells=tuple(
                replace(c, in_service=c.in_service and c.id not in closed) for c in instance.cells
            ),
            placements=start,
            policy=replace(instance.policy, rivalries=instance.policy.rivalries + tuple(feud)),
        )
        before = violations(changed, start)
        plan = rebalance(changed)
        final = after(changed, plan)
        assert keys(violations(changed, final)) <= keys(before)
        assert all(plan.occupancy[c.id] == 0 for c in changed.cells if not c.in_service)
        if placement_exists(changed, {}, ids):
            assert plan.unplaced == []
            assert violations(changed, final) == []

    @PROPERTY
    @given(estates(), st.data())
    def test_options_agree_with_refusals(self, instance: Instance, data: st.DataObject) -> None:
        assume(instance.people)
        ids = [p.id for p in instance.people]
        placed = replace(instance, placements=after(instance, intake(instance, ids[1:])))
        pid = data.draw(st.sampled_from(ids))
        found = options(placed, pid)
        assert [o.cell for o in sorted(found, key=lambda o: o.cell)] == [
            c.id for c in instance.cells
        ]
        for option in found:
            assert option.refusals == refusals(placed, pid, option.cell)
            assert (option.rank is None) == bool(option.refusals)
        ranked = [o for o in found if o.rank is not None]
        assert [o.rank for o in ranked] == list(range(1, len(ranked) + 1))
        assert [o.ratio_after for o in ranked] == sorted(o.ratio_after for o in ranked)

    @PROPERTY
    @given(estates(), st.data())
    def test_options_with_the_others_as_crowds_are_the_options_over_everyone(
        self, instance: Instance, data: st.DataObject
    ) -> None:
        assume(instance.people)
        # Any placement, breaches included: over capacity, in cells out of service, rivals
        # together; the crowds must count what the people would.
        cell_ids = [c.id for c in instance.cells]
        where: dict[int, int] = {}
        for p in instance.people:
            if (c := data.draw(st.sampled_from([None, *cell_ids]))) is not None:
                where[p.id] = c
        pid = data.draw(st.sampled_from([p.id for p in instance.people]))
        named = {pid} | partners(instance, pid)
        crowds = as_crowds(
            [p for p in instance.people if p.id not in named and p.id in where],
            where,
            adult_age=instance.policy.adult_age,
            by_band=data.draw(st.booleans()),
            one_each=data.draw(st.booleans()),
        )
        few = replace(
            instance,
            people=tuple(p for p in instance.people if p.id in named),
            placements={p: c for p, c in where.items() if p in named},
        )
        everyone = replace(instance, placements=where)
        assert options(few, pid, data.draw(st.permutations(crowds))) == options(everyone, pid)

    @PROPERTY
    @given(estates(), st.data())
    def test_a_placement_refusals_allow_breaks_no_rule_and_a_refused_one_does(
        self, instance: Instance, data: st.DataObject
    ) -> None:
        assume(instance.people)
        ids = [p.id for p in instance.people]
        placed = after(instance, intake(instance, ids[1:]))
        pid = data.draw(st.sampled_from(ids))
        cid = data.draw(st.sampled_from([c.id for c in instance.cells]))
        others = {p: c for p, c in placed.items() if p != pid}
        found = refusals(replace(instance, placements=others), pid, cid)
        breaches = violations(instance, {**others, pid: cid})
        assert (found == ()) == (breaches == [])
