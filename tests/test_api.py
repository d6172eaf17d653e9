"""The API: three groups per endpoint — security, validation, happy path (STYLE.md §12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from habeas.accounts.models import User
from habeas.accounts.services import issue_token
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def token_for(user: User) -> str:
    with transaction.atomic():
        _t, raw = issue_token(user=user, name="tests", actor=f.SYSTEM, at=clock.now())
    return raw


def api(user: User | None) -> Client:
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {token_for(user)}"})


def admission_body(**overrides: Any) -> dict[str, Any]:
    start = clock.now() - dt.timedelta(days=1)
    body: dict[str, Any] = {
        "person": {
            "given_names": "Mario",
            "family_names": "Rivera Ayala",
            "date_of_birth": "1994-07-12",
            "sex": "M",
            "nationality": "SV",
            "documents": [{"kind": "national_id", "number": "04567890-1", "issuing_country": "SV"}],
            "affiliations": [{"group": "ms13", "status": "claimed", "source": "own statement"}],
        },
        "authority": {
            "kind": "administrative_detention",
            "issuing_authority": "PNC",
            "reference": "PNC-RE-1",
            "issued_on": start.date().isoformat(),
            "valid_from": start.isoformat(),
            "review_due_by": (start + dt.timedelta(days=15)).isoformat(),
        },
        "arrival": {"arrest_place": "Soyapango", "arresting_authority": "PNC"},
        "cell": "A-1",
    }
    body.update(overrides)
    return body


class TestRollEndpoint:
    def test_requires_authentication(self, cast: Cast) -> None:
        r = api(None).get("/api/v1/facilities/north/roll")
        assert r.status_code == 401
        assert r.json()["code"] == "UNAUTHENTICATED"

    def test_hides_a_facility_the_user_is_not_assigned_to(self, cast: Cast) -> None:
        r = api(cast.south_officer).get("/api/v1/facilities/north/roll")
        assert r.status_code == 404
        assert r.json()["code"] == "UNKNOWN_FACILITY"

    def test_refuses_a_malformed_moment(self, cast: Cast) -> None:
        r = api(cast.custody).get("/api/v1/facilities/north/roll?at=not-a-date")
        assert r.status_code == 422
        assert r.json()["field"] == "at"

    def test_refuses_a_moment_without_offset(self, cast: Cast) -> None:
        r = api(cast.custody).get("/api/v1/facilities/north/roll?at=2026-01-01T08:00:00")
        assert r.status_code == 422
        assert r.json()["code"] == "NAIVE_DATETIME"

    def test_returns_the_roll(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1")
        r = api(cast.inspector).get("/api/v1/facilities/north/roll")
        assert r.status_code == 200
        assert r.json()["in_custody"] == 1
        assert r.json()["units"][0]["cells"][0]["occupancy"] == 1


class TestAdmissionEndpoint:
    def test_an_inspector_cannot_admit(self, cast: Cast) -> None:
        r = api(cast.inspector).post(
            "/api/v1/facilities/north/admissions", admission_body(), content_type="application/json"
        )
        assert r.status_code == 403
        assert Person.objects.count() == 0

    def test_an_officer_of_another_facility_cannot_admit_here(self, cast: Cast) -> None:
        r = api(cast.south_officer).post(
            "/api/v1/facilities/north/admissions", admission_body(), content_type="application/json"
        )
        assert r.status_code == 404

    def test_a_missing_authority_is_a_409_naming_the_field(self, cast: Cast) -> None:
        client = api(cast.custody)
        before = AuditEvent.objects.count()
        r = client.post(
            "/api/v1/facilities/north/admissions",
            admission_body(authority=None),
            content_type="application/json",
        )
        assert r.status_code == 409
        assert r.json()["code"] == "NO_LAWFUL_AUTHORITY"
        assert r.json()["field"] == "authority"
        assert Person.objects.count() == 0
        assert AuditEvent.objects.count() == before

    def test_a_malformed_body_is_a_422_naming_the_field(self, cast: Cast) -> None:
        body = admission_body()
        body["person"]["date_of_birth"] = "1994-13-40"
        r = api(cast.custody).post(
            "/api/v1/facilities/north/admissions", body, content_type="application/json"
        )
        assert r.status_code == 422
        assert r.json()["field"] == "person.date_of_birth"

    def test_a_duplicate_is_a_409_with_a_link_to_the_person(self, cast: Cast) -> None:
        client = api(cast.custody)
        first = client.post(
            "/api/v1/facilities/north/admissions", admission_body(), content_type="application/json"
        )
        again = client.post(
            "/api/v1/facilities/north/admissions",
            admission_body(cell="A-2"),
            content_type="application/json",
        )
        assert again.status_code == 409
        assert again.json()["code"] == "POSSIBLE_DUPLICATE"
        assert again.json()["details"]["matches"][0]["id"] == first.json()["person_id"]

    def test_admits_and_places(self, cast: Cast) -> None:
        r = api(cast.custody).post(
            "/api/v1/facilities/north/admissions", admission_body(), content_type="application/json"
        )
        assert r.status_code == 201, r.content
        assert r.json()["cell"] == "A-1"
        person = Person.objects.get(pk=r.json()["person_id"])
        event = AuditEvent.objects.filter(action="custody.admit").get()
        assert event.actor == cast.custody and event.person_id == person.pk


class TestPersonEndpoint:
    def test_another_facility_cannot_read_the_person(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        assert api(cast.south_officer).get(f"/api/v1/people/{done.person_id}").status_code == 404

    def test_an_unknown_person_is_404(self, cast: Cast) -> None:
        assert api(cast.custody).get("/api/v1/people/999999").status_code == 404

    def test_returns_where_and_on_what_authority(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-2", groups=("b18s",))
        body = api(cast.records).get(f"/api/v1/people/{done.person_id}").json()
        assert (body["facility"], body["cell"], body["lawful_authority_now"]) == (
            "north",
            "A-2",
            True,
        )
        assert body["authorities"][0]["kind"] == "provisional_detention"
        assert body["affiliations"] == [
            {"group": "b18s", "status": "assessed", "source": "intelligence report"}
        ]


class TestPlacementEndpoint:
    def test_an_inspector_cannot_move_anyone(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = api(cast.inspector).post(
            f"/api/v1/people/{done.person_id}/placement",
            {"cell": "A-2"},
            content_type="application/json",
        )
        assert r.status_code == 403

    def test_a_refusal_is_409_with_every_reason(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-2", groups=("b18s",))
        done = f.admit_person(cast.north, cell="A-1", groups=("ms13",))
        r = api(cast.custody).post(
            f"/api/v1/people/{done.person_id}/placement",
            {"cell": "A-2"},
            content_type="application/json",
        )
        assert r.status_code == 409
        assert r.json()["code"] == "RIVAL_IN_CELL"
        assert r.json()["details"]["reasons"][0]["code"] == "RIVAL_IN_CELL"

    def test_an_unknown_cell_is_404(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = api(cast.custody).post(
            f"/api/v1/people/{done.person_id}/placement",
            {"cell": "Z-9"},
            content_type="application/json",
        )
        assert r.status_code == 404

    def test_moves_the_person(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = api(cast.custody).post(
            f"/api/v1/people/{done.person_id}/placement",
            {"cell": "A-2", "reason": "cell repairs"},
            content_type="application/json",
        )
        assert r.status_code == 200
        assert r.json()["cell"] == "A-2"


class TestReleaseEndpoint:
    def test_a_custody_officer_cannot_release(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = api(cast.custody).post(
            f"/api/v1/people/{done.person_id}/release",
            {"order_reference": "X", "ordered_by": "Y", "reason": "Z"},
            content_type="application/json",
        )
        assert r.status_code == 403

    def test_requires_the_order(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = api(cast.records).post(
            f"/api/v1/people/{done.person_id}/release",
            {"order_reference": " ", "ordered_by": "Juzgado", "reason": "acquitted"},
            content_type="application/json",
        )
        assert r.status_code == 422
        assert r.json()["field"] == "order_reference"

    def test_releases(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = api(cast.records).post(
            f"/api/v1/people/{done.person_id}/release",
            {"order_reference": "ORD-9", "ordered_by": "Juzgado A", "reason": "acquitted"},
            content_type="application/json",
        )
        assert r.status_code == 200
        assert (r.json()["in_custody"], r.json()["cell"]) == (False, None)


def test_the_openapi_document_is_served(cast: Cast) -> None:
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert "/api/v1/facilities/{code}/roll" in r.json()["paths"]
