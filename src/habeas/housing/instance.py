"""Allocation instance files: JSON in and out of the allocator's dataclasses.

An *instance file* describes an estate, its people, where they are, and the rules; a *plan file*
is what the engine decided. The schema is documented in docs/allocation.md. Reading checks
everything and reports every problem at once, each with its JSON path (``people[12].sex``) and
the reason, in one :class:`InstanceError`. Pure: no Django (the command and API map the error,
translating each reason: its template is marked with ``gettext_noop``, see habeas.core.marks).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from habeas.core.marks import Message, Param, Problem, gettext_noop, message
from habeas.housing.allocator import (
    CATEGORIES,
    SCOPES,
    Cell,
    Instance,
    Move,
    NonAssociation,
    Person,
    Plan,
    Policy,
    Refusal,
    Rivalry,
    Scope,
    Unplaced,
)

__all__ = [
    "INSTANCE_FORMAT",
    "PLAN_FORMAT",
    "InstanceError",
    "dump_instance",
    "dump_plan",
    "load_instance",
    "parse_instance",
    "parse_plan",
    "read_instance",
    "write_instance",
    "write_plan",
]

INSTANCE_FORMAT = "habeas.allocation-instance/1"
PLAN_FORMAT = "habeas.allocation-plan/1"
MAX_AGE = 150

T = TypeVar("T")


class _Missing:
    """A required field that is absent: already reported once, not again as a wrong type."""


MISSING = _Missing()


class InstanceError(ValueError):
    """A file that is not a valid instance (or plan): every problem. ``problems`` lists them as
    (JSON path, English reason); ``marked_problems`` as :class:`Problem`, to translate."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.marked_problems = list(problems)
        self.problems = [p.english for p in self.marked_problems]
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in self.problems))


