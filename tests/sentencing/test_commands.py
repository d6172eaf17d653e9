"""``habeas deadlines``, ``habeas sentencing calculate`` and ``habeas sentencing recalculate``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast
from tests.sentencing.conftest import authority_of, record

WHAT_IF: dict[str, Any] = {
    "schema": "habeas.sentencing.what-if/1",
    "profile": "el_salvador",
    "sentences": [
        {
            "id": "S1",
            "imposed_on": "2023-05-02",
            "term": {"years": 20},
            "seriousness": "serious",
            "remand_credit_days": 400,
        },
        {
            "id": "S2",
            "imposed_on": "2023-05-02",
            "term": {"years": 15, "months": 6},
            "seriousness": "serious",
            "consecutive_to": "S1",
        },
    ],
}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, body: Any) -> str:
    path = tmp_path / "what-if.json"
    path.write_text(json.dumps(body) if not isinstance(body, str) else body, encoding="utf-8")
    return str(path)


class TestSentencingCalculate:
    """A what-if tool: no database at all (these tests have none)."""

    def test_prints_the_dates_and_every_step(self, tmp_path: Path) -> None:
        out, _err = run("sentencing_calculate", write(tmp_path, WHAT_IF))
        assert "Release date          2057-09-28" in out
        assert "Conditional release   2045-11-28" in out
        assert "12. Conditional release may be considered on 2045-11-28" in out

    def test_speaks_spanish_when_asked(self, tmp_path: Path) -> None:
        out, _err = run("sentencing_calculate", write(tmp_path, WHAT_IF), "--lang", "es")
        assert "Fecha de libertad" in out
        assert "La pena S2 (15 años 6 meses) se cumple a continuación de S1" in out

    def test_prints_the_documented_json(self, tmp_path: Path) -> None:
        out, _err = run("sentencing_calculate", write(tmp_path, WHAT_IF), "--json")
        body = json.loads(out)
        assert body["schema"] == "habeas.sentencing.calculation/1"
        assert (body["release_date"], body["determining_sentence"]) == ("2057-09-28", "S2")
        assert len(body["explanation"]) == len(body["steps"]) == 12

    def test_lists_every_problem_of_a_file(self, tmp_path: Path) -> None:
        bad = {
            **WHAT_IF,
            "sentences": [
                {
                    "id": "S1",
                    "imposed_on": "2023-02-30",
                    "term": {"years": -1},
                    "seriousness": "grave",
                }
            ],
        }
        with pytest.raises(CommandError) as exc:
            run("sentencing_calculate", write(tmp_path, bad))
        assert "INVALID_WHAT_IF" in str(exc.value)

    @pytest.mark.parametrize(
        ("lang", "expected"),
        [
            (
                "es",
                [
                    "$.remand_days: debe ser un número entero",
                    "$.sentences[0].imposed_on: no es una fecha válida del calendario: 2023-02-30",
                    "$.sentences[0].term.years: no debe ser negativo",
                    "$.sentences[0].seriousness: debe ser uno de: serious, less_serious",
                ],
            ),
            (
                "en",
                [
                    "$.remand_days: must be a whole number",
                    "$.sentences[0].imposed_on: is not a calendar date: 2023-02-30",
                    "$.sentences[0].term.years: must not be negative",
                    "$.sentences[0].seriousness: must be one of: serious, less_serious",
                ],
            ),
        ],
    )
    def test_names_each_problem_in_the_language_asked(
        self, tmp_path: Path, lang: str, expected: list[str]
    ) -> None:
        bad = {
            **WHAT_IF,
            "remand_days": "x",
            "sentences": [
                {
                    "id": "S1",
                    "imposed_on": "2023-02-30",
                    "term": {"years": -1},
                    "seriousness": "grave",
                }
            ],
        }
        path = write(tmp_path, bad)
        err = io.StringIO()
        with pytest.raises(CommandError, match="INVALID_WHAT_IF"):
            call_command("sentencing_calculate", path, lang=lang, stdout=io.StringIO(), stderr=err)
        lines = err.getvalue().splitlines()
        assert [
            line.removeprefix(f"  {path}: ").removesuffix(" [INVALID]") for line in lines[1:]
        ] == (expected)

    def test_reports_a_refusal_as_json_and_fails(self, tmp_path: Path) -> None:
        refused = {
            **WHAT_IF,
            "sentences": [
                {
                    "id": "S1",
                    "imposed_on": "2023-02-03",
                    "starts_on": "2023-01-01",
                    "term": {"years": 1},
                    "seriousness": "serious",
                }
            ],
        }
        out = io.StringIO()
        with pytest.raises(CommandError) as exc:
            call_command("sentencing_calculate", write(tmp_path, refused), "--json", stdout=out)
        assert exc.value.returncode == 1
        assert json.loads(out.getvalue())["refused"]["code"] == "START_BEFORE_IMPOSITION"

    def test_says_so_when_the_file_is_not_json(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError):
            run("sentencing_calculate", write(tmp_path, "{not json"))

    def test_says_so_when_the_file_is_missing(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError) as exc:
            run("sentencing_calculate", str(tmp_path / "nowhere.json"))
        assert "Cannot read" in str(exc.value)


@pytest.mark.django_db
class TestDeadlines:
    def test_prints_the_queue_of_every_facility_as_json_at_a_frozen_moment(
        self, cast: Cast
    ) -> None:
        done = f.admit_person(cast.north, kind="administrative_detention", review_days=3)
        with time_machine.travel(clock.now() + dt.timedelta(days=4, hours=12), tick=False):
            out, _err = run("deadlines", "--json")
        body = json.loads(out)
        assert body["held_without_valid_authority"] == 1
        north = next(q for q in body["facilities"] if q["facility"] == "north")
        assert north["overdue"][0]["custody_number"] == done.custody_number
        assert north["overdue"][0]["days_overdue"] == 3

    def test_prints_one_facility_in_words(self, cast: Cast) -> None:
        f.admit_person(cast.north, kind="administrative_detention", review_days=3)
        later = (clock.now() + dt.timedelta(days=10)).astimezone(dt.UTC).isoformat()
        out, _err = run("deadlines", "--facility", "north", "--at", later)
        assert "Held WITHOUT valid lawful authority: 1" in out
        assert "Judicial review overdue" in out

    def test_an_unknown_facility_fails(self, cast: Cast) -> None:
        with pytest.raises(CommandError):
            run("deadlines", "--facility", "nowhere")

    def test_a_malformed_moment_fails(self, cast: Cast) -> None:
        with pytest.raises(CommandError):
            run("deadlines", "--at", "yesterday")


@pytest.mark.django_db
class TestSentencingRecalculate:
    def test_sets_the_legal_end_of_everyone_and_reports(self, cast: Cast) -> None:
        convicted = f.person(f.admit_person(cast.north, kind="conviction"))
        record(convicted)
        authority = authority_of(convicted)
        before = authority.legal_end
        out, _err = run("sentencing_recalculate", "--json")
        report = json.loads(out)
        assert (report["episodes"], report["calculated"], report["legal_ends_changed"]) == (1, 1, 0)
        assert authority_of(convicted).legal_end == before

    def test_records_who_asked_in_the_audit_log(self, cast: Cast) -> None:
        convicted: Person = f.person(f.admit_person(cast.north, kind="conviction"))
        record(convicted)
        from habeas.custody.models import LawfulAuthority

        LawfulAuthority.objects.filter(pk=authority_of(convicted).pk).update(legal_end=None)
        run("sentencing_recalculate", "--facility", "north", "--actor", "luis", "--reason", "fix")
        event = AuditEvent.objects.filter(action="sentencing.set_legal_end").latest("seq")
        assert (event.actor_label, event.reason) == ("luis", "fix")
