from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.custody import intake_file
from habeas.custody.models import Episode
from habeas.housing.models import Placement
from habeas.people.models import Affiliation, Person
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def row(n: int, **overrides: str) -> dict[str, str]:
    start = clock.now() - dt.timedelta(days=2)
    base = dict.fromkeys(intake_file.COLUMNS, "")
    base.update(
        {
            "given_names": f"Persona {n}",
            "family_names": "Ejemplo",
            "date_of_birth": "1990-04-01",
            "sex": "M",
            "nationality": "SV",
            "document_number": f"{n:08d}-0",
            "groups": "ms13:claimed",
            "authority_kind": "provisional_detention",
            "authority_issuer": "Juzgado A",
            "authority_reference": f"INST-{n}",
            "authority_issued_on": start.date().isoformat(),
            "authority_valid_from": start.isoformat(),
            "authority_valid_until": (start + dt.timedelta(days=700)).isoformat(),
            "arrest_place": "Apopa",
        }
    )
    base.update(overrides)
    return base


def write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "intake.csv"
    path.write_text(intake_file.write(rows), encoding="utf-8")
    return path


class TestIntakeImport:
    def test_admits_and_places_everyone_in_one_run(
        self, cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = write(tmp_path, [row(i) for i in range(1, 11)])
        call_command("intake_import", str(path), facility="north", json=True)
        out = json.loads(capsys.readouterr().out)
        assert out["admitted"] == 10 and out["without_cell"] == 0
        assert Placement.objects.count() == 10
        assert Affiliation.objects.filter(group__code="ms13", status="claimed").count() == 10
        assert AuditEvent.objects.filter(action="custody.admit").count() == 10

    def test_reports_every_bad_row_with_line_field_and_reason(
        self, cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rows = [
            row(1),
            row(2, date_of_birth="1990-02-30"),
            row(3),
            row(4, authority_kind=""),
            row(5, groups="latin-kings"),
            row(6, authority_valid_from="yesterday"),
        ]
        path = write(tmp_path, rows)
        with pytest.raises(CommandError):
            call_command("intake_import", str(path), facility="north")
        err = capsys.readouterr().err
        assert "line 3: date_of_birth: '1990-02-30' is not a date" in err
        assert "line 7: authority_valid_from: 'yesterday' is not a date and time" in err
        assert Person.objects.count() == 0 and Episode.objects.count() == 0

    def test_reports_rule_refusals_by_line_and_stores_nothing(
        self, cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rows = [
            row(1),
            row(2, authority_kind=""),
            row(3, groups="latin-kings"),
            row(4, date_of_birth=(clock.now().date() - dt.timedelta(days=15 * 365)).isoformat()),
        ]
        with pytest.raises(CommandError):
            call_command("intake_import", str(write(tmp_path, rows)), facility="north")
        err = capsys.readouterr().err
        assert "line 3: authority: No one may be admitted without a lawful authority" in err
        assert "line 4: person.affiliations[0].group: No security-threat group latin-kings" in err
        assert "line 5: person.date_of_birth" in err and "[UNDER_AGE]" in err
        assert Person.objects.count() == 0
        assert AuditEvent.objects.filter(action="custody.admit").count() == 0

    def test_refuses_a_file_with_missing_columns(
        self, cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("given_names,family_names\nA,B\n", encoding="utf-8")
        with pytest.raises(CommandError):
            call_command("intake_import", str(path), facility="north")
        assert "missing column(s)" in capsys.readouterr().err

    def test_refuses_a_file_that_is_not_utf8(self, cast: Cast, tmp_path: Path) -> None:
        path = tmp_path / "latin1.csv"
        path.write_bytes(intake_file.write([row(1, given_names="Ñoño")]).encode("latin-1"))
        with pytest.raises(CommandError):
            call_command("intake_import", str(path), facility="north")
        assert Person.objects.count() == 0
