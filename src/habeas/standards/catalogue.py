"""The rules and the profiles as data: read from ``rules.yaml`` and ``profiles/*.yaml``, checked,
and rendered into SQL with a profile's thresholds. No Django here: the same module renders the
rules for the database, for DuckDB over the Parquet export and for the documentation.

A rule's SQL is a condition on one row of the ledger (``docs/ledger.md``); thresholds enter as
numeric literals (``:name``), never as text, so a profile cannot change what a rule asks — only
where its line is drawn.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import yaml

PARAM = re.compile(r":([a-z_][a-z0-9_]*)")
# What a rule's SQL may mention besides the ledger's columns and its parameters.
SQL_WORDS = {
    "and",
    "or",
    "not",
    "is",
    "null",
    "case",
    "when",
    "then",
    "else",
    "end",
    "true",
    "false",
    "in",
}
IDENT = re.compile(r"\b([a-z_][a-z0-9_]*)\b")


class CatalogueError(ValueError):
    """A rule or profile file that cannot be used as it is."""


@dataclass(frozen=True)
class RuleDef:
    id: str
    title: str
    source: str
    citation: str
    tag: str
    requirement: str
    method: str
    breach: str
    applies: str = "TRUE"
    needs: tuple[str, ...] = ()
    worst_expr: str | None = None
    worst_order: str = "max"
    streak: str | None = None
    settles_after_hours: str | None = None
    params: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "citation": self.citation,
            "tag": self.tag,
            "requirement": self.requirement,
            "method": self.method,
            "applies": self.applies,
            "needs": list(self.needs),
            "breach": self.breach,
            "worst": {"expr": self.worst_expr, "order": self.worst_order}
            if self.worst_expr
            else None,
            "streak": self.streak,
            "settles_after_hours": self.settles_after_hours,
            "params": list(self.params),
        }


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[RuleDef, ...]
    sources: dict[str, str]
    digest: str  # SHA-256 of the rules as data: part of every evaluation's identity

    def rule(self, rule_id: str) -> RuleDef:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@dataclass(frozen=True)
class ProfileDef:
    code: str
    name: str
    description: str
    thresholds: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return hashlib.sha256(canonical(self.jsonable()).encode()).hexdigest()

    def jsonable(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "thresholds": {
                rule: {k: str(v) for k, v in sorted(values.items())}
                for rule, values in sorted(self.thresholds.items())
            },
        }


@dataclass(frozen=True)
class RenderedRule:
    """A rule with its thresholds in place: SQL conditions on one ledger row."""

    rule: RuleDef
    thresholds: dict[str, Decimal]
    judged: str  # the row is judged
    unknown: str  # the row would be judged but lacks the data
    breached: str  # judged and in breach
    worst: str | None
    condition: str = "FALSE"  # the breach alone, for rows already known to be judged


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _text(path: str) -> str:
    return resources.files("habeas.standards").joinpath(path).read_text(encoding="utf-8")


def parse_rules(text: str, columns: set[str]) -> Catalogue:
    """The rules of ``text`` (YAML), checked against the ledger's ``columns``."""
    data = yaml.safe_load(text) or {}
    sources = {str(k): str(v) for k, v in (data.get("sources") or {}).items()}
    rules: list[RuleDef] = []
    seen: set[str] = set()
    for raw in data.get("rules") or []:
        worst = raw.get("worst") or {}
        rule = RuleDef(
            id=str(raw["id"]),
            title=str(raw["title"]),
            source=str(raw["source"]),
            citation=str(raw["citation"]),
            tag=str(raw.get("tag", "U")),
            requirement=" ".join(str(raw["requirement"]).split()),
            method=" ".join(str(raw.get("method", "")).split()),
            breach=str(raw["breach"]),
            applies=str(raw.get("applies", "TRUE")),
            needs=tuple(raw.get("needs") or ()),
            worst_expr=worst.get("expr"),
            worst_order=str(worst.get("order", "max")),
            streak=raw.get("streak"),
            settles_after_hours=raw.get("settles_after_hours"),
            params=tuple(raw.get("params") or ()),
        )
        _check_rule(rule, sources, columns, seen)
        seen.add(rule.id)
        rules.append(rule)
    digest = hashlib.sha256(canonical([r.as_dict() for r in rules]).encode()).hexdigest()
    return Catalogue(rules=tuple(rules), sources=sources, digest=digest)


