"""The daily-life commands: habeas regime unlock / regime day, incidents list, health awaiting."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.regime.models import Unlock
from tests.conftest import Cast
from tests.regime.support import TZ, Wing, past_slot

pytestmark = pytest.mark.django_db


def slot() -> dict[str, str]:
    start = past_slot(20)
    return {
        "date": start.astimezone(TZ).date().isoformat(),
        "start": f"{start:%H:%M}",
        "end": f"{start + dt.timedelta(minutes=20):%H:%M}",
    }


class TestRegimeUnlock:
    def test_records_an_unlock_with_an_exception(
        self, cast: Cast, wing: Wing, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command(
            "regime_unlock",
            facility="north",
            unit="A",
            location="covered",
            exceptions=[f"{wing.a2.custody_number}:refused"],
            json=True,
            **slot(),
        )
        out = json.loads(capsys.readouterr().out)
        assert (out["people"], out["took_part"]) == (3, 2)
        assert out["exceptions"] == [
            {"custody_number": wing.a2.custody_number, "reason": "refused"}
        ]

    def test_a_bad_exception_changes_nothing(
        self, cast: Cast, wing: Wing, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(CommandError):
            call_command(
                "regime_unlock",
                facility="north",
                cells="A-1",
                location="covered",
                exceptions=[f"{wing.a2.custody_number}:refused"],
                **slot(),
            )
        assert "[NOT_IN_THESE_CELLS]" in capsys.readouterr().err
        assert Unlock.objects.count() == 0

    def test_an_unknown_facility(self, cast: Cast) -> None:
        with pytest.raises(CommandError):
            call_command(
                "regime_unlock", facility="nowhere", unit="A", location="covered", **slot()
            )


class TestRegimeDay:
    def test_reports_the_day(
        self, cast: Cast, wing: Wing, capsys: pytest.CaptureFixture[str]
    ) -> None:
        s = slot()
        call_command("regime_unlock", facility="north", unit="A", location="open_air", **s)
        capsys.readouterr()
        call_command("regime_day", facility="north", date=s["date"], json=True)
        out = json.loads(capsys.readouterr().out)
        assert [u["people"] for u in out["unlocks"]] == [3]

    def test_refuses_a_bad_date(self, cast: Cast) -> None:
        with pytest.raises(CommandError):
            call_command("regime_day", facility="north", date="30/02/2026")


class TestIncidentsAndHealthCommands:
    def test_incidents_list(
        self, cast: Cast, wing: Wing, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command("incidents_list", facility="north", json=True)
        out = json.loads(capsys.readouterr().out)
        assert out["segregations"] == [] and out["incidents_last_30_days"] == 0

    def test_health_awaiting_lists_dates_only(
        self, cast: Cast, wing: Wing, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command("health_awaiting", facility="north", hours=0, json=True)
        out = json.loads(capsys.readouterr().out)
        assert len(out["people"]) == 3
        assert set(out["people"][0]) == {"custody_number", "admitted_at", "hours_waiting"}
