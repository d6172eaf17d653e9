"""What-if files and profiles as JSON: reading, validating every problem, writing results."""

from __future__ import annotations

import copy
import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from habeas.sentencing.calculator import CalculationRefused, calculate
from habeas.sentencing.files import (
    CalculationFileError,
    default_profile,
    dump_calculation,
    load_profile,
    load_what_if,
    loads_what_if,
    parse_profile,
    parse_what_if,
)
from habeas.sentencing.profile import ExtensionScope, Seriousness, Term

EXAMPLE: dict[str, Any] = {
    "schema": "habeas.sentencing.what-if/1",
    "profile": "el_salvador",
    "remand_days": 0,
    "sentences": [
        {
            "id": "S1",
            "offence": "Agrupaciones ilícitas (CP art. 345)",
            "court": "Tribunal Especializado de Sentencia A, San Salvador",
            "case_reference": "TES-A-112-2023",
            "imposed_on": "2023-05-02",
            "term": {"years": 20},
            "seriousness": "serious",
            "remand_credit_days": 400,
        },
        {
            "id": "S2",
            "offence": "Extorsión agravada",
            "court": "Tribunal Especializado de Sentencia A, San Salvador",
            "case_reference": "TES-A-113-2023",
            "imposed_on": "2023-05-02",
            "term": {"years": 15, "months": 6},
            "seriousness": "serious",
            "consecutive_to": "S1",
        },
    ],
}

SOURCE = Path(__file__).resolve().parents[2] / "src/habeas/sentencing/profiles/el_salvador.json"


def problems_of(body: object) -> list[tuple[str, str]]:
    with pytest.raises(CalculationFileError) as refused:
        parse_what_if(body)
    return refused.value.problems


class TestTheDefaultProfile:
    def test_reads_every_rule_of_el_salvador(self) -> None:
        profile = default_profile()

        assert profile.time_zone == "America/El_Salvador"
        assert profile.max_aggregate_term.at(dt.date(2024, 1, 1)) is not None
        window = profile.judicial_review_window
        assert [p.value for p in window.periods] == [dt.timedelta(hours=72), dt.timedelta(days=15)]
        assert window.periods[1].valid_from == dt.date(2022, 3, 27)
        assert profile.conditional_release_fraction.periods[0].value == Fraction(2, 3)
        serious = profile.provisional_detention_max[Seriousness.SERIOUS]
        assert serious.periods[0].value == Term(months=24)

    def test_marks_unconfirmed_values_as_such(self) -> None:
        profile = default_profile()

        assert profile.max_aggregate_term.periods[0].confirmed is False
        assert all(not e.confirmed for e in profile.provisional_detention_extensions)

    def test_dates_each_extension_and_says_whom_it_reaches(self) -> None:
        extensions = {e.id: e for e in default_profile().provisional_detention_extensions}

        assert extensions["2023-07-group-trials"].condition == "group_trial"
        assert extensions["2023-07-group-trials"].scope is ExtensionScope.DETAINED_WHILE_IN_FORCE
        assert extensions["2025-08-two-years"].addition == Term(years=2)
        assert extensions["2025-08-two-years"].not_beyond == dt.date(2027, 8, 31)

    def test_loads_the_same_profile_from_its_file(self) -> None:
        assert load_profile(SOURCE) == default_profile()


class TestAValidWhatIf:
    def test_computes_from_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "what-if.json"
        path.write_text(json.dumps(EXAMPLE), encoding="utf-8")

        what_if = load_what_if(path)
        calculation = calculate(what_if.sentences, what_if.profile, remand_days=what_if.remand_days)

        # S1 20 years from 2 May 2023: served through 1 May 2043, less 400 days (365 to 1 May
        # 2042, 35 more) = 27 Mar 2042. S2 15 years 6 months from 28 Mar 2042: E = 28 Sep 2057;
        # last day 27 Sep 2057; release 28 Sep 2057. Within 60 years.
        assert what_if.sentences[1].consecutive_to == "S1"
        assert calculation.release_date == dt.date(2057, 9, 28)
        assert calculation.nominal_term == Term(years=35, months=6)

    def test_writes_the_result_as_json_with_its_explanation(self) -> None:
        what_if = parse_what_if(EXAMPLE)
        calculation = calculate(what_if.sentences, what_if.profile)

        written = json.loads(dump_calculation(calculation))

        assert written["schema"] == "habeas.sentencing.calculation/1"
        assert written["release_date"] == "2057-09-28"
        assert written["conditional_release_fraction"] == "2/3"
        assert written["runs"][0]["remand_credit_days"] == 400
        assert written["steps"][4]["code"] == "SENTENCE_RUNS"
        assert len(written["explanation_en"]) == len(written["steps"])

    def test_writes_a_refusal_as_json(self) -> None:
        body = copy.deepcopy(EXAMPLE)
        body["sentences"][0]["consecutive_to"] = "S2"
        what_if = parse_what_if(body)

        with pytest.raises(CalculationRefused) as refused:
            calculate(what_if.sentences, what_if.profile)
        written = json.loads(dump_calculation(refused.value))

        assert written["refused"]["code"] == "CONSECUTIVE_CYCLE"
        assert written["refused"]["field"] == "sentences[0].consecutive_to"
        assert written["refused"]["message_en"].startswith("Sentences are consecutive")

    def test_uses_the_default_profile_when_none_is_named(self) -> None:
        body = {k: v for k, v in EXAMPLE.items() if k != "profile"}

        assert parse_what_if(body).profile == default_profile()

    def test_takes_a_profile_that_overrides_a_rule_of_el_salvador(self) -> None:
        body = copy.deepcopy(EXAMPLE)
        body["profile"] = {
            "extends": "el_salvador",
            "rules": {
                "max_aggregate_term": [
                    {
                        "valid_from": "1998-04-20",
                        "valid_until": None,
                        "value": {"years": 30},
                        "source": "Hypothetical cap",
                    }
                ]
            },
        }

        what_if = parse_what_if(body)
        calculation = calculate(what_if.sentences, what_if.profile)

        assert calculation.cap == Term(years=30)
        assert calculation.capped


