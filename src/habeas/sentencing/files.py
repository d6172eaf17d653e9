"""What-if files and profiles as JSON: read and validate them into the calculator's dataclasses,
and write a calculation (or a refusal) back as JSON.

Validation collects every problem in the file before giving up, each with its JSON path
(``$.sentences[2].term.months``) and the reason, and raises them together as
:class:`CalculationFileError`. Schemas: ``docs/sentencing.md``. Pure: no Django imports.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from habeas.core.marks import Param, Problem, gettext_noop, message
from habeas.sentencing.calculator import Calculation, CalculationRefused, Sentence, explain_en
from habeas.sentencing.profile import (
    ConditionalReleaseBasis,
    ExtensionScope,
    Period,
    Profile,
    ProvisionalExtension,
    ReleaseDay,
    Rule,
    Seriousness,
    Term,
)

__all__ = [
    "PROFILE_SCHEMA",
    "RESULT_SCHEMA",
    "WHAT_IF_SCHEMA",
    "CalculationFileError",
    "WhatIf",
    "builtin_profile",
    "calculation_to_dict",
    "default_profile",
    "dump_calculation",
    "load_profile",
    "load_what_if",
    "loads_what_if",
    "parse_profile",
    "parse_what_if",
    "refusal_to_dict",
]

WHAT_IF_SCHEMA = "habeas.sentencing.what-if/1"
PROFILE_SCHEMA = "habeas.sentencing.profile/1"
RESULT_SCHEMA = "habeas.sentencing.calculation/1"
BUILTIN_PROFILES = ("el_salvador",)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

V = TypeVar("V")
E = TypeVar("E", bound=StrEnum)


class CalculationFileError(Exception):
    """A what-if or profile file with problems; ``problems`` lists every one as (JSON path,
    English reason), ``marked_problems`` as :class:`Problem` (a marked template and its params,
    translated at the Django boundary)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.marked_problems = list(problems)
        self.problems = [p.english for p in self.marked_problems]
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in self.problems))


def _problem(path: str, template: str, /, **params: Param) -> Problem:
    return Problem(path, message(template, **params))


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf:
    """A what-if file read: what :func:`habeas.sentencing.calculator.calculate` takes."""

    sentences: tuple[Sentence, ...]
    profile: Profile
    remand_days: int = 0