def _check_rule(rule: RuleDef, sources: dict[str, str], columns: set[str], seen: set[str]) -> None:
    if rule.id in seen:
        raise CatalogueError(f"{rule.id}: defined twice")
    if rule.source not in sources:
        raise CatalogueError(f"{rule.id}: unknown source {rule.source}")
    if rule.worst_order not in ("min", "max"):
        raise CatalogueError(f"{rule.id}: worst order must be min or max")
    derived = {"settled_day"} if rule.settles_after_hours else set()
    for extra in (rule.streak, rule.settles_after_hours):
        if extra is not None and extra not in rule.params:
            raise CatalogueError(f"{rule.id}: {extra} is not one of its params")
    for name in rule.needs:
        if name not in columns:
            raise CatalogueError(f"{rule.id}: needs an unknown column {name}")
    for expr in (rule.breach, rule.applies, rule.worst_expr or ""):
        for p in PARAM.findall(expr):
            if p not in rule.params and p not in derived:
                raise CatalogueError(f"{rule.id}: :{p} is not one of its params")
        bare = PARAM.sub(" ", re.sub(r"'[^']*'", " ", expr)).lower()
        for word in IDENT.findall(bare):
            if word not in columns and word not in SQL_WORDS and word != "day":
                raise CatalogueError(f"{rule.id}: unknown column or word {word!r}")


def parse_profile(text: str, base: ProfileDef | None = None) -> ProfileDef:
    data = yaml.safe_load(text) or {}
    thresholds: dict[str, dict[str, Decimal]] = {
        rule: dict(values) for rule, values in (base.thresholds if base else {}).items()
    }
    for rule, values in (data.get("thresholds") or {}).items():
        merged = dict(thresholds.get(str(rule), {}))
        for name, value in (values or {}).items():
            try:
                number = Decimal(str(value))
            except InvalidOperation as exc:
                raise CatalogueError(f"{data.get('code')}: {rule}.{name} is not a number") from exc
            if not number.is_finite():
                raise CatalogueError(f"{data.get('code')}: {rule}.{name} is not a number")
            merged[str(name)] = number
        thresholds[str(rule)] = merged
    return ProfileDef(
        code=str(data["code"]),
        name=str(data["name"]),
        description=" ".join(str(data.get("description", "")).split()),
        thresholds=thresholds,
    )


def check_profile(profile: ProfileDef, catalogue: Catalogue) -> None:
    """Every rule's every parameter has a value: a profile may move a line, not drop a rule."""
    for rule in catalogue.rules:
        given = profile.thresholds.get(rule.id, {})
        missing = [p for p in rule.params if p not in given]
        if missing:
            raise CatalogueError(f"profile {profile.code}: {rule.id} lacks {', '.join(missing)}")
    known = {r.id for r in catalogue.rules}
    for rule_id in profile.thresholds:
        if rule_id not in known:
            raise CatalogueError(f"profile {profile.code}: no rule {rule_id}")


BUILT_IN_PROFILES = ("mandela", "icrc", "cpt", "national")
DEFAULT_PROFILE = "mandela"


@cache
def built_in(columns: frozenset[str]) -> tuple[Catalogue, dict[str, ProfileDef]]:
    """The catalogue and the profiles shipped with Habeas (``extends`` merges a base profile)."""
    catalogue = parse_rules(_text("rules.yaml"), set(columns))
    raw = {code: yaml.safe_load(_text(f"profiles/{code}.yaml")) for code in BUILT_IN_PROFILES}
    profiles: dict[str, ProfileDef] = {}

    def load(code: str) -> ProfileDef:
        if code not in profiles:
            base_code = raw[code].get("extends")
            base = load(base_code) if base_code else None
            profiles[code] = parse_profile(_text(f"profiles/{code}.yaml"), base)
            check_profile(profiles[code], catalogue)
        return profiles[code]

    for code in BUILT_IN_PROFILES:
        load(code)
    return catalogue, profiles


def _literal(value: Decimal) -> str:
    """A plain numeric literal (``3.4``, ``60``) that every SQL engine reads the same way."""
    return format(value.normalize(), "f")


def render(rule: RuleDef, thresholds: dict[str, Decimal], *, last_day: dt.date) -> RenderedRule:
    """The rule's conditions with ``thresholds`` in place. ``:settled_day`` is the last day
    whose deadline (``settles_after_hours``) has passed by the end of ``last_day``."""
    values: dict[str, str] = {name: _literal(Decimal(v)) for name, v in thresholds.items()}
    if rule.settles_after_hours:
        hours = Decimal(thresholds[rule.settles_after_hours])
        settled = last_day - dt.timedelta(days=math.ceil(hours / 24))
        values["settled_day"] = f"'{settled.isoformat()}'"

    def fill(expr: str) -> str:
        return PARAM.sub(lambda m: values[m.group(1)], expr)

    applies = f"({fill(rule.applies)})"
    has = " AND ".join(f"{c} IS NOT NULL" for c in rule.needs) or "TRUE"
    judged = f"({applies} AND {has})"
    unknown = f"({applies} AND NOT ({has}))" if rule.needs else "FALSE"
    breached = f"({judged} AND ({fill(rule.breach)}))"
    return RenderedRule(
        rule=rule,
        thresholds=dict(thresholds),
        judged=judged,
        unknown=unknown,
        breached=breached,
        worst=fill(rule.worst_expr) if rule.worst_expr else None,
        condition=f"({fill(rule.breach)})",
    )
