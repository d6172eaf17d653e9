"""The incidents page: what is in force, and the form recording an incident."""

from __future__ import annotations

import datetime as dt

import pytest

from habeas.core import clock
from habeas.incidents.models import Incident, Involvement
from tests.conftest import Cast
from tests.regime.support import Wing, page

pytestmark = pytest.mark.django_db


def form(wing: Wing, **overrides: str) -> dict[str, str]:
    at = (clock.now() - dt.timedelta(hours=2)).astimezone(dt.timezone(dt.timedelta(hours=-6)))
    body = {
        "kind": "fight",
        "occurred_at": at.strftime("%Y-%m-%dT%H:%M"),
        "cell": "A-1",
        "place": "",
        "description": "Riña",
        "involved": f"{wing.a1[0].custody_number} perpetrator\n"
        f"{wing.a1[1].custody_number} victim injured",
    }
    body.update(overrides)
    return body


class TestIncidentsPage:
    def test_requires_sign_in_and_the_facility(self, cast: Cast) -> None:
        assert page(None).get("/facilities/north/incidents/").status_code == 302
        assert page(cast.south_officer).get("/facilities/north/incidents/").status_code == 404

    def test_an_inspector_reads_it_without_the_form(self, cast: Cast) -> None:
        r = page(cast.inspector).get("/facilities/north/incidents/")
        assert r.status_code == 200 and r.context["form"] is None

    def test_an_inspector_cannot_record(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.inspector).post("/facilities/north/incidents/new/", form(wing))
        assert r.status_code == 403 and Incident.objects.count() == 0

    def test_an_unknown_person_is_shown_on_the_people_field(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.custody).post(
            "/facilities/north/incidents/new/", form(wing, involved="NOBODY witness")
        )
        assert r.status_code == 200 and "involved" in r.context["form"].errors

    def test_records_an_incident_with_its_people(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.custody).post("/facilities/north/incidents/new/", form(wing))
        assert r.status_code == 302
        roles = dict(Involvement.objects.values_list("person_id", "role"))
        assert roles == {wing.a1[0].pk: "perpetrator", wing.a1[1].pk: "victim"}
        assert Involvement.objects.get(role="victim").injured
        r = page(cast.inspector).get("/facilities/north/incidents/")
        assert len(r.context["incidents"]) == 1 and r.context["summary"].incidents == 1
