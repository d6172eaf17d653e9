"""The incidents API: security, validation and happy path for every endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.custody.models import Episode, Movement
from habeas.housing.models import Placement
from habeas.incidents import discipline, services
from habeas.incidents.models import (
    Charge,
    Complaint,
    Incident,
    Restraint,
    Sanction,
    Segregation,
)
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import Wing, api, codes, local_day, past_slot, post

pytestmark = pytest.mark.django_db


def ago(hours: float = 1) -> str:
    return (clock.now() - dt.timedelta(hours=hours)).isoformat()


def incident_body(wing: Wing, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "fight",
        "occurred_at": ago(3),
        "cell": "A-1",
        "description": "Riña entre dos internos.",
        "involved": [
            {"custody_number": wing.a1[0].custody_number, "role": "perpetrator"},
            {"custody_number": wing.a1[1].custody_number, "role": "victim", "injured": True},
        ],
    }
    body.update(overrides)
    return body


def bodies(wing: Wing) -> dict[str, tuple[str, dict[str, Any]]]:
    p = wing.a2.pk
    return {
        "incident": ("/api/v1/facilities/north/incidents", incident_body(wing)),
        "force": (
            f"/api/v1/people/{p}/uses-of-force",
            {
                "started_at": ago(2),
                "ended_at": ago(1.9),
                "reason": "Resistencia",
                "authorised_by": "Jefe de turno",
                "techniques": [{"technique": "physical_hold", "applied_by": "Custodio 1"}],
            },
        ),
        "restraint": (
            f"/api/v1/people/{p}/restraints",
            {
                "kind": "handcuffs",
                "purpose": "escort",
                "started_at": ago(2),
                "ended_at": ago(1),
                "reason": "Traslado",
                "authorised_by": "Jefe de turno",
            },
        ),
        "charge": (
            f"/api/v1/people/{p}/charges",
            {"offence": "Posesión de teléfono", "charged_at": ago(2), "notified_at": ago(1)},
        ),
        "collective": (
            "/api/v1/facilities/north/collective-sanctions",
            {
                "kind": "visits_restricted",
                "started_at": ago(2),
                "reason": "Desorden",
                "imposed_by": "Director",
                "unit": "A",
            },
        ),
        "segregation": (
            f"/api/v1/people/{p}/segregations",
            {
                "kind": "protective",
                "grounds": "Amenazas",
                "started_at": ago(2),
                "authorised_by": "Director",
            },
        ),
        "complaint": (
            f"/api/v1/people/{p}/complaints",
            {
                "subject": "food",
                "channel": "governor",
                "summary": "Comida fría",
                "filed_at": ago(2),
            },
        ),
        "death": (
            f"/api/v1/people/{p}/death",
            {
                "died_at": ago(2),
                "place": "Celda",
                "circumstances": "Hallado sin vida",
                "manner": "unknown",
            },
        ),
    }


ROLE_NEEDED = {
    "incident": "custody",
    "force": "custody",
    "restraint": "custody",
    "complaint": "custody",
    "death": "custody",
    "charge": "governor",
    "collective": "governor",
    "segregation": "governor",
}


class TestSecurity:
    @pytest.mark.parametrize("key", list(ROLE_NEEDED))
    def test_requires_authentication(self, cast: Cast, wing: Wing, key: str) -> None:
        url, body = bodies(wing)[key]
        assert post(api(None), url, body).status_code == 401

    @pytest.mark.parametrize("key", list(ROLE_NEEDED))
    def test_an_inspector_cannot_write(self, cast: Cast, wing: Wing, key: str) -> None:
        url, body = bodies(wing)[key]
        client = api(cast.inspector)
        before = AuditEvent.objects.count()
        assert post(client, url, body).status_code == 403
        assert AuditEvent.objects.count() == before

    @pytest.mark.parametrize("key", ["charge", "collective", "segregation"])
    def test_only_a_governor_disciplines(self, cast: Cast, wing: Wing, key: str) -> None:
        url, body = bodies(wing)[key]
        assert post(api(cast.custody), url, body).status_code == 403

    @pytest.mark.parametrize("key", list(ROLE_NEEDED))
    def test_another_facility_is_not_found(self, cast: Cast, wing: Wing, key: str) -> None:
        url, body = bodies(wing)[key]
        south_governor = f.user("gov_south", "governor", cast.south)
        assert post(api(south_governor), url, body).status_code == 404

    def test_reads_require_the_facility(self, cast: Cast) -> None:
        for url in ("/api/v1/facilities/north/incidents", "/api/v1/facilities/north/in-force"):
            assert api(None).get(url).status_code == 401
            assert api(cast.south_officer).get(url).status_code == 404

    def test_objects_of_another_facility_are_not_found(self, cast: Cast, wing: Wing) -> None:
        r = post(api(cast.custody), *bodies(wing)["incident"])
        south = f.user("gov_south", "governor", cast.south)
        assert api(south).get(f"/api/v1/incidents/{r.json()['id']}").status_code == 404


class TestIncidents:
    def test_refuses_an_unknown_person_and_kind_naming_each(self, cast: Cast, wing: Wing) -> None:
        body = incident_body(wing, kind="riot-ish")
        body["involved"].append({"custody_number": "NOBODY", "role": "witness"})
        r = post(api(cast.custody), "/api/v1/facilities/north/incidents", body)
        assert r.status_code == 422
        assert {p["field"] for p in r.json()["details"]["problems"]} == {
            "kind",
            "involved[2].person",
        }
        assert Incident.objects.count() == 0

    def test_records_an_incident_with_the_people_and_their_roles(
        self, cast: Cast, wing: Wing
    ) -> None:
        r = post(api(cast.custody), "/api/v1/facilities/north/incidents", incident_body(wing))
        assert r.status_code == 201, r.content
        roles = {x["custody_number"]: (x["role"], x["injured"]) for x in r.json()["involved"]}
        assert roles[wing.a1[1].custody_number] == ("victim", True)
        iid = r.json()["id"]
        r = post(
            api(cast.custody),
            f"/api/v1/incidents/{iid}/report",
            {"reported_to": "Fiscalía General", "reported_to_at": ago(1)},
        )
        assert r.status_code == 200 and r.json()["reported_to"] == "Fiscalía General"
        assert len(api(cast.inspector).get("/api/v1/facilities/north/incidents").json()) == 1


class TestForceAndRestraints:
    def test_force_needs_a_technique(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["force"]
        r = post(api(cast.custody), url, {**body, "techniques": []})
        assert r.status_code == 422 and r.json()["field"] == "techniques"

    def test_records_force_with_each_technique(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["force"]
        body["techniques"].append({"technique": "chemical", "applied_by": "Custodio 2"})
        r = post(api(cast.custody), url, body)
        assert r.status_code == 201
        event = AuditEvent.objects.get(action="incidents.record_use_of_force")
        assert event.after["techniques"] == ["physical_hold", "chemical"]

    def test_chains_are_recorded_and_flagged_as_prohibited(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["restraint"]
        r = post(api(cast.custody), url, {**body, "kind": "chains", "ended_at": None})
        assert r.status_code == 201 and r.json()["prohibited"] is True
        rid = r.json()["id"]
        in_force = api(cast.inspector).get("/api/v1/facilities/north/in-force").json()
        assert [x["id"] for x in in_force["restraints"]] == [rid]
        r = post(api(cast.custody), f"/api/v1/restraints/{rid}/removal", {"ended_at": ago(0.5)})
        assert r.status_code == 200 and r.json()["ended_at"] is not None
        again = post(api(cast.custody), f"/api/v1/restraints/{rid}/removal", {"ended_at": ago(0.2)})
        assert again.status_code == 409 and again.json()["code"] == "ALREADY_ENDED"

    def test_a_restraint_ending_before_it_starts_is_refused(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["restraint"]
        r = post(api(cast.custody), url, {**body, "ended_at": ago(3)})
        assert r.status_code == 422 and r.json()["field"] == "ended_at"
        assert Restraint.objects.count() == 0

    def test_restraint_minutes_show_on_the_persons_day(self, cast: Cast, wing: Wing) -> None:
        start = past_slot(60)
        url, body = bodies(wing)["restraint"]
        post(
            api(cast.custody),
            url,
            {
                **body,
                "started_at": start.isoformat(),
                "ended_at": (start + dt.timedelta(minutes=60)).isoformat(),
            },
        )
        d = local_day(start)
        day = (
            api(cast.inspector)
            .get(f"/api/v1/people/{wing.a2.pk}/daily-life?from={d}&to={d}")
            .json()["days"][0]
        )
        assert day["restraint_minutes"] == 60


class TestDiscipline:
    def test_a_sanction_needs_a_proven_charge(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["charge"]
        charge = post(api(cast.governor), url, body).json()
        r = post(
            api(cast.governor),
            f"/api/v1/charges/{charge['id']}/hearing",
            {
                "hearing_at": ago(0.5),
                "adjudicator": "Director",
                "person_heard": True,
                "outcome": "not_proven",
                "reasons": "Sin pruebas",
                "sanctions": [{"kind": "loss_of_privileges", "started_at": ago(0.5)}],
            },
        )
        assert r.status_code == 422 and "NOT_PROVEN" in codes(r)

    def test_cellular_confinement_must_end(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["charge"]
        charge = post(api(cast.governor), url, body).json()
        r = post(
            api(cast.governor),
            f"/api/v1/charges/{charge['id']}/hearing",
            {
                "hearing_at": ago(0.5),
                "adjudicator": "Director",
                "person_heard": True,
                "outcome": "proven",
                "reasons": "Probado",
                "sanctions": [{"kind": "cellular_confinement", "started_at": ago(0.5)}],
            },
        )
        assert r.status_code == 422 and r.json()["field"] == "sanctions[0].ended_at"

    def test_a_proven_charge_with_cellular_confinement_segregates(
        self, cast: Cast, wing: Wing
    ) -> None:
        url, body = bodies(wing)["charge"]
        charge = post(api(cast.governor), url, body).json()
        r = post(
            api(cast.governor),
            f"/api/v1/charges/{charge['id']}/hearing",
            {
                "hearing_at": ago(0.5),
                "adjudicator": "Director",
                "person_heard": True,
                "interpreter": False,
                "legal_assistance": True,
                "outcome": "proven",
                "reasons": "Probado; el interno fue oído",
                "sanctions": [
                    {
                        "kind": "cellular_confinement",
                        "started_at": ago(0.5),
                        "ended_at": (clock.now() + dt.timedelta(days=3)).isoformat(),
                    }
                ],
            },
        )
        assert r.status_code == 200, r.content
        assert r.json()["outcome"] == "proven" and r.json()["sanctions"][0]["collective"] is False
        seg = Segregation.objects.get()
        assert seg.kind == "disciplinary" and seg.sanction_id == r.json()["sanctions"][0]["id"]
        again = post(
            api(cast.governor),
            f"/api/v1/charges/{charge['id']}/hearing",
            {
                "hearing_at": ago(0.4),
                "adjudicator": "Director",
                "person_heard": True,
                "outcome": "dismissed",
                "reasons": "x",
            },
        )
        assert again.status_code == 409

    def test_a_collective_sanction_is_recorded_as_collective(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["collective"]
        r = post(api(cast.governor), url, body)
        assert r.status_code == 201
        (s,) = r.json()
        assert (s["scope"], s["collective"], s["prohibited"], s["unit"]) == (
            "unit",
            True,
            True,
            "A",
        )
        event = AuditEvent.objects.get(action="incidents.impose_collective_sanction")
        assert event.after["collective"] is True
        r = post(api(cast.governor), f"/api/v1/sanctions/{s['id']}/end", {"ended_at": ago(0.5)})
        assert r.status_code == 200

    def test_a_collective_sanction_on_unknown_cells_is_refused(
        self, cast: Cast, wing: Wing
    ) -> None:
        url, body = bodies(wing)["collective"]
        r = post(api(cast.governor), url, {**body, "unit": None, "cells": ["A-1", "X-1"]})
        assert r.status_code == 422 and codes(r) == ["UNKNOWN_CELL"]
        assert Sanction.objects.count() == 0

    def test_segregation_with_reviews_then_ended(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["segregation"]
        seg = post(api(cast.governor), url, body).json()
        assert post(api(cast.governor), url, body).status_code == 409  # already segregated
        r = post(
            api(cast.governor),
            f"/api/v1/segregations/{seg['id']}/reviews",
            {
                "reviewed_at": ago(1),
                "reviewer": "Jueza de vigilancia",
                "independent": True,
                "health_seen": True,
                "decision": "continue",
            },
        )
        assert r.status_code == 201 and r.json()["reviews"][0]["independent"] is True
        r = post(
            api(cast.governor),
            f"/api/v1/segregations/{seg['id']}/end",
            {"ended_at": ago(0.5), "reason": "Amenaza superada"},
        )
        assert r.status_code == 200 and r.json()["ended_at"] is not None

    def test_a_review_needs_a_reviewer(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["segregation"]
        seg = post(api(cast.governor), url, body).json()
        r = post(
            api(cast.governor),
            f"/api/v1/segregations/{seg['id']}/reviews",
            {
                "reviewed_at": ago(1),
                "reviewer": "",
                "independent": False,
                "health_seen": False,
                "decision": "continue",
            },
        )
        assert r.status_code == 422 and r.json()["field"] == "reviewer"


class TestComplaints:
    def test_a_custody_officer_cannot_answer(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["complaint"]
        c = post(api(cast.custody), url, body).json()
        r = post(
            api(cast.custody),
            f"/api/v1/complaints/{c['id']}/answer",
            {"answer": "x", "outcome": "upheld", "answered_at": ago(1)},
        )
        assert r.status_code == 403

    def test_filed_then_answered_once(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["complaint"]
        c = post(api(cast.custody), url, {**body, "confidential": True}).json()
        answer = {"answer": "Se corrigió", "outcome": "upheld", "answered_at": ago(1)}
        r = post(api(cast.governor), f"/api/v1/complaints/{c['id']}/answer", answer)
        assert r.status_code == 200 and r.json()["outcome"] == "upheld"
        assert (
            post(api(cast.governor), f"/api/v1/complaints/{c['id']}/answer", answer).status_code
            == 409
        )
        assert Complaint.objects.get().answered_by == cast.governor

    def test_an_answer_before_the_complaint_is_refused(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["complaint"]
        c = post(api(cast.custody), url, body).json()
        r = post(
            api(cast.governor),
            f"/api/v1/complaints/{c['id']}/answer",
            {"answer": "x", "outcome": "upheld", "answered_at": ago(5)},
        )
        assert r.status_code == 422 and r.json()["field"] == "answered_at"


class TestDeaths:
    def test_a_death_ends_custody_and_keeps_who_was_told(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["death"]
        r = post(
            api(cast.custody),
            url,
            {**body, "family_informed_at": ago(1), "family_informed": "Madre"},
        )
        assert r.status_code == 201, r.content
        assert r.json()["authority_informed_at"] is None
        assert Episode.objects.get(person=wing.a2).released_at is not None
        assert not Placement.objects.filter(person=wing.a2, ended_at__isnull=True).exists()
        assert Movement.objects.filter(person=wing.a2, kind="death").exists()
        r = post(
            api(cast.custody),
            f"/api/v1/deaths/{r.json()['id']}/notifications",
            {"authority_informed_at": ago(0.5), "authority": "Procuraduría (PDDH)"},
        )
        assert r.status_code == 200 and r.json()["authority"] == "Procuraduría (PDDH)"

    def test_being_told_before_the_death_is_refused(self, cast: Cast, wing: Wing) -> None:
        url, body = bodies(wing)["death"]
        r = post(
            api(cast.custody),
            url,
            {**body, "family_informed_at": ago(3), "family_informed": "Madre"},
        )
        assert r.status_code == 422 and r.json()["field"] == "family_informed_at"
        assert Episode.objects.get(person=wing.a2).released_at is None


class TestInForce:
    def test_lists_segregation_days_reviews_and_unanswered_complaints(
        self, cast: Cast, wing: Wing
    ) -> None:
        with transaction.atomic():
            discipline.segregate(
                person=wing.a2,
                facility=cast.north,
                kind="security",
                grounds="x",
                started_at=clock.now() - dt.timedelta(hours=20),
                authorised_by="Director",
                actor=f.SYSTEM,
                at=clock.now(),
            )
            discipline.file_complaint(
                person=wing.a1[0],
                facility=cast.north,
                subject="ill_treatment",
                channel="inspector",
                summary="Golpes",
                filed_at=clock.now(),
                actor=f.SYSTEM,
                at=clock.now(),
            )
            services.record_incident(
                facility=cast.north,
                kind="disorder",
                occurred_at=clock.now(),
                description="Gritos",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        got = api(cast.inspector).get("/api/v1/facilities/north/in-force").json()
        (seg,) = got["segregations"]
        assert (seg["custody_number"], seg["reviews"], seg["prolonged"]) == (
            wing.a2.custody_number,
            0,
            False,
        )
        assert len(got["complaints_unanswered"]) == 1 and got["incidents_last_30_days"] == 1
        assert Charge.objects.count() == 0
