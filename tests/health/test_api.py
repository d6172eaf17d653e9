"""Health records: only health staff read them, every read is audited, and a refused attempt
is audited too; everyone else sees only that an examination took place and when."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.health import services
from habeas.health.models import Examination, HealthContact
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import Wing, api, post

pytestmark = pytest.mark.django_db


def ago(hours: float = 1) -> str:
    return (clock.now() - dt.timedelta(hours=hours)).isoformat()


def examine(wing: Wing) -> Examination:
    with transaction.atomic():
        return services.record_examination(
            person=wing.a2,
            facility=wing.a2.stays.get().facility,
            examination=services.ExaminationIn(
                examined_at=clock.now() - dt.timedelta(hours=2),
                examined_by="Dra. López",
                injuries_seen=True,
                injuries="Hematoma en el antebrazo izquierdo",
                ill_treatment_alleged=True,
                allegation="Golpes durante la captura",
                reported_to="Fiscalía General",
            ),
            actor=f.SYSTEM,
            at=clock.now(),
        )


class TestReadingTheRecord:
    def test_a_custody_officer_is_refused_and_the_attempt_is_in_the_audit_log(
        self, cast: Cast, wing: Wing
    ) -> None:
        examine(wing)
        client = api(cast.custody)
        r = client.get(f"/api/v1/people/{wing.a2.pk}/health")
        assert r.status_code == 403 and r.json()["code"] == "HEALTH_STAFF_ONLY"
        assert "Hematoma" not in r.content.decode()
        event = AuditEvent.objects.get(action="read_refused")
        assert (event.actor, event.person_id, event.object_type) == (
            cast.custody,
            wing.a2.pk,
            "health.Record",
        )
        assert not AuditEvent.objects.filter(action="read").exists()

    @pytest.mark.parametrize("who", ["governor", "inspector", "records", "admin"])
    def test_no_other_role_reads_it(self, cast: Cast, wing: Wing, who: str) -> None:
        r = api(getattr(cast, who)).get(f"/api/v1/people/{wing.a2.pk}/health")
        assert r.status_code == 403
        assert AuditEvent.objects.filter(action="read_refused").count() == 1

    def test_requires_authentication(self, cast: Cast, wing: Wing) -> None:
        assert api(None).get(f"/api/v1/people/{wing.a2.pk}/health").status_code == 401

    def test_a_person_of_another_facility_is_not_found(self, cast: Cast, wing: Wing) -> None:
        nurse = f.user("nurse_south", "health", cast.south)
        assert api(nurse).get(f"/api/v1/people/{wing.a2.pk}/health").status_code == 404

    def test_health_staff_read_it_and_each_read_is_audited(self, cast: Cast, wing: Wing) -> None:
        examine(wing)
        client = api(cast.health)
        for _ in range(2):
            r = client.get(f"/api/v1/people/{wing.a2.pk}/health")
            assert r.status_code == 200
        (exam,) = r.json()["examinations"]
        assert exam["allegation"] == "Golpes durante la captura"
        reads = AuditEvent.objects.filter(action="read", object_type="health.Record")
        assert reads.count() == 2 and reads.first().actor == cast.health  # type: ignore[union-attr]

    def test_the_audit_of_a_write_holds_no_clinical_content(self, cast: Cast, wing: Wing) -> None:
        examine(wing)
        event = AuditEvent.objects.get(action="health.record_examination")
        assert "Hematoma" not in str(event.after) and "Golpes" not in str(event.after)


class TestExaminationsTakenPlace:
    def test_others_see_only_that_and_when(self, cast: Cast, wing: Wing) -> None:
        exam = examine(wing)
        r = api(cast.custody).get(f"/api/v1/people/{wing.a2.pk}/examinations")
        assert r.status_code == 200
        (fact,) = r.json()
        assert set(fact) == {"kind", "examined_at"} and fact["kind"] == "admission"
        seen = dt.datetime.fromisoformat(fact["examined_at"])
        assert abs(seen - exam.examined_at) < dt.timedelta(seconds=1)

    def test_awaiting_examination_lists_those_not_examined(self, cast: Cast, wing: Wing) -> None:
        examine(wing)
        got = api(cast.governor).get("/api/v1/facilities/north/awaiting-examination").json()
        assert {x["person_id"] for x in got} == {p.pk for p in wing.a1}
        assert (
            api(cast.south_officer).get("/api/v1/facilities/north/awaiting-examination").status_code
            == 404
        )


class TestRecording:
    def test_only_health_staff_record(self, cast: Cast, wing: Wing) -> None:
        body = {"examined_at": ago(), "examined_by": "Dr. X"}
        r = post(api(cast.custody), f"/api/v1/people/{wing.a2.pk}/examinations", body)
        assert r.status_code == 403 and Examination.objects.count() == 0

    def test_injuries_seen_must_be_described(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.health),
            f"/api/v1/people/{wing.a2.pk}/examinations",
            {"examined_at": ago(), "examined_by": "Dr. X", "injuries_seen": True},
        )
        assert r.status_code == 422 and r.json()["field"] == "injuries"

    def test_an_examination_in_the_future_is_refused(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.health),
            f"/api/v1/people/{wing.a2.pk}/examinations",
            {"examined_at": ago(-2), "examined_by": "Dr. X"},
        )
        assert r.status_code == 422 and r.json()["code"] in ("IN_FUTURE", "INVALID_INPUT")

    def test_records_an_examination(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.health),
            f"/api/v1/people/{wing.a2.pk}/examinations",
            {"examined_at": ago(), "examined_by": "Dr. X"},
        )
        assert r.status_code == 201 and set(r.json()) == {"kind", "examined_at"}
        assert Examination.objects.get().episode.person_id == wing.a2.pk

    def test_a_sick_call_then_seen(self, cast: Cast, wing: Wing) -> None:
        client = api(cast.health)
        r = post(
            client,
            f"/api/v1/people/{wing.a2.pk}/health-contacts",
            {"kind": "sick_call", "requested_at": ago(3)},
        )
        assert r.status_code == 201 and r.json()["seen_at"] is None
        cid = r.json()["id"]
        r = post(
            client,
            f"/api/v1/health-contacts/{cid}/seen",
            {"seen_at": ago(1), "seen_by": "Enfermería", "notes": "Fiebre"},
        )
        assert r.status_code == 200 and r.json()["seen_at"] is not None
        assert (
            post(
                client, f"/api/v1/health-contacts/{cid}/seen", {"seen_at": ago(1), "seen_by": "x"}
            ).status_code
            == 409
        )
        assert HealthContact.objects.get().notes == "Fiebre"

    def test_a_contact_needs_a_moment(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.health),
            f"/api/v1/people/{wing.a2.pk}/health-contacts",
            {"kind": "consultation"},
        )
        assert r.status_code == 422 and r.json()["field"] == "seen_at"
