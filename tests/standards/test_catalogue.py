"""The rules and profiles as data: what the catalogue accepts, what it refuses, and how a rule
is rendered with a profile's thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from habeas.core import clock
from habeas.standards import catalogue as cat
from habeas.standards.models import ProfileVersion, Rule
from habeas.standards.services import LEDGER_COLUMNS, catalogue, sync_catalogue

RULE = """
sources: {{S1: The Rules}}
rules:
  - id: X-1
    title: T
    source: S1
    citation: C
    requirement: R
    breach: "{breach}"
    params: [{params}]
"""


def parse(breach: str, params: str = "") -> cat.Catalogue:
    return cat.parse_rules(RULE.format(breach=breach, params=params), set(LEDGER_COLUMNS))


class TestTheCatalogue:
    def test_ships_every_rule_the_issue_asks_for_with_every_profile_complete(self) -> None:
        rules, profiles = catalogue()
        ids = {r.id for r in rules.rules}
        assert ids >= {
            "NMR-07a", "NMR-11", "W-01", "W-02", "W-04", "NMR-21", "W-05", "NMR-23",
            "NMR-43a", "NMR-43b", "NMR-43c", "NMR-44", "NMR-45", "NMR-47", "NMR-48",
            "NMR-58", "NMR-61", "NMR-30", "NMR-68", "NMR-71", "W-09",
        }  # fmt: skip
        for profile in profiles.values():
            cat.check_profile(profile, rules)  # no rule left without its thresholds
        assert profiles["cpt"].thresholds["W-01"] == {
            "shared_m2": Decimal("4.0"),
            "single_m2": Decimal("6.0"),
        }
        assert profiles["cpt"].thresholds["W-04"] == profiles["mandela"].thresholds["W-04"]

    def test_refuses_a_rule_that_names_a_column_the_ledger_lacks(self) -> None:
        with pytest.raises(cat.CatalogueError, match="unknown column or word 'height'"):
            parse("height < 2")

    def test_refuses_a_parameter_the_rule_does_not_declare(self) -> None:
        with pytest.raises(cat.CatalogueError, match=":m2 is not one of its params"):
            parse("m2_per_person < :m2")

    def test_refuses_a_profile_that_would_leave_a_rule_out(self) -> None:
        rules = parse("m2_per_person < :m2", "m2")
        empty = cat.ProfileDef(code="p", name="P", description="", thresholds={})
        with pytest.raises(cat.CatalogueError, match="X-1 lacks m2"):
            cat.check_profile(empty, rules)

    def test_refuses_a_threshold_that_is_not_a_number(self) -> None:
        with pytest.raises(cat.CatalogueError, match="not a number"):
            cat.parse_profile("code: p\nname: P\nthresholds: {X-1: {m2: three}}")


class TestRendering:
    def test_puts_thresholds_in_as_numbers(self) -> None:
        rule = parse("m2_per_person < :m2", "m2").rules[0]
        r = cat.render(rule, {"m2": Decimal("3.40")}, last_day=dt.date(2026, 3, 24))
        assert r.breached == "(((TRUE) AND TRUE) AND (m2_per_person < 3.4))"
        assert r.unknown == "FALSE"

    def test_judges_a_deadline_only_once_it_has_passed(self) -> None:
        rules, _profiles = catalogue()
        exam = rules.rule("NMR-30")
        day = dt.date(2026, 3, 24)
        r = cat.render(exam, {"max_hours": Decimal(24)}, last_day=day)
        assert "day <= '2026-03-23'" in r.breached
        r = cat.render(exam, {"max_hours": Decimal(72)}, last_day=day)
        assert "day <= '2026-03-21'" in r.breached


@pytest.mark.django_db
class TestStored:
    def test_a_profile_is_versioned_once_and_every_rule_kept(self) -> None:
        with transaction.atomic():
            first = sync_catalogue(at=clock.now())
            again = sync_catalogue(at=clock.now())
        assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in again.items()}
        assert ProfileVersion.objects.count() == 4
        assert Rule.objects.filter(current=True).count() == len(catalogue()[0].rules)
        assert first["mandela"].thresholds["W-01"] == {"shared_m2": "3.4", "single_m2": "5.4"}
