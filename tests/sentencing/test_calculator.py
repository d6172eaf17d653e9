"""The sentence calculator: calendar arithmetic, refusals, explanations, and its properties."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from habeas.sentencing.calculator import (
    REFUSAL_TEMPLATES_EN,
    STEP_TEMPLATES_EN,
    CalculationRefused,
    Sentence,
    add_months,
    add_term,
    calculate,
    explain_en,
    refusal_en,
    term_end,
)
from habeas.sentencing.files import default_profile
from habeas.sentencing.profile import (
    ConditionalReleaseBasis,
    Period,
    Profile,
    ReleaseDay,
    Rule,
    Seriousness,
    Term,
)

D = dt.date
SIXTY_YEARS = Term(years=60)


def always(name: str, value: object) -> Rule[object]:
    return Rule(name, (Period(value, D(1900, 1, 1), None, f"test rule {name}"),))


def a_profile(
    *,
    cap: Term = SIXTY_YEARS,
    fraction: Fraction = Fraction(2, 3),
    basis: ConditionalReleaseBasis = ConditionalReleaseBasis.ENFORCEABLE,
    release_day: ReleaseDay = ReleaseDay.DAY_AFTER_LAST_DAY_SERVED,
) -> Profile:
    return Profile(
        id="test",
        name="Test profile",
        time_zone="America/El_Salvador",
        max_aggregate_term=Rule("max_aggregate_term", (Period(cap, D(1900, 1, 1), None, "cap"),)),
        conditional_release_fraction=Rule(
            "conditional_release_fraction", (Period(fraction, D(1900, 1, 1), None, "fraction"),)
        ),
        conditional_release_basis=Rule(
            "conditional_release_basis", (Period(basis, D(1900, 1, 1), None, "basis"),)
        ),
        release_day=Rule("release_day", (Period(release_day, D(1900, 1, 1), None, "release"),)),
        start_before_imposition_allowed=Rule(
            "start_before_imposition_allowed", (Period(False, D(1900, 1, 1), None, "start"),)
        ),
        judicial_review_window=Rule(
            "judicial_review_window",
            (Period(dt.timedelta(hours=72), D(1900, 1, 1), None, "window"),),
        ),
        provisional_detention_max={
            Seriousness.SERIOUS: Rule(
                "provisional_detention_max.serious",
                (Period(Term(months=24), D(1900, 1, 1), None, "serious"),),
            ),
            Seriousness.LESS_SERIOUS: Rule(
                "provisional_detention_max.less_serious",
                (Period(Term(months=12), D(1900, 1, 1), None, "less serious"),),
            ),
        },
    )


PROFILE = a_profile()


def a_sentence(ident: str = "S1", **fields: object) -> Sentence:
    values: dict[str, object] = {
        "id": ident,
        "term": Term(years=1),
        "imposed_on": D(2024, 1, 15),
        "offence": "Homicidio",
        "court": "Tribunal de Sentencia de San Miguel",
        "case_reference": f"TS-{ident}",
    }
    values.update(fields)
    return Sentence(**values)  # type: ignore[arg-type]


class TestAddMonths:
    def test_clamps_31_january_plus_a_month_to_the_end_of_february(self) -> None:
        assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
        assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)

    def test_keeps_the_day_number_when_the_month_has_it(self) -> None:
        assert add_months(D(2023, 1, 15), 1) == D(2023, 2, 15)
        assert add_months(D(2023, 3, 31), 2) == D(2023, 5, 31)

    def test_adds_a_year_to_29_february_as_28_february(self) -> None:
        assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
        assert add_months(D(2024, 2, 29), 48) == D(2028, 2, 29)

    def test_counts_months_back_across_a_year(self) -> None:
        assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
        assert add_months(D(2024, 1, 10), -13) == D(2022, 12, 10)

    def test_refuses_a_date_beyond_the_calendar(self) -> None:
        with pytest.raises(CalculationRefused) as refused:
            add_months(D(9999, 6, 1), 12)
        assert refused.value.code == "DATE_OUT_OF_RANGE"


class TestAddTerm:
    def test_adds_all_months_at_once_then_the_days(self) -> None:
        assert add_term(D(2024, 2, 29), Term(years=1, months=1)) == D(2025, 3, 29)
        assert add_term(D(2022, 11, 30), Term(years=2, months=3, days=10)) == D(2025, 3, 10)

    def test_ends_a_term_on_the_day_before_the_same_date(self) -> None:
        assert term_end(D(2020, 3, 10), Term(years=1)) == D(2021, 3, 9)
        assert term_end(D(2023, 3, 1), Term(days=1)) == D(2023, 3, 1)


class TestRefusals:
    def refusal(
        self, sentences: list[Sentence], profile: Profile = PROFILE, remand_days: int = 0
    ) -> CalculationRefused:
        with pytest.raises(CalculationRefused) as refused:
            calculate(sentences, profile, remand_days=remand_days)
        return refused.value

    def test_refuses_no_sentences(self) -> None:
        assert self.refusal([]).code == "NO_SENTENCES"

    def test_refuses_two_sentences_with_one_id(self) -> None:
        refused = self.refusal([a_sentence("S1"), a_sentence("S1")])
        assert (refused.code, refused.field) == ("DUPLICATE_SENTENCE_ID", "sentences[1]")

    def test_refuses_a_negative_term(self) -> None:
        refused = self.refusal([a_sentence(term=Term(years=2, months=-1))])
        assert (refused.code, refused.field) == ("TERM_NEGATIVE", "sentences[0].term")

    def test_refuses_a_term_of_zero(self) -> None:
        assert self.refusal([a_sentence(term=Term())]).code == "TERM_ZERO"

    def test_refuses_negative_remand(self) -> None:
        refused = self.refusal([a_sentence(remand_credit_days=-1)])
        assert (refused.code, refused.field) == (
            "REMAND_NEGATIVE",
            "sentences[0].remand_credit_days",
        )
        assert self.refusal([a_sentence()], remand_days=-5).field == "remand_days"

    def test_refuses_a_sentence_consecutive_to_an_unknown_one(self) -> None:
        refused = self.refusal([a_sentence("S1"), a_sentence("S2", consecutive_to="S7")])
        assert refused.code == "CONSECUTIVE_TO_UNKNOWN"
        assert refused.field == "sentences[1].consecutive_to"
        assert refused.message_params == {"sentence": "S2", "consecutive_to": "S7"}

    def test_refuses_a_sentence_consecutive_to_itself(self) -> None:
        refused = self.refusal([a_sentence("S1", consecutive_to="S1")])
        assert refused.code == "CONSECUTIVE_CYCLE"
        assert refused.message_params["cycle"] == "S1 -> S1"

    def test_refuses_a_long_cycle_and_names_it(self) -> None:
        refused = self.refusal(
            [
                a_sentence("A"),
                a_sentence("B", consecutive_to="D"),
                a_sentence("C", consecutive_to="B"),
                a_sentence("D", consecutive_to="C"),
            ]
        )
        assert refused.message_params["cycle"] == "B -> D -> C -> B"

    def test_refuses_extra_remand_longer_than_the_aggregate(self) -> None:
        refused = self.refusal([a_sentence(term=Term(days=30))], remand_days=31)
        assert (refused.code, refused.field) == ("REMAND_EXCEEDS_TERM", "remand_days")

    def test_refuses_a_profile_with_overlapping_periods(self) -> None:
        overlapping = Rule(
            "max_aggregate_term",
            (
                Period(Term(years=60), D(1998, 1, 1), D(2030, 1, 1), "a"),
                Period(Term(years=40), D(2029, 1, 1), None, "b"),
            ),
        )
        profile = a_profile()
        profile = Profile(
            **{
                **{name: getattr(profile, name) for name in profile.__slots__},
                "max_aggregate_term": overlapping,
            }
        )
        refused = self.refusal([a_sentence()], profile=profile)
        assert refused.code == "PROFILE_PERIODS_OVERLAP"
        assert refused.message_params == {"rules": "max_aggregate_term"}

    def test_refuses_a_nominal_aggregate_beyond_the_calendar(self) -> None:
        sentences = [a_sentence("S0", term=Term(years=5000))]
        sentences += [
            a_sentence(f"S{i}", term=Term(years=5000), consecutive_to=f"S{i - 1}")
            for i in range(1, 3)
        ]
        assert self.refusal(sentences).code == "DATE_OUT_OF_RANGE"

    def test_words_every_refusal_in_english(self) -> None:
        refused = self.refusal([a_sentence("S1"), a_sentence("S2", consecutive_to="S7")])
        assert refusal_en(refused) == (
            "Sentence S2 is consecutive to S7, which is not among the sentences."
        )
        assert str(refused) == refusal_en(refused)


class TestLawInTime:
    def profile_with_caps(self, *periods: Period[Term]) -> Profile:
        base = a_profile()
        fields = {name: getattr(base, name) for name in base.__slots__}
        return Profile(**{**fields, "max_aggregate_term": Rule("max_aggregate_term", periods)})

    def test_ignores_an_earlier_favourable_cap_that_would_not_change_the_answer(self) -> None:
        profile = self.profile_with_caps(
            Period(Term(years=50), D(1998, 1, 1), D(2004, 12, 31), "old"),
            Period(Term(years=60), D(2005, 1, 1), None, "new"),
        )
        sentences = [
            a_sentence("S1", term=Term(years=10), imposed_on=D(2000, 1, 1)),
            a_sentence("S2", term=Term(years=5), imposed_on=D(2008, 1, 1), consecutive_to="S1"),
        ]

        calculation = calculate(sentences, profile)

        assert calculation.release_date == D(2015, 1, 1)
        assert not calculation.capped

    def test_refuses_an_earlier_favourable_cap_that_would(self) -> None:
        profile = self.profile_with_caps(
            Period(Term(years=10), D(1998, 1, 1), D(2004, 12, 31), "old"),
            Period(Term(years=60), D(2005, 1, 1), None, "new"),
        )
        sentences = [
            a_sentence("S1", term=Term(years=10), imposed_on=D(2000, 1, 1)),
            a_sentence("S2", term=Term(years=5), imposed_on=D(2008, 1, 1), consecutive_to="S1"),
        ]

        with pytest.raises(CalculationRefused) as refused:
            calculate(sentences, profile)

        assert refused.value.code == "LAW_IN_DOUBT"
        assert refused.value.message_params["value"] == "10y0m0d"


class TestExplanation:
    def test_explains_a_chain_step_by_step_with_codes_and_parameters(self) -> None:
        calculation = calculate(
            [
                a_sentence("S1", term=Term(years=2), imposed_on=D(2029, 5, 3)),
                a_sentence("S2", term=Term(years=1), imposed_on=D(2029, 5, 3), consecutive_to="S1"),
            ],
            PROFILE,
        )

        codes = [step.code for step in calculation.steps]
        assert codes == [
            "PROFILE_RULE",
            "PROFILE_RULE",
            "PROFILE_RULE",
            "PROFILE_RULE",
            "SENTENCE_RUNS",
            "CHAIN_CONSECUTIVE",
            "AGGREGATE_ENDS_WITH",
            "NOMINAL_AGGREGATE",
            "CAP_NOT_REACHED",
            "RELEASE_DATE",
            "CONDITIONAL_RELEASE",
        ]
        chained = calculation.steps[5]
        assert chained.params["sentence"] == "S2"
        assert chained.params["after"] == "S1"
        assert chained.params["starts"] == "2031-05-03"
        assert chained.params["ends"] == "2032-05-02"

    def test_renders_english_for_every_step(self) -> None:
        calculation = calculate([a_sentence(remand_credit_days=10)], PROFILE, remand_days=5)

        lines = explain_en(calculation)

        assert len(lines) == len(calculation.steps)
        assert "10 days of remand credited to S1: it ends on 2025-01-04." in lines
        assert all("{" not in line and "_" not in line.split(" ")[0] for line in lines)

    def test_has_an_english_template_for_every_code_it_can_emit(self) -> None:
        for code in (
            "PROFILE_RULE",
            "SENTENCE_RUNS",
            "CHAIN_CONSECUTIVE",
            "REMAND_CREDIT",
            "EXTRA_REMAND_CREDIT",
            "CAP_APPLIED",
            "FAVOURABLE_LAW_APPLIED",
            "LATER_LAW_NOT_APPLIED",
            "CONDITIONAL_RELEASE_UNREACHABLE",
            "START_BEFORE_IMPOSITION_ALLOWED",
        ):
            assert code in STEP_TEMPLATES_EN
        for code in ("CONSECUTIVE_CYCLE", "LAW_IN_DOUBT", "AGGREGATE_NOT_CONTINUOUS"):
            assert code in REFUSAL_TEMPLATES_EN

    def test_cites_the_profile_source_of_the_cap(self) -> None:
        calculation = calculate([a_sentence(term=Term(years=70))], default_profile())

        cap = next(step for step in calculation.steps if step.code == "CAP_APPLIED")
        assert "art. 45" in str(cap.params["source"])


class TestTheDefaultProfile:
    def test_caps_at_sixty_years_with_two_thirds_for_conditional_release(self) -> None:
        calculation = calculate([a_sentence(term=Term(years=100))], default_profile())

        assert calculation.cap == Term(years=60)
        assert calculation.conditional_release_fraction == Fraction(2, 3)
        assert calculation.release_date == D(2084, 1, 15)


# --- properties ------------------------------------------------------------------------------

START = D(2024, 1, 15)


@st.composite
def terms(draw: st.DrawFn) -> Term:
    term = Term(
        years=draw(st.integers(0, 25)),
        months=draw(st.integers(0, 30)),
        days=draw(st.integers(0, 400)),
    )
    return Term(days=1) if term.is_zero() else term


@st.composite
def sentence_sets(draw: st.DrawFn, *, chained: bool | None = None) -> list[Sentence]:
    """1-6 sentences imposed on one day, each concurrent or consecutive to an earlier one."""
    count = draw(st.integers(1, 6))
    found: list[Sentence] = []
    for i in range(count):
        term = draw(terms())
        shortest = term.years * 365 + term.months * 28 + term.days
        if chained is None:
            parent = draw(st.none() | st.integers(0, i - 1)) if i else None
        else:
            parent = i - 1 if chained and i else None
        found.append(
            a_sentence(
                f"S{i}",
                term=term,
                imposed_on=START,
                consecutive_to=None if parent is None else f"S{parent}",
                remand_credit_days=draw(st.integers(0, min(shortest, 60))),
            )
        )
    return found


class TestProperties:
    @given(st.lists(terms(), min_size=1, max_size=6))
    def test_concurrent_sentences_never_end_later_than_the_longest(self, given: list[Term]) -> None:
        sentences = [a_sentence(f"S{i}", term=t, imposed_on=START) for i, t in enumerate(given)]

        together = calculate(sentences, PROFILE)

        alone = [calculate([s], PROFILE).release_date for s in sentences]
        assert together.release_date == max(alone)

    @given(st.lists(st.integers(1, 5000), min_size=1, max_size=8))
    def test_consecutive_terms_of_days_add(self, lengths: list[int]) -> None:
        sentences = [a_sentence("S0", term=Term(days=lengths[0]), imposed_on=START)]
        sentences += [
            a_sentence(f"S{i}", term=Term(days=n), imposed_on=START, consecutive_to=f"S{i - 1}")
            for i, n in enumerate(lengths[1:], start=1)
        ]

        calculation = calculate(sentences, a_profile(cap=Term(years=100)))

        assert calculation.nominal_days == sum(lengths)
        assert calculation.last_day == START + dt.timedelta(days=sum(lengths) - 1)

    @given(sentence_sets(chained=True))
    def test_consecutive_sentences_follow_each_other_without_gap_or_overlap(
        self, sentences: list[Sentence]
    ) -> None:
        calculation = calculate(sentences, a_profile(cap=Term(years=1000)))

        runs = calculation.runs
        for before, after in itertools.pairwise(runs):
            assert after.starts == before.last_day + dt.timedelta(days=1)
        assert calculation.nominal_days == sum(run.term_days for run in runs)
        assert calculation.remand_credit_days == sum(run.remand_credit_days for run in runs)

    @given(sentence_sets(), st.integers(1, 30), st.integers(0, 100))
    def test_the_enforceable_term_never_exceeds_the_cap(
        self, sentences: list[Sentence], cap_years: int, remand_days: int
    ) -> None:
        cap = Term(years=cap_years)
        profile = a_profile(cap=cap)
        uncredited = calculate(sentences, profile)
        remand_days = min(
            remand_days, (uncredited.nominal_last_day - uncredited.sentence_start).days + 1
        )

        calculation = calculate(sentences, profile, remand_days=remand_days)

        cap_days = (add_term(calculation.deemed_start, cap) - calculation.deemed_start).days
        assert calculation.custody_days <= cap_days
        assert calculation.capped == (calculation.last_day < calculation.nominal_last_day)
        assert calculation.enforceable_term == (
            cap if calculation.capped else calculation.nominal_term
        )

    @given(
        sentence_sets(),
        st.sampled_from(list(ReleaseDay)),
        st.sampled_from(list(ConditionalReleaseBasis)),
        st.fractions(min_value=Fraction(1, 10), max_value=1, max_denominator=12),
    )
    def test_release_and_conditional_release_fall_in_order(
        self,
        sentences: list[Sentence],
        release_day: ReleaseDay,
        basis: ConditionalReleaseBasis,
        fraction: Fraction,
    ) -> None:
        profile = a_profile(
            cap=Term(years=20), fraction=fraction, basis=basis, release_day=release_day
        )

        calculation = calculate(sentences, profile)

        assert calculation.release_date >= calculation.sentence_start
        assert calculation.deemed_start <= calculation.sentence_start
        if calculation.conditional_release_date is not None:
            assert (
                calculation.sentence_start
                <= calculation.conditional_release_date
                <= calculation.release_date
            )
        else:
            assert basis is ConditionalReleaseBasis.NOMINAL

    @settings(max_examples=50)
    @given(sentence_sets(), st.randoms(use_true_random=False))
    def test_the_order_sentences_are_listed_in_does_not_matter(
        self, sentences: list[Sentence], shuffler: random.Random
    ) -> None:
        shuffled = list(sentences)
        shuffler.shuffle(shuffled)

        first, second = calculate(sentences, PROFILE), calculate(shuffled, PROFILE)

        assert first.release_date == second.release_date
        assert first.conditional_release_date == second.conditional_release_date
        assert first.custody_days == second.custody_days
