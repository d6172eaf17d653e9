"""Health pages: the record for health staff only (refusals audited), the list of people
awaiting their examination on admission."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.health.models import Examination
from tests.conftest import Cast
from tests.regime.support import Wing, page

pytestmark = pytest.mark.django_db


def exam_form(**overrides: str) -> dict[str, str]:
    at = (clock.now() - dt.timedelta(hours=2)).astimezone(dt.timezone(dt.timedelta(hours=-6)))
    body = {
        "kind": "admission",
        "examined_at": at.strftime("%Y-%m-%dT%H:%M"),
        "examined_by": "Dra. López",
        "injuries": "",
        "allegation": "",
        "reported_to": "",
        "findings": "Apto",
    }
    body.update(overrides)
    return body


class TestHealthRecordPage:
    def test_requires_sign_in(self, cast: Cast, wing: Wing) -> None:
        assert page(None).get(f"/people/{wing.a2.pk}/health/").status_code == 302

    def test_a_custody_officer_is_refused_and_the_attempt_audited(
        self, cast: Cast, wing: Wing
    ) -> None:
        r = page(cast.custody).get(f"/people/{wing.a2.pk}/health/")
        assert r.status_code == 403
        assert AuditEvent.objects.filter(action="read_refused", actor=cast.custody).count() == 1

    def test_a_person_of_another_facility_is_404(self, cast: Cast, wing: Wing) -> None:
        assert page(cast.south_officer).get(f"/people/{wing.a2.pk}/health/").status_code == 404

    def test_health_staff_read_it_with_the_forms(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.health).get(f"/people/{wing.a2.pk}/health/")
        assert r.status_code == 200 and r.context["exam_form"] is not None
        assert AuditEvent.objects.filter(action="read", actor=cast.health).count() == 1

    def test_an_inconsistent_examination_is_shown_on_its_field(
        self, cast: Cast, wing: Wing
    ) -> None:
        r = page(cast.health).post(
            f"/people/{wing.a2.pk}/health/examinations/", exam_form(injuries_seen="on")
        )
        assert r.status_code == 200 and "injuries" in r.context["exam_form"].errors
        assert Examination.objects.count() == 0

    def test_records_an_examination(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.health).post(f"/people/{wing.a2.pk}/health/examinations/", exam_form())
        assert r.status_code == 302
        assert Examination.objects.get().examined_by == "Dra. López"

    def test_an_officer_cannot_post_an_examination(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.custody).post(f"/people/{wing.a2.pk}/health/examinations/", exam_form())
        assert r.status_code == 403 and Examination.objects.count() == 0


class TestAwaitingPage:
    def test_requires_the_facility(self, cast: Cast) -> None:
        assert page(None).get("/facilities/north/health/").status_code == 302
        assert page(cast.south_officer).get("/facilities/north/health/").status_code == 404

    def test_lists_people_not_yet_examined(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.governor).get("/facilities/north/health/")
        assert r.status_code == 200 and r.context["total"] == 3
        assert "Dra." not in r.content.decode()
