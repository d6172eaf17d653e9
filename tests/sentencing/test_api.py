"""The sentencing API: each endpoint in three groups — security, validation, happy path
(STYLE.md §12)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from habeas.accounts.models import User
from habeas.accounts.services import issue_token
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.people.models import Person
from habeas.sentencing import law
from habeas.sentencing.models import JurisdictionProfile, ProvisionalDetention, Sentence
from tests import factories as f
from tests.conftest import Cast
from tests.sentencing.conftest import authority_of, record

pytestmark = pytest.mark.django_db
TZ = "America/El_Salvador"


def api(user: User | None) -> Client:
    if user is None:
        return Client()
    with transaction.atomic():
        _t, raw = issue_token(user=user, name="tests", actor=f.SYSTEM, at=clock.now())
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def put(client: Client, url: str, body: Any) -> Any:
    return client.put(url, body, content_type="application/json")


def sentence_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "offence": "Agrupaciones ilícitas (art. 345 CP)",
        "court": "Tribunal Especializado de Sentencia A",
        "case_reference": "TES-A-9-2026",
        "imposed_on": (clock.local_date(clock.now(), TZ) - dt.timedelta(days=1)).isoformat(),
        "term": {"years": 25},
    }
    body.update(overrides)
    return body


class TestDeadlinesEndpoint:
    def test_requires_authentication(self, cast: Cast) -> None:
        assert api(None).get("/api/v1/facilities/north/deadlines").status_code == 401

    def test_a_custody_officer_may_not_read_it(self, cast: Cast) -> None:
        r = api(cast.custody).get("/api/v1/facilities/north/deadlines")
        assert (r.status_code, r.json()["code"]) == (403, "FORBIDDEN")

    def test_hides_a_facility_the_user_is_not_assigned_to(self, cast: Cast) -> None:
        r = api(cast.records).get("/api/v1/facilities/south/deadlines")
        assert (r.status_code, r.json()["code"]) == (404, "UNKNOWN_FACILITY")

    def test_refuses_a_moment_without_offset(self, cast: Cast) -> None:
        r = api(cast.records).get("/api/v1/facilities/north/deadlines?at=2026-01-01T08:00:00")
        assert (r.status_code, r.json()["code"]) == (422, "NAIVE_DATETIME")

    def test_refuses_a_window_out_of_range(self, cast: Cast) -> None:
        r = api(cast.records).get("/api/v1/facilities/north/deadlines?within_days=9999")
        assert (r.status_code, r.json()["field"]) == (422, "within_days")

    def test_lists_the_overdue_with_their_days_for_an_inspector(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, kind="administrative_detention", review_days=3)
        later = (clock.now() + dt.timedelta(days=4, hours=12)).isoformat().replace("+00:00", "Z")
        r = api(cast.inspector).get(f"/api/v1/facilities/north/deadlines?at={later}")
        assert r.status_code == 200
        body = r.json()
        assert body["held_without_valid_authority"] == 1
        assert body["overdue_by_kind"] == {"judicial_review": 1}
        (item,) = body["overdue"]
        assert (item["custody_number"], item["days_overdue"]) == (done.custody_number, 3)

    def test_reads_the_queue_at_now_when_time_is_frozen(self, cast: Cast) -> None:
        f.admit_person(cast.north, kind="administrative_detention", review_days=3)
        client = api(cast.governor)
        with time_machine.travel(clock.now() + dt.timedelta(days=1), tick=False):
            body = client.get("/api/v1/facilities/north/deadlines?within_days=2").json()
        assert (body["held_without_valid_authority"], len(body["upcoming"])) == (0, 1)


class TestSentencesEndpoints:
    def test_reading_requires_authentication(self, cast: Cast, convicted: Person) -> None:
        r = api(None).get(f"/api/v1/people/{convicted.pk}/sentences")
        assert r.status_code == 401

    def test_reading_hides_people_of_other_facilities(self, cast: Cast, convicted: Person) -> None:
        r = api(cast.south_officer).get(f"/api/v1/people/{convicted.pk}/sentences")
        assert (r.status_code, r.json()["code"]) == (404, "UNKNOWN_PERSON")

    def test_a_custody_officer_cannot_record_a_sentence(
        self, cast: Cast, convicted: Person
    ) -> None:
        r = post(api(cast.custody), f"/api/v1/people/{convicted.pk}/sentences", sentence_body())
        assert r.status_code == 403
        assert Sentence.objects.count() == 0

    def test_a_malformed_body_is_a_422_naming_the_field(
        self, cast: Cast, convicted: Person
    ) -> None:
        r = post(
            api(cast.records),
            f"/api/v1/people/{convicted.pk}/sentences",
            sentence_body(term={"years": -2}),
        )
        assert (r.status_code, r.json()["field"]) == (422, "term.years")

    def test_a_refusal_of_the_calculator_is_a_409_with_its_code(
        self, cast: Cast, convicted: Person
    ) -> None:
        body = sentence_body(starts_on="2020-01-01")
        r = post(api(cast.records), f"/api/v1/people/{convicted.pk}/sentences", body)
        assert r.status_code == 409
        assert (r.json()["code"], r.json()["field"]) == ("START_BEFORE_IMPOSITION", "starts_on")
        assert Sentence.objects.count() == 0

    def test_records_a_sentence_and_returns_the_explained_release_date(
        self, cast: Cast, convicted: Person
    ) -> None:
        client = api(cast.records)
        r = post(client, f"/api/v1/people/{convicted.pk}/sentences", sentence_body())
        assert r.status_code == 201
        assert r.json()["term"] == {"years": 25, "months": 0, "days": 0}
        body = client.get(f"/api/v1/people/{convicted.pk}/sentences").json()
        imposed = clock.local_date(clock.now(), TZ) - dt.timedelta(days=1)
        assert (
            body["calculation"]["release_date"]
            == imposed.replace(year=imposed.year + 25).isoformat()
        )
        assert any("TES-A-9-2026" in step for step in body["calculation"]["explanation"])
        assert AuditEvent.objects.filter(action="sentencing.record_sentence").count() == 1

    def test_explains_in_spanish_when_asked(self, cast: Cast, convicted: Person) -> None:
        record(convicted)
        r = api(cast.records).get(
            f"/api/v1/people/{convicted.pk}/sentences", HTTP_ACCEPT_LANGUAGE="es"
        )
        assert r.status_code == 200
        explanation = r.json()["calculation"]["explanation"]
        assert any(step.startswith("La pena TES-A-1-2026 (20 años)") for step in explanation)

    def test_quashes_a_sentence(self, cast: Cast, convicted: Person) -> None:
        s = record(convicted)
        r = post(
            api(cast.governor),
            f"/api/v1/people/{convicted.pk}/sentences/{s.pk}/quash",
            {"reason": "appeal allowed"},
        )
        assert r.status_code == 200
        assert r.json()["quashed_reason"] == "appeal allowed"
        assert authority_of(convicted).legal_end is None

    def test_quashing_an_unknown_sentence_is_a_404(self, cast: Cast, convicted: Person) -> None:
        r = post(
            api(cast.records),
            f"/api/v1/people/{convicted.pk}/sentences/999999/quash",
            {"reason": "x"},
        )
        assert (r.status_code, r.json()["code"]) == (404, "UNKNOWN_SENTENCE")


class TestProvisionalTermsEndpoint:
    def test_an_inspector_cannot_record_terms(self, cast: Cast, untried: Person) -> None:
        order = authority_of(untried)
        r = put(
            api(cast.inspector),
            f"/api/v1/people/{untried.pk}/provisional-detention/{order.pk}",
            {"seriousness": "serious"},
        )
        assert r.status_code == 403

    def test_an_unknown_authority_is_a_404(self, cast: Cast, untried: Person) -> None:
        r = put(
            api(cast.records),
            f"/api/v1/people/{untried.pk}/provisional-detention/999999",
            {"seriousness": "serious"},
        )
        assert (r.status_code, r.json()["code"]) == (404, "UNKNOWN_AUTHORITY")

    def test_an_unknown_seriousness_is_a_422(self, cast: Cast, untried: Person) -> None:
        order = authority_of(untried)
        r = put(
            api(cast.records),
            f"/api/v1/people/{untried.pk}/provisional-detention/{order.pk}",
            {"seriousness": "grave"},
        )
        assert (r.status_code, r.json()["field"]) == (422, "seriousness")

    def test_records_the_terms_and_returns_the_maximum(self, cast: Cast, untried: Person) -> None:
        order = authority_of(untried)
        r = put(
            api(cast.records),
            f"/api/v1/people/{untried.pk}/provisional-detention/{order.pk}",
            {"seriousness": "less_serious", "detained_on": "2026-01-10"},
        )
        assert r.status_code == 200
        (view,) = r.json()["provisional_detention"]
        assert (view["last_day"], view["seriousness"]) == ("2027-01-09", "less_serious")
        assert ProvisionalDetention.objects.count() == 1


class TestReleaseAtSentenceEndEndpoint:
    def test_an_inspector_cannot_release(self, cast: Cast, convicted: Person) -> None:
        r = post(api(cast.inspector), f"/api/v1/people/{convicted.pk}/release-at-sentence-end", {})
        assert r.status_code == 403

    def test_before_the_release_date_is_a_409(self, cast: Cast, convicted: Person) -> None:
        record(convicted)
        r = post(api(cast.records), f"/api/v1/people/{convicted.pk}/release-at-sentence-end", {})
        assert (r.status_code, r.json()["code"]) == (409, "RELEASE_NOT_DUE")

    def test_releases_once_the_date_has_passed(self, cast: Cast, convicted: Person) -> None:
        record(convicted, years=0, days=3)
        client = api(cast.records)
        with time_machine.travel(clock.now() + dt.timedelta(days=5), tick=False):
            r = post(client, f"/api/v1/people/{convicted.pk}/release-at-sentence-end", {})
        assert r.status_code == 200
        assert r.json()["in_custody"] is False


class TestProfileEndpoints:
    def test_lists_the_jurisdictions(self, cast: Cast) -> None:
        assert api(cast.custody).get("/api/v1/profiles").json() == ["SV"]

    def test_an_unknown_jurisdiction_is_a_404(self, cast: Cast) -> None:
        r = api(cast.custody).get("/api/v1/profiles/XX")
        assert (r.status_code, r.json()["code"]) == (404, "NO_PROFILE")

    def test_only_an_administrator_changes_the_law(self, cast: Cast) -> None:
        document = law.profile_for("SV").document
        r = put(api(cast.governor), "/api/v1/profiles/SV", {"document": document, "reason": "x"})
        assert r.status_code == 403

    def test_an_invalid_profile_is_a_422_listing_its_problems(self, cast: Cast) -> None:
        document = copy.deepcopy(law.profile_for("SV").document)
        del document["rules"]["release_day"]
        r = put(api(cast.admin), "/api/v1/profiles/SV", {"document": document, "reason": "x"})
        assert (r.status_code, r.json()["code"]) == (422, "INVALID_PROFILE")
        assert r.json()["details"]["problems"][0]["field"] == "$.rules.release_day"
        assert JurisdictionProfile.objects.count() == 0

    def test_an_administrator_adds_a_period_and_it_is_in_force(self, cast: Cast) -> None:
        client = api(cast.admin)
        r = post(
            client,
            "/api/v1/profiles/SV/periods",
            {
                "rule": "judicial_review_window",
                "valid_from": "2027-03-27",
                "value": {"hours": 72},
                "source": "The state of exception lapses",
                "reason": "Decree not renewed",
            },
        )
        assert r.status_code == 200
        assert r.json()["version"] == 1
        assert [h["version"] for h in r.json()["history"]] == [1, 0]
        assert AuditEvent.objects.filter(action="sentencing.change_profile").count() == 1

    def test_a_period_of_an_unknown_rule_is_a_422(self, cast: Cast) -> None:
        r = post(
            api(cast.admin),
            "/api/v1/profiles/SV/periods",
            {
                "rule": "death_penalty",
                "valid_from": "2027-01-01",
                "value": True,
                "source": "x",
                "reason": "x",
            },
        )
        assert (r.status_code, r.json()["field"]) == (422, "rule")


class TestWhatIfEndpoint:
    def test_requires_authentication(self, cast: Cast) -> None:
        assert post(api(None), "/api/v1/sentencing/calculate", {}).status_code == 401

    def test_a_body_nested_too_deeply_is_a_422(self, cast: Cast) -> None:
        r = api(cast.custody).post(
            "/api/v1/sentencing/calculate",
            "[" * 100_000 + "]" * 100_000,
            content_type="application/json",
        )
        assert (r.status_code, r.json()["code"]) == (422, "INVALID_JSON")

    def test_a_file_with_problems_is_a_422_listing_each(self, cast: Cast) -> None:
        r = post(api(cast.custody), "/api/v1/sentencing/calculate", {"schema": "nope"})
        assert r.status_code == 422
        fields = {p["field"] for p in r.json()["details"]["problems"]}
        assert fields == {"$.schema", "$.sentences"}

    def test_gives_the_problems_of_a_file_in_the_language_asked(self, cast: Cast) -> None:
        r = api(cast.custody).post(
            "/api/v1/sentencing/calculate",
            {"schema": "habeas.sentencing.what-if/1", "sentences": [], "remand_days": -1},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="es",
        )
        assert r.status_code == 422
        problems = {p["field"]: p["message"] for p in r.json()["details"]["problems"]}
        assert problems == {
            "$.remand_days": "no debe ser negativo",
            "$.sentences": "debe ser una lista no vacía",
        }

    def test_calculates_without_touching_the_records(self, cast: Cast) -> None:
        client = api(cast.custody)
        before = AuditEvent.objects.count()
        r = post(
            client,
            "/api/v1/sentencing/calculate",
            {
                "schema": "habeas.sentencing.what-if/1",
                "sentences": [
                    {
                        "id": f"S{i}",
                        "imposed_on": "2023-05-02",
                        "term": {"years": 3},
                        "seriousness": "serious",
                        "consecutive_to": f"S{i - 1}" if i else None,
                    }
                    for i in range(500)
                ],
            },
        )
        assert r.status_code == 200, r.json()
        body = r.json()
        assert (body["nominal_term"]["years"], body["enforceable_term"]["years"]) == (1500, 60)
        assert body["release_date"] == "2083-05-02"
        assert AuditEvent.objects.count() == before
