"""Prepared queries: the rows of the queryset itself, its SQL compiled once per connection, and
every function that would make a wrong prepared query refused when it is first compiled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.test.utils import CaptureQueriesContext

from habeas.core import clock
from habeas.core.prepared import PreparationError, Prepared, prepared
from habeas.custody.models import LawfulAuthority, Stay
from habeas.estate.models import Cell
from habeas.housing.models import Placement
from habeas.housing.services import place
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast


def placements_qs(person_id: int) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(person_id=person_id)
        .select_related("cell__unit", "facility")
        .order_by("-started_at", "-id")
    )


def rows(objs: list[Any]) -> list[dict[str, Any]]:
    """What a model instance holds, its select_related ones included, for comparison."""

    def plain(obj: Any) -> dict[str, Any]:
        values = {k: v for k, v in obj.__dict__.items() if k != "_state"}
        related = {k: plain(v) for k, v in obj._state.fields_cache.items() if v is not None}
        return {**values, **related}

    return [plain(o) for o in objs]


@pytest.fixture
def held(cast: Cast) -> list[Person]:
    """Three people of the north facility, two placed, one moved from one cell to another."""
    people = [
        f.person(f.admit_person(cast.north, cell="A-1", groups=("ms13",))),
        f.person(f.admit_person(cast.north, cell="B-1")),
        f.person(f.admit_person(cast.north, auto_place=False)),
    ]
    with transaction.atomic():
        place(
            person=people[0],
            cell=Cell.objects.get(facility=cast.north, code="A-2"),
            actor=f.SYSTEM,
            at=clock.now(),
            reason="test",
        )
    return people


@pytest.mark.django_db
class TestPrepared:
    def test_gives_the_rows_the_queryset_gives(self, held: list[Person]) -> None:
        query = Prepared(placements_qs)
        for person in held:
            assert rows(query(person_id=person.pk)) == rows(list(placements_qs(person.pk)))
        assert len(query(person_id=held[0].pk)) == 2  # the move: two placements, newest first
        assert query(person_id=held[2].pk) == []
        assert query(person_id=10**9) == []

    def test_annotations_and_values_lists_as_the_queryset_makes_them(
        self, held: list[Person]
    ) -> None:
        @prepared
        def counted(facility_id: int) -> QuerySet[Person]:
            return (
                Person.objects.filter(stays__facility_id=facility_id)
                .annotate(n=Count("placements"))
                .order_by("pk")
            )

        @prepared
        def numbers(facility_id: int, sex: str) -> QuerySet[Person, str]:
            return (
                Person.objects.filter(stays__facility_id=facility_id, sex=sex)
                .order_by("custody_number")
                .values_list("custody_number", flat=True)
            )

        facility_id = held[0].stays.get().facility_id
        assert [(p.pk, p.n) for p in counted(facility_id=facility_id)] == [  # type: ignore[attr-defined]
            (held[0].pk, 2),
            (held[1].pk, 1),
            (held[2].pk, 0),
        ]
        assert numbers(facility_id=facility_id, sex="M") == sorted(p.custody_number for p in held)
        assert numbers(facility_id=facility_id, sex="F") == []

    def test_moments_are_parameters_on_either_database(self, held: list[Person]) -> None:
        @prepared
        def in_force(at: dt.datetime) -> QuerySet[LawfulAuthority]:
            return LawfulAuthority.objects.filter(valid_from__lte=at).order_by("pk")

        @prepared
        def begun_on(day: dt.date) -> QuerySet[Stay]:
            return Stay.objects.filter(started_at__date__gte=day).order_by("pk")

        now = clock.now()
        before = now - dt.timedelta(days=3650)
        assert len(in_force(at=now)) == 3
        assert in_force(at=before) == []
        assert len(begun_on(day=before.date())) == 3
        assert begun_on(day=(now + dt.timedelta(days=2)).date()) == []

    def test_lists_of_any_length_in_an_in(self, held: list[Person]) -> None:
        @prepared
        def numbered(ids: list[int], numbers: list[str]) -> QuerySet[Person, int]:
            return (
                Person.objects.filter(pk__in=ids)
                .exclude(custody_number__in=numbers)
                .order_by("pk")
                .values_list("pk", flat=True)
            )

        a, b, c = (p.pk for p in held)
        assert numbered(ids=[a, b, c], numbers=["none"]) == [a, b, c]
        assert numbered(ids=[c, a], numbers=[held[0].custody_number, "none"]) == [c]
        assert numbered(ids=[b, b, b, None], numbers=["x", "x"]) == [b]  # type: ignore[list-item]
        assert numbered(ids=[], numbers=["x"]) == []  # evaluated as an ordinary queryset
        many = [*range(-200, 0), a]  # longer than a prepared list: the same, unprepared
        assert numbered(ids=many, numbers=["x"]) == [a]

    @pytest.mark.postgres
    def test_a_whole_list_as_one_parameter(self, held: list[Person]) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("= ANY(array) is PostgreSQL's")

        @prepared
        def among(ids: list[int]) -> QuerySet[Person, int]:
            return Person.objects.filter(pk__any=ids).order_by("pk").values_list("pk", flat=True)

        a, b, c = (p.pk for p in held)
        assert among(ids=[c, a]) == [a, c]
        assert among(ids=[b, 10**9]) == [b]

    def test_one_query_a_call_and_its_sql_compiled_once(self, held: list[Person]) -> None:
        built: list[int] = []

        def placements(person_id: int) -> QuerySet[Placement]:
            built.append(person_id)
            return placements_qs(person_id)

        query = Prepared(placements)
        query(person_id=held[0].pk)
        compiled = len(built)  # built twice, with two sets of stand-in values, then compiled
        with CaptureQueriesContext(connection) as seen:
            for person in held:
                query(person_id=person.pk)
        assert compiled == 2
        assert len(built) == compiled  # never built again
        assert len(seen) == len(held)
        assert all('"housing_placement"' in q["sql"] for q in seen.captured_queries)

    def test_refuses_a_function_that_reads_more_than_its_values(self, cast: Cast) -> None:
        @prepared
        def current(person_id: int) -> QuerySet[Placement]:
            return Placement.objects.filter(person_id=person_id, started_at__lte=clock.now())

        with pytest.raises(PreparationError, match="none of its values"):
            current(person_id=1)

    def test_refuses_a_value_that_never_reaches_the_sql(self, cast: Cast) -> None:
        @prepared
        def everyone(person_id: int) -> QuerySet[Person]:
            return Person.objects.order_by("pk")

        with pytest.raises(PreparationError, match="never reach the SQL"):
            everyone(person_id=1)

    def test_refuses_what_it_would_not_prepare(self, cast: Cast) -> None:
        @prepared
        def with_aliases(person_id: int) -> QuerySet[Person]:
            return Person.objects.filter(pk=person_id).prefetch_related("aliases")

        @prepared
        def as_dicts(person_id: int) -> QuerySet[Any]:
            return Person.objects.filter(pk=person_id).values("pk")

        with pytest.raises(PreparationError, match="prefetch_related"):
            with_aliases(person_id=1)
        with pytest.raises(PreparationError, match="values_list"):
            as_dicts(person_id=1)
        with pytest.raises(PreparationError, match="of type"):
            Prepared(lambda person_id: Person.objects.filter(pk=person_id))
        with pytest.raises(TypeError, match="takes"):
            Prepared(placements_qs)(person=1)