class _Reader:
    """Reads JSON values by path, noting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, template: str, /, **params: Param) -> None:
        """A problem at ``path``: ``template`` (marked with ``gettext_noop``) and its params."""
        # One problem per path: a missing field is "required", not also "must be a string".
        if all(path != seen.path for seen in self.problems):
            self.problems.append(_problem(path, template, **params))

    def record(
        self,
        value: object,
        path: str,
        *,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, gettext_noop("must be an object"))
            return None
        for key in required:
            if key not in value:
                self.fail(f"{path}.{key}", gettext_noop("is required"))
        for key in value:
            if key not in required and key not in optional:
                self.fail(f"{path}.{key}", gettext_noop("is not a known field"))
        return value

    def text(self, value: object, path: str, *, empty: bool = False) -> str | None:
        if not isinstance(value, str):
            self.fail(path, gettext_noop("must be a string"))
            return None
        if not empty and not value.strip():
            self.fail(path, gettext_noop("must not be empty"))
            return None
        return value

    def optional_text(self, value: object, path: str) -> str | None:
        return None if value is None else self.text(value, path)

    def count(self, value: object, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, gettext_noop("must be a whole number"))
            return None
        if value < 0:
            self.fail(path, gettext_noop("must not be negative"))
            return None
        return value

    def flag(self, value: object, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.fail(path, gettext_noop("must be true or false"))
            return None
        return value

    def date(self, value: object, path: str) -> dt.date | None:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            self.fail(path, gettext_noop("must be a date as YYYY-MM-DD"))
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(path, gettext_noop("is not a calendar date: %(value)s"), value=value)
            return None

    def optional_date(self, value: object, path: str) -> dt.date | None:
        return None if value is None else self.date(value, path)

    def term(self, value: object, path: str) -> Term | None:
        found = self.record(value, path, required=(), optional=("years", "months", "days"))
        if found is None:
            return None
        parts = {key: self.count(found.get(key, 0), f"{path}.{key}") for key in found}
        if any(part is None for part in parts.values()):
            return None
        term = Term(
            years=parts.get("years") or 0,
            months=parts.get("months") or 0,
            days=parts.get("days") or 0,
        )
        if term.is_zero():
            self.fail(path, gettext_noop("must not be zero"))
            return None
        return term

    def fraction(self, value: object, path: str) -> Fraction | None:
        if not isinstance(value, str):
            self.fail(path, gettext_noop('must be a fraction written as a string, e.g. "2/3"'))
            return None
        numerator, _, denominator = value.partition("/")
        if not numerator.strip().isdigit() or not (denominator or "1").strip().isdigit():
            self.fail(
                path,
                gettext_noop('must be a fraction such as "2/3", not %(value)s'),
                value=repr(value),
            )
            return None
        if int(denominator or "1") == 0:
            self.fail(path, gettext_noop("has a zero denominator"))
            return None
        fraction = Fraction(int(numerator), int(denominator or "1"))
        if not 0 < fraction <= 1:
            self.fail(path, gettext_noop("must be more than 0 and at most 1"))
            return None
        return fraction

    def choice(self, value: object, path: str, kind: type[E]) -> E | None:
        for member in kind:
            if value == member.value:
                return member
        allowed = ", ".join(member.value for member in kind)
        self.fail(path, gettext_noop("must be one of: %(choices)s"), choices=allowed)
        return None

    def window(self, value: object, path: str) -> dt.timedelta | None:
        found = self.record(value, path, required=(), optional=("hours", "days"))
        if found is None:
            return None
        if len(found) != 1:
            self.fail(path, gettext_noop('must give exactly one of "hours" or "days"'))
            return None
        ((unit, amount),) = found.items()
        number = self.count(amount, f"{path}.{unit}")
        if number is None:
            return None
        if number == 0:
            self.fail(f"{path}.{unit}", gettext_noop("must not be zero"))
            return None
        return dt.timedelta(hours=number) if unit == "hours" else dt.timedelta(days=number)

    def rule(
        self, value: object, path: str, name: str, parse: Callable[[object, str], V | None]
    ) -> Rule[V] | None:
        if not isinstance(value, list) or not value:
            self.fail(path, gettext_noop("must be a non-empty list of periods"))
            return None
        periods: list[Period[V]] = []
        for i, item in enumerate(value):
            at = f"{path}[{i}]"
            found = self.record(
                item,
                at,
                required=("valid_from", "valid_until", "value", "source"),
                optional=("confirmed", "note"),
            )
            if found is None:
                continue
            parsed = parse(found.get("value"), f"{at}.value") if "value" in found else None
            valid_from = self.date(found.get("valid_from"), f"{at}.valid_from")
            valid_until = self.optional_date(found.get("valid_until"), f"{at}.valid_until")
            source = self.text(found.get("source"), f"{at}.source")
            confirmed = self.flag(found.get("confirmed", True), f"{at}.confirmed")
            if "note" in found:
                self.text(found["note"], f"{at}.note", empty=True)
            if valid_from and valid_until and valid_until < valid_from:
                self.fail(f"{at}.valid_until", gettext_noop("is before valid_from"))
                continue
            if parsed is None or valid_from is None or source is None or confirmed is None:
                continue
            periods.append(Period(parsed, valid_from, valid_until, source, confirmed))
        if len(periods) != len(value):
            return None
        rule = Rule(name, tuple(sorted(periods, key=lambda p: p.valid_from)))
        for earlier, later in rule.overlaps():
            self.fail(
                path,
                gettext_noop("periods from %(earlier)s and from %(later)s overlap"),
                earlier=str(earlier),
                later=str(later),
            )
        return rule


# --- profiles --------------------------------------------------------------------------------


def _builtin_json(name: str) -> dict[str, Any]:
    text = resources.files("habeas.sentencing").joinpath(f"profiles/{name}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _resolve_extends(raw: dict[str, Any], path: str, reader: _Reader) -> dict[str, Any] | None:
    """A profile ``{"extends": "el_salvador", ...}``: the built-in profile with the rules (and
    extensions, id, name, time zone) given here replacing its own."""
    base_name = raw["extends"]
    if base_name not in BUILTIN_PROFILES:
        reader.fail(
            f"{path}.extends",
            gettext_noop("must name a built-in profile: %(profiles)s"),
            profiles=", ".join(BUILTIN_PROFILES),
        )
        return None
    merged = copy.deepcopy(_builtin_json(base_name))
    for key, value in raw.items():
        if key == "extends":
            continue
        if key == "rules" and isinstance(value, dict):
            for rule_name, periods in value.items():
                if (
                    rule_name == "provisional_detention_max"
                    and isinstance(periods, dict)
                    and isinstance(merged["rules"].get(rule_name), dict)
                ):
                    merged["rules"][rule_name].update(periods)
                else:
                    merged["rules"][rule_name] = periods
        else:
            merged[key] = value
    return merged


_RULES = (
    "max_aggregate_term",
    "conditional_release_fraction",
    "conditional_release_basis",
    "release_day",
    "start_before_imposition_allowed",
    "judicial_review_window",
    "provisional_detention_max",
)


def _read_extension(reader: _Reader, value: object, path: str) -> ProvisionalExtension | None:
    found = reader.record(
        value,
        path,
        required=("id", "addition", "valid_from", "valid_until", "seriousness", "source"),
        optional=("scope", "condition", "not_beyond", "confirmed", "note"),
    )
    if found is None:
        return None
    ident = reader.text(found.get("id"), f"{path}.id")
    addition = reader.term(found.get("addition"), f"{path}.addition")
    valid_from = reader.date(found.get("valid_from"), f"{path}.valid_from")
    valid_until = reader.optional_date(found.get("valid_until"), f"{path}.valid_until")
    source = reader.text(found.get("source"), f"{path}.source")
    scope = reader.choice(
        found.get("scope", ExtensionScope.DETAINED_AT_ENTRY_INTO_FORCE.value),
        f"{path}.scope",
        ExtensionScope,
    )
    condition = reader.optional_text(found.get("condition"), f"{path}.condition")
    not_beyond = reader.optional_date(found.get("not_beyond"), f"{path}.not_beyond")
    confirmed = reader.flag(found.get("confirmed", True), f"{path}.confirmed")
    classes: list[Seriousness] = []
    raw_classes = found.get("seriousness")
    if not isinstance(raw_classes, list) or not raw_classes:
        reader.fail(f"{path}.seriousness", gettext_noop("must be a non-empty list"))
    else:
        for i, item in enumerate(raw_classes):
            chosen = reader.choice(item, f"{path}.seriousness[{i}]", Seriousness)
            if chosen is not None:
                classes.append(chosen)
    if valid_from and valid_until and valid_until < valid_from:
        reader.fail(f"{path}.valid_until", gettext_noop("is before valid_from"))
        return None
    if (
        ident is None
        or addition is None
        or valid_from is None
        or source is None
        or scope is None
        or confirmed is None
        or not classes
        or ("condition" in found and found["condition"] is not None and condition is None)
    ):
        return None
    return ProvisionalExtension(
        id=ident,
        addition=addition,
        valid_from=valid_from,
        valid_until=valid_until,
        seriousness=frozenset(classes),
        source=source,
        scope=scope,
        condition=condition,
        not_beyond=not_beyond,
        confirmed=confirmed,
    )


def _read_profile(reader: _Reader, value: object, path: str) -> Profile | None:
    if isinstance(value, str):
        if value in BUILTIN_PROFILES:
            return builtin_profile(value)
        reader.fail(
            path,
            gettext_noop("must name a built-in profile (%(profiles)s)"),
            profiles=", ".join(BUILTIN_PROFILES),
        )
        return None
    if isinstance(value, dict) and "extends" in value:
        resolved = _resolve_extends(value, path, reader)
        if resolved is None:
            return None
        value = resolved
    found = reader.record(
        value,
        path,
        required=("id", "name", "time_zone", "rules"),
        optional=("schema", "provisional_detention_extensions", "notes"),
    )
    if found is None:
        return None
    if "schema" in found and found["schema"] != PROFILE_SCHEMA:
        reader.fail(
            f"{path}.schema", gettext_noop("must be %(expected)s"), expected=repr(PROFILE_SCHEMA)
        )
    ident = reader.text(found.get("id"), f"{path}.id")
    name = reader.text(found.get("name"), f"{path}.name")
    time_zone = reader.text(found.get("time_zone"), f"{path}.time_zone")
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            reader.fail(
                f"{path}.time_zone",
                gettext_noop("is not a known time zone: %(zone)s"),
                zone=time_zone,
            )
            time_zone = None
    if "notes" in found:
        reader.text(found["notes"], f"{path}.notes", empty=True)
    rules = reader.record(found.get("rules"), f"{path}.rules", required=_RULES)
    extensions: list[ProvisionalExtension] = []
    raw_extensions = found.get("provisional_detention_extensions", [])
    if not isinstance(raw_extensions, list):
        reader.fail(f"{path}.provisional_detention_extensions", gettext_noop("must be a list"))
        raw_extensions = []
    for i, item in enumerate(raw_extensions):
        extension = _read_extension(reader, item, f"{path}.provisional_detention_extensions[{i}]")
        if extension is not None:
            extensions.append(extension)
    if rules is None:
        return None
    at = f"{path}.rules"
    cap = reader.rule(
        rules.get("max_aggregate_term"),
        f"{at}.max_aggregate_term",
        "max_aggregate_term",
        reader.term,
    )
    fraction = reader.rule(
        rules.get("conditional_release_fraction"),
        f"{at}.conditional_release_fraction",
        "conditional_release_fraction",
        reader.fraction,
    )
    basis = reader.rule(
        rules.get("conditional_release_basis"),
        f"{at}.conditional_release_basis",
        "conditional_release_basis",
        lambda v, p: reader.choice(v, p, ConditionalReleaseBasis),
    )
    release_day = reader.rule(
        rules.get("release_day"),
        f"{at}.release_day",
        "release_day",
        lambda v, p: reader.choice(v, p, ReleaseDay),
    )
    early_start = reader.rule(
        rules.get("start_before_imposition_allowed"),
        f"{at}.start_before_imposition_allowed",
        "start_before_imposition_allowed",
        reader.flag,
    )
    window = reader.rule(
        rules.get("judicial_review_window"),
        f"{at}.judicial_review_window",
        "judicial_review_window",
        reader.window,
    )
    maxima: dict[Seriousness, Rule[Term]] = {}
    by_class = reader.record(
        rules.get("provisional_detention_max"),
        f"{at}.provisional_detention_max",
        required=tuple(s.value for s in Seriousness),
    )
    if by_class is not None:
        for seriousness in Seriousness:
            if seriousness.value not in by_class:
                continue
            name_of = f"provisional_detention_max.{seriousness.value}"
            found_rule = reader.rule(
                by_class[seriousness.value], f"{at}.{name_of}", name_of, reader.term
            )
            if found_rule is not None:
                maxima[seriousness] = found_rule
    if (
        ident is None
        or name is None
        or time_zone is None
        or cap is None
        or fraction is None
        or basis is None
        or release_day is None
        or early_start is None
        or window is None
        or len(maxima) != len(Seriousness)
        or len(extensions) != len(raw_extensions)
    ):
        return None
    return Profile(
        id=ident,
        name=name,
        time_zone=time_zone,
        max_aggregate_term=cap,
        conditional_release_fraction=fraction,
        conditional_release_basis=basis,
        release_day=release_day,
        start_before_imposition_allowed=early_start,
        judicial_review_window=window,
        provisional_detention_max=maxima,
        provisional_detention_extensions=tuple(extensions),
    )


def parse_profile(value: object, *, path: str = "$") -> Profile:
    """A profile from parsed JSON (an object, a built-in profile's name, or an object that
    ``extends`` a built-in profile); raises :class:`CalculationFileError` with every problem."""
    reader = _Reader()
    profile = _read_profile(reader, value, path)
    if reader.problems or profile is None:
        raise CalculationFileError(
            reader.problems or [_problem(path, gettext_noop("is not a valid profile"))]
        )
    return profile


def load_profile(path: str | Path) -> Profile:
    """A profile from a JSON file."""
    return parse_profile(_load_json(Path(path).read_text(encoding="utf-8")))


@functools.cache
def builtin_profile(name: str) -> Profile:
    """A profile shipped with Habeas, by name (``"el_salvador"``)."""
    if name not in BUILTIN_PROFILES:
        raise CalculationFileError(
            [_problem("$", gettext_noop("there is no built-in profile %(name)s"), name=repr(name))]
        )
    return parse_profile(_builtin_json(name))


def default_profile() -> Profile:
    """The default profile: El Salvador."""
    return builtin_profile("el_salvador")


# --- what-if files ---------------------------------------------------------------------------


def _read_sentence(reader: _Reader, value: object, path: str) -> Sentence | None:
    found = reader.record(
        value,
        path,
        required=("id", "imposed_on", "term", "seriousness"),
        optional=(
            "offence",
            "court",
            "case_reference",
            "starts_on",
            "consecutive_to",
            "remand_credit_days",
        ),
    )
    if found is None:
        return None
    ident = reader.text(found.get("id"), f"{path}.id")
    imposed_on = reader.date(found.get("imposed_on"), f"{path}.imposed_on")
    term = reader.term(found.get("term"), f"{path}.term")
    seriousness = reader.choice(found.get("seriousness"), f"{path}.seriousness", Seriousness)
    texts = {
        key: reader.text(found.get(key, ""), f"{path}.{key}", empty=True)
        for key in ("offence", "court", "case_reference")
    }
    starts_on = reader.optional_date(found.get("starts_on"), f"{path}.starts_on")
    consecutive_to = reader.optional_text(found.get("consecutive_to"), f"{path}.consecutive_to")
    credit = reader.count(found.get("remand_credit_days", 0), f"{path}.remand_credit_days")
    if (
        ident is None
        or imposed_on is None
        or term is None
        or seriousness is None
        or credit is None
        or any(text is None for text in texts.values())
        or (found.get("starts_on") is not None and starts_on is None)
        or (found.get("consecutive_to") is not None and consecutive_to is None)
    ):
        return None
    return Sentence(
        id=ident,
        term=term,
        imposed_on=imposed_on,
        seriousness=seriousness,
        offence=texts["offence"] or "",
        court=texts["court"] or "",
        case_reference=texts["case_reference"] or "",
        starts_on=starts_on,
        consecutive_to=consecutive_to,
        remand_credit_days=credit,
    )


def parse_what_if(value: object) -> WhatIf:
    """A what-if from parsed JSON; raises :class:`CalculationFileError` listing every problem.

    Checks what the file alone shows — types, required fields, dates, terms, unknown fields,
    duplicate ids, references to unknown sentences. What needs the calculation (a cycle, remand
    longer than a term, a gap) is refused by the calculator.
    """
    reader = _Reader()
    found = reader.record(
        value,
        "$",
        required=("schema", "sentences"),
        optional=("profile", "remand_days", "note"),
    )
    if found is None:
        raise CalculationFileError(reader.problems)
    if "schema" in found and found["schema"] != WHAT_IF_SCHEMA:
        reader.fail("$.schema", gettext_noop("must be %(expected)s"), expected=repr(WHAT_IF_SCHEMA))
    if "note" in found:
        reader.text(found["note"], "$.note", empty=True)
    profile = _read_profile(reader, found.get("profile", "el_salvador"), "$.profile")
    remand_days = reader.count(found.get("remand_days", 0), "$.remand_days")
    sentences: list[Sentence] = []
    raw = found.get("sentences")
    if not isinstance(raw, list) or not raw:
        if "sentences" in found:
            reader.fail("$.sentences", gettext_noop("must be a non-empty list"))
        raw = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        sentence = _read_sentence(reader, item, f"$.sentences[{i}]")
        if sentence is None:
            continue
        if sentence.id in seen:
            reader.fail(
                f"$.sentences[{i}].id",
                gettext_noop("repeats the id of %(first)s"),
                first=f"$.sentences[{seen[sentence.id]}]",
            )
        else:
            seen[sentence.id] = i
        sentences.append(sentence)
    ids = {
        item.get("id") for item in raw if isinstance(item, dict) and isinstance(item.get("id"), str)
    }
    for i, item in enumerate(raw):
        if isinstance(item, dict) and isinstance(item.get("consecutive_to"), str):
            target = item["consecutive_to"]
            if target not in ids:
                reader.fail(
                    f"$.sentences[{i}].consecutive_to",
                    gettext_noop("names no sentence in this file: %(id)s"),
                    id=target,
                )
            elif target == item.get("id"):
                reader.fail(
                    f"$.sentences[{i}].consecutive_to", gettext_noop("names the sentence itself")
                )
    if reader.problems or profile is None or remand_days is None:
        raise CalculationFileError(reader.problems)
    return WhatIf(sentences=tuple(sentences), profile=profile, remand_days=remand_days)


def _load_json(text: str) -> object:
    try:
        loaded: object = json.loads(text)
    except json.JSONDecodeError as error:
        raise CalculationFileError(
            [
                _problem(
                    "$",
                    gettext_noop("is not valid JSON: %(error)s at line %(line)s column %(column)s"),
                    error=error.msg,
                    line=error.lineno,
                    column=error.colno,
                )
            ]
        ) from None
    except RecursionError:  # JSON nested thousands deep (issue #8, bad-input tests)
        raise CalculationFileError([_problem("$", gettext_noop("is nested too deeply"))]) from None
    return loaded


def loads_what_if(text: str) -> WhatIf:
    """A what-if from JSON text."""
    return parse_what_if(_load_json(text))


def load_what_if(path: str | Path) -> WhatIf:
    """A what-if from a JSON file."""
    return loads_what_if(Path(path).read_text(encoding="utf-8"))


# --- results ---------------------------------------------------------------------------------


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def calculation_to_dict(calculation: Calculation) -> dict[str, Any]:
    """A calculation as JSON-ready data (dates ISO 8601, the fraction as ``"2/3"``)."""
    return {
        "schema": RESULT_SCHEMA,
        "sentence_start": _day(calculation.sentence_start),
        "deemed_start": _day(calculation.deemed_start),
        "nominal_term": calculation.nominal_term.as_dict(),
        "nominal_days": calculation.nominal_days,
        "nominal_last_day": _day(calculation.nominal_last_day),
        "cap": calculation.cap.as_dict(),
        "capped": calculation.capped,
        "enforceable_term": calculation.enforceable_term.as_dict(),
        "custody_days": calculation.custody_days,
        "remand_credit_days": calculation.remand_credit_days,
        "last_day": _day(calculation.last_day),
        "release_date": _day(calculation.release_date),
        "conditional_release_fraction": str(calculation.conditional_release_fraction),
        "conditional_release_date": _day(calculation.conditional_release_date),
        "determining_sentence": calculation.determining_sentence,
        "runs": [
            {
                "sentence": run.sentence,
                "starts": _day(run.starts),
                "last_day": _day(run.last_day),
                "term_days": run.term_days,
                "remand_credit_days": run.remand_credit_days,
                "consecutive_to": run.consecutive_to,
            }
            for run in calculation.runs
        ],
        "steps": [{"code": step.code, "params": dict(step.params)} for step in calculation.steps],
        "explanation_en": explain_en(calculation),
    }


def refusal_to_dict(refused: CalculationRefused) -> dict[str, Any]:
    """A refusal as JSON-ready data."""
    return {
        "schema": RESULT_SCHEMA,
        "refused": {
            "code": refused.code,
            "params": dict(refused.message_params),
            "field": refused.field,
            "message_en": str(refused),
        },
    }


def dump_calculation(result: Calculation | CalculationRefused, *, indent: int = 2) -> str:
    """A calculation, or the refusal to calculate, as JSON text."""
    body: Mapping[str, Any] = (
        calculation_to_dict(result) if isinstance(result, Calculation) else refusal_to_dict(result)
    )
    return json.dumps(body, indent=indent, ensure_ascii=False) + "\n"
