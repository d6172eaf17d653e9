"""Every worked case in worked_cases.py, asserted exactly (see each case's derivation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from habeas.sentencing.calculator import CalculationRefused, calculate
from habeas.sentencing.deadlines import judicial_review_due, provisional_detention_maximum
from habeas.sentencing.files import (
    CalculationFileError,
    calculation_to_dict,
    default_profile,
    parse_what_if,
)
from habeas.sentencing.profile import Seriousness
from tests.sentencing.worked_cases import (
    JUDICIAL_REVIEW_CASES,
    PROVISIONAL_CASES,
    SENTENCE_CASES,
    Case,
)

ALL_CASES = SENTENCE_CASES + JUDICIAL_REVIEW_CASES + PROVISIONAL_CASES


def ids(cases: list[Case]) -> list[str]:
    return [case["id"] for case in cases]


class TestTheTable:
    def test_holds_at_least_forty_cases_each_with_a_derivation(self) -> None:
        assert len(ALL_CASES) >= 40
        assert all(len(case["derivation"]) > 40 for case in ALL_CASES)

    def test_gives_every_case_its_own_name(self) -> None:
        assert len(set(ids(ALL_CASES))) == len(ALL_CASES)


@pytest.mark.parametrize("case", SENTENCE_CASES, ids=ids(SENTENCE_CASES))
def test_sentence_case(case: Case) -> None:
    expect: dict[str, Any] = case["expect"]
    if "file_problems" in expect:
        with pytest.raises(CalculationFileError) as refused_file:
            parse_what_if(case["what_if"])
        assert refused_file.value.problems == [tuple(p) for p in expect["file_problems"]]
        return
    what_if = parse_what_if(case["what_if"])
    if "refused" in expect:
        with pytest.raises(CalculationRefused) as refused:
            calculate(what_if.sentences, what_if.profile, remand_days=what_if.remand_days)
        assert refused.value.code == expect["refused"]
        assert refused.value.field == expect["field"]
        for key, value in expect.get("params", {}).items():
            assert refused.value.message_params[key] == value
        return
    result = calculation_to_dict(
        calculate(what_if.sentences, what_if.profile, remand_days=what_if.remand_days)
    )
    for key, value in expect.items():
        if isinstance(value, dict) and set(value) <= {"years", "months", "days"}:
            value = {"years": 0, "months": 0, "days": 0, **value}
        assert result[key] == value, key


@pytest.mark.parametrize("case", JUDICIAL_REVIEW_CASES, ids=ids(JUDICIAL_REVIEW_CASES))
def test_judicial_review_case(case: Case) -> None:
    deadline = judicial_review_due(
        detained_at=dt.datetime.fromisoformat(case["detained_at"]), profile=default_profile()
    )

    assert deadline.due.isoformat() == case["expect"]["due"]
    assert deadline.steps[0].params["hours"] == case["expect"]["hours"]


@pytest.mark.parametrize("case", PROVISIONAL_CASES, ids=ids(PROVISIONAL_CASES))
def test_provisional_detention_case(case: Case) -> None:
    deadline = provisional_detention_maximum(
        detained_on=dt.date.fromisoformat(case["detained_on"]),
        seriousness=Seriousness(case["seriousness"]),
        profile=default_profile(),
        conditions=frozenset(case["conditions"]),
    )

    assert deadline.last_day.isoformat() == case["expect"]["last_day"]
    reasons = {
        str(step.params["extension"]): step.params["reason"]
        for step in deadline.steps
        if step.code == "PROVISIONAL_EXTENSION_NOT_APPLICABLE"
    }
    for extension, reason in case["expect"].get("not_applicable", {}).items():
        assert reasons[extension] == reason
