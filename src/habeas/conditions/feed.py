"""Sensor feeds: environmental readings as CSV or JSON lines, parsed without the database.

One reading per line (CSV: a header line, then one line per reading)::

    cell,measured_at,temperature_c,humidity_pct,lights,co2_ppm,sensor
    3-01,2026-03-02T14:10:00-06:00,34.5,78,on,1900,s-3-01

    {"cell": "3-01", "measured_at": "2026-03-02T14:10:00-06:00", "temperature_c": 34.5,
     "humidity_pct": 78, "lights": true, "co2_ppm": 1900, "sensor": "s-3-01"}

``cell`` or ``unit`` (a sensor in a unit's corridor) says where; ``measured_at`` is ISO 8601 with
its UTC offset. Measurements, each optional but at least one per line: ``temperature_c`` (or
``temperature`` with ``temperature_unit`` C or F), ``humidity_pct``, ``lights`` (on/off,
true/false, 1/0), ``co2_ppm``. The database checks (known cell, not in the future, duplicates)
are the service's (``conditions.services.import_readings``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from habeas.core.errors import FieldProblem

COLUMNS = (
    "cell",
    "unit",
    "measured_at",
    "temperature_c",
    "temperature",
    "temperature_unit",
    "humidity_pct",
    "humidity",
    "lights",
    "lights_on",
    "co2_ppm",
    "co2",
    "sensor",
)
CSV_HEADER = ("cell", "measured_at", "temperature_c", "humidity_pct", "lights", "co2_ppm", "sensor")
TRUE = {"on", "true", "1", "yes"}
FALSE = {"off", "false", "0", "no"}


@dataclass(frozen=True)
class ReadingIn:
    measured_at: dt.datetime | None
    cell: str = ""
    unit: str = ""
    sensor: str = ""
    temperature: float | None = None
    temperature_unit: str = "C"
    humidity_pct: float | None = None
    lights_on: bool | None = None
    co2_ppm: float | None = None
    line: int | None = None


class _Line:
    def __init__(self, raw: dict[str, Any], line: int, problems: list[FieldProblem]) -> None:
        self.raw = raw
        self.line = line
        self.problems = problems

    def fail(self, field: str, message: str, code: str = "INVALID") -> None:
        self.problems.append(
            FieldProblem(field=field, message=str(message), code=code, line=self.line)
        )

    def text(self, *names: str) -> str:
        for name in names:
            value = self.raw.get(name)
            if value is not None and str(value).strip() != "":
                return str(value).strip()
        return ""

    def number(self, *names: str) -> float | None:
        for name in names:
            value = self.raw.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, bool):
                self.fail(name, _("%(value)r is not a number.") % {"value": value}, "NOT_A_NUMBER")
                return None
            try:
                number = float(value)
            except (TypeError, ValueError):
                self.fail(name, _("%(value)r is not a number.") % {"value": value}, "NOT_A_NUMBER")
                return None
            if not math.isfinite(number):
                self.fail(name, _("%(value)r is not a number.") % {"value": value}, "NOT_A_NUMBER")
                return None
            return number
        return None

    def flag(self, *names: str) -> bool | None:
        for name in names:
            value = self.raw.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word in TRUE:
                return True
            if word in FALSE:
                return False
            self.fail(name, _("%(value)r is not on or off.") % {"value": value}, "NOT_ON_OFF")
            return None
        return None

    def moment(self, name: str) -> dt.datetime | None:
        value = self.text(name)
        if not value:
            self.fail(name, _("This field is required."), "REQUIRED")
            return None
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(name, _("%(value)r is not a date and time.") % {"value": value}, "NOT_A_TIME")
            return None
        if moment.tzinfo is None:
            self.fail(
                name,
                _("%(value)r has no UTC offset (e.g. 2026-03-02T14:10:00-06:00).")
                % {"value": value},
                "NAIVE_DATETIME",
            )
            return None
        return moment


def reading_of(raw: dict[str, Any], line: int, problems: list[FieldProblem]) -> ReadingIn | None:
    """One reading from a mapping of column → value (a CSV row, a JSON object, an API item)."""
    r = _Line(raw, line, problems)
    before = len(problems)
    unknown = sorted(k for k in raw if k not in COLUMNS)
    for key in unknown:
        r.fail(key, _("Unknown column %(name)s.") % {"name": key}, "UNKNOWN_COLUMN")
    cell, unit = r.text("cell"), r.text("unit")
    if not cell and not unit:
        r.fail("cell", _("Say where: a cell or a unit."), "REQUIRED")
    reading = ReadingIn(
        measured_at=r.moment("measured_at"),
        cell=cell,
        unit=unit,
        sensor=r.text("sensor"),
        temperature=r.number("temperature_c", "temperature"),
        temperature_unit=(
            "C" if r.raw.get("temperature_c") not in (None, "") else r.text("temperature_unit")
        )
        or "C",
        humidity_pct=r.number("humidity_pct", "humidity"),
        lights_on=r.flag("lights", "lights_on"),
        co2_ppm=r.number("co2_ppm", "co2"),
        line=line,
    )
    if len(problems) == before and all(
        v is None
        for v in (reading.temperature, reading.humidity_pct, reading.lights_on, reading.co2_ppm)
    ):
        r.fail("measured_at", _("The line has no measurement."), "NO_MEASUREMENT")
    return reading if len(problems) == before else None


def parse(text: str, *, fmt: str | None = None) -> tuple[list[ReadingIn], list[FieldProblem]]:
    """Every reading of a CSV or JSON-lines text, and every problem with its line."""
    problems: list[FieldProblem] = []
    readings: list[ReadingIn] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    kind = fmt or ("jsonl" if text.lstrip().startswith("{") else "csv")
    if kind == "jsonl":
        for n, raw_line in enumerate(text.splitlines(), start=1):
            if not raw_line.strip():
                continue
            try:
                obj = json.loads(raw_line)
            except json.JSONDecodeError as exc:
                problems.append(
                    FieldProblem(
                        field="line",
                        message=_("Not valid JSON: %(error)s.") % {"error": exc.msg},
                        code="BAD_JSON",
                        line=n,
                    )
                )
                continue
            if not isinstance(obj, dict):
                problems.append(
                    FieldProblem(
                        field="line",
                        message=_("Each line must be a JSON object."),
                        code="BAD_JSON",
                        line=n,
                    )
                )
                continue
            reading = reading_of(obj, n, problems)
            if reading is not None:
                readings.append(reading)
        return readings, problems
    reader = csv.reader(io.StringIO(text))
    try:
        _csv_rows(reader, readings, problems)
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte… (issue #8)
        problems.append(
            FieldProblem(field="file", message=str(exc), code="CSV_SYNTAX", line=reader.line_num)
        )
    return readings, problems


def _csv_rows(reader: Any, readings: list[ReadingIn], problems: list[FieldProblem]) -> None:
    header: list[str] | None = None
    for row in reader:
        n = reader.line_num
        if header is None:
            if not any(c.strip() for c in row):
                continue
            header = [c.strip().lower() for c in row]
            for name in header:
                if name not in COLUMNS:
                    problems.append(
                        FieldProblem(
                            field=name,
                            message=_("Unknown column %(name)s.") % {"name": name},
                            code="UNKNOWN_COLUMN",
                            line=n,
                        )
                    )
            if "measured_at" not in header:
                problems.append(
                    FieldProblem(
                        field="measured_at",
                        message=_("The header has no measured_at column."),
                        code="REQUIRED",
                        line=n,
                    )
                )
            if problems:
                readings.clear()
                return
            continue
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(
                FieldProblem(
                    field="line",
                    message=_("Expected %(n)d values, found %(m)d.")
                    % {"n": len(header), "m": len(row)},
                    code="BAD_ROW",
                    line=n,
                )
            )
            continue
        reading = reading_of(dict(zip(header, row, strict=True)), n, problems)
        if reading is not None:
            readings.append(reading)


def write_csv(rows: list[dict[str, Any]]) -> str:
    """Readings as CSV text with the standard header (tests, benchmarks, the demo)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for row in rows:
        w.writerow(["" if row.get(c) is None else row[c] for c in CSV_HEADER])
    return out.getvalue()
