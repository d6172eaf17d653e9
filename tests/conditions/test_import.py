"""``habeas conditions import``: a day of readings every 10 minutes for 256 cells, all or none,
idempotent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.audit.models import AuditEvent
from habeas.conditions import feed
from habeas.conditions.models import Reading, ReadingBatch
from habeas.core import clock
from habeas.estate.models import Facility
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def day_of_readings(facility: Facility, start: dt.datetime) -> list[dict[str, object]]:
    cells = [f"{u}-{c:02d}" for u in range(1, 9) for c in range(1, 33)]
    rows: list[dict[str, object]] = []
    for step in range(144):
        at = (start + dt.timedelta(minutes=10 * step)).isoformat()
        for n, code in enumerate(cells):
            rows.append(
                {
                    "cell": code,
                    "measured_at": at,
                    "temperature_c": round(29 + (step % 72) / 12 + n % 3 / 10, 1),
                    "humidity_pct": 70 + n % 10,
                    "lights": "on",
                    "co2_ppm": 1200 + step,
                    "sensor": f"s-{code}",
                }
            )
    return rows


def write(tmp_path: Path, text: str, name: str = "readings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestConditionsImport:
    def test_imports_a_day_for_256_cells_and_again_changes_nothing(
        self, big: Facility, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        start = clock.start_of_day(clock.local_date(clock.now(), big.time_zone), big.time_zone)
        start -= dt.timedelta(days=1)
        rows = day_of_readings(big, start)
        assert len(rows) == 36_864
        path = write(tmp_path, feed.write_csv(rows))
        call_command("conditions_import", str(path), facility="mega", json=True)
        first = json.loads(capsys.readouterr().out)
        assert (first["stored"], first["duplicates"], first["lines"]) == (36_864, 0, 36_864)
        assert Reading.objects.count() == 36_864
        call_command("conditions_import", str(path), facility="mega", json=True)
        second = json.loads(capsys.readouterr().out)
        assert (second["stored"], second["duplicates"]) == (0, 36_864)
        assert Reading.objects.count() == 36_864
        assert AuditEvent.objects.filter(action="conditions.import_readings").count() == 2

    def test_a_file_with_bad_lines_stores_nothing_and_lists_every_one(
        self, big: Facility, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        now = clock.now()
        good = {
            "cell": "1-01",
            "measured_at": (now - dt.timedelta(hours=1)).isoformat(),
            "temperature_c": 31.5,
            "lights": "on",
            "sensor": "a",
        }
        lines = [
            good,
            {**good, "cell": "9-99"},  # line 3: unknown cell
            {**good, "measured_at": (now + dt.timedelta(hours=2)).isoformat()},  # 4: future
            {**good, "temperature_c": 95},  # 5: out of range
            {**good, "measured_at": "2026-01-01T08:00:00"},  # 6: no offset
            {**good, "lights": "dim"},  # 7: not on/off
            {**good, "cell": "1-02", "humidity_pct": 140},  # 8: humidity out of range
        ]
        path = write(tmp_path, feed.write_csv(lines))
        with pytest.raises(CommandError):
            call_command("conditions_import", str(path), facility="mega")
        err = capsys.readouterr().err
        assert Reading.objects.count() == 0 and ReadingBatch.objects.count() == 0
        for expected in (
            f"{path}: line 3: cell:",
            f"{path}: line 4: measured_at:",
            f"{path}: line 5: temperature_c:",
            f"{path}: line 6: measured_at:",
            f"{path}: line 7: lights:",
            f"{path}: line 8: humidity_pct:",
        ):
            assert expected in err
        assert "line 2:" not in err
        assert "[UNKNOWN_CELL]" in err and "[IN_FUTURE]" in err and "[OUT_OF_RANGE]" in err

    def test_reads_json_lines_and_converts_fahrenheit(self, big: Facility, tmp_path: Path) -> None:
        at = (clock.now() - dt.timedelta(hours=1)).isoformat()
        text = "\n".join(
            json.dumps(x)
            for x in [
                {
                    "cell": "2-01",
                    "measured_at": at,
                    "temperature": 95,
                    "temperature_unit": "F",
                    "lights": False,
                },
                {"unit": "2", "measured_at": at, "co2_ppm": 2100, "sensor": "corridor-2"},
            ]
        )
        call_command("conditions_import", str(write(tmp_path, text, "feed.jsonl")), facility="mega")
        cell = Reading.objects.get(cell__code="2-01")
        assert (float(cell.temperature_c), cell.lights_on) == (35.0, False)
        corridor = Reading.objects.get(cell__isnull=True)
        assert (corridor.unit.code, corridor.co2_ppm) == ("2", 2100)

    def test_refuses_a_different_value_for_a_reading_already_stored(
        self, big: Facility, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        at = (clock.now() - dt.timedelta(hours=1)).isoformat()
        row = {"cell": "1-01", "measured_at": at, "temperature_c": 30.0, "sensor": "a"}
        call_command(
            "conditions_import", str(write(tmp_path, feed.write_csv([row]))), facility="mega"
        )
        changed = write(tmp_path, feed.write_csv([{**row, "temperature_c": 33.0}]), "b.csv")
        with pytest.raises(CommandError):
            call_command("conditions_import", str(changed), facility="mega")
        assert "[CONFLICTING_READING]" in capsys.readouterr().err
        assert Reading.objects.get().temperature_c == 30

    def test_an_unknown_facility_is_refused(self, cast: Cast, tmp_path: Path) -> None:
        with pytest.raises(CommandError):
            call_command("conditions_import", str(write(tmp_path, "cell\n")), facility="nowhere")
