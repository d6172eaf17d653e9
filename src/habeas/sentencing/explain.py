"""The calculator's explanation steps and refusals in the reader's language (gettext), and a
refusal turned into a ``DomainError`` at the Django boundary.

The pure modules speak in stable codes and parameters (``Step``, ``CalculationRefused``); this is
where they become sentences a records officer can follow, in English or Spanish.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from habeas.core.errors import DomainError, InvalidInput, RuleViolation
from habeas.sentencing.calculator import CalculationRefused, Param, Step

_TERM = re.compile(r"(\d+)y(\d+)m(\d+)d")

STEPS: Mapping[str, Promise] = {
    "PROFILE_RULE": gettext_lazy(
        "Rule “%(rule)s” in force on %(date)s: %(value)s (since %(valid_from)s; %(source)s)."
    ),
    "START_BEFORE_IMPOSITION_ALLOWED": gettext_lazy(
        "Sentence %(sentence)s starts on %(starts)s, before it was imposed on %(imposed)s, as "
        "%(source)s allows."
    ),
    "SENTENCE_RUNS": gettext_lazy(
        "Sentence %(sentence)s (%(term)s) runs from %(starts)s (%(from)s) and is served through "
        "%(ends)s: %(days)s days."
    ),
    "CHAIN_CONSECUTIVE": gettext_lazy(
        "Sentence %(sentence)s (%(term)s) is consecutive to %(after)s: it runs from %(starts)s "
        "and is served through %(ends)s: %(days)s days."
    ),
    "REMAND_CREDIT": gettext_lazy(
        "%(days)s days of remand credited to sentence %(sentence)s: it ends on %(ends)s."
    ),
    "AGGREGATE_ENDS_WITH": gettext_lazy(
        "The aggregate ends with sentence %(sentence)s on %(ends)s (its chain totals %(term)s)."
    ),
    "EXTRA_REMAND_CREDIT": gettext_lazy(
        "%(days)s days of remand credited to the aggregate: it ends on %(ends)s."
    ),
    "NOMINAL_AGGREGATE": gettext_lazy(
        "Nominal aggregate: %(term)s, %(days)s days, ending on %(ends)s; custody counted from "
        "%(deemed_start)s."
    ),
    "FAVOURABLE_LAW_APPLIED": gettext_lazy(
        "A more favourable %(rule)s of %(value)s (was %(previous)s) came into force on "
        "%(valid_from)s and applies (%(source)s; Constitución art. 21)."
    ),
    "LATER_LAW_NOT_APPLIED": gettext_lazy(
        "The %(rule)s of %(value)s in force from %(valid_from)s is not more favourable than "
        "%(previous)s and does not apply (%(source)s)."
    ),
    "CAP_APPLIED": gettext_lazy(
        "The nominal aggregate of %(nominal)s exceeds the maximum of %(cap)s (%(source)s): the "
        "last day served is %(ends)s."
    ),
    "CAP_NOT_REACHED": gettext_lazy(
        "The nominal aggregate of %(nominal)s is within the maximum of %(cap)s."
    ),
    "RELEASE_DATE": gettext_lazy(
        "Last day served %(last_day)s (%(custody_days)s days counted); release on %(release)s "
        "(%(convention)s)."
    ),
    "CONDITIONAL_RELEASE": gettext_lazy(
        "Conditional release may be considered on %(date)s: %(fraction)s of the %(basis)s term "
        "is %(days)s of %(of_days)s days."
    ),
    "CONDITIONAL_RELEASE_UNREACHABLE": gettext_lazy(
        "Conditional release cannot be reached before release: %(fraction)s of the %(basis)s "
        "term (%(days)s days) is longer than the time to be served."
    ),
    "JUDICIAL_REVIEW_WINDOW": gettext_lazy(
        "Detained at %(detained_at)s: the law in force then requires a judge within %(hours)s "
        "hours (%(source)s)."
    ),
    "JUDICIAL_REVIEW_DUE": gettext_lazy("Must be brought before a judge by %(due)s."),
    "PROVISIONAL_MAXIMUM": gettext_lazy(
        "Provisional detention from %(starts)s for a %(seriousness)s offence: at most %(term)s "
        "(%(source)s), through %(last_day)s."
    ),
    "PROVISIONAL_EXTENSION_APPLIED": gettext_lazy(
        "Extension %(extension)s (+%(addition)s, in force from %(valid_from)s; %(source)s) "
        "applies: through %(last_day)s."
    ),
    "PROVISIONAL_EXTENSION_LIMITED": gettext_lazy(
        "Extension %(extension)s cannot carry the maximum beyond %(not_beyond)s: through "
        "%(last_day)s."
    ),
    "PROVISIONAL_EXTENSION_NOT_APPLICABLE": gettext_lazy(
        "Extension %(extension)s (from %(valid_from)s) does not apply: %(reason)s."
    ),
    "PROVISIONAL_LAST_DAY": gettext_lazy("Last lawful day of provisional detention: %(last_day)s."),
    "AUTHORITY_TERM": gettext_lazy("Authority from %(starts)s for %(term)s: through %(last_day)s."),
    "AUTHORITY_UNTIL": gettext_lazy("Authority valid until %(last_day)s."),
    "AUTHORITY_EXPIRES": gettext_lazy("The authority expires after %(last_day)s."),
}

REFUSALS: Mapping[str, Promise] = {
    "NO_SENTENCES": gettext_lazy("There are no sentences to calculate."),
    "DUPLICATE_SENTENCE_ID": gettext_lazy("Two sentences have the id %(sentence)s."),
    "TERM_NEGATIVE": gettext_lazy("Sentence %(sentence)s has a negative term (%(term)s)."),
    "TERM_ZERO": gettext_lazy("Sentence %(sentence)s has a term of zero."),
    "REMAND_NEGATIVE": gettext_lazy("Remand credit cannot be negative (%(days)s days)."),
    "REMAND_EXCEEDS_TERM": gettext_lazy(
        "Remand credit of %(days)s days exceeds the term of %(term_days)s days."
    ),
    "CONSECUTIVE_TO_UNKNOWN": gettext_lazy(
        "Sentence %(sentence)s is consecutive to %(consecutive_to)s, which is not among the "
        "sentences."
    ),
    "CONSECUTIVE_CYCLE": gettext_lazy(
        "Sentences are consecutive to each other in a cycle: %(cycle)s."
    ),
    "CONSECUTIVE_AFTER_END": gettext_lazy(
        "Sentence %(sentence)s, imposed on %(imposed)s, is consecutive to %(after)s, which ended "
        "on %(after_ends)s: it cannot follow a sentence that had ended."
    ),
    "START_BEFORE_IMPOSITION": gettext_lazy(
        "Sentence %(sentence)s starts on %(starts)s, before it was imposed on %(imposed)s, and no "
        "rule allows it."
    ),
    "START_CONFLICTS_WITH_CHAIN": gettext_lazy(
        "Sentence %(sentence)s is given the start %(starts)s, but as a consecutive sentence it "
        "starts on %(chain_starts)s."
    ),
    "AGGREGATE_NOT_CONTINUOUS": gettext_lazy(
        "Sentence %(sentence)s starts on %(starts)s, after a gap (the others end on "
        "%(previous_ends)s): sentences of separate custodies are calculated separately."
    ),
    "PROFILE_NO_PERIOD": gettext_lazy(
        "The profile has no period of rule “%(rule)s” in force on %(date)s."
    ),
    "PROFILE_PERIODS_OVERLAP": gettext_lazy("The profile has overlapping periods in: %(rules)s."),
    "LAW_IN_DOUBT": gettext_lazy(
        "The %(rule)s of %(value)s in force from %(valid_from)s, before the latest imposition on "
        "%(reference_date)s, would give an earlier date: which law governs must be decided by a "
        "person."
    ),
    "DATE_OUT_OF_RANGE": gettext_lazy(
        "The calculation reaches beyond the calendar (year 9999) from %(date)s."
    ),
    "NAIVE_DATETIME": gettext_lazy("The moment %(value)s has no time zone."),
    "AUTHORITY_NO_END": gettext_lazy("The authority has neither a term nor an end date."),
}

RULES: Mapping[str, Promise] = {
    "max_aggregate_term": gettext_lazy("maximum aggregate term"),
    "conditional_release_fraction": gettext_lazy("conditional-release fraction"),
    "conditional_release_basis": gettext_lazy("conditional-release basis"),
    "release_day": gettext_lazy("release day"),
    "start_before_imposition_allowed": gettext_lazy("start before imposition allowed"),
    "judicial_review_window": gettext_lazy("judicial review window"),
    "provisional_detention_max.serious": gettext_lazy(
        "maximum provisional detention (serious offences)"
    ),
    "provisional_detention_max.less_serious": gettext_lazy(
        "maximum provisional detention (less serious offences)"
    ),
}

#: Words that appear as parameter values (conventions, bases, classes, reasons).
WORDS: Mapping[str, Promise] = {
    "day_after_last_day_served": gettext_lazy("released the day after the last day served"),
    "last_day_served": gettext_lazy("released on the last day served"),
    "enforceable": gettext_lazy("enforceable"),
    "nominal": gettext_lazy("nominal"),
    "serious": gettext_lazy("serious"),
    "less_serious": gettext_lazy("less serious"),
    "imposition": gettext_lazy("from imposition"),
    "start_date": gettext_lazy("from the start date the court fixed"),
    "seriousness": gettext_lazy("it does not reach offences of this seriousness"),
    "condition": gettext_lazy("its condition is not met"),
    "detained_after_entry_into_force": gettext_lazy(
        "the person was detained after it came into force"
    ),
    "maximum_already_reached": gettext_lazy(
        "the maximum had already run out when it came into force"
    ),
}

#: Parameters whose value is a rule name, a term, or a word of WORDS.
_RULE_PARAMS = {"rule"}
_TERM_PARAMS = {"term", "cap", "nominal", "addition"}
_WORD_PARAMS = {"convention", "basis", "seriousness", "from", "reason"}

#: Refusals that mean the input is malformed (422) rather than refused by a rule (409).
MALFORMED = {
    "NO_SENTENCES",
    "DUPLICATE_SENTENCE_ID",
    "TERM_NEGATIVE",
    "TERM_ZERO",
    "REMAND_NEGATIVE",
    "NAIVE_DATETIME",
}


def term_text(value: str) -> str:
    """``"35y6m0d"`` → "35 years 6 months" (zero parts left out; "0 days" when all are zero)."""
    match = _TERM.fullmatch(value)
    if match is None:
        return value
    years, months, days = (int(part) for part in match.groups())
    parts = []
    if years:
        parts.append(ngettext("%(n)d year", "%(n)d years", years) % {"n": years})
    if months:
        parts.append(ngettext("%(n)d month", "%(n)d months", months) % {"n": months})
    if days or not parts:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    return " ".join(parts)


def _value(key: str, value: Param, labels: Mapping[str, str], step: str | None = None) -> str | int:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int):
        return value
    if key in {"sentence", "after", "consecutive_to"}:
        return labels.get(value, value)
    if key in _RULE_PARAMS:
        return str(RULES.get(value, value))
    if key in _TERM_PARAMS or (key == "value" and _TERM.fullmatch(value)):
        return term_text(value)
    if key in _WORD_PARAMS or (key == "value" and value in WORDS):
        return str(WORDS.get(value, value))
    return value


def _render(
    template: Promise | None, code: str, params: Mapping[str, Param], labels: Mapping[str, str]
) -> str:
    values = {key: _value(key, value, labels) for key, value in params.items()}
    if template is None:
        return f"{code} {values}"
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return f"{code} {values}"


def explain(steps: Sequence[Step], *, labels: Mapping[str, str] | None = None) -> list[str]:
    """Each step as a sentence in the active language. ``labels`` maps the calculator's sentence
    ids to what the reader knows them by (e.g. the case reference)."""
    found = labels or {}
    return [_render(STEPS.get(s.code), s.code, s.params, found) for s in steps]


def refusal_message(refused: CalculationRefused, *, labels: Mapping[str, str] | None = None) -> str:
    """Why the calculator refused, in the active language."""
    return _render(REFUSALS.get(refused.code), refused.code, refused.message_params, labels or {})


def refusal_text(code: str, params: Mapping[str, Param], labels: Mapping[str, str]) -> str:
    """A stored refusal (code and parameters) in the active language."""
    return _render(REFUSALS.get(code), code, params, labels)


def as_domain_error(
    refused: CalculationRefused,
    *,
    labels: Mapping[str, str] | None = None,
    field: Callable[[str | None], str | None] | None = None,
) -> DomainError:
    """The refusal as the ``DomainError`` the API and pages show: ``InvalidInput`` (422) for a
    malformed input, ``RuleViolation`` (409) for one the law of computation refuses; the code is
    the calculator's, the field mapped by ``field`` (the calculator names paths in its input)."""
    message = refusal_message(refused, labels=labels)
    where = field(refused.field) if field is not None else refused.field
    details = {"params": dict(refused.message_params), "calculator_field": refused.field}
    if refused.code in MALFORMED:
        error = InvalidInput(code=refused.code, message=message, field=where)
        error.details.update(details)
        return error
    return RuleViolation(code=refused.code, message=message, field=where, details=details)
