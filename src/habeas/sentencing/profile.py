"""Jurisdiction profiles: the legal rules the calculator applies, as effective-dated data.

Nothing here is a constant of the law. Every rule value lives in a :class:`Period` with the dates
it was in force and the legal source that says so, so a change of law is a new period, and an
explanation can cite the source. Values the sources leave unconfirmed carry ``confirmed=False``
(``docs/sentencing.md``; facility.md marks them **U**) and are configurable defaults only.

Pure: no Django imports. The default El Salvador profile is ``profiles/el_salvador.json``, read by
:func:`habeas.sentencing.files.default_profile`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Generic, TypeVar

T = TypeVar("T")


class Seriousness(StrEnum):
    """The offence classes the Código Procesal Penal distinguishes for provisional detention."""

    SERIOUS = "serious"
    LESS_SERIOUS = "less_serious"


class ReleaseDay(StrEnum):
    """On which day a person whose term is complete is released."""

    #: Released on the last day served (the term is treated as complete during that day).
    LAST_DAY_SERVED = "last_day_served"
    #: Released on the day after the last day served: every day of the term is served whole
    #: (Código Civil art. 46: terms run "hasta la medianoche del último día").
    DAY_AFTER_LAST_DAY_SERVED = "day_after_last_day_served"


class ConditionalReleaseBasis(StrEnum):
    """Which term the conditional-release fraction is taken of."""

    #: The term enforceable after the cap (e.g. 2/3 of 60 years).
    ENFORCEABLE = "enforceable"
    #: The nominal aggregate (e.g. 2/3 of 1,500 years: unreachable when the cap bites).
    NOMINAL = "nominal"


class ExtensionScope(StrEnum):
    """Whom an extension of provisional detention reaches."""

    #: People already in provisional detention on the day the extension came into force.
    DETAINED_AT_ENTRY_INTO_FORCE = "detained_at_entry_into_force"
    #: Those, and people detained while the extension is in force.
    DETAINED_WHILE_IN_FORCE = "detained_while_in_force"


@dataclass(frozen=True, slots=True)
class Term:
    """A length of time as a court states it: years, months and days (non-negative integers).

    Months are not converted to days (their length depends on the calendar); twelve months are
    one year.
    """

    years: int = 0
    months: int = 0
    days: int = 0

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def is_zero(self) -> bool:
        return self.years == 0 and self.months == 0 and self.days == 0

    def is_negative(self) -> bool:
        return self.years < 0 or self.months < 0 or self.days < 0

    def __add__(self, other: Term) -> Term:
        months = self.total_months + other.total_months
        return Term(years=months // 12, months=months % 12, days=self.days + other.days)

    def __str__(self) -> str:
        return f"{self.years}y{self.months}m{self.days}d"

    def as_dict(self) -> dict[str, int]:
        return {"years": self.years, "months": self.months, "days": self.days}


@dataclass(frozen=True, slots=True)
class Period(Generic[T]):
    """One value of a rule and the days it is in force: ``valid_from`` to ``valid_until``, both
    inclusive (``valid_until=None``: still in force)."""

    value: T
    valid_from: dt.date
    valid_until: dt.date | None
    source: str
    confirmed: bool = True

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True, slots=True)
class Rule(Generic[T]):
    """A named rule of the profile: its periods, in order, not overlapping."""

    name: str
    periods: tuple[Period[T], ...]

    def at(self, day: dt.date) -> Period[T] | None:
        """The period in force on ``day``, or ``None`` when the profile says nothing for it."""
        for period in self.periods:
            if period.covers(day):
                return period
        return None

    def starting_between(self, after: dt.date, until: dt.date) -> list[Period[T]]:
        """Periods that come into force strictly after ``after`` and on or before ``until``."""
        return [p for p in self.periods if after < p.valid_from <= until]

    def overlaps(self) -> list[tuple[dt.date, dt.date]]:
        """The starts of each pair of periods that overlap (a profile with any is refused)."""
        ordered = sorted(self.periods, key=lambda p: p.valid_from)
        return [
            (earlier.valid_from, later.valid_from)
            for earlier, later in itertools.pairwise(ordered)
            if earlier.valid_until is None or later.valid_from <= earlier.valid_until
        ]


@dataclass(frozen=True, slots=True)
class ProvisionalExtension:
    """A decree or reform that lengthens the maximum of provisional detention.

    ``addition`` is added to the maximum of each person it reaches: people of the given
    ``seriousness`` classes, in provisional detention when it came into force (``scope`` may widen
    that to people detained while it is in force), and — if ``condition`` is set — only when the
    caller says the condition holds (e.g. ``"group_trial"``). ``not_beyond`` is an end date the
    extended maximum cannot pass, when the decree fixes one.
    """

    id: str
    addition: Term
    valid_from: dt.date
    valid_until: dt.date | None
    seriousness: frozenset[Seriousness]
    source: str
    scope: ExtensionScope = ExtensionScope.DETAINED_AT_ENTRY_INTO_FORCE
    condition: str | None = None
    not_beyond: dt.date | None = None
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class Profile:
    """The rules of one jurisdiction, each effective-dated and sourced."""

    id: str
    name: str
    time_zone: str
    max_aggregate_term: Rule[Term]
    conditional_release_fraction: Rule[Fraction]
    conditional_release_basis: Rule[ConditionalReleaseBasis]
    release_day: Rule[ReleaseDay]
    start_before_imposition_allowed: Rule[bool]
    judicial_review_window: Rule[dt.timedelta]
    provisional_detention_max: Mapping[Seriousness, Rule[Term]]
    provisional_detention_extensions: tuple[ProvisionalExtension, ...] = field(default=())

    def overlapping_rules(self) -> list[str]:
        """Names of rules with overlapping periods (such a profile cannot be applied)."""
        spans = [
            (self.max_aggregate_term.name, self.max_aggregate_term.overlaps()),
            (self.conditional_release_fraction.name, self.conditional_release_fraction.overlaps()),
            (self.conditional_release_basis.name, self.conditional_release_basis.overlaps()),
            (self.release_day.name, self.release_day.overlaps()),
            (
                self.start_before_imposition_allowed.name,
                self.start_before_imposition_allowed.overlaps(),
            ),
            (self.judicial_review_window.name, self.judicial_review_window.overlaps()),
            *((rule.name, rule.overlaps()) for rule in self.provisional_detention_max.values()),
        ]
        return [name for name, overlaps in spans if overlaps]
