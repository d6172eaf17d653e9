"""Two officers place two people into the last free place of a cell at the same moment: exactly
one succeeds, the other is refused with CELL_FULL. Run on real concurrent connections."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from habeas.core import clock
from habeas.core.errors import DomainError
from habeas.estate.models import Cell
from habeas.housing.models import Placement
from habeas.housing.services import place
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast

pytestmark = [
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL (SQLite serialises writers; no exclusion constraints)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_only_one_of_two_concurrent_placements_takes_the_last_place(cast: Cast) -> None:
    f.admit_person(cast.north, cell="A-3")  # A-3 holds 2: one place left
    first = f.person(f.admit_person(cast.north, cell="A-1"))
    second = f.person(f.admit_person(cast.north, cell="A-2"))
    target = Cell.objects.select_related("facility").get(facility=cast.north, code="A-3")
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def officer(person: Person) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                place(person=person, cell=target, actor=f.SYSTEM, at=clock.now(), reason="race")
            outcomes[person.pk] = "placed"
        except DomainError as exc:
            outcomes[person.pk] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=officer, args=(p,)) for p in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["CELL_FULL", "placed"]
    assert Placement.objects.filter(cell=target, ended_at__isnull=True).count() == 2


def test_postgresql_forbids_overlapping_placements_of_one_person(cast: Cast) -> None:
    import datetime as dt

    from django.db import IntegrityError

    p = f.person(f.admit_person(cast.north, cell="A-1"))
    current = Placement.objects.get(person=p)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            episode=current.episode,
            person=p,
            facility=cast.north,
            cell=Cell.objects.get(facility=cast.north, code="A-2"),
            started_at=current.started_at - dt.timedelta(days=2),
            ended_at=current.started_at + dt.timedelta(hours=1),
        )