class TestAnInvalidWhatIf:
    def test_reports_every_problem_with_its_path(self) -> None:
        body = copy.deepcopy(EXAMPLE)
        body["remand_days"] = -3
        body["colour"] = "blue"
        body["sentences"][0]["term"] = {"years": 2.5}
        body["sentences"][0]["imposed_on"] = "02/05/2023"
        body["sentences"][1]["seriousness"] = "grave"
        body["sentences"][1]["consecutive_to"] = "S9"
        body["sentences"].append({"id": "S1", "imposed_on": "2023-02-30", "term": {}})

        assert problems_of(body) == [
            ("$.colour", "is not a known field"),
            ("$.remand_days", "must not be negative"),
            ("$.sentences[0].imposed_on", "must be a date as YYYY-MM-DD"),
            ("$.sentences[0].term.years", "must be a whole number"),
            ("$.sentences[1].seriousness", "must be one of: serious, less_serious"),
            ("$.sentences[2].seriousness", "is required"),
            ("$.sentences[2].imposed_on", "is not a calendar date: 2023-02-30"),
            ("$.sentences[2].term", "must not be zero"),
            ("$.sentences[1].consecutive_to", "names no sentence in this file: S9"),
        ]

    def test_reports_a_repeated_id_and_a_sentence_consecutive_to_itself(self) -> None:
        body = copy.deepcopy(EXAMPLE)
        body["sentences"][1]["id"] = "S1"

        assert problems_of(body) == [
            ("$.sentences[1].id", "repeats the id of $.sentences[0]"),
            ("$.sentences[1].consecutive_to", "names the sentence itself"),
        ]

    def test_reports_a_missing_schema_and_no_sentences(self) -> None:
        assert problems_of({"sentences": []}) == [
            ("$.schema", "is required"),
            ("$.sentences", "must be a non-empty list"),
        ]

    def test_reports_text_that_is_not_json_with_its_line(self) -> None:
        with pytest.raises(CalculationFileError) as refused:
            loads_what_if('{"schema": "habeas.sentencing.what-if/1",\n "sentences": [}')

        assert refused.value.problems == [
            ("$", "is not valid JSON: Expecting value at line 2 column 16")
        ]

    def test_reports_every_problem_of_an_inline_profile(self) -> None:
        body = copy.deepcopy(EXAMPLE)
        body["profile"] = {
            "extends": "el_salvador",
            "time_zone": "Mars/Olympus",
            "rules": {
                "conditional_release_fraction": [
                    {"valid_from": "2000-01-01", "valid_until": None, "value": 0.66, "source": "x"}
                ],
                "judicial_review_window": [
                    {
                        "valid_from": "2000-01-01",
                        "valid_until": "2010-12-31",
                        "value": {"hours": 72, "days": 3},
                        "source": "x",
                    },
                    {
                        "valid_from": "2010-01-01",
                        "valid_until": None,
                        "value": {"hours": 72},
                        "source": "x",
                    },
                ],
                "release_day": [
                    {
                        "valid_from": "2000-01-01",
                        "valid_until": "1999-01-01",
                        "value": "whenever",
                        "source": "",
                    }
                ],
            },
        }

        assert problems_of(body) == [
            ("$.profile.time_zone", "is not a known time zone: Mars/Olympus"),
            (
                "$.profile.rules.conditional_release_fraction[0].value",
                'must be a fraction written as a string, e.g. "2/3"',
            ),
            (
                "$.profile.rules.release_day[0].value",
                "must be one of: last_day_served, day_after_last_day_served",
            ),
            ("$.profile.rules.release_day[0].source", "must not be empty"),
            ("$.profile.rules.release_day[0].valid_until", "is before valid_from"),
            (
                "$.profile.rules.judicial_review_window[0].value",
                'must give exactly one of "hours" or "days"',
            ),
        ]

    def test_reports_overlapping_periods_of_a_rule(self) -> None:
        raw = json.loads(SOURCE.read_text(encoding="utf-8"))
        raw["rules"]["judicial_review_window"][0]["valid_until"] = "2022-04-30"

        with pytest.raises(CalculationFileError) as refused:
            parse_profile(raw)

        assert refused.value.problems == [
            (
                "$.rules.judicial_review_window",
                "periods from 1983-12-20 and from 2022-03-27 overlap",
            )
        ]

    @pytest.mark.parametrize(
        ("fraction", "reason"),
        [
            ("0/3", "must be more than 0 and at most 1"),
            ("3/2", "must be more than 0 and at most 1"),
            ("2/0", "has a zero denominator"),
            ("two thirds", "must be a fraction such as \"2/3\", not 'two thirds'"),
        ],
    )
    def test_refuses_a_fraction_that_is_not_a_proper_one(self, fraction: str, reason: str) -> None:
        raw = json.loads(SOURCE.read_text(encoding="utf-8"))
        raw["rules"]["conditional_release_fraction"][0]["value"] = fraction

        with pytest.raises(CalculationFileError) as refused:
            parse_profile(raw)

        assert refused.value.problems == [("$.rules.conditional_release_fraction[0].value", reason)]

    def test_refuses_a_profile_name_it_does_not_ship(self) -> None:
        body = copy.deepcopy(EXAMPLE)
        body["profile"] = "guatemala"

        assert problems_of(body) == [("$.profile", "must name a built-in profile (el_salvador)")]
