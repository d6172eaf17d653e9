from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from habeas.core import clock
from habeas.custody.admission import admit
from habeas.custody.inputs import AdmissionIn
from habeas.custody.services import release, send_out
from habeas.housing.selectors import roll
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


class TestRoll:
    def test_counts_people_by_cell_against_every_capacity(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1")
        f.admit_person(cast.north, cell="A-1")
        f.admit_person(cast.north, cell="B-1", kind="conviction")
        r = roll(cast.north, clock.now())
        cells = {c.code: c for c in r.cells}
        assert (r.in_custody, r.placed, r.convicted, r.untried) == (3, 3, 1, 2)
        assert cells["A-1"].occupancy == 2
        assert cells["A-1"].m2_per_person == 10
        assert cells["B-1"].convicted == 1
        assert r.operational_capacity == 15
        assert r.bed_capacity == 15
        assert r.standard_capacity == 5 * 4 + 1  # 20 m² / 3.4 = 5 per shared cell; 1 single
        assert r.unplaced == [] and r.without_authority == []

    def test_lists_people_without_a_cell(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, auto_place=False)
        r = roll(cast.north, clock.now())
        assert [p.custody_number for p in r.unplaced] == [done.custody_number]

    def test_shows_people_held_after_their_authority_ran_out(self, cast: Cast) -> None:
        start = clock.now()
        done = f.admit_person(cast.north, kind="administrative_detention", review_days=3)
        assert roll(cast.north, start + dt.timedelta(days=1)).without_authority == []
        later = roll(cast.north, start + dt.timedelta(days=4))
        assert [p.custody_number for p in later.without_authority] == [done.custody_number]

    def test_is_correct_at_a_past_moment(self, cast: Cast) -> None:
        t0 = clock.now()
        with time_machine.travel(t0 + dt.timedelta(days=1), tick=False):
            a = f.person(f.admit_person(cast.north, cell="A-1"))
        with time_machine.travel(t0 + dt.timedelta(days=2), tick=False):
            f.admit_person(cast.north, cell="A-2")
        with time_machine.travel(t0 + dt.timedelta(days=3), tick=False), transaction.atomic():
            release(
                person=a,
                at=clock.now(),
                order_reference="ORD-1",
                ordered_by="Juzgado 1",
                reason="acquitted",
                actor=f.SYSTEM,
            )
        at = [t0 + dt.timedelta(days=d, hours=12) for d in range(4)]
        assert [roll(cast.north, t).in_custody for t in at] == [0, 1, 2, 1]
        occupancy_a1 = [{c.code: c.occupancy for c in roll(cast.north, t).cells}["A-1"] for t in at]
        assert occupancy_a1 == [0, 1, 1, 0]

    def test_counts_people_away_at_court_on_the_roll(self, cast: Cast) -> None:
        p = f.person(f.admit_person(cast.north, cell="A-1"))
        with transaction.atomic():
            send_out(
                person=p,
                kind="court",
                destination="Juzgado Especializado A",
                at=clock.now(),
                reason="hearing",
                actor=f.SYSTEM,
            )
        r = roll(cast.north, clock.now() + dt.timedelta(minutes=1))
        assert (r.in_custody, r.away) == (1, 1)

    def test_the_command_prints_json(self, cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
        f.admit_person(cast.north, cell="A-1")
        capsys.readouterr()
        call_command("roll", facility="north", json=True)
        data = json.loads(capsys.readouterr().out)
        assert data["in_custody"] == 1
        assert data["without_lawful_authority"] == 0
        assert data["capacity"]["standard"] == 21
        assert data["units"][0]["cells"][0]["occupancy"] == 1

    def test_the_command_speaks_spanish_numbers_in_spanish(
        self, cast: Cast, capsys: pytest.CaptureFixture[str]
    ) -> None:
        for _ in range(3):
            f.admit_person(cast.north, cell="A-1")  # 20 m² for 3 people: 6.67 m² each
        capsys.readouterr()
        call_command("roll", facility="north", lang="es")
        out = capsys.readouterr().out
        assert "6,67 m²" in out and "6.67" not in out
        call_command("roll", facility="north", lang="en")
        assert "6.67 m²" in capsys.readouterr().out

    def test_uses_a_bounded_number_of_queries(
        self, cast: Cast, django_assert_max_num_queries: object
    ) -> None:
        for code in ("A-1", "A-2", "B-1"):
            f.admit_person(cast.north, cell=code)
        with django_assert_max_num_queries(7):  # type: ignore[operator]
            r = roll(cast.north, clock.now())
        assert r.in_custody == 3

    def test_a_person_admitted_to_another_facility_is_not_counted(self, cast: Cast) -> None:
        with transaction.atomic():
            admit(
                admission=AdmissionIn(
                    authority=f.authority(), person=dataclasses.replace(f.person_in(), sex="F")
                ),
                facility=cast.south,
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert roll(cast.north, clock.now()).in_custody == 0
        assert roll(cast.south, clock.now()).in_custody == 1


def test_a_person_held_past_the_end_of_their_sentence_still_counts_as_convicted(
    cast: Cast,
) -> None:
    start = clock.now()
    with transaction.atomic():
        admit(
            admission=AdmissionIn(
                authority=f.authority("conviction", days=2), person=f.person_in(), cell="A-1"
            ),
            facility=cast.north,
            actor=f.SYSTEM,
            at=start,
        )
    later = roll(cast.north, start + dt.timedelta(days=5))
    assert (len(later.without_authority), later.convicted, later.untried) == (1, 1, 0)
