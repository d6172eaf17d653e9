"""The estate file: a YAML description of facilities, units and cells, validated in full before
anything is written. Every problem names the key (and line) and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import available_timezones

from django.utils.translation import gettext as _

from habeas.core.errors import FieldProblem
from habeas.core.yamlfile import LocatedYaml

CELL_FIELDS = {
    "code",
    "kind",
    "floor_area_m2",
    "ceiling_height_m",
    "window_area_m2",
    "bunks",
    "mattresses",
    "toilets",
    "showers",
    "operational_capacity",
    "in_service",
    "out_of_service_reason",
    "attributes",
}
SERIES_FIELDS = (CELL_FIELDS - {"code"}) | {"pattern", "count", "start"}


@dataclass
class StandardSpec:
    code: str
    name: str
    shared_m2_per_person: Decimal
    single_m2: Decimal
    source: str = ""


@dataclass
class CellSpec:
    code: str
    floor_area_m2: Decimal
    bunks: int
    operational_capacity: int
    kind: str = "shared"
    ceiling_height_m: Decimal | None = None
    window_area_m2: Decimal | None = None
    mattresses: int = 0
    toilets: int = 0
    showers: int = 0
    in_service: bool = True
    out_of_service_reason: str = ""
    attributes: list[str] = field(default_factory=list)


@dataclass
class UnitSpec:
    code: str
    name: str
    cells: list[CellSpec] = field(default_factory=list)


@dataclass
class FacilitySpec:
    code: str
    name: str
    time_zone: str
    jurisdiction: str
    holds_sex: str
    space_standard: str
    kind: str = "adult"
    stated_capacity: int | None = None
    units: list[UnitSpec] = field(default_factory=list)


@dataclass
class EstateSpec:
    standards: list[StandardSpec] = field(default_factory=list)
    facilities: list[FacilitySpec] = field(default_factory=list)


class _Reader:
    def __init__(self, doc: LocatedYaml) -> None:
        self.doc = doc
        self.problems: list[FieldProblem] = []

    def fail(self, path: str, message: str, code: str = "INVALID") -> None:
        self.problems.append(
            FieldProblem(field=path, message=message, code=code, line=self.doc.line_of(path))
        )

    def mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, _("must be a mapping of keys to values"))
            return None
        return value

    def seq(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
            return []
        return value

    def unknown_keys(self, m: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in m:
            if key not in allowed:
                self.fail(
                    f"{path}.{key}",
                    _("is not a known key (known: %(keys)s)")
                    % {"keys": ", ".join(sorted(allowed))},
                    "UNKNOWN_KEY",
                )

    def text(
        self,
        m: dict[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        max_length: int = 200,
    ) -> str:
        p = f"{path}.{key}"
        if key not in m or m[key] is None or m[key] == "":
            if required:
                self.fail(p, _("is required"), "REQUIRED")
            return ""
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(p, _("must be text"))
            return ""
        s = str(value).strip()
        if len(s) > max_length:
            self.fail(p, _("must be at most %(n)d characters") % {"n": max_length})
        return s

    def integer(
        self,
        m: dict[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        minimum: int = 0,
        default: int | None = None,
    ) -> int | None:
        p = f"{path}.{key}"
        if key not in m or m[key] is None:
            if required and default is None:
                self.fail(p, _("is required"), "REQUIRED")
            return default
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(p, _("must be a whole number"))
            return default
        if value < minimum:
            self.fail(p, _("must be at least %(n)d") % {"n": minimum})
            return default
        return value

    def decimal(
        self,
        m: dict[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        positive: bool = True,
        maximum: Decimal | None = None,
    ) -> Decimal | None:
        p = f"{path}.{key}"
        if key not in m or m[key] is None:
            if required:
                self.fail(p, _("is required"), "REQUIRED")
            return None
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(p, _("must be a number"))
            return None
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            self.fail(p, _("must be a number"))
            return None
        if not d.is_finite() or (positive and d <= 0):
            self.fail(p, _("must be a positive number"))
            return None
        if maximum is not None and d > maximum:
            self.fail(p, _("must be at most %(n)s") % {"n": maximum})
            return None
        return d.quantize(Decimal("0.01"))

    def boolean(self, m: dict[str, Any], key: str, path: str, default: bool) -> bool:
        if key not in m or m[key] is None:
            return default
        if not isinstance(m[key], bool):
            self.fail(f"{path}.{key}", _("must be true or false"))
            return default
        return bool(m[key])

    def choice(
        self,
        m: dict[str, Any],
        key: str,
        path: str,
        choices: set[str],
        *,
        default: str | None = None,
    ) -> str:
        if (key not in m or m[key] is None) and default is not None:
            return default
        value = self.text(m, key, path)
        if value and value not in choices:
            self.fail(
                f"{path}.{key}",
                _("must be one of %(choices)s") % {"choices": ", ".join(sorted(choices))},
            )
        return value


_TZ: set[str] | None = None


def _time_zones() -> set[str]:
    global _TZ  # computed once: the list is large
    if _TZ is None:
        _TZ = set(available_timezones())
    return _TZ


def _cell(r: _Reader, m: dict[str, Any], path: str, code: str) -> CellSpec:
    area = r.decimal(m, "floor_area_m2", path, maximum=Decimal("100000"))
    bunks = r.integer(m, "bunks", path)
    capacity = r.integer(m, "operational_capacity", path, required=False)
    in_service = r.boolean(m, "in_service", path, True)
    reason = r.text(m, "out_of_service_reason", path, required=False, max_length=2000)
    if not in_service and not reason:
        r.fail(
            f"{path}.out_of_service_reason",
            _("is required when the cell is out of service"),
            "REQUIRED",
        )
    attributes = r.seq(m.get("attributes"), f"{path}.attributes")
    for i, a in enumerate(attributes):
        if not isinstance(a, str) or not a.strip():
            r.fail(f"{path}.attributes[{i}]", _("must be text"))
    return CellSpec(
        code=code,
        kind=r.choice(m, "kind", path, {"shared", "single"}, default="shared"),
        floor_area_m2=area or Decimal("0"),
        ceiling_height_m=r.decimal(
            m, "ceiling_height_m", path, required=False, maximum=Decimal("99")
        ),
        window_area_m2=r.decimal(m, "window_area_m2", path, required=False, positive=False),
        bunks=bunks or 0,
        mattresses=r.integer(m, "mattresses", path, required=False, default=0) or 0,
        toilets=r.integer(m, "toilets", path, required=False, default=0) or 0,
        showers=r.integer(m, "showers", path, required=False, default=0) or 0,
        operational_capacity=capacity if capacity is not None else (bunks or 0),
        in_service=in_service,
        out_of_service_reason=reason,
        attributes=[str(a).strip() for a in attributes if isinstance(a, str)],
    )


def _unit(r: _Reader, m: dict[str, Any], path: str) -> UnitSpec:
    r.unknown_keys(m, {"code", "name", "cells", "cell_series", "cell_defaults"}, path)
    unit = UnitSpec(code=r.text(m, "code", path, max_length=32), name=r.text(m, "name", path))
    defaults = m.get("cell_defaults") or {}
    if r.mapping(defaults, f"{path}.cell_defaults") is None:
        defaults = {}
    r.unknown_keys(defaults, CELL_FIELDS - {"code"}, f"{path}.cell_defaults")
    for i, raw in enumerate(r.seq(m.get("cells"), f"{path}.cells")):
        cp = f"{path}.cells[{i}]"
        cm = r.mapping(raw, cp)
        if cm is None:
            continue
        r.unknown_keys(cm, CELL_FIELDS, cp)
        merged = {**defaults, **cm}
        unit.cells.append(_cell(r, merged, cp, r.text(cm, "code", cp, max_length=32)))
    for i, raw in enumerate(r.seq(m.get("cell_series"), f"{path}.cell_series")):
        sp = f"{path}.cell_series[{i}]"
        sm = r.mapping(raw, sp)
        if sm is None:
            continue
        r.unknown_keys(sm, SERIES_FIELDS, sp)
        pattern = r.text(sm, "pattern", sp, max_length=40)
        count = r.integer(sm, "count", sp, minimum=1)
        start = r.integer(sm, "start", sp, required=False, default=1) or 1
        if count is not None and count > 10_000:
            r.fail(f"{sp}.count", _("must be at most %(n)d") % {"n": 10_000})
            continue
        if not pattern or count is None:
            continue
        try:
            codes = [pattern.format(n=n) for n in range(start, start + count)]
        except (KeyError, IndexError, ValueError):
            r.fail(f"{sp}.pattern", _('must contain {n}, e.g. "1-{n:02d}"'))
            continue
        merged = {
            **defaults,
            **{k: v for k, v in sm.items() if k not in {"pattern", "count", "start"}},
        }
        before = len(r.problems)
        for code in codes:
            unit.cells.append(_cell(r, merged, sp, code))
            if len(r.problems) > before:
                break  # the same fields fail for every cell of a series; say it once
    return unit


def parse(doc: LocatedYaml) -> tuple[EstateSpec, list[FieldProblem]]:
    """Validate a whole estate document. Returns the spec and every problem found."""
    r = _Reader(doc)
    spec = EstateSpec()
    root = r.mapping(doc.data, "") if doc.data is not None else None
    if root is None:
        if doc.data is None:
            r.fail("", _("the file is empty"), "REQUIRED")
        return spec, r.problems
    r.unknown_keys(root, {"space_standards", "facility", "facilities"}, "")
    for i, raw in enumerate(r.seq(root.get("space_standards"), "space_standards")):
        p = f"space_standards[{i}]"
        m = r.mapping(raw, p)
        if m is None:
            continue
        r.unknown_keys(m, {"code", "name", "shared_m2_per_person", "single_m2", "source"}, p)
        spec.standards.append(
            StandardSpec(
                code=r.text(m, "code", p, max_length=32),
                name=r.text(m, "name", p),
                shared_m2_per_person=r.decimal(m, "shared_m2_per_person", p, maximum=Decimal("100"))
                or Decimal("0"),
                single_m2=r.decimal(m, "single_m2", p, maximum=Decimal("100")) or Decimal("0"),
                source=r.text(m, "source", p, required=False, max_length=2000),
            )
        )
    raw_facilities: list[tuple[str, Any]] = []
    if "facility" in root:
        raw_facilities.append(("facility", root["facility"]))
    raw_facilities += [
        (f"facilities[{i}]", f) for i, f in enumerate(r.seq(root.get("facilities"), "facilities"))
    ]
    if not raw_facilities:
        r.fail("facilities", _("at least one facility is required"), "REQUIRED")
    for p, raw in raw_facilities:
        m = r.mapping(raw, p)
        if m is None:
            continue
        r.unknown_keys(
            m,
            {
                "code",
                "name",
                "time_zone",
                "jurisdiction",
                "holds_sex",
                "kind",
                "stated_capacity",
                "space_standard",
                "units",
            },
            p,
        )
        tz = r.text(m, "time_zone", p, max_length=64)
        if tz and tz not in _time_zones():
            r.fail(f"{p}.time_zone", _("is not a known time zone (e.g. America/El_Salvador)"))
        fac = FacilitySpec(
            code=r.text(m, "code", p, max_length=32),
            name=r.text(m, "name", p),
            time_zone=tz,
            jurisdiction=r.text(m, "jurisdiction", p, max_length=16),
            holds_sex=r.choice(m, "holds_sex", p, {"M", "F"}),
            kind=r.choice(m, "kind", p, {"adult", "juvenile"}, default="adult"),
            stated_capacity=r.integer(m, "stated_capacity", p, required=False),
            space_standard=r.text(m, "space_standard", p, max_length=32),
        )
        seen_units: set[str] = set()
        seen_cells: set[str] = set()
        for j, raw_unit in enumerate(r.seq(m.get("units"), f"{p}.units")):
            up = f"{p}.units[{j}]"
            um = r.mapping(raw_unit, up)
            if um is None:
                continue
            unit = _unit(r, um, up)
            if unit.code in seen_units:
                r.fail(
                    f"{up}.code",
                    _("unit %(code)s appears twice") % {"code": unit.code},
                    "DUPLICATE",
                )
            seen_units.add(unit.code)
            for cell in unit.cells:
                if cell.code and cell.code in seen_cells:
                    r.fail(
                        f"{up}.cells",
                        _("cell %(code)s appears twice in the facility") % {"code": cell.code},
                        "DUPLICATE",
                    )
                seen_cells.add(cell.code)
            fac.units.append(unit)
        spec.facilities.append(fac)
    return spec, r.problems