class _Reader:
    """Walks a decoded JSON document, collecting every problem instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, template: str, **params: Param) -> None:
        """A problem at ``path``: ``template`` (marked with ``gettext_noop``) and its params."""
        self.problems.append(Problem(path, message(template, **params)))

    def obj(
        self, value: object, path: str, required: Sequence[str], optional: Sequence[str]
    ) -> dict[str, object] | None:
        if not isinstance(value, dict):
            self.problem(path, gettext_noop("must be an object, not %(kind)s"), kind=_kind(value))
            return None
        for key in required:
            if key not in value:
                self.problem(_join(path, key), gettext_noop("is required"))
        for key in value:
            if key not in required and key not in optional:
                self.problem(_join(path, str(key)), gettext_noop("is not a known field"))
        return value

    def items(self, value: object, path: str) -> list[object]:
        if value is None or isinstance(value, _Missing):
            return []
        if not isinstance(value, list):
            self.problem(path, gettext_noop("must be a list, not %(kind)s"), kind=_kind(value))
            return []
        return value

    def integer(
        self, value: object, path: str, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if isinstance(value, _Missing):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                path, gettext_noop("must be a whole number, not %(kind)s"), kind=_kind(value)
            )
            return None
        if minimum is not None and value < minimum:
            self.problem(
                path,
                gettext_noop("must be at least %(minimum)s, not %(value)s"),
                minimum=minimum,
                value=value,
            )
            return None
        if maximum is not None and value > maximum:
            self.problem(
                path,
                gettext_noop("must be at most %(maximum)s, not %(value)s"),
                maximum=maximum,
                value=value,
            )
            return None
        return value

    def text(self, value: object, path: str, choices: Sequence[str] | None = None) -> str | None:
        if isinstance(value, _Missing):
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(
                path, gettext_noop("must be a non-empty string, not %(kind)s"), kind=_kind(value)
            )
            return None
        if choices is not None and value not in choices:
            self.problem(
                path,
                gettext_noop("must be one of %(choices)s, not %(value)s"),
                choices=", ".join(choices),
                value=repr(value),
            )
            return None
        return value

    def boolean(self, value: object, path: str) -> bool | None:
        if isinstance(value, _Missing):
            return None
        if not isinstance(value, bool):
            self.problem(
                path, gettext_noop("must be true or false, not %(kind)s"), kind=_kind(value)
            )
            return None
        return value

    def texts(self, value: object, path: str) -> frozenset[str] | None:
        found: list[str] = []
        ok = True
        if isinstance(value, _Missing):
            return None
        if not isinstance(value, list):
            self.problem(
                path, gettext_noop("must be a list of strings, not %(kind)s"), kind=_kind(value)
            )
            return None
        for i, item in enumerate(value):
            text = self.text(item, f"{path}[{i}]")
            if text is None:
                ok = False
            else:
                found.append(text)
        return frozenset(found) if ok else None


def _join(path: str, key: str) -> str:
    return key if path == "$" else f"{path}.{key}"


def _kind(value: object) -> Message:
    """What a JSON value is, in words ("null", "the number 3"), as a marked message."""
    if value is None:
        return message(gettext_noop("null"))
    if isinstance(value, bool):
        return message(gettext_noop("a boolean"))
    if isinstance(value, int | float):
        return message(gettext_noop("the number %(value)s"), value=repr(value))
    if isinstance(value, str):
        return message(gettext_noop("the string %(value)s"), value=repr(value))
    if isinstance(value, list):
        return message(gettext_noop("a list"))
    if isinstance(value, dict):
        return message(gettext_noop("an object"))
    return message(type(value).__name__)  # not JSON: never read from a file


def _each(
    reader: _Reader,
    value: object,
    path: str,
    build: Callable[[dict[str, object], str], T | None],
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> list[tuple[str, T]]:
    out: list[tuple[str, T]] = []
    for i, item in enumerate(reader.items(value, path)):
        where = f"{path}[{i}]"
        fields = reader.obj(item, where, required, optional)
        if fields is None:
            continue
        built = build(fields, where)
        if built is not None:
            out.append((where, built))
    return out


# ----------------------------------------------------------------------------------------------
# Instances
# ----------------------------------------------------------------------------------------------

_TOP = ("cells", "people")
_TOP_OPTIONAL = ("format", "placements", "non_associations", "policy", "over_capacity")


def parse_instance(document: object) -> Instance:
    """An :class:`Instance` from a decoded JSON document, or :class:`InstanceError` listing
    every problem."""
    r = _Reader()
    root = r.obj(document, "$", _TOP, _TOP_OPTIONAL)
    if root is None:
        raise InstanceError(r.problems)
    if "format" in root and root["format"] != INSTANCE_FORMAT:
        r.problem(
            "format",
            gettext_noop("must be %(expected)s, not %(value)s"),
            expected=repr(INSTANCE_FORMAT),
            value=repr(root["format"]),
        )

    def cell(f: dict[str, object], at: str) -> Cell | None:
        cid = r.integer(f.get("id", MISSING), f"{at}.id")
        unit = r.text(f.get("unit", MISSING), f"{at}.unit")
        operational = r.integer(
            f.get("operational_capacity", MISSING), f"{at}.operational_capacity", minimum=0
        )
        standard = r.integer(
            f.get("standard_capacity", MISSING), f"{at}.standard_capacity", minimum=0
        )
        beds = r.integer(f.get("bed_capacity", MISSING), f"{at}.bed_capacity", minimum=0)
        in_service = r.boolean(f.get("in_service", True), f"{at}.in_service")
        attributes = r.texts(f.get("attributes", []), f"{at}.attributes")
        if (
            cid is None
            or unit is None
            or operational is None
            or standard is None
            or beds is None
            or in_service is None
            or attributes is None
        ):
            return None
        return Cell(cid, unit, operational, standard, beds, in_service, attributes)

    def person(f: dict[str, object], at: str) -> Person | None:
        pid = r.integer(f.get("id", MISSING), f"{at}.id")
        sex = r.text(f.get("sex", MISSING), f"{at}.sex")
        age = r.integer(f.get("age", MISSING), f"{at}.age", minimum=0, maximum=MAX_AGE)
        status = r.text(f.get("status", MISSING), f"{at}.status")
        groups = r.texts(f.get("groups", []), f"{at}.groups")
        needs = r.texts(f.get("needs", []), f"{at}.needs")
        if pid is None or sex is None or age is None or status is None:
            return None
        if groups is None or needs is None:
            return None
        return Person(pid, sex, age, status, groups, needs)

    cells = _each(
        r,
        root.get("cells"),
        "cells",
        cell,
        ("id", "unit", "operational_capacity", "standard_capacity", "bed_capacity"),
        ("in_service", "attributes"),
    )
    cell_at = _ids(r, root.get("cells"), "cells", "cell")
    people = _each(
        r,
        root.get("people"),
        "people",
        person,
        ("id", "sex", "age", "status"),
        ("groups", "needs"),
    )
    person_at = _ids(r, root.get("people"), "people", "person")
    cell_by_id = {c.id: c for _at, c in cells}

    def known(value: int | None, table: Mapping[int, str], what: str, at: str) -> int | None:
        if value is not None and value not in table:
            r.problem(at, _UNKNOWN[what], value=value)
            return None
        return value

    placements: dict[int, int] = {}
    placed_at: dict[int, str] = {}

    def placement(f: dict[str, object], at: str) -> tuple[int, int] | None:
        pid = known(
            r.integer(f.get("person", MISSING), f"{at}.person"), person_at, "person", f"{at}.person"
        )
        if pid is not None and pid in placed_at:
            r.problem(
                f"{at}.person",
                gettext_noop("person %(person)s is already placed at %(at)s"),
                person=pid,
                at=placed_at[pid],
            )
            pid = None
        elif pid is not None:
            placed_at[pid] = at
        cid = known(r.integer(f.get("cell", MISSING), f"{at}.cell"), cell_at, "cell", f"{at}.cell")
        return None if pid is None or cid is None else (pid, cid)

    for _at, (pid, cid) in _each(
        r, root.get("placements"), "placements", placement, ("person", "cell")
    ):
        placements[pid] = cid

    def non_association(f: dict[str, object], at: str) -> NonAssociation | None:
        a = known(r.integer(f.get("a", MISSING), f"{at}.a"), person_at, "person", f"{at}.a")
        b = known(r.integer(f.get("b", MISSING), f"{at}.b"), person_at, "person", f"{at}.b")
        scope = r.text(f.get("scope", MISSING), f"{at}.scope", SCOPES)
        if a is not None and a == b:
            r.problem(f"{at}.b", gettext_noop("a person cannot be kept apart from themselves"))
            return None
        if a is None or b is None or scope is None:
            return None
        return NonAssociation(a, b, _scope(scope))

    nas = _each(
        r, root.get("non_associations"), "non_associations", non_association, ("a", "b", "scope")
    )
    policy = _policy(r, root.get("policy", {}), "policy")

    over: dict[int, int] = {}

    def ceiling(f: dict[str, object], at: str) -> tuple[int, int] | None:
        cid = known(r.integer(f.get("cell", MISSING), f"{at}.cell"), cell_at, "cell", f"{at}.cell")
        value = r.integer(f.get("ceiling", MISSING), f"{at}.ceiling", minimum=0)
        if cid is not None and cid in over:
            r.problem(f"{at}.cell", gettext_noop("cell %(cell)s already has a ceiling"), cell=cid)
            return None
        if cid is None or value is None or cid not in cell_by_id:
            return None
        target = cell_by_id[cid]
        if value < target.operational_capacity:
            r.problem(
                f"{at}.ceiling",
                gettext_noop(
                    "must be at least the operational capacity %(capacity)s, not %(value)s"
                ),
                capacity=target.operational_capacity,
                value=value,
            )
            return None
        if value > target.bed_capacity:
            r.problem(
                f"{at}.ceiling",
                gettext_noop("must not exceed the bed capacity %(capacity)s, not %(value)s"),
                capacity=target.bed_capacity,
                value=value,
            )
            return None
        over[cid] = value
        return cid, value

    _each(r, root.get("over_capacity"), "over_capacity", ceiling, ("cell", "ceiling"))

    if r.problems or policy is None:
        raise InstanceError(r.problems)
    return Instance(
        cells=tuple(c for _at, c in cells),
        people=tuple(p for _at, p in people),
        placements=placements,
        non_associations=tuple(na for _at, na in nas),
        policy=policy,
        over_capacity=over,
    )


def _scope(value: str) -> Scope:
    if value == "cell":
        return "cell"
    if value == "unit":
        return "unit"
    return "facility"


_UNKNOWN = {
    "person": gettext_noop("no person has id %(value)s"),
    "cell": gettext_noop("no cell has id %(value)s"),
}
_DUPLICATE = {
    "person": gettext_noop("duplicate person id %(value)s (first at %(first)s)"),
    "cell": gettext_noop("duplicate cell id %(value)s (first at %(first)s)"),
}


def _ids(r: _Reader, items: object, path: str, what: str) -> dict[int, str]:
    """Every whole-number id in a list, where it first appears; later copies are problems.
    Items wrong in other ways still count: references to them are not reported as unknown."""
    first: dict[int, str] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        value = item.get("id") if isinstance(item, dict) else None
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        if value in first:
            r.problem(f"{path}[{i}].id", _DUPLICATE[what], value=value, first=first[value])
        else:
            first[value] = f"{path}[{i}]"
    return first


def _policy(r: _Reader, value: object, path: str) -> Policy | None:
    fields = r.obj(value, path, (), ("rivalries", "separate", "adult_age"))
    if fields is None:
        return None

    def rivalry(f: dict[str, object], at: str) -> Rivalry | None:
        a = r.text(f.get("a", MISSING), f"{at}.a")
        b = r.text(f.get("b", MISSING), f"{at}.b")
        scope = r.text(f.get("scope", MISSING), f"{at}.scope", ("cell", "unit"))
        if a is not None and a == b:
            r.problem(f"{at}.b", gettext_noop("a group cannot be its own rival"))
            return None
        if a is None or b is None or scope is None:
            return None
        return Rivalry(a, b, "cell" if scope == "cell" else "unit")

    def separation(f: dict[str, object], at: str) -> tuple[str, Scope] | None:
        category = r.text(f.get("category", MISSING), f"{at}.category", CATEGORIES)
        scope = r.text(f.get("scope", MISSING), f"{at}.scope", SCOPES)
        if category is None or scope is None:
            return None
        return category, _scope(scope)

    rivalries = _each(r, fields.get("rivalries"), f"{path}.rivalries", rivalry, ("a", "b", "scope"))
    default = Policy()
    separate = default.separate
    if "separate" in fields:
        separate = tuple(
            s
            for _at, s in _each(
                r, fields.get("separate"), f"{path}.separate", separation, ("category", "scope")
            )
        )
    adult_age = r.integer(
        fields.get("adult_age", default.adult_age), f"{path}.adult_age", minimum=0, maximum=MAX_AGE
    )
    if adult_age is None:
        return None
    return Policy(tuple(x for _at, x in rivalries), separate, adult_age)


def read_instance(text: str | bytes) -> Instance:
    """An :class:`Instance` from JSON text."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstanceError(
            [
                Problem(
                    "$",
                    message(
                        gettext_noop("not JSON: %(error)s at line %(line)s column %(column)s"),
                        error=error.msg,
                        line=error.lineno,
                        column=error.colno,
                    ),
                )
            ]
        ) from error
    return parse_instance(document)


