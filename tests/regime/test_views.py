"""Regime pages: security, validation, happy path (STYLE.md §12)."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.audit.models import AuditEvent
from habeas.regime.models import Unlock, Visit
from tests.conftest import Cast
from tests.regime.support import Wing, page, past_slot

pytestmark = pytest.mark.django_db


def unlock_form(**overrides: str) -> dict[str, str]:
    start = past_slot()
    body = {
        "unit": "A",
        "cells": "",
        "day": start.date().isoformat(),
        "starts": start.strftime("%H:%M"),
        "ends": (start + dt.timedelta(minutes=30)).strftime("%H:%M"),
        "location": "covered",
        "purpose": "exercise",
        "exceptions": "",
        "note": "",
    }
    body.update(overrides)
    return body


class TestRegimePage:
    def test_requires_sign_in(self, cast: Cast) -> None:
        r = page(None).get("/facilities/north/regime/")
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]

    def test_hides_a_facility_the_user_is_not_assigned_to(self, cast: Cast) -> None:
        assert page(cast.south_officer).get("/facilities/north/regime/").status_code == 404

    def test_an_inspector_reads_it_without_the_form(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.inspector).get("/facilities/north/regime/")
        assert r.status_code == 200
        assert r.context["form"] is None
        assert [t.unit.code for t in r.context["timetable"]] == ["A", "B"]

    def test_an_inspector_cannot_record_an_unlock(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.inspector).post("/facilities/north/regime/unlocks/", unlock_form())
        assert r.status_code == 403 and Unlock.objects.count() == 0

    def test_shows_each_problem_on_its_field(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.custody).post(
            "/facilities/north/regime/unlocks/",
            unlock_form(unit="", cells="A-1, Z-9", exceptions="NOBODY sick"),
        )
        assert r.status_code == 200
        form = r.context["form"]
        assert "cells" in form.errors and "exceptions" in form.errors
        assert Unlock.objects.count() == 0

    def test_records_the_unlock_of_a_unit_and_lists_it(self, cast: Cast, wing: Wing) -> None:
        sick = wing.a1[0]
        body = unlock_form(exceptions=f"{sick.custody_number} sick")
        r = page(cast.custody).post("/facilities/north/regime/unlocks/", body)
        assert r.status_code == 302
        r = page(cast.custody).get(r["Location"])
        (row,) = r.context["unlocks"]
        assert (row.people, row.took_part, row.cells) == (3, 2, ["A-1", "A-2", "A-3"])
        assert row.exceptions[0].custody_number == sick.custody_number
        event = AuditEvent.objects.get(action="regime.record_unlock")
        assert event.actor == cast.custody


class TestPersonPage:
    def test_hides_a_person_of_another_facility(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.south_officer).get(f"/people/{wing.a2.pk}/daily-life/")
        assert r.status_code == 404

    def test_an_unknown_person_is_404(self, cast: Cast) -> None:
        assert page(cast.custody).get("/people/999999/daily-life/").status_code == 404

    def test_shows_the_unlocks_the_person_took_part_in(self, cast: Cast, wing: Wing) -> None:
        page(cast.custody).post("/facilities/north/regime/unlocks/", unlock_form())
        r = page(cast.inspector).get(f"/people/{wing.a2.pk}/daily-life/")
        assert r.status_code == 200
        assert r.context["pd"].total_out_of_cell == 30
        assert b"data-unlock" in r.content


class TestContactPage:
    def test_requires_sign_in(self, cast: Cast) -> None:
        assert page(None).get("/facilities/north/contact/").status_code == 302

    def test_a_custody_officer_requests_and_a_governor_decides(
        self, cast: Cast, wing: Wing
    ) -> None:
        r = page(cast.custody).post(
            "/facilities/north/contact/visits/",
            {
                "custody_number": wing.a2.custody_number,
                "kind": "family",
                "visitor": "María",
                "relationship": "madre",
            },
        )
        assert r.status_code == 302
        visit = Visit.objects.get()
        denied = page(cast.custody).post(
            f"/facilities/north/contact/visits/{visit.pk}/decision/", {"approve": "no"}
        )
        assert denied.status_code == 403
        r = page(cast.governor).post(
            f"/facilities/north/contact/visits/{visit.pk}/decision/",
            {"approve": "no", "reason": ""},
        )
        visit.refresh_from_db()
        assert visit.status == "requested"  # a refusal needs its reason
        page(cast.governor).post(
            f"/facilities/north/contact/visits/{visit.pk}/decision/",
            {"approve": "no", "reason": "Visitor not on the approved list"},
        )
        visit.refresh_from_db()
        assert (visit.status, visit.refusal_reason) == (
            "refused",
            "Visitor not on the approved list",
        )

    def test_an_unknown_person_is_shown_on_the_form(self, cast: Cast) -> None:
        r = page(cast.custody).post(
            "/facilities/north/contact/visits/",
            {"custody_number": "X-1", "kind": "family", "visitor": "María"},
        )
        assert r.status_code == 200 and "custody_number" in r.context["form"].errors
