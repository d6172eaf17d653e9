"""habeas ledger build: JSON for programs, a clear refusal, nothing built on a refusal."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.ledger.models import LedgerBuild
from tests.standards.support import D0, DAYS, LAST, Ward

pytestmark = pytest.mark.django_db


def test_builds_a_range_and_answers_in_json(
    the_ward: Ward, capsys: pytest.CaptureFixture[str]
) -> None:
    the_ward.settle()
    call_command("ledger_build", facility="ward", first=str(D0), last=str(LAST), json=True)
    answer = json.loads(capsys.readouterr().out)
    build = LedgerBuild.objects.get()
    assert answer == {
        "facility": "ward",
        "from": str(D0),
        "to": str(LAST),
        "person_days": 8 * DAYS,
        "people": 8,
        "ledger_hash": build.ledger_hash,
        "seconds": build.seconds,
    }


def test_refuses_a_bad_date_and_builds_nothing(
    the_ward: Ward, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="BAD_DATE"):
        call_command("ledger_build", facility="ward", first="yesterday")
    assert "is not a date" in capsys.readouterr().err
    assert not LedgerBuild.objects.exists()


def test_standards_check_prints_every_rule(
    the_ward: Ward, capsys: pytest.CaptureFixture[str]
) -> None:
    the_ward.settle(no_notice=["a1a"])
    call_command("standards_check", facility="ward", first=str(D0), last=str(LAST))
    out = capsys.readouterr().out
    assert "NMR-68" in out and "1 of 23 rules breached" in out
    call_command(
        "standards_check", facility="ward", first=str(D0), last=str(LAST), json=True, no_build=True
    )
    answer = json.loads(capsys.readouterr().out)
    assert answer["rules_breached"] == 1
    assert [f["rule"] for f in answer["findings"] if f["status"] == "breached"] == ["NMR-68"]
