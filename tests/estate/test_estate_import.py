from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.audit.models import AuditEvent
from habeas.estate.models import Cell, Facility, SpaceStandard

pytestmark = pytest.mark.django_db

GOOD = """\
facility:
  code: west
  name: Centro Oeste
  time_zone: America/El_Salvador
  jurisdiction: SV
  holds_sex: M
  stated_capacity: 500
  space_standard: icrc
  units:
    - code: "1"
      name: Módulo 1
      cell_defaults: {floor_area_m2: 100, bunks: 80, toilets: 2, operational_capacity: 100}
      cell_series:
        - {pattern: "1-{n:02d}", count: 3}
      cells:
        - {code: "1-S", kind: single, floor_area_m2: 6, bunks: 1, operational_capacity: 1}
    - code: "2"
      name: Módulo 2
      cells:
        - {code: "2-01", floor_area_m2: 30, bunks: 6}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "estate.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class TestImport:
    def test_loads_facility_units_and_cells(self, tmp_path: Path) -> None:
        call_command("estate_import", str(write(tmp_path, GOOD)))
        facility = Facility.objects.get(code="west")
        cells = {c.code: c for c in Cell.objects.filter(facility=facility)}
        assert sorted(cells) == ["1-01", "1-02", "1-03", "1-S", "2-01"]
        assert cells["1-02"].floor_area_m2 == Decimal("100.00")
        assert cells["1-02"].operational_capacity == 100  # the unit's cell_defaults
        assert cells["1-S"].operational_capacity == 1
        assert cells["2-01"].operational_capacity == 6  # no default: the bunks
        assert AuditEvent.objects.filter(action="cell.create").count() == 5

    def test_computes_standard_capacity_from_the_space_standard(self, tmp_path: Path) -> None:
        call_command("estate_import", str(write(tmp_path, GOOD)))
        icrc = SpaceStandard.objects.get(code="icrc")
        cells = {c.code: c for c in Cell.objects.all()}
        assert cells["1-01"].standard_capacity(icrc) == 29  # 100 / 3.4
        assert cells["1-S"].standard_capacity(icrc) == 1  # 6 ≥ 5.4
        cpt = SpaceStandard.objects.get(code="cpt")
        assert cells["1-01"].standard_capacity(cpt) == 25
        assert cells["1-S"].standard_capacity(cpt) == 1

    def test_a_second_import_updates_cells_and_audits_the_change(self, tmp_path: Path) -> None:
        call_command("estate_import", str(write(tmp_path, GOOD)))
        call_command(
            "estate_import",
            str(
                write(
                    tmp_path, GOOD.replace("operational_capacity: 100", "operational_capacity: 90")
                )
            ),
        )
        assert set(
            Cell.objects.filter(code__startswith="1-0").values_list(
                "operational_capacity", flat=True
            )
        ) == {90}
        assert AuditEvent.objects.filter(action="cell.update").count() == 3


class TestRefusals:
    def test_names_the_file_the_line_the_key_and_the_reason(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = GOOD.replace("time_zone: America/El_Salvador", "time_zone: Mars/Olympus").replace(
            "floor_area_m2: 6, bunks: 1,", "floor_area_m2: -6, bunks: many,"
        )
        path = write(tmp_path, bad)
        with pytest.raises(CommandError):
            call_command("estate_import", str(path))
        err = capsys.readouterr().err
        assert f"{path}: line 4: facility.time_zone: is not a known time zone" in err
        assert "line 16: facility.units[0].cells[0].floor_area_m2: must be a positive number" in err
        assert "facility.units[0].cells[0].bunks: must be a whole number" in err

    def test_imports_nothing_when_any_key_is_wrong(self, tmp_path: Path) -> None:
        bad = GOOD.replace("count: 3}", "count: 3, windows: 4}")
        with pytest.raises(CommandError):
            call_command("estate_import", str(write(tmp_path, bad)))
        assert Facility.objects.count() == 0
        assert Cell.objects.count() == 0
        assert AuditEvent.objects.count() == 0

    def test_reports_yaml_syntax_errors_with_their_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(CommandError):
            call_command("estate_import", str(write(tmp_path, "facility:\n  code: [unclosed\n")))
        assert "line 3" in capsys.readouterr().err

    def test_refuses_an_unknown_space_standard(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(CommandError):
            call_command(
                "estate_import",
                str(
                    write(tmp_path, GOOD.replace("space_standard: icrc", "space_standard: nowhere"))
                ),
            )
        assert "nowhere is not a known space standard" in capsys.readouterr().err
        assert Facility.objects.count() == 0

    def test_refuses_a_cell_out_of_service_without_reason(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = GOOD.replace("bunks: 1,", "bunks: 1, in_service: false,")
        with pytest.raises(CommandError):
            call_command("estate_import", str(write(tmp_path, bad)))
        assert "out_of_service_reason: is required" in capsys.readouterr().err

    def test_refuses_a_file_that_is_not_utf8(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "latin1.yaml"
        path.write_bytes(GOOD.replace("Módulo", "M\xf3dulo").encode("latin-1"))
        with pytest.raises(CommandError):
            call_command("estate_import", str(path))
        assert "not UTF-8" in capsys.readouterr().err

    def test_refuses_duplicate_cell_codes(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = GOOD.replace('code: "1-S"', 'code: "1-01"')
        with pytest.raises(CommandError):
            call_command("estate_import", str(write(tmp_path, bad)))
        assert "cell 1-01 appears twice" in capsys.readouterr().err
