"""The sentence calculator: from sentences and a jurisdiction profile to the date the law requires
release, the conditional-release date, and the explanation of each step.

Pure and exact: ``datetime.date`` arithmetic with our own month arithmetic, day counts as integers,
fractions as :class:`fractions.Fraction`; no floats, no Django. Inputs it cannot decide are refused
with a stable code (:class:`CalculationRefused`), never guessed. The conventions are those of
``docs/sentencing.md``; each is cited next to the code that applies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

from habeas.sentencing.profile import (
    ConditionalReleaseBasis,
    Period,
    Profile,
    ReleaseDay,
    Rule,
    Seriousness,
    Term,
)

__all__ = [
    "Calculation",
    "CalculationRefused",
    "Sentence",
    "SentenceRun",
    "Step",
    "add_months",
    "add_term",
    "calculate",
    "explain_en",
    "refusal_en",
    "term_end",
]

ONE_DAY = dt.timedelta(days=1)
T = TypeVar("T")

#: A parameter of a step or a refusal: text (dates in ISO 8601, terms as ``"3y0m0d"``), a count,
#: or a yes/no.
Param = str | int | bool


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an explanation: a stable machine code and its parameters, no human text.

    The Django layer renders it through gettext; :func:`explain_en` renders English.
    """

    code: str
    params: Mapping[str, Param] = field(default_factory=dict)


class CalculationRefused(Exception):
    """The input cannot be calculated without guessing; ``code`` says why, ``field`` where."""

    def __init__(
        self,
        code: str,
        message_params: Mapping[str, Param] | None = None,
        field: str | None = None,
    ) -> None:
        self.code = code
        self.message_params: dict[str, Param] = dict(message_params or {})
        self.field = field
        super().__init__(refusal_en(self))


@dataclass(frozen=True, slots=True, kw_only=True)
class Sentence:
    """A sentence of imprisonment as the court imposed it."""

    id: str
    term: Term
    imposed_on: dt.date
    seriousness: Seriousness = Seriousness.SERIOUS
    offence: str = ""
    court: str = ""
    case_reference: str = ""
    #: The day the sentence starts to run when the court fixed it; otherwise it runs from
    #: imposition, or from the day after the sentence it is consecutive to ends.
    starts_on: dt.date | None = None
    #: The id of the sentence this one follows; ``None``: concurrent.
    consecutive_to: str | None = None
    #: Days in custody before sentence that count towards this sentence.
    remand_credit_days: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SentenceRun:
    """How one sentence runs: first day, last day served (after its credit), its length."""

    sentence: str
    starts: dt.date
    last_day: dt.date
    term_days: int
    remand_credit_days: int
    consecutive_to: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Calculation:
    """The result of :func:`calculate`. Days are whole calendar days; ``last_day`` is the last day
    served, ``release_date`` the day the law requires release."""

    #: The first day on which any of the sentences runs.
    sentence_start: dt.date
    #: ``sentence_start`` less the remand credited to the aggregate: the day custody counted
    #: towards the aggregate began.
    deemed_start: dt.date
    #: The terms summed along the chain that ends last (twelve months carried into a year).
    nominal_term: Term
    #: The calendar days of that chain's terms, each counted from the day it starts.
    nominal_days: int
    #: The last day served if there were no cap.
    nominal_last_day: dt.date
    #: The cap in force (after favourable retroactivity) and whether it shortened the aggregate.
    cap: Term
    capped: bool
    #: ``nominal_term``, or ``cap`` when the cap shortened it.
    enforceable_term: Term
    #: Days of custody counted towards the aggregate, ``deemed_start`` to ``last_day``.
    custody_days: int
    #: Remand credit that moved the end of the aggregate (its determining chain, plus extra).
    remand_credit_days: int
    last_day: dt.date
    release_date: dt.date
    conditional_release_fraction: Fraction
    #: ``None`` when the fraction cannot be reached before release.
    conditional_release_date: dt.date | None
    #: The sentence whose end is the end of the aggregate.
    determining_sentence: str
    runs: tuple[SentenceRun, ...]
    steps: tuple[Step, ...]


