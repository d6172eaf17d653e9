"""Allocation instance and plan files: round trips, and every problem reported with its path."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings

from habeas.core.marks import Message
from habeas.housing.allocator import (
    Cell,
    Code,
    Instance,
    Move,
    NonAssociation,
    Person,
    Plan,
    Policy,
    Refusal,
    Rivalry,
    Unplaced,
    intake,
)
from habeas.housing.instance import (
    INSTANCE_FORMAT,
    InstanceError,
    dump_instance,
    dump_plan,
    load_instance,
    parse_instance,
    parse_plan,
    read_instance,
    write_instance,
    write_plan,
)
from tests.housing.test_allocator import estates

SMALL = Instance(
    cells=(
        Cell(1, "M1", 156, 29, 160, attributes=frozenset({"ground_level"})),
        Cell(2, "M1", 156, 29, 160, in_service=False),
    ),
    people=(
        Person(10, "M", 31, "untried", frozenset({"MS13"})),
        Person(11, "M", 17, "convicted", needs=frozenset({"ground_level"})),
    ),
    placements={10: 1},
    non_associations=(NonAssociation(10, 11, "unit"),),
    policy=Policy(rivalries=(Rivalry("MS13", "B18S", "cell"),), adult_age=18),
    over_capacity={1: 158},
)


def problems_of(document: object) -> list[tuple[str, str]]:
    with pytest.raises(InstanceError) as caught:
        parse_instance(document)
    return caught.value.problems


class TestRoundTrip:
    def test_an_instance_survives_writing_and_reading(self) -> None:
        assert read_instance(write_instance(SMALL)) == SMALL

    def test_an_instance_file_is_read_from_disk(self, tmp_path: Path) -> None:
        path = tmp_path / "estate.json"
        path.write_text(write_instance(SMALL), encoding="utf-8")
        assert load_instance(path) == SMALL

    def test_a_written_instance_names_its_format(self) -> None:
        assert dump_instance(SMALL)["format"] == INSTANCE_FORMAT

    @settings(max_examples=60, deadline=None)
    @given(estates())
    def test_any_instance_survives_writing_and_reading(self, instance: Instance) -> None:
        assert read_instance(write_instance(instance)) == instance

    def test_a_plan_survives_writing_and_reading(self) -> None:
        plan = Plan(
            placements=[(11, 1)],
            moves=[Move(10, 2, 1)],
            unplaced=[Unplaced(12, (Refusal(Code.NO_ROOM, {"person": 12, "cells": 1}),))],
            occupancy={1: 2, 2: 0},
            worst_ratio=2 / 29,
            shortfall=1,
            unresolved=[Refusal(Code.RIVAL_IN_CELL, {"group": "A", "rival": "B", "cell": 1})],
        )
        assert parse_plan(json.loads(write_plan(plan))) == plan

    def test_an_infinite_crowding_is_written_as_null_and_read_back(self) -> None:
        instance = Instance(
            cells=(Cell(1, "A", 1, 0, 1),), people=(Person(1, "M", 30, "x"),), placements={}
        )
        plan = intake(instance, [1])
        assert dump_plan(plan)["worst_ratio"] is None
        assert math.isinf(parse_plan(dump_plan(plan)).worst_ratio)


class TestDefaults:
    def test_fills_optional_fields_with_their_defaults(self) -> None:
        instance = parse_instance(
            {
                "cells": [
                    {
                        "id": 1,
                        "unit": "A",
                        "operational_capacity": 2,
                        "standard_capacity": 2,
                        "bed_capacity": 2,
                    }
                ],
                "people": [{"id": 5, "sex": "F", "age": 40, "status": "convicted"}],
            }
        )
        assert instance == Instance(
            cells=(Cell(1, "A", 2, 2, 2),),
            people=(Person(5, "F", 40, "convicted"),),
            placements={},
        )
        assert instance.policy.separate == Policy().separate


class TestValidation:
    def test_rejects_text_that_is_not_json(self) -> None:
        with pytest.raises(InstanceError) as caught:
            read_instance("{ not json")
        assert caught.value.problems[0][0] == "$"
        assert caught.value.problems[0][1].startswith("not JSON:")

    def test_rejects_a_document_that_is_not_an_object(self) -> None:
        assert problems_of([1, 2]) == [("$", "must be an object, not a list")]

    def test_reports_every_problem_with_its_json_path(self) -> None:
        document = {
            "format": "something/9",
            "cells": [
                {
                    "id": 1,
                    "unit": "A",
                    "operational_capacity": 2,
                    "standard_capacity": 2,
                    "bed_capacity": 3,
                },
                {
                    "id": 1,
                    "unit": "",
                    "operational_capacity": -1,
                    "standard_capacity": "big",
                    "bed_capacity": 2,
                    "in_service": "yes",
                    "attributes": ["ok", 7],
                },
                {
                    "unit": "B",
                    "operational_capacity": 1,
                    "standard_capacity": 1,
                    "bed_capacity": 1,
                    "colour": "blue",
                },
            ],
            "people": [
                {"id": 10, "sex": "M", "age": 30, "status": "untried"},
                {"id": 11, "sex": None, "age": 200, "status": "untried", "groups": "MS13"},
                {"id": 10, "sex": "F", "age": True, "status": "convicted"},
            ],
            "placements": [
                {"person": 10, "cell": 1},
                {"person": 10, "cell": 1},
                {"person": 99, "cell": 42},
            ],
            "non_associations": [
                {"a": 10, "b": 10, "scope": "cell"},
                {"a": 10, "b": 11, "scope": "wing"},
            ],
            "policy": {
                "rivalries": [{"a": "MS13", "b": "MS13", "scope": "cell"}],
                "separate": [{"category": "religion", "scope": "cell"}],
                "adult_age": -1,
            },
            "over_capacity": [
                {"cell": 1, "ceiling": 5},
                {"cell": 1, "ceiling": 1},
            ],
        }
        assert problems_of(document) == [
            ("format", "must be 'habeas.allocation-instance/1', not 'something/9'"),
            ("cells[1].unit", "must be a non-empty string, not the string ''"),
            ("cells[1].operational_capacity", "must be at least 0, not -1"),
            ("cells[1].standard_capacity", "must be a whole number, not the string 'big'"),
            ("cells[1].in_service", "must be true or false, not the string 'yes'"),
            ("cells[1].attributes[1]", "must be a non-empty string, not the number 7"),
            ("cells[2].id", "is required"),
            ("cells[2].colour", "is not a known field"),
            ("cells[1].id", "duplicate cell id 1 (first at cells[0])"),
            ("people[1].sex", "must be a non-empty string, not null"),
            ("people[1].age", "must be at most 150, not 200"),
            ("people[1].groups", "must be a list of strings, not the string 'MS13'"),
            ("people[2].age", "must be a whole number, not a boolean"),
            ("people[2].id", "duplicate person id 10 (first at people[0])"),
            ("placements[1].person", "person 10 is already placed at placements[0]"),
            ("placements[2].person", "no person has id 99"),
            ("placements[2].cell", "no cell has id 42"),
            ("non_associations[0].b", "a person cannot be kept apart from themselves"),
            ("non_associations[1].scope", "must be one of cell, unit, facility, not 'wing'"),
            ("policy.rivalries[0].b", "a group cannot be its own rival"),
            ("policy.separate[0].category", "must be one of status, sex, age_band, not 'religion'"),
            ("policy.adult_age", "must be at least 0, not -1"),
            ("over_capacity[0].ceiling", "must not exceed the bed capacity 3, not 5"),
            ("over_capacity[1].ceiling", "must be at least the operational capacity 2, not 1"),
        ]

    def test_reports_missing_top_level_fields(self) -> None:
        assert problems_of({"cels": []}) == [
            ("cells", "is required"),
            ("people", "is required"),
            ("cels", "is not a known field"),
        ]

    def test_reports_a_duplicate_over_capacity_ceiling(self) -> None:
        document = dump_instance(SMALL)
        document["over_capacity"] = [{"cell": 1, "ceiling": 157}, {"cell": 1, "ceiling": 158}]
        assert problems_of(document) == [("over_capacity[1].cell", "cell 1 already has a ceiling")]

    def test_each_problem_carries_its_marked_template_and_parameters(self) -> None:
        with pytest.raises(InstanceError) as caught:
            parse_instance(
                {"cells": [], "people": [{"id": 1, "sex": "M", "age": -2, "status": None}]}
            )
        age, status = caught.value.marked_problems
        assert (age.path, age.reason.template, dict(age.reason.params)) == (
            "people[0].age",
            "must be at least %(minimum)s, not %(value)s",
            {"minimum": 0, "value": -2},
        )
        kind = status.reason.params["kind"]
        assert isinstance(kind, Message) and kind.template == "null"
        assert caught.value.problems == [
            ("people[0].age", "must be at least 0, not -2"),
            ("people[0].status", "must be a non-empty string, not null"),
        ]

    def test_a_plan_file_names_its_problems_too(self) -> None:
        with pytest.raises(InstanceError) as caught:
            parse_plan(
                {
                    "placements": [{"person": "x", "cell": 1}],
                    "moves": [],
                    "unplaced": [{"person": 1, "reasons": [{"params": {"a": 1.5}}]}],
                    "occupancy": [],
                    "worst_ratio": "high",
                }
            )
        assert caught.value.problems == [
            ("shortfall", "is required"),
            ("placements[0].person", "must be a whole number, not the string 'x'"),
            ("unplaced[0].reasons[0].code", "is required"),
            (
                "unplaced[0].reasons[0].params.a",
                "must be a string or a whole number, not the number 1.5",
            ),
            ("worst_ratio", "must be a number or null, not the string 'high'"),
        ]