def load_instance(path: str | Path) -> Instance:
    """An :class:`Instance` from a JSON file."""
    return read_instance(Path(path).read_bytes())


def dump_instance(instance: Instance) -> dict[str, object]:
    """The JSON document of an instance (what :func:`parse_instance` reads back)."""
    return {
        "format": INSTANCE_FORMAT,
        "policy": {
            "rivalries": [
                {"a": x.a, "b": x.b, "scope": x.scope} for x in instance.policy.rivalries
            ],
            "separate": [
                {"category": category, "scope": scope}
                for category, scope in instance.policy.separate
            ],
            "adult_age": instance.policy.adult_age,
        },
        "cells": [
            {
                "id": c.id,
                "unit": c.unit,
                "operational_capacity": c.operational_capacity,
                "standard_capacity": c.standard_capacity,
                "bed_capacity": c.bed_capacity,
                "in_service": c.in_service,
                "attributes": sorted(c.attributes),
            }
            for c in instance.cells
        ],
        "people": [
            {
                "id": p.id,
                "sex": p.sex,
                "age": p.age,
                "status": p.status,
                "groups": sorted(p.groups),
                "needs": sorted(p.needs),
            }
            for p in instance.people
        ],
        "placements": [
            {"person": pid, "cell": cid} for pid, cid in sorted(instance.placements.items())
        ],
        "non_associations": [
            {"a": na.a, "b": na.b, "scope": na.scope} for na in instance.non_associations
        ],
        "over_capacity": [
            {"cell": cid, "ceiling": value} for cid, value in sorted(instance.over_capacity.items())
        ],
    }


