"""The conditions API: security, validation and happy path for every endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from habeas.audit.models import AuditEvent
from habeas.conditions.models import CellInspection, Reading, Shower, WaterDelivery
from habeas.core import clock
from tests.conftest import Cast
from tests.regime.support import TZ, Wing, api, codes, local_day, past_slot, post

pytestmark = pytest.mark.django_db


def hour_ago(hours: float = 1) -> str:
    return (clock.now() - dt.timedelta(hours=hours)).isoformat()


def readings(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "facility": "north",
        "source": "sensor-gateway",
        "readings": [
            {"cell": "A-1", "measured_at": hour_ago(2), "temperature_c": 33.5, "lights": True},
            {"cell": "A-1", "measured_at": hour_ago(1), "temperature_c": 34.0, "lights": True},
            {"unit": "B", "measured_at": hour_ago(1), "humidity_pct": 81, "co2_ppm": 1800},
        ],
    }
    body.update(overrides)
    return body


WRITES = [
    ("/api/v1/conditions/readings", lambda w: readings()),
    (
        "/api/v1/facilities/north/water",
        lambda w: {"delivered_at": hour_ago(), "unit": "A", "litres_per_cell": 20},
    ),
    ("/api/v1/facilities/north/showers", lambda w: {"taken_at": hour_ago(), "cells": ["A-1"]}),
    (
        "/api/v1/facilities/north/cells/A-1/inspections",
        lambda w: {
            "inspected_at": hour_ago(),
            "inspector": "Jefe",
            "cleanliness": "poor",
            "bedding": "none",
            "ventilation": "poor",
        },
    ),
]


class TestSecurity:
    @pytest.mark.parametrize(("url", "body"), WRITES)
    def test_requires_authentication(self, cast: Cast, wing: Wing, url: str, body: Any) -> None:
        assert post(api(None), url, body(wing)).status_code == 401

    @pytest.mark.parametrize(("url", "body"), WRITES)
    def test_an_inspector_cannot_write(self, cast: Cast, wing: Wing, url: str, body: Any) -> None:
        client = api(cast.inspector)
        before = AuditEvent.objects.count()
        r = post(client, url, body(wing))
        assert r.status_code == 403 and AuditEvent.objects.count() == before

    @pytest.mark.parametrize(("url", "body"), WRITES)
    def test_another_facility_is_not_found(
        self, cast: Cast, wing: Wing, url: str, body: Any
    ) -> None:
        r = post(api(cast.south_officer), url, body(wing))
        assert r.status_code == 404 and r.json()["code"] == "UNKNOWN_FACILITY"

    def test_health_staff_cannot_send_readings(self, cast: Cast) -> None:
        assert post(api(cast.health), "/api/v1/conditions/readings", readings()).status_code == 403

    def test_the_day_requires_the_facility(self, cast: Cast) -> None:
        assert api(None).get("/api/v1/facilities/north/conditions").status_code == 401
        assert api(cast.south_officer).get("/api/v1/facilities/north/conditions").status_code == 404


class TestReadings:
    def test_a_bad_batch_reports_every_bad_line_and_stores_none(self, cast: Cast) -> None:
        bad = readings()
        bad["readings"] += [
            {"cell": "Z-9", "measured_at": hour_ago(), "temperature_c": 30},
            {"cell": "A-2", "measured_at": hour_ago(-3), "temperature_c": 30},
            {"cell": "A-2", "measured_at": hour_ago(), "temperature_c": "hot"},
            {"cell": "A-2", "measured_at": hour_ago(), "temperature": 30, "temperature_unit": "K"},
        ]
        r = post(api(cast.custody), "/api/v1/conditions/readings", bad)
        assert r.status_code == 422 and r.json()["code"] == "INVALID_READINGS"
        lines = {(p["line"], p["code"]) for p in r.json()["details"]["problems"]}
        assert lines == {
            (4, "UNKNOWN_CELL"),
            (5, "IN_FUTURE"),
            (6, "NOT_A_NUMBER"),
            (7, "BAD_UNIT"),
        }
        assert Reading.objects.count() == 0

    def test_refuses_an_empty_batch(self, cast: Cast) -> None:
        r = post(api(cast.custody), "/api/v1/conditions/readings", readings(readings=[]))
        assert r.status_code == 422 and r.json()["field"] == "readings"

    def test_stores_a_batch_and_ignores_it_when_sent_again(self, cast: Cast) -> None:
        client = api(cast.custody)
        body = readings()
        first = post(client, "/api/v1/conditions/readings", body)
        assert first.status_code == 201, first.content
        assert (first.json()["stored"], first.json()["duplicates"]) == (3, 0)
        again = post(client, "/api/v1/conditions/readings", body)
        assert (again.json()["stored"], again.json()["duplicates"]) == (0, 3)
        assert Reading.objects.count() == 3
        event = AuditEvent.objects.filter(action="conditions.import_readings").first()
        assert event is not None and event.after["stored"] == 3

    def test_the_day_shows_heat_and_light_per_cell(self, cast: Cast, wing: Wing) -> None:
        day = local_day(clock.now()) - dt.timedelta(days=2)

        def at(hour: int) -> str:
            return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ).isoformat()

        body = readings(
            readings=[
                {"cell": "A-1", "measured_at": at(10), "temperature_c": 33.5, "lights": True},
                {"cell": "A-1", "measured_at": at(11), "temperature_c": 34.0, "lights": True},
                {"unit": "B", "measured_at": at(11), "humidity_pct": 81, "co2_ppm": 1800},
            ]
        )
        assert post(api(cast.custody), "/api/v1/conditions/readings", body).status_code == 201
        got = api(cast.inspector).get(f"/api/v1/facilities/north/conditions?date={day}").json()
        cells = {c["cell"]: c for c in got["cells"]}
        assert cells["A-1"]["max_temperature_c"] == 34.0
        assert cells["A-1"]["minutes_at_or_above_heat_threshold"] == 120  # 60 + 60 (capped)
        assert cells["A-1"]["lights_off_minutes"] == 0
        assert cells["B-1"]["max_co2_ppm"] == 1800  # the unit's corridor sensor


class TestWater:
    def test_refuses_nothing_and_negative_litres(self, cast: Cast) -> None:
        client = api(cast.custody)
        r = post(
            client, "/api/v1/facilities/north/water", {"delivered_at": hour_ago(), "deliveries": []}
        )
        assert r.status_code == 422
        r = post(
            client,
            "/api/v1/facilities/north/water",
            {"delivered_at": hour_ago(), "deliveries": [{"cell": "A-1", "litres": -5}]},
        )
        assert r.status_code == 422 and codes(r) == ["OUT_OF_RANGE"]
        assert WaterDelivery.objects.count() == 0

    def test_a_unit_round_gives_each_cell_its_litres(self, cast: Cast, wing: Wing) -> None:
        start = past_slot()
        r = post(
            api(cast.custody),
            "/api/v1/facilities/north/water",
            {"delivered_at": start.isoformat(), "unit": "A", "litres_per_cell": 9},
        )
        assert r.status_code == 201 and len(r.json()["ids"]) == 3
        day = (
            api(cast.inspector)
            .get(
                f"/api/v1/people/{wing.a1[0].pk}/daily-life?from={local_day(start)}"
                f"&to={local_day(start)}"
            )
            .json()["days"][0]
        )
        assert day["water_litres"] == 4.5  # 9 L for the two people of A-1


class TestShowersAndInspections:
    def test_refuses_cells_and_people_together(self, cast: Cast, wing: Wing) -> None:
        r = post(
            api(cast.custody),
            "/api/v1/facilities/north/showers",
            {"taken_at": hour_ago(), "cells": ["A-1"], "people": [wing.a2.custody_number]},
        )
        assert r.status_code == 422 and Shower.objects.count() == 0

    def test_records_showers_of_a_cell_and_of_a_person(self, cast: Cast, wing: Wing) -> None:
        client = api(cast.custody)
        assert (
            post(
                client,
                "/api/v1/facilities/north/showers",
                {"taken_at": hour_ago(), "cells": ["A-1"]},
            ).status_code
            == 201
        )
        assert (
            post(
                client,
                "/api/v1/facilities/north/showers",
                {"taken_at": hour_ago(), "people": [wing.a2.custody_number]},
            ).status_code
            == 201
        )
        assert Shower.objects.filter(cell__code="A-1").count() == 1
        assert Shower.objects.filter(person=wing.a2).count() == 1

    def test_an_inspection_of_an_unknown_cell_is_404(self, cast: Cast) -> None:
        r = post(
            api(cast.custody), "/api/v1/facilities/north/cells/Q-1/inspections", WRITES[3][1](None)
        )
        assert r.status_code == 404 and r.json()["code"] == "UNKNOWN_CELL"

    def test_refuses_an_unknown_rating(self, cast: Cast) -> None:
        body = {**WRITES[3][1](None), "bedding": "luxurious"}
        r = post(api(cast.custody), "/api/v1/facilities/north/cells/A-1/inspections", body)
        assert r.status_code == 422 and r.json()["field"] == "bedding"

    def test_records_an_inspection(self, cast: Cast) -> None:
        client: Client = api(cast.custody)
        r = post(client, "/api/v1/facilities/north/cells/A-1/inspections", WRITES[3][1](None))
        assert r.status_code == 201 and r.json()["bedding"] == "none"
        assert CellInspection.objects.get().recorded_by == cast.custody
