"""Legal deadlines: judicial review, provisional detention, authority expiry, coverage."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from habeas.sentencing.calculator import CalculationRefused, explain_en
from habeas.sentencing.deadlines import (
    AuthorityPeriod,
    DatedDeadline,
    TimedDeadline,
    authorities_covering,
    authority_expiry,
    is_covered,
    judicial_review_due,
    overdue,
    provisional_detention_maximum,
    uncovered_spans,
)
from habeas.sentencing.files import default_profile
from habeas.sentencing.profile import Seriousness, Term

UTC = dt.UTC
SV = ZoneInfo("America/El_Salvador")


def at(*parts: int, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=tz)  # type: ignore[arg-type,misc]  # varargs of ints


class TestJudicialReviewDue:
    def test_allows_72_hours_before_the_state_of_exception(self) -> None:
        deadline = judicial_review_due(
            detained_at=at(2021, 5, 4, 9, 15, tz=SV), profile=default_profile()
        )

        assert deadline.due == at(2021, 5, 7, 15, 15)
        assert deadline.due.tzinfo is UTC

    def test_allows_15_days_under_the_state_of_exception_and_cites_it(self) -> None:
        deadline = judicial_review_due(
            detained_at=at(2023, 2, 24, 12, 0), profile=default_profile()
        )

        assert deadline.due == at(2023, 3, 11, 12, 0)
        assert "DL 333" in str(deadline.steps[0].params["source"])
        assert deadline.steps[0].params["confirmed"] is False
        assert explain_en(deadline.steps)[1] == (
            "Must be brought before a judge by 2023-03-11T12:00:00+00:00."
        )

    def test_refuses_a_moment_without_a_time_zone(self) -> None:
        with pytest.raises(CalculationRefused) as refused:
            judicial_review_due(detained_at=dt.datetime(2023, 2, 24, 12), profile=default_profile())  # noqa: DTZ001 - the naive moment is the point

        assert (refused.value.code, refused.value.field) == ("NAIVE_DATETIME", "detained_at")

    def test_refuses_a_moment_before_the_profile_has_a_rule(self) -> None:
        with pytest.raises(CalculationRefused) as refused:
            judicial_review_due(detained_at=at(1980, 1, 1, 0, 0), profile=default_profile())

        assert refused.value.code == "PROFILE_NO_PERIOD"
        assert refused.value.message_params["rule"] == "judicial_review_window"


class TestProvisionalDetentionMaximum:
    def test_gives_12_months_for_a_less_serious_offence_before_any_extension(self) -> None:
        deadline = provisional_detention_maximum(
            detained_on=dt.date(2019, 1, 31),
            seriousness=Seriousness.LESS_SERIOUS,
            profile=default_profile(),
        )

        assert deadline.last_day == dt.date(2020, 1, 30)
        assert deadline.kind == "provisional_detention"
        assert deadline.steps[-1].code == "PROVISIONAL_LAST_DAY"

    def test_explains_each_extension_it_applies_or_not(self) -> None:
        deadline = provisional_detention_maximum(
            detained_on=dt.date(2024, 5, 10),
            seriousness=Seriousness.SERIOUS,
            profile=default_profile(),
        )

        assert [step.code for step in deadline.steps] == [
            "PROVISIONAL_MAXIMUM",
            "PROVISIONAL_EXTENSION_NOT_APPLICABLE",
            "PROVISIONAL_EXTENSION_APPLIED",
            "PROVISIONAL_EXTENSION_LIMITED",
            "PROVISIONAL_EXTENSION_NOT_APPLICABLE",
            "PROVISIONAL_LAST_DAY",
        ]
        assert explain_en(deadline.steps)[-1] == (
            "Last lawful day of provisional detention: 2027-08-31."
        )


class TestAuthorityExpiry:
    def test_ends_a_term_on_the_day_before_the_same_date(self) -> None:
        deadline = authority_expiry(
            valid_from=dt.date(2024, 3, 1), term=Term(days=90), time_zone="America/El_Salvador"
        )

        assert deadline.last_day == dt.date(2024, 5, 29)

    def test_takes_the_earlier_of_a_term_and_an_end_date(self) -> None:
        deadline = authority_expiry(
            valid_from=dt.date(2024, 3, 1),
            term=Term(months=6),
            valid_until=dt.date(2024, 4, 15),
            time_zone="America/El_Salvador",
        )

        assert deadline.last_day == dt.date(2024, 4, 15)
        assert [s.code for s in deadline.steps] == [
            "AUTHORITY_TERM",
            "AUTHORITY_UNTIL",
            "AUTHORITY_EXPIRES",
        ]

    def test_refuses_an_authority_with_no_end(self) -> None:
        with pytest.raises(CalculationRefused) as refused:
            authority_expiry(valid_from=dt.date(2024, 3, 1), time_zone="America/El_Salvador")

        assert refused.value.code == "AUTHORITY_NO_END"


class TestOverdue:
    def deadline_at(self, due: dt.datetime) -> TimedDeadline:
        return TimedDeadline(kind="judicial_review", due=due, steps=())

    def test_is_not_overdue_up_to_the_moment_due(self) -> None:
        assert overdue(self.deadline_at(at(2024, 1, 1, 12, 0)), at(2024, 1, 1, 12, 0)) == 0

    def test_counts_a_started_day_as_a_day_overdue(self) -> None:
        deadline = self.deadline_at(at(2024, 1, 1, 12, 0))

        assert overdue(deadline, at(2024, 1, 1, 12, 1)) == 1
        assert overdue(deadline, at(2024, 1, 2, 12, 0)) == 1
        assert overdue(deadline, at(2024, 1, 2, 12, 1)) == 2

    def test_counts_dated_deadlines_in_the_facility_time_zone(self) -> None:
        deadline = DatedDeadline(
            kind="provisional_detention",
            last_day=dt.date(2024, 1, 31),
            time_zone="America/El_Salvador",
            steps=(),
        )

        # 1 Feb 03:00 UTC is still 31 Jan in El Salvador.
        assert overdue(deadline, at(2024, 2, 1, 3, 0)) == 0
        assert overdue(deadline, at(2024, 2, 1, 6, 0)) == 1
        assert overdue(deadline, at(2024, 3, 1, 6, 0)) == 30
        assert deadline.ends_at == at(2024, 2, 1, 6, 0)

    def test_measures_a_state_of_exception_backlog(self) -> None:
        deadline = judicial_review_due(detained_at=at(2022, 4, 1, 15, 0), profile=default_profile())

        # Due 16 Apr 2022 15:00 (1 Apr + 15 days); two years later, 365 + 366 days late.
        assert deadline.due == at(2022, 4, 16, 15, 0)
        assert overdue(deadline, at(2024, 4, 16, 15, 0)) == 731

    @given(st.integers(-10_000, 10_000))
    def test_never_counts_a_negative_number_of_days(self, minutes: int) -> None:
        deadline = self.deadline_at(at(2024, 1, 1, 12, 0))

        days = overdue(deadline, at(2024, 1, 1, 12, 0) + dt.timedelta(minutes=minutes))

        assert days >= 0
        assert (days > 0) == (minutes > 0)


class TestCoverage:
    periods = [
        AuthorityPeriod(
            authority="arrest-warrant", valid_from=at(2024, 1, 1, 6), valid_until=at(2024, 1, 4, 6)
        ),
        AuthorityPeriod(
            authority="provisional-detention-order",
            valid_from=at(2024, 1, 3, 18),
            valid_until=at(2024, 6, 1, 6),
        ),
        AuthorityPeriod(authority="sentence", valid_from=at(2024, 7, 1, 6)),
    ]

    def test_names_every_authority_covering_a_moment(self) -> None:
        assert authorities_covering(self.periods, at(2024, 1, 3, 20)) == [
            "arrest-warrant",
            "provisional-detention-order",
        ]

    def test_covers_from_the_start_and_not_at_the_end(self) -> None:
        assert is_covered(self.periods, at(2024, 1, 1, 6))
        assert not is_covered(self.periods, at(2024, 6, 1, 6))
        assert is_covered(self.periods, at(2030, 1, 1, 0))

    def test_finds_the_gap_between_authorities(self) -> None:
        assert uncovered_spans(self.periods, start=at(2023, 12, 31), end=at(2025, 1, 1)) == [
            (at(2023, 12, 31), at(2024, 1, 1, 6)),
            (at(2024, 6, 1, 6), at(2024, 7, 1, 6)),
        ]

    def test_finds_no_gap_inside_one_authority(self) -> None:
        assert uncovered_spans(self.periods, start=at(2024, 2, 1), end=at(2024, 3, 1)) == []

    def test_refuses_naive_moments(self) -> None:
        with pytest.raises(CalculationRefused):
            is_covered(self.periods, dt.datetime(2024, 2, 1))  # noqa: DTZ001 - the point of the test