def write_instance(instance: Instance) -> str:
    """An instance as JSON text."""
    return json.dumps(dump_instance(instance), indent=1, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------------------------
# Plans
# ----------------------------------------------------------------------------------------------


def _refusal_json(refusal: Refusal) -> dict[str, object]:
    return {"code": str(refusal.code), "params": dict(sorted(refusal.params.items()))}


def dump_plan(plan: Plan) -> dict[str, object]:
    """The JSON document of a plan. An infinite worst ratio (someone in a cell with no floor
    area) is written as null."""
    return {
        "format": PLAN_FORMAT,
        "placements": [{"person": pid, "cell": cid} for pid, cid in plan.placements],
        "moves": [
            {"person": m.person, "from_cell": m.from_cell, "to_cell": m.to_cell} for m in plan.moves
        ],
        "unplaced": [
            {"person": u.person, "reasons": [_refusal_json(x) for x in u.reasons]}
            for u in plan.unplaced
        ],
        "occupancy": [{"cell": cid, "occupants": n} for cid, n in sorted(plan.occupancy.items())],
        "worst_ratio": plan.worst_ratio if math.isfinite(plan.worst_ratio) else None,
        "shortfall": plan.shortfall,
        "unresolved": [_refusal_json(x) for x in plan.unresolved],
    }


def write_plan(plan: Plan) -> str:
    """A plan as JSON text."""
    return json.dumps(dump_plan(plan), indent=1, ensure_ascii=False) + "\n"


def parse_plan(document: object) -> Plan:
    """A :class:`Plan` from a decoded JSON document, or :class:`InstanceError`."""
    r = _Reader()
    root = r.obj(
        document,
        "$",
        ("placements", "moves", "unplaced", "occupancy", "worst_ratio", "shortfall"),
        ("format", "unresolved"),
    )
    if root is None:
        raise InstanceError(r.problems)
    if "format" in root and root["format"] != PLAN_FORMAT:
        r.problem(
            "format",
            gettext_noop("must be %(expected)s, not %(value)s"),
            expected=repr(PLAN_FORMAT),
            value=repr(root["format"]),
        )

    def pair(f: dict[str, object], at: str) -> tuple[int, int] | None:
        pid = r.integer(f.get("person", MISSING), f"{at}.person")
        cid = r.integer(f.get("cell", MISSING), f"{at}.cell")
        return None if pid is None or cid is None else (pid, cid)

    def move(f: dict[str, object], at: str) -> Move | None:
        pid = r.integer(f.get("person", MISSING), f"{at}.person")
        a = r.integer(f.get("from_cell", MISSING), f"{at}.from_cell")
        b = r.integer(f.get("to_cell", MISSING), f"{at}.to_cell")
        return None if pid is None or a is None or b is None else Move(pid, a, b)

    def refusal(f: dict[str, object], at: str) -> Refusal | None:
        code = r.text(f.get("code", MISSING), f"{at}.code")
        params = f.get("params", {})
        if not isinstance(params, dict):  # open-ended: any keys
            r.problem(
                f"{at}.params", gettext_noop("must be an object, not %(kind)s"), kind=_kind(params)
            )
            params = {}
        clean: dict[str, str | int] = {}
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, str | int):
                r.problem(
                    f"{at}.params.{key}",
                    gettext_noop("must be a string or a whole number, not %(kind)s"),
                    kind=_kind(value),
                )
            else:
                clean[key] = value
        return None if code is None else Refusal(code, clean)

    def unplaced(f: dict[str, object], at: str) -> Unplaced | None:
        pid = r.integer(f.get("person", MISSING), f"{at}.person")
        reasons = _each(
            r, f.get("reasons", MISSING), f"{at}.reasons", refusal, ("code",), ("params",)
        )
        return None if pid is None else Unplaced(pid, tuple(x for _at, x in reasons))

    def occupancy(f: dict[str, object], at: str) -> tuple[int, int] | None:
        cid = r.integer(f.get("cell", MISSING), f"{at}.cell")
        n = r.integer(f.get("occupants", MISSING), f"{at}.occupants", minimum=0)
        return None if cid is None or n is None else (cid, n)

    placements = _each(r, root.get("placements"), "placements", pair, ("person", "cell"))
    moves = _each(r, root.get("moves"), "moves", move, ("person", "from_cell", "to_cell"))
    left_out = _each(r, root.get("unplaced"), "unplaced", unplaced, ("person", "reasons"))
    occupied = _each(r, root.get("occupancy"), "occupancy", occupancy, ("cell", "occupants"))
    unresolved = _each(r, root.get("unresolved"), "unresolved", refusal, ("code",), ("params",))
    worst_value = root.get("worst_ratio", MISSING)
    worst = math.inf
    if worst_value is not None and not isinstance(worst_value, _Missing):
        if isinstance(worst_value, bool) or not isinstance(worst_value, int | float):
            r.problem(
                "worst_ratio",
                gettext_noop("must be a number or null, not %(kind)s"),
                kind=_kind(worst_value),
            )
        else:
            worst = float(worst_value)
    shortfall = r.integer(root.get("shortfall", MISSING), "shortfall", minimum=0)
    if r.problems or shortfall is None:
        raise InstanceError(r.problems)
    return Plan(
        placements=[x for _at, x in placements],
        moves=[x for _at, x in moves],
        unplaced=[x for _at, x in left_out],
        occupancy=dict(x for _at, x in occupied),
        worst_ratio=worst,
        shortfall=shortfall,
        unresolved=[x for _at, x in unresolved],
    )
