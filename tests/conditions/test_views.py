"""Conditions pages: the cells of a day, the upload of a sensor file, a water round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.conditions import feed
from habeas.conditions.models import Reading, WaterDelivery
from habeas.core import clock
from tests.conftest import Cast
from tests.regime.support import Wing, page

pytestmark = pytest.mark.django_db


def upload(rows: list[dict[str, object]]) -> SimpleUploadedFile:
    return SimpleUploadedFile("feed.csv", feed.write_csv(rows).encode(), "text/csv")


def row(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "cell": "A-1",
        "sensor": "s1",
        "temperature_c": 33.0,
        "lights": "on",
        "measured_at": (clock.now() - dt.timedelta(hours=1)).isoformat(),
    }
    base.update(kw)
    return base


class TestConditionsPage:
    def test_requires_sign_in_and_the_facility(self, cast: Cast) -> None:
        assert page(None).get("/facilities/north/conditions/").status_code == 302
        assert page(cast.south_officer).get("/facilities/north/conditions/").status_code == 404

    def test_an_inspector_sees_every_cell_but_no_forms(self, cast: Cast, wing: Wing) -> None:
        r = page(cast.inspector).get("/facilities/north/conditions/")
        assert r.status_code == 200
        assert [c.code for c in r.context["cells"]] == ["A-1", "A-2", "A-3", "B-1", "B-2"]
        assert r.context["upload_form"] is None and r.context["water_form"] is None

    def test_an_inspector_cannot_upload(self, cast: Cast) -> None:
        r = page(cast.inspector).post(
            "/facilities/north/conditions/readings/", {"file": upload([row()])}
        )
        assert r.status_code == 403 and Reading.objects.count() == 0

    def test_a_bad_file_stores_nothing_and_lists_every_bad_line(self, cast: Cast) -> None:
        r = page(cast.custody).post(
            "/facilities/north/conditions/readings/",
            {"file": upload([row(), row(cell="Z-1"), row(lights="dim")])},
        )
        assert r.status_code == 200
        assert [p["line"] for p in r.context["problems"]] == [3, 4]
        assert Reading.objects.count() == 0

    def test_a_good_file_is_stored(self, cast: Cast) -> None:
        r = page(cast.custody).post(
            "/facilities/north/conditions/readings/", {"file": upload([row(), row(cell="A-2")])}
        )
        assert r.status_code == 302 and Reading.objects.count() == 2


class TestWaterForm:
    def test_refuses_a_moment_in_the_future(self, cast: Cast) -> None:
        later = (clock.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        r = page(cast.custody).post(
            "/facilities/north/conditions/water/",
            {"unit": "A", "litres_per_cell": "20", "delivered_at": later},
        )
        assert r.status_code == 200 and r.context["water_form"].errors
        assert WaterDelivery.objects.count() == 0

    def test_records_a_round_for_a_unit(self, cast: Cast) -> None:
        at = (
            (clock.now() - dt.timedelta(hours=8))
            .astimezone(dt.timezone(dt.timedelta(hours=-6)))
            .strftime("%Y-%m-%dT%H:%M")
        )
        r = page(cast.custody).post(
            "/facilities/north/conditions/water/",
            {"unit": "A", "litres_per_cell": "20", "delivered_at": at},
        )
        assert r.status_code == 302 and WaterDelivery.objects.count() == 3