# --- calendar arithmetic ---------------------------------------------------------------------

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, "fecha a fecha": the same day number in the
    target month, or the last day of that month when it is shorter (31 Jan + 1 month = 28 Feb,
    or 29 Feb in a leap year). Refuses dates outside years 1–9999."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= dt.MAXYEAR:
        raise CalculationRefused("DATE_OUT_OF_RANGE", {"date": day.isoformat(), "months": months})
    month = month0 + 1
    return dt.date(year, month, min(day.day, _days_in_month(year, month)))


def _shift(day: dt.date, days: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise CalculationRefused(
            "DATE_OUT_OF_RANGE", {"date": day.isoformat(), "days": days}
        ) from None


def add_term(day: dt.date, term: Term) -> dt.date:
    """``day`` plus a term: all its months at once (years as twelve months, one month-end clamp),
    then its days. So 29 Feb 2024 + 1 year 1 month = 29 Mar 2025."""
    return _shift(add_months(day, term.total_months), term.days)


def term_end(starts: dt.date, term: Term) -> dt.date:
    """The last day served of a term whose first day served is ``starts``: the day before
    ``starts + term`` (a 1-year term from 10 Mar 2020 is served through 9 Mar 2021)."""
    return _shift(add_term(starts, term), -1)


# --- the calculation -------------------------------------------------------------------------


def _period_at(rule: Rule[T], day: dt.date) -> Period[T]:
    period = rule.at(day)
    if period is None:
        raise CalculationRefused(
            "PROFILE_NO_PERIOD", {"rule": rule.name, "date": day.isoformat()}, field="profile"
        )
    return period


def _rule_step(rule: str, period: Period[T], value: str, day: dt.date) -> Step:
    return Step(
        "PROFILE_RULE",
        {
            "rule": rule,
            "value": value,
            "date": day.isoformat(),
            "valid_from": period.valid_from.isoformat(),
            "source": period.source,
            "confirmed": period.confirmed,
        },
    )


def _periods_between(rule: Rule[T], first: dt.date, before: dt.date) -> list[Period[T]]:
    """Periods in force on some day from ``first`` up to (not including) ``before``."""
    return [
        p
        for p in rule.periods
        if p.valid_from < before and (p.valid_until is None or p.valid_until >= first)
    ]


def _ceil_fraction_of(fraction: Fraction, days: int) -> int:
    return -((-fraction.numerator * days) // fraction.denominator)


#: Profiles already checked, by identity (a profile is immutable; recalculating a whole estate
#: checks the same one once instead of once per person). Holds the profile to keep its id valid.
_CHECKED: dict[int, tuple[Profile, list[str]]] = {}


def _check_profile(profile: Profile) -> None:
    checked = _CHECKED.get(id(profile))
    if checked is None or checked[0] is not profile:
        if len(_CHECKED) > 64:
            _CHECKED.clear()
        checked = _CHECKED[id(profile)] = (profile, profile.overlapping_rules())
    overlapping = checked[1]
    if overlapping:
        raise CalculationRefused(
            "PROFILE_PERIODS_OVERLAP", {"rules": ", ".join(overlapping)}, field="profile"
        )


def _check_sentences(sentences: Sequence[Sentence], remand_days: int) -> dict[str, int]:
    if not sentences:
        raise CalculationRefused("NO_SENTENCES", {}, field="sentences")
    if remand_days < 0:
        raise CalculationRefused("REMAND_NEGATIVE", {"days": remand_days}, field="remand_days")
    index: dict[str, int] = {}
    for i, sentence in enumerate(sentences):
        where = f"sentences[{i}]"
        if sentence.id in index:
            raise CalculationRefused("DUPLICATE_SENTENCE_ID", {"sentence": sentence.id}, where)
        index[sentence.id] = i
        if sentence.term.is_negative():
            raise CalculationRefused(
                "TERM_NEGATIVE",
                {"sentence": sentence.id, "term": str(sentence.term)},
                f"{where}.term",
            )
        if sentence.term.is_zero():
            raise CalculationRefused("TERM_ZERO", {"sentence": sentence.id}, f"{where}.term")
        if sentence.remand_credit_days < 0:
            raise CalculationRefused(
                "REMAND_NEGATIVE",
                {"sentence": sentence.id, "days": sentence.remand_credit_days},
                f"{where}.remand_credit_days",
            )
    for i, sentence in enumerate(sentences):
        if sentence.consecutive_to is not None and sentence.consecutive_to not in index:
            raise CalculationRefused(
                "CONSECUTIVE_TO_UNKNOWN",
                {"sentence": sentence.id, "consecutive_to": sentence.consecutive_to},
                f"sentences[{i}].consecutive_to",
            )
    return index


def _running_order(sentences: Sequence[Sentence], index: Mapping[str, int]) -> list[int]:
    """Indexes of the sentences, each after the one it is consecutive to; refuses a cycle."""
    depth: dict[int, int] = {}
    for i in range(len(sentences)):
        path: list[int] = []
        on_path: set[int] = set()
        j: int | None = i
        while j is not None and j not in depth:
            if j in on_path:
                cycle = [sentences[k].id for k in path[path.index(j) :]] + [sentences[j].id]
                raise CalculationRefused(
                    "CONSECUTIVE_CYCLE",
                    {"sentence": sentences[j].id, "cycle": " -> ".join(cycle)},
                    f"sentences[{j}].consecutive_to",
                )
            path.append(j)
            on_path.add(j)
            parent = sentences[j].consecutive_to
            j = None if parent is None else index[parent]
        base = -1 if j is None else depth[j]
        for k in reversed(path):
            base += 1
            depth[k] = base
    return sorted(range(len(sentences)), key=lambda k: depth[k])


@dataclass(slots=True)
class _Chain:
    """Book-keeping for one sentence while the aggregate is built."""

    root: int
    terms: Term
    term_days: int
    run: SentenceRun


def calculate(
    sentences: Sequence[Sentence],
    profile: Profile,
    *,
    remand_days: int = 0,
) -> Calculation:
    """Calculate the release date and conditional-release date of one aggregate of sentences.

    ``remand_days`` is custody before sentence that counts towards the whole aggregate rather
    than one sentence. All the sentences given are taken to be one aggregate served in one
    continuous custody, under one cap; a gap between them is refused.

    Law in time: the cap, the conditional-release fraction and the conventions are those in force
    on the day the latest sentence was imposed; a cap or fraction that comes into force later,
    before release, applies when it is more favourable (Constitución art. 21) and is not applied
    when it is less favourable.
    """
    _check_profile(profile)
    index = _check_sentences(sentences, remand_days)
    order = _running_order(sentences, index)
    steps: list[Step] = []

    reference = max(s.imposed_on for s in sentences)
    cap_period = _period_at(profile.max_aggregate_term, reference)
    fraction_period = _period_at(profile.conditional_release_fraction, reference)
    basis_period = _period_at(profile.conditional_release_basis, reference)
    release_period = _period_at(profile.release_day, reference)
    steps.append(_rule_step("max_aggregate_term", cap_period, str(cap_period.value), reference))
    steps.append(
        _rule_step(
            "conditional_release_fraction",
            fraction_period,
            str(fraction_period.value),
            reference,
        )
    )
    steps.append(
        _rule_step("conditional_release_basis", basis_period, basis_period.value, reference)
    )
    steps.append(_rule_step("release_day", release_period, release_period.value, reference))

    chains: dict[int, _Chain] = {}
    for i in order:
        sentence = sentences[i]
        where = f"sentences[{i}]"
        if sentence.consecutive_to is None:
            root = i
            terms = sentence.term
            ran_before = 0
            if sentence.starts_on is None:
                starts = sentence.imposed_on
                starts_by = "imposition"
            else:
                starts = sentence.starts_on
                starts_by = "start_date"
                if starts < sentence.imposed_on:
                    allowed = _period_at(
                        profile.start_before_imposition_allowed, sentence.imposed_on
                    )
                    if not allowed.value:
                        raise CalculationRefused(
                            "START_BEFORE_IMPOSITION",
                            {
                                "sentence": sentence.id,
                                "starts": starts.isoformat(),
                                "imposed": sentence.imposed_on.isoformat(),
                            },
                            f"{where}.starts_on",
                        )
                    steps.append(
                        Step(
                            "START_BEFORE_IMPOSITION_ALLOWED",
                            {
                                "sentence": sentence.id,
                                "starts": starts.isoformat(),
                                "imposed": sentence.imposed_on.isoformat(),
                                "source": allowed.source,
                            },
                        )
                    )
        else:
            parent = chains[index[sentence.consecutive_to]]
            root = parent.root
            terms = parent.terms + sentence.term
            ran_before = parent.term_days
            starts = _shift(parent.run.last_day, 1)
            starts_by = "chain"
            if starts < sentence.imposed_on:
                raise CalculationRefused(
                    "CONSECUTIVE_AFTER_END",
                    {
                        "sentence": sentence.id,
                        "after": sentence.consecutive_to,
                        "after_ends": parent.run.last_day.isoformat(),
                        "imposed": sentence.imposed_on.isoformat(),
                    },
                    f"{where}.consecutive_to",
                )
            if sentence.starts_on is not None and sentence.starts_on != starts:
                raise CalculationRefused(
                    "START_CONFLICTS_WITH_CHAIN",
                    {
                        "sentence": sentence.id,
                        "starts": sentence.starts_on.isoformat(),
                        "chain_starts": starts.isoformat(),
                    },
                    f"{where}.starts_on",
                )
        boundary = add_term(starts, sentence.term)
        term_days = (boundary - starts).days
        credit = sentence.remand_credit_days
        if credit > term_days:
            raise CalculationRefused(
                "REMAND_EXCEEDS_TERM",
                {"sentence": sentence.id, "days": credit, "term_days": term_days},
                f"{where}.remand_credit_days",
            )
        served_through = _shift(boundary, -1)
        last_day = _shift(served_through, -credit)
        chains[i] = _Chain(
            root=root,
            terms=terms,
            term_days=ran_before + term_days,
            run=SentenceRun(
                sentence=sentence.id,
                starts=starts,
                last_day=last_day,
                term_days=term_days,
                remand_credit_days=credit,
                consecutive_to=sentence.consecutive_to,
            ),
        )
        params: dict[str, Param] = {
            "sentence": sentence.id,
            "term": str(sentence.term),
            "starts": starts.isoformat(),
            "ends": served_through.isoformat(),
            "days": term_days,
        }
        if starts_by == "chain":
            assert sentence.consecutive_to is not None
            steps.append(Step("CHAIN_CONSECUTIVE", {**params, "after": sentence.consecutive_to}))
        else:
            steps.append(Step("SENTENCE_RUNS", {**params, "from": starts_by}))
        if credit:
            steps.append(
                Step(
                    "REMAND_CREDIT",
                    {"sentence": sentence.id, "days": credit, "ends": last_day.isoformat()},
                )
            )

    # The aggregate must be one continuous custody: each sentence starts by the day after the
    # sentences before it have ended.
    by_start = sorted(chains.values(), key=lambda c: (c.run.starts, c.root))
    reached = _shift(by_start[0].run.starts, -1)
    for chain in by_start:
        if chain.run.starts > _shift(reached, 1):
            raise CalculationRefused(
                "AGGREGATE_NOT_CONTINUOUS",
                {
                    "sentence": chain.run.sentence,
                    "starts": chain.run.starts.isoformat(),
                    "previous_ends": reached.isoformat(),
                },
                f"sentences[{index[chain.run.sentence]}]",
            )
        reached = max(reached, chain.run.last_day)

    determining = max(order, key=lambda k: (chains[k].run.last_day, -k))
    chain = chains[determining]
    roots = [k for k in range(len(sentences)) if sentences[k].consecutive_to is None]
    sentence_start = min(chains[k].run.starts for k in roots)
    deemed_start = min(
        _shift(chains[k].run.starts, -chains[k].run.remand_credit_days) for k in roots
    )
    path_credit = 0
    walk: int | None = determining
    while walk is not None:
        path_credit += sentences[walk].remand_credit_days
        parent_id = sentences[walk].consecutive_to
        walk = None if parent_id is None else index[parent_id]
    nominal_last = chain.run.last_day
    if len(sentences) > 1:
        steps.append(
            Step(
                "AGGREGATE_ENDS_WITH",
                {
                    "sentence": sentences[determining].id,
                    "ends": nominal_last.isoformat(),
                    "term": str(chain.terms),
                },
            )
        )
    if remand_days:
        nominal_last = _shift(nominal_last, -remand_days)
        deemed_start = _shift(deemed_start, -remand_days)
        if nominal_last < _shift(sentence_start, -1):
            raise CalculationRefused(
                "REMAND_EXCEEDS_TERM",
                {"days": remand_days, "term_days": chain.term_days},
                "remand_days",
            )
        steps.append(
            Step("EXTRA_REMAND_CREDIT", {"days": remand_days, "ends": nominal_last.isoformat()})
        )
    steps.append(
        Step(
            "NOMINAL_AGGREGATE",
            {
                "term": str(chain.terms),
                "days": chain.term_days,
                "ends": nominal_last.isoformat(),
                "deemed_start": deemed_start.isoformat(),
            },
        )
    )

    # Between the first and the latest imposition the law may have changed: if a cap or fraction
    # in force then would give an earlier date than the law applied, which governs is a question
    # of law the calculator cannot settle (the offence dates are not among its inputs).
    earliest = min(s.imposed_on for s in sentences)

    def in_doubt(rule: str, period: Period[Term] | Period[Fraction]) -> CalculationRefused:
        return CalculationRefused(
            "LAW_IN_DOUBT",
            {
                "rule": rule,
                "value": str(period.value),
                "valid_from": period.valid_from.isoformat(),
                "reference_date": reference.isoformat(),
            },
            "profile",
        )

    # The cap, counted from the deemed start, with favourable retroactivity.
    def capped_last(cap: Term) -> dt.date:
        return min(nominal_last, term_end(deemed_start, cap))

    release_day = release_period.value

    def release_after(last: dt.date) -> dt.date:
        released = _shift(last, 1) if release_day is ReleaseDay.DAY_AFTER_LAST_DAY_SERVED else last
        return max(released, sentence_start)

    cap = cap_period.value
    last_day = capped_last(cap)
    # A favourable later cap cannot make conditional release fall before it came into force.
    cap_in_force_from = sentence_start
    for later in profile.max_aggregate_term.starting_between(reference, release_after(last_day)):
        candidate = max(capped_last(later.value), _shift(later.valid_from, -1))
        law = {
            "rule": "max_aggregate_term",
            "value": str(later.value),
            "previous": str(cap),
            "valid_from": later.valid_from.isoformat(),
            "source": later.source,
        }
        if candidate < last_day:
            steps.append(Step("FAVOURABLE_LAW_APPLIED", law))
            cap, last_day = later.value, candidate
            cap_in_force_from = max(sentence_start, later.valid_from)
        else:
            steps.append(Step("LATER_LAW_NOT_APPLIED", law))
    for earlier in _periods_between(profile.max_aggregate_term, earliest, reference):
        if capped_last(earlier.value) < last_day:
            raise in_doubt("max_aggregate_term", earlier)
    capped = last_day < nominal_last
    if capped:
        steps.append(
            Step(
                "CAP_APPLIED",
                {
                    "cap": str(cap),
                    "nominal": str(chain.terms),
                    "ends": last_day.isoformat(),
                    "source": cap_period.source,
                },
            )
        )
    else:
        steps.append(Step("CAP_NOT_REACHED", {"cap": str(cap), "nominal": str(chain.terms)}))
    release_date = release_after(last_day)
    custody_days = (last_day - deemed_start).days + 1
    steps.append(
        Step(
            "RELEASE_DATE",
            {
                "last_day": last_day.isoformat(),
                "release": release_date.isoformat(),
                "convention": release_day.value,
                "custody_days": custody_days,
            },
        )
    )

    # Conditional release: the fraction of the enforceable (or nominal) days, from the deemed
    # start, completed — released on the same convention as full release.
    basis = basis_period.value
    basis_days = (
        custody_days
        if basis is ConditionalReleaseBasis.ENFORCEABLE
        else ((nominal_last - deemed_start).days + 1)
    )

    def eligible(fraction: Fraction) -> dt.date | None:
        needed = _ceil_fraction_of(fraction, basis_days)
        date = max(release_after(_shift(deemed_start, needed - 1)), cap_in_force_from)
        return date if date <= release_date else None

    fraction = fraction_period.value
    conditional = eligible(fraction)
    horizon = conditional if conditional is not None else release_date
    for later_fraction in profile.conditional_release_fraction.starting_between(reference, horizon):
        found = eligible(later_fraction.value)
        if found is not None:
            found = max(found, later_fraction.valid_from)
        law = {
            "rule": "conditional_release_fraction",
            "value": str(later_fraction.value),
            "previous": str(fraction),
            "valid_from": later_fraction.valid_from.isoformat(),
            "source": later_fraction.source,
        }
        if found is not None and (conditional is None or found < conditional):
            steps.append(Step("FAVOURABLE_LAW_APPLIED", law))
            fraction, conditional = later_fraction.value, found
        else:
            steps.append(Step("LATER_LAW_NOT_APPLIED", law))
    for earlier_fraction in _periods_between(
        profile.conditional_release_fraction, earliest, reference
    ):
        found = eligible(earlier_fraction.value)
        if found is not None and (conditional is None or found < conditional):
            raise in_doubt("conditional_release_fraction", earlier_fraction)
    if conditional is None:
        steps.append(
            Step(
                "CONDITIONAL_RELEASE_UNREACHABLE",
                {"fraction": str(fraction), "basis": basis.value, "days": basis_days},
            )
        )
    else:
        steps.append(
            Step(
                "CONDITIONAL_RELEASE",
                {
                    "fraction": str(fraction),
                    "basis": basis.value,
                    "days": _ceil_fraction_of(fraction, basis_days),
                    "of_days": basis_days,
                    "date": conditional.isoformat(),
                },
            )
        )

    return Calculation(
        sentence_start=sentence_start,
        deemed_start=deemed_start,
        nominal_term=chain.terms,
        nominal_days=chain.term_days,
        nominal_last_day=nominal_last,
        cap=cap,
        capped=capped,
        enforceable_term=cap if capped else chain.terms,
        custody_days=custody_days,
        remand_credit_days=path_credit + remand_days,
        last_day=last_day,
        release_date=release_date,
        conditional_release_fraction=fraction,
        conditional_release_date=conditional,
        determining_sentence=sentences[determining].id,
        runs=tuple(chains[k].run for k in range(len(sentences))),
        steps=tuple(steps),
    )


# --- English rendering (tests and docs; the Django layer renders through gettext) -------------

STEP_TEMPLATES_EN: Mapping[str, str] = {
    "PROFILE_RULE": "Rule {rule} in force on {date}: {value} (from {valid_from}; {source}).",
    "START_BEFORE_IMPOSITION_ALLOWED": (
        "Sentence {sentence} starts on {starts}, before its imposition on {imposed}, as {source}"
        " allows."
    ),
    "SENTENCE_RUNS": (
        "Sentence {sentence} ({term}) runs from {starts} ({from}) and is served through {ends}:"
        " {days} days."
    ),
    "CHAIN_CONSECUTIVE": (
        "Sentence {sentence} ({term}) is consecutive to {after}: it runs from {starts} and is"
        " served through {ends}: {days} days."
    ),
    "REMAND_CREDIT": "{days} days of remand credited to {sentence}: it ends on {ends}.",
    "AGGREGATE_ENDS_WITH": (
        "The aggregate ends with sentence {sentence} on {ends} (its chain totals {term})."
    ),
    "EXTRA_REMAND_CREDIT": "{days} days of remand credited to the aggregate: it ends on {ends}.",
    "NOMINAL_AGGREGATE": (
        "Nominal aggregate: {term}, {days} days, ending on {ends}; custody counted from"
        " {deemed_start}."
    ),
    "FAVOURABLE_LAW_APPLIED": (
        "A more favourable {rule} of {value} (was {previous}) came into force on {valid_from}"
        " and applies ({source}; Constitución art. 21)."
    ),
    "LATER_LAW_NOT_APPLIED": (
        "The {rule} of {value} in force from {valid_from} is not more favourable than"
        " {previous} and does not apply ({source})."
    ),
    "CAP_APPLIED": (
        "The nominal aggregate {nominal} exceeds the maximum of {cap} ({source}): the last day"
        " served is {ends}."
    ),
    "CAP_NOT_REACHED": "The nominal aggregate {nominal} is within the maximum of {cap}.",
    "RELEASE_DATE": (
        "Last day served {last_day} ({custody_days} days counted); release on {release}"
        " ({convention})."
    ),
    "CONDITIONAL_RELEASE": (
        "Conditional release may be considered on {date}: {fraction} of the {basis} term is"
        " {days} of {of_days} days."
    ),
    "CONDITIONAL_RELEASE_UNREACHABLE": (
        "Conditional release cannot be reached before release: {fraction} of the {basis} term"
        " ({days} days) is longer than the time to be served."
    ),
    "JUDICIAL_REVIEW_WINDOW": (
        "Detained at {detained_at}: the law in force then requires a judge within {hours} hours"
        " ({source})."
    ),
    "JUDICIAL_REVIEW_DUE": "Must be brought before a judge by {due}.",
    "PROVISIONAL_MAXIMUM": (
        "Provisional detention from {starts} for a {seriousness} offence: at most {term}"
        " ({source}), through {last_day}."
    ),
    "PROVISIONAL_EXTENSION_APPLIED": (
        "Extension {extension} (+{addition}, in force from {valid_from}; {source}) applies:"
        " through {last_day}."
    ),
    "PROVISIONAL_EXTENSION_LIMITED": (
        "Extension {extension} cannot carry the maximum beyond {not_beyond}: through {last_day}."
    ),
    "PROVISIONAL_EXTENSION_NOT_APPLICABLE": (
        "Extension {extension} (from {valid_from}) does not apply: {reason}."
    ),
    "PROVISIONAL_LAST_DAY": "Last lawful day of provisional detention: {last_day}.",
    "AUTHORITY_TERM": "Authority from {starts} for {term}: through {last_day}.",
    "AUTHORITY_UNTIL": "Authority valid until {last_day}.",
    "AUTHORITY_EXPIRES": "The authority expires after {last_day}.",
}

REFUSAL_TEMPLATES_EN: Mapping[str, str] = {
    "NO_SENTENCES": "There are no sentences to calculate.",
    "DUPLICATE_SENTENCE_ID": "Two sentences have the id {sentence}.",
    "TERM_NEGATIVE": "Sentence {sentence} has a negative term ({term}).",
    "TERM_ZERO": "Sentence {sentence} has a term of zero.",
    "REMAND_NEGATIVE": "Remand credit cannot be negative ({days} days).",
    "REMAND_EXCEEDS_TERM": "Remand credit of {days} days exceeds the term of {term_days} days.",
    "CONSECUTIVE_TO_UNKNOWN": (
        "Sentence {sentence} is consecutive to {consecutive_to}, which is not among the sentences."
    ),
    "CONSECUTIVE_CYCLE": "Sentences are consecutive to each other in a cycle: {cycle}.",
    "CONSECUTIVE_AFTER_END": (
        "Sentence {sentence}, imposed on {imposed}, is consecutive to {after}, which ended on"
        " {after_ends}: it cannot follow a sentence that had ended."
    ),
    "START_BEFORE_IMPOSITION": (
        "Sentence {sentence} starts on {starts}, before its imposition on {imposed}, and no rule"
        " allows it."
    ),
    "START_CONFLICTS_WITH_CHAIN": (
        "Sentence {sentence} is given the start {starts}, but as a consecutive sentence it starts"
        " on {chain_starts}."
    ),
    "AGGREGATE_NOT_CONTINUOUS": (
        "Sentence {sentence} starts on {starts}, after a gap (the others end on {previous_ends}):"
        " calculate separate custodies separately."
    ),
    "PROFILE_NO_PERIOD": "The profile has no period of rule {rule} in force on {date}.",
    "PROFILE_PERIODS_OVERLAP": "The profile has overlapping periods in: {rules}.",
    "LAW_IN_DOUBT": (
        "The {rule} of {value} in force from {valid_from}, before the latest imposition on"
        " {reference_date}, would give an earlier date: which law governs must be decided by a"
        " person."
    ),
    "DATE_OUT_OF_RANGE": "The calculation reaches beyond the calendar (year 9999) from {date}.",
    "NAIVE_DATETIME": "The moment {value} has no time zone.",
    "AUTHORITY_NO_END": "The authority has neither a term nor an end date.",
}


def _render(template: str | None, code: str, params: Mapping[str, Param]) -> str:
    if template is None:
        return f"{code} {dict(params)}"
    try:
        return template.format_map(dict(params))
    except KeyError:
        return f"{code} {dict(params)}"


def explain_en(calculation: Calculation | Sequence[Step]) -> list[str]:
    """The steps of a calculation (or of a deadline) in English, one sentence per step."""
    steps = calculation.steps if isinstance(calculation, Calculation) else calculation
    return [_render(STEP_TEMPLATES_EN.get(s.code), s.code, s.params) for s in steps]


def refusal_en(refused: CalculationRefused) -> str:
    """A refusal in English."""
    return _render(REFUSAL_TEMPLATES_EN.get(refused.code), refused.code, refused.message_params)
