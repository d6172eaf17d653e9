"""Legal deadlines before release: judicial review of an arrest or administrative detention, the
maximum of provisional (pre-trial) detention, the expiry of an authority — and whether a moment is
covered by any lawful authority.

Pure: aware datetimes in, aware datetimes (UTC) out; dates are days in the profile's time zone.
Each deadline carries its explanation steps (machine codes, rendered by
:func:`habeas.sentencing.calculator.explain_en` or by the Django layer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from habeas.sentencing.calculator import (
    CalculationRefused,
    Param,
    Step,
    term_end,
)
from habeas.sentencing.profile import ExtensionScope, Profile, Seriousness, Term

__all__ = [
    "AuthorityPeriod",
    "DatedDeadline",
    "Deadline",
    "TimedDeadline",
    "authorities_covering",
    "authority_expiry",
    "is_covered",
    "judicial_review_due",
    "overdue",
    "provisional_detention_maximum",
    "uncovered_spans",
]

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)
ONE_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimedDeadline:
    """A deadline at a moment: ``due`` is an aware datetime in UTC; late from the moment after."""

    kind: str
    due: dt.datetime
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DatedDeadline:
    """A deadline on a day: ``last_day`` is the last lawful day, in ``time_zone``; late from the
    first moment of the next day."""

    kind: str
    last_day: dt.date
    time_zone: str
    steps: tuple[Step, ...]

    @property
    def ends_at(self) -> dt.datetime:
        """The first moment after ``last_day`` in ``time_zone``, in UTC."""
        following = dt.datetime.combine(
            self.last_day + ONE_DAY, dt.time.min, tzinfo=ZoneInfo(self.time_zone)
        )
        return following.astimezone(UTC)


Deadline = TimedDeadline | DatedDeadline


def _aware(moment: dt.datetime, field: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalculationRefused("NAIVE_DATETIME", {"value": moment.isoformat()}, field)
    return moment.astimezone(UTC)


def judicial_review_due(*, detained_at: dt.datetime, profile: Profile) -> TimedDeadline:
    """When a person arrested or held in administrative detention at ``detained_at`` must be
    brought before a judge: the window of the law in force on that day (in the profile's time
    zone) — 72 hours under Constitución art. 13, 15 days under the state of exception (DL 333,
    from 27 March 2022) in the default profile. Elapsed time, not wall-clock time."""
    moment = _aware(detained_at, "detained_at")
    day = moment.astimezone(ZoneInfo(profile.time_zone)).date()
    period = profile.judicial_review_window.at(day)
    if period is None:
        raise CalculationRefused(
            "PROFILE_NO_PERIOD",
            {"rule": profile.judicial_review_window.name, "date": day.isoformat()},
            "profile",
        )
    due = moment + period.value
    return TimedDeadline(
        kind="judicial_review",
        due=due,
        steps=(
            Step(
                "JUDICIAL_REVIEW_WINDOW",
                {
                    "detained_at": moment.isoformat(),
                    "hours": period.value // ONE_HOUR,
                    "valid_from": period.valid_from.isoformat(),
                    "source": period.source,
                    "confirmed": period.confirmed,
                },
            ),
            Step("JUDICIAL_REVIEW_DUE", {"due": due.isoformat()}),
        ),
    )


def provisional_detention_maximum(
    *,
    detained_on: dt.date,
    seriousness: Seriousness,
    profile: Profile,
    conditions: Collection[str] = frozenset(),
) -> DatedDeadline:
    """The last lawful day of provisional detention that began on ``detained_on``.

    The maximum for the seriousness is the one in force on the day of detention. Each extension
    in the profile (in order of coming into force) then adds its term when it reaches the person:
    the offence class matches, its ``condition`` (e.g. ``"group_trial"``) is among ``conditions``,
    and the person was in provisional detention on the day it came into force — not before their
    maximum had already run out, which an extension does not revive — or, for an extension whose
    scope says so, was detained while it was in force.
    """
    rule = profile.provisional_detention_max.get(seriousness)
    period = None if rule is None else rule.at(detained_on)
    if rule is None or period is None:
        raise CalculationRefused(
            "PROFILE_NO_PERIOD",
            {
                "rule": f"provisional_detention_max.{seriousness.value}",
                "date": detained_on.isoformat(),
            },
            "profile",
        )
    last_day = term_end(detained_on, period.value)
    steps: list[Step] = [
        Step(
            "PROVISIONAL_MAXIMUM",
            {
                "starts": detained_on.isoformat(),
                "seriousness": seriousness.value,
                "term": str(period.value),
                "source": period.source,
                "confirmed": period.confirmed,
                "last_day": last_day.isoformat(),
            },
        )
    ]
    extensions = sorted(profile.provisional_detention_extensions, key=lambda e: e.valid_from)
    for extension in extensions:
        reason = None
        in_force_at_detention = extension.valid_from <= detained_on and (
            extension.valid_until is None or detained_on <= extension.valid_until
        )
        if seriousness not in extension.seriousness:
            reason = "seriousness"
        elif extension.condition is not None and extension.condition not in conditions:
            reason = "condition"
        elif detained_on > extension.valid_from:
            if not (
                in_force_at_detention and extension.scope is ExtensionScope.DETAINED_WHILE_IN_FORCE
            ):
                reason = "detained_after_entry_into_force"
        elif last_day < extension.valid_from:
            reason = "maximum_already_reached"
        about: dict[str, Param] = {
            "extension": extension.id,
            "valid_from": extension.valid_from.isoformat(),
            "source": extension.source,
        }
        if reason is not None:
            steps.append(Step("PROVISIONAL_EXTENSION_NOT_APPLICABLE", {**about, "reason": reason}))
            continue
        before = last_day
        last_day = term_end(last_day + ONE_DAY, extension.addition)
        steps.append(
            Step(
                "PROVISIONAL_EXTENSION_APPLIED",
                {
                    **about,
                    "addition": str(extension.addition),
                    "confirmed": extension.confirmed,
                    "last_day": last_day.isoformat(),
                },
            )
        )
        if extension.not_beyond is not None and last_day > extension.not_beyond:
            last_day = max(before, extension.not_beyond)
            steps.append(
                Step(
                    "PROVISIONAL_EXTENSION_LIMITED",
                    {
                        "extension": extension.id,
                        "not_beyond": extension.not_beyond.isoformat(),
                        "last_day": last_day.isoformat(),
                    },
                )
            )
    steps.append(Step("PROVISIONAL_LAST_DAY", {"last_day": last_day.isoformat()}))
    return DatedDeadline(
        kind="provisional_detention",
        last_day=last_day,
        time_zone=profile.time_zone,
        steps=tuple(steps),
    )


def authority_expiry(
    *,
    valid_from: dt.date,
    time_zone: str,
    term: Term | None = None,
    valid_until: dt.date | None = None,
) -> DatedDeadline:
    """The last day of an authority that runs for a ``term`` from ``valid_from`` (first day
    counted, as for sentences), or until ``valid_until`` (inclusive), whichever comes first."""
    if term is None and valid_until is None:
        raise CalculationRefused("AUTHORITY_NO_END", {}, "term")
    steps: list[Step] = []
    ends: list[dt.date] = []
    if term is not None:
        if term.is_negative() or term.is_zero():
            raise CalculationRefused(
                "TERM_ZERO" if term.is_zero() else "TERM_NEGATIVE",
                {"sentence": "-", "term": str(term)},
                "term",
            )
        by_term = term_end(valid_from, term)
        ends.append(by_term)
        steps.append(
            Step(
                "AUTHORITY_TERM",
                {
                    "starts": valid_from.isoformat(),
                    "term": str(term),
                    "last_day": by_term.isoformat(),
                },
            )
        )
    if valid_until is not None:
        ends.append(valid_until)
        steps.append(Step("AUTHORITY_UNTIL", {"last_day": valid_until.isoformat()}))
    last_day = min(ends)
    steps.append(Step("AUTHORITY_EXPIRES", {"last_day": last_day.isoformat()}))
    return DatedDeadline(
        kind="authority", last_day=last_day, time_zone=time_zone, steps=tuple(steps)
    )


def overdue(deadline: Deadline, at: dt.datetime) -> int:
    """Days by which ``deadline`` is overdue at ``at``: every started day counts (one hour late is
    one day). 0 when not overdue."""
    moment = _aware(at, "at")
    if isinstance(deadline, TimedDeadline):
        late = moment - deadline.due
        if late <= dt.timedelta(0):
            return 0
        return -(-late // ONE_DAY)
    day = moment.astimezone(ZoneInfo(deadline.time_zone)).date()
    return max(0, (day - deadline.last_day).days)


# --- coverage by lawful authority ------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorityPeriod:
    """The span an authority covers: from ``valid_from`` (included) to ``valid_until`` (excluded;
    ``None``: open-ended). Aware datetimes."""

    authority: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None


def authorities_covering(periods: Iterable[AuthorityPeriod], at: dt.datetime) -> list[str]:
    """The authorities that cover the moment ``at``, in the order given."""
    moment = _aware(at, "at")
    found: list[str] = []
    for period in periods:
        starts = _aware(period.valid_from, "valid_from")
        ends = None if period.valid_until is None else _aware(period.valid_until, "valid_until")
        if starts <= moment and (ends is None or moment < ends):
            found.append(period.authority)
    return found


def is_covered(periods: Iterable[AuthorityPeriod], at: dt.datetime) -> bool:
    """Whether any authority covers the moment ``at``."""
    return bool(authorities_covering(periods, at))


def uncovered_spans(
    periods: Iterable[AuthorityPeriod], *, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The spans within ``[start, end)`` that no authority covers, in order (UTC)."""
    begin, finish = _aware(start, "start"), _aware(end, "end")
    spans = [
        (
            _aware(p.valid_from, "valid_from"),
            None if p.valid_until is None else _aware(p.valid_until, "valid_until"),
        )
        for p in periods
    ]
    spans.sort(key=lambda span: span[0])
    gaps: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = begin
    for starts, ends in spans:
        if cursor >= finish:
            break
        if starts > cursor:
            gaps.append((cursor, min(starts, finish)))
        cursor = finish if ends is None else max(cursor, ends)
    if cursor < finish:
        gaps.append((cursor, finish))
    return gaps
