"""The cells for one person's move: read as counts, the rest of the facility gives the answer that
reading every resident as a person gives, in a number of queries that does not grow with the roll.

The facility here holds what the rules refuse but records may come to hold (a second group
recorded after placement, a rivalry declared later, a cell taken out of service with people in
it, a date of birth corrected), since the counts must count whatever is there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from habeas.audit.services import Actor
from habeas.core import clock
from habeas.estate.models import Cell, Facility
from habeas.estate.services import take_out_of_service
from habeas.housing import allocator as alloc
from habeas.housing import engine, services
from habeas.housing.services import authorise_over_capacity
from habeas.people.models import Affiliation, Person, Scope, SecurityThreatGroup
from habeas.people.services import declare_rivalry, record_affiliation, register_group, separate
from tests import factories as f
from tests.conftest import Cast


def admit(facility: Facility, cell: str | None, *groups: str, kind: str = "") -> Person:
    if kind:
        return f.person(f.admit_person(facility, cell=cell, groups=groups, kind=kind))
    return f.person(f.admit_person(facility, cell=cell, groups=groups, auto_place=cell is not None))


def affiliate(person: Person, group: str, status: str = Affiliation.Status.ASSESSED) -> None:
    with transaction.atomic():
        record_affiliation(
            person=person,
            group=SecurityThreatGroup.objects.get(code=group),
            status=status,
            source="intelligence report",
            recorded_on=clock.now().date(),
            actor=f.SYSTEM,
            at=clock.now(),
        )


def keep_apart(person: Person, other: Person, scope: str) -> None:
    with transaction.atomic():
        separate(
            person=person,
            other=other,
            scope=scope,
            reason="co-accused",
            actor=f.SYSTEM,
            at=clock.now(),
        )


def born(person: Person, on: dt.date) -> None:
    Person.objects.filter(pk=person.pk).update(date_of_birth=on)


def cell(facility: Facility, code: str) -> Cell:
    return Cell.objects.select_related("facility", "unit").get(facility=facility, code=code)


def by_people(facility: Facility, person: Person, at: dt.datetime) -> list[alloc.CellOption]:
    """The options the way they were first computed: every resident read as a person."""
    placed = engine.resident_specs(facility, at)[1]
    newcomers = [] if person.pk in placed else [services.person_spec(person, facility, at)]
    return alloc.options(engine.facility_instance(facility, at, newcomers=newcomers), person.pk)


def by_crowds(facility: Facility, person: Person, at: dt.datetime) -> list[alloc.CellOption]:
    placed = engine.resident_specs(facility, at, person_ids=[person.pk])[1]
    newcomers = [] if person.pk in placed else [services.person_spec(person, facility, at)]
    instance, crowds = engine.options_instance(
        facility, at, person_id=person.pk, newcomers=newcomers
    )
    return alloc.options(instance, person.pk, crowds)


@pytest.fixture
def east(cast: Cast) -> tuple[Facility, list[Person]]:
    """A facility breaking every rule somewhere, and everyone in custody there."""
    facility = f.facility(
        "east",
        name="Centro Este",
        units={
            "A": [f.cell("A-1"), f.cell("A-2"), f.cell("A-3", bunks=2)],
            "B": [f.cell("B-1"), f.cell("B-2", attributes=["ground_level"])],
            "C": [f.cell("C-1", bunks=3, capacity=2), f.cell("C-2")],
        },
    )
    a1 = admit(facility, "A-1", "ms13")
    a2 = admit(facility, "A-1", "ms13")
    affiliate(a2, "b18s")  # two groups, rivals of each other: counted once, with both
    a3 = admit(facility, "A-2")
    a4 = admit(facility, "A-3", kind="conviction")
    a5 = admit(facility, "A-3", kind="conviction")  # A-3 full
    b1 = admit(facility, "B-1", "b18r")
    b2 = admit(facility, "B-1", "b18r")
    affiliate(b2, "ms13")
    affiliate(b2, "ms13", Affiliation.Status.RENOUNCED)  # one active group left
    b3 = admit(facility, "B-2")
    b4 = admit(facility, "B-2", "b18s", "b18r")
    today = clock.local_date(clock.now(), facility.time_zone)
    eighteen = engine.adult_born_by(today, 18)
    born(b3, eighteen + dt.timedelta(days=1))  # 18 tomorrow: a child today
    born(b4, eighteen)  # 18 today: an adult
    c1 = admit(facility, "C-1", kind="conviction")
    c2 = admit(facility, "C-1", kind="conviction")
    with transaction.atomic():
        authorise_over_capacity(
            cell=cell(facility, "C-1"),
            ceiling=3,
            reason="B flooded",
            actor=Actor.of(cast.governor),
            at=clock.now(),
        )
    c3 = admit(facility, "C-2", "b18s")
    with transaction.atomic():
        now = clock.now()
        x = register_group(code="x", name="X", actor=f.SYSTEM, at=now)
        declare_rivalry(
            group=x,
            rival=SecurityThreatGroup.objects.get(code="ms13"),
            scope=Scope.UNIT,
            actor=f.SYSTEM,
            at=now,
            reason="feud",
        )
        take_out_of_service(cell=cell(facility, "C-2"), actor=f.SYSTEM, at=now, reason="fire")
    affiliate(c3, "x")
    waiting = admit(facility, None, "b18s")
    elsewhere = admit(cast.north, "A-1")
    keep_apart(a3, b1, Scope.CELL)
    keep_apart(a3, a1, Scope.UNIT)
    keep_apart(c1, a3, Scope.FACILITY)
    keep_apart(a3, elsewhere, Scope.FACILITY)
    keep_apart(waiting, a4, Scope.UNIT)
    keep_apart(waiting, c3, Scope.FACILITY)
    return facility, [a1, a2, a3, a4, a5, b1, b2, b3, b4, c1, c2, c3, waiting]


@pytest.mark.django_db
class TestCellOptions:
    def test_counting_the_others_gives_what_reading_each_gives(
        self, east: tuple[Facility, list[Person]]
    ) -> None:
        facility, everyone = east
        at = clock.now()
        for person in everyone:
            assert by_crowds(facility, person, at) == by_people(facility, person, at), person

    def test_someone_in_several_groups_is_a_crowd_of_one_with_every_group(
        self, east: tuple[Facility, list[Person]]
    ) -> None:
        facility, everyone = east
        crowds = engine.resident_crowds(facility, clock.now(), adult_age=18)
        several = {(c.person.id, c.person.groups) for c in crowds if len(c.person.groups) > 1}
        a2, b4, c3 = everyone[1], everyone[8], everyone[11]
        assert several == {
            (a2.pk, frozenset({"ms13", "b18s"})),
            (b4.pk, frozenset({"b18s", "b18r"})),
            (c3.pk, frozenset({"b18s", "x"})),
        }
        assert sum(c.count for c in crowds) == len(everyone) - 1  # all but the one waiting

    def test_the_facility_here_breaks_the_rules_it_should(
        self, east: tuple[Facility, list[Person]]
    ) -> None:
        facility, everyone = east
        at = clock.now()
        found = {
            r.code
            for person in everyone
            for option in by_people(facility, person, at)
            for r in option.refusals
        }
        assert found == {
            alloc.Code.CELL_OUT_OF_SERVICE,
            alloc.Code.CELL_FULL,
            alloc.Code.RIVAL_IN_CELL,
            alloc.Code.RIVAL_IN_UNIT,
            alloc.Code.NON_ASSOCIATION,
            alloc.Code.CATEGORY_MIX,
        }

    def test_lists_every_other_cell_in_words(self, east: tuple[Facility, list[Person]]) -> None:
        a3 = east[1][2]
        options = {o["cell"]: o for o in services.cell_options(person=a3, at=clock.now())}
        assert set(options) == {"A-1", "A-3", "B-1", "B-2", "C-1", "C-2"}
        assert any("kept apart" in r for r in options["B-1"]["reasons"])
        assert options["C-2"]["reasons"][0] == "Cell C-2 is out of service."

    def test_a_bounded_number_of_queries_whoever_is_held(
        self, east: tuple[Facility, list[Person]], django_assert_max_num_queries: object
    ) -> None:
        facility, everyone = east
        a3 = everyone[2]
        with CaptureQueriesContext(connection) as before:
            services.cell_options(person=a3, at=clock.now())
        admit(facility, "A-2", "b18s")
        admit(facility, "A-2", "b18s")
        admit(facility, "C-1", kind="conviction")
        affiliate(everyone[0], "x")
        with django_assert_max_num_queries(16):  # type: ignore[operator]
            services.cell_options(person=a3, at=clock.now())
        with CaptureQueriesContext(connection) as after:
            services.cell_options(person=a3, at=clock.now())
        assert len(after) == len(before)


def refusals_by_people(
    facility: Facility, person: Person, target: Cell, at: dt.datetime
) -> tuple[alloc.Refusal, ...]:
    """Why not ``target``, the way it was first judged: every resident read as a person."""
    placed = engine.resident_specs(facility, at)[1]
    newcomers = [] if person.pk in placed else [services.person_spec(person, facility, at)]
    instance = engine.facility_instance(facility, at, newcomers=newcomers)
    return alloc.refusals(instance, person.pk, target.pk)


@pytest.mark.django_db
class TestOnePlacement:
    """A placement is judged on the cell's unit with its residents counted, and the person's
    non-association partners named wherever they are: the answer of the whole facility."""

    def test_counting_the_unit_gives_what_reading_the_facility_gives(
        self, east: tuple[Facility, list[Person]]
    ) -> None:
        facility, everyone = east
        at = clock.now()
        cells = list(Cell.objects.select_related("unit", "facility").filter(facility=facility))
        judged = 0
        for person in Person.objects.filter(pk__in=[p.pk for p in everyone]):  # as stored now
            spec = services.person_spec(person, facility, at)
            for target in cells:
                instance, crowds = engine.local_instance(
                    facility=facility, cell=target, person=spec, at=at
                )
                local = alloc.refusals(instance, person.pk, target.pk, crowds=crowds)
                assert set(local) == set(refusals_by_people(facility, person, target, at)), (
                    person,
                    target.code,
                )
                judged += bool(local)
        assert judged > len(everyone)  # the facility refuses plenty: the comparison has teeth

    def test_reads_no_more_when_the_unit_fills(self, east: tuple[Facility, list[Person]]) -> None:
        facility, everyone = east
        a3, at = everyone[2], clock.now()
        target = cell(facility, "A-1")
        spec = services.person_spec(a3, facility, at)
        with CaptureQueriesContext(connection) as before:
            engine.local_instance(facility=facility, cell=target, person=spec, at=at)
        admit(facility, "A-2", "b18s")
        admit(facility, "A-2", "b18s")
        admit(facility, "A-1")
        with CaptureQueriesContext(connection) as after:
            engine.local_instance(facility=facility, cell=target, person=spec, at=at)
        assert len(after) == len(before)


class TestAdultBornBy:
    @given(
        st.dates(dt.date(1940, 1, 1), dt.date(2040, 12, 31)),
        st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
        st.integers(1, 30),
    )
    def test_agrees_with_the_age_the_clock_counts(
        self, born: dt.date, today: dt.date, adult_age: int
    ) -> None:
        adult = clock.age_on(born, today) >= adult_age
        assert (born <= engine.adult_born_by(today, adult_age)) == adult

    def test_on_29_february_in_a_common_year_is_28_february(self) -> None:
        assert engine.adult_born_by(dt.date(2024, 2, 29), 18) == dt.date(2006, 2, 28)
        assert engine.adult_born_by(dt.date(2024, 2, 29), 20) == dt.date(2004, 2, 29)
