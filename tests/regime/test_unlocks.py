"""Recording unlocks: one entry for many cells, with individual exceptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.core.errors import FieldProblem, InvalidInput, RuleViolation
from habeas.regime import days, services
from habeas.regime.models import Unlock, UnlockCell, UnlockException
from habeas.regime.scope import CellIndex
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import Wing, local_day, past_slot

pytestmark = pytest.mark.django_db


def unlock(cast: Cast, **kw: object) -> list[services.RecordedUnlock]:
    start = kw.pop("start", past_slot())
    assert isinstance(start, dt.datetime)
    item = services.UnlockIn(
        started_at=start,
        ended_at=kw.pop("end", start + dt.timedelta(minutes=30)),  # type: ignore[arg-type]
        location=kw.pop("location", "covered"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
    with transaction.atomic():
        return services.record_unlocks(
            facility=cast.north, unlocks=[item], actor=f.SYSTEM, at=clock.now()
        )


class TestRecordUnlocks:
    def test_one_entry_covers_every_cell_of_a_unit(self, cast: Cast, wing: Wing) -> None:
        (done,) = unlock(cast, unit="A")
        assert done.cells == ["A-1", "A-2", "A-3"]
        assert UnlockCell.objects.filter(unlock_id=done.id).count() == 3
        event = AuditEvent.objects.get(action="regime.record_unlock")
        assert event.object_id == str(done.id) and event.person_id is None
        assert event.after["cells"] == ["A-1", "A-2", "A-3"]

    def test_everyone_in_the_cells_takes_part_but_the_exceptions(
        self, cast: Cast, wing: Wing
    ) -> None:
        sick = wing.a1[0]
        unlock(
            cast,
            unit="A",
            location="open_air",
            exceptions=(services.ExceptionIn(reason="sick", custody_number=sick.custody_number),),
        )
        today = local_day(past_slot())
        well = days.person_days(wing.a1[1], today, today).days[0]
        ill = days.person_days(sick, today, today).days[0]
        assert (well.minutes_open_air, well.minutes_out_of_cell) == (30, 30)
        assert (ill.minutes_open_air, ill.unlocks[0].exception) == (0, "sick")
        assert UnlockException.objects.get().person_id == sick.pk

    def test_exercise_in_the_cell_is_not_time_out_of_it(self, cast: Cast, wing: Wing) -> None:
        unlock(cast, cells=("A-2",), location="in_cell")
        today = local_day(past_slot())
        d = days.person_days(wing.a2, today, today).days[0]
        assert (d.minutes_out_of_cell, d.minutes_open_air, len(d.unlocks)) == (0, 0, 1)

    def test_refuses_an_exception_for_someone_in_another_cell(self, cast: Cast, wing: Wing) -> None:
        with pytest.raises(InvalidInput) as exc:
            unlock(
                cast,
                cells=("A-1",),
                exceptions=(
                    services.ExceptionIn(reason="sick", custody_number=wing.a2.custody_number),
                ),
            )
        assert exc.value.problems[0].code == "NOT_IN_THESE_CELLS"
        assert (
            Unlock.objects.count() == 0
            and AuditEvent.objects.filter(action="regime.record_unlock").count() == 0
        )

    def test_reports_every_problem_of_a_bad_entry(self, cast: Cast, wing: Wing) -> None:
        start = clock.now() + dt.timedelta(hours=1)
        with pytest.raises(InvalidInput) as exc:
            unlock(cast, start=start, cells=("A-1", "Z-9"), location="roof")
        assert {p.code for p in exc.value.problems} == {
            "IN_FUTURE",
            "INVALID_CHOICE",
            "UNKNOWN_CELL",
        }

    def test_refuses_to_count_the_same_minutes_twice(self, cast: Cast, wing: Wing) -> None:
        start = clock.now() - dt.timedelta(hours=3)
        unlock(cast, unit="A", start=start)
        with pytest.raises(RuleViolation) as exc:
            unlock(cast, cells=("A-2",), start=start + dt.timedelta(minutes=10))
        assert exc.value.code == "ALREADY_UNLOCKED"
        assert Unlock.objects.count() == 1


class TestCellIndex:
    """A batch reads only the units and cells it names; what it resolves is the same as from the
    whole facility, unknown codes included."""

    @pytest.mark.parametrize(
        ("unit", "cells"),
        [
            ("A", []),
            (None, ["A-2"]),
            (None, [" A-1 ", "B-1"]),
            (None, ["Z-9"]),
            ("Z", []),
            ("A", ["A-1"]),
            (None, []),
        ],
    )
    def test_a_narrow_index_resolves_as_the_whole_one(
        self, cast: Cast, unit: str | None, cells: list[str]
    ) -> None:
        whole = CellIndex.of(cast.north)
        narrow = CellIndex.of(cast.north, units=[unit], cells=cells)

        def resolved(index: CellIndex) -> tuple[object, ...]:
            problems: list[FieldProblem] = []
            scope, u, found = index.resolve(unit=unit, cells=cells, field="", problems=problems)
            return scope, u, [c.code for c in found], [(p.code, p.message) for p in problems]

        assert resolved(narrow) == resolved(whole)

    def test_one_cell_reads_one_cell(self, cast: Cast) -> None:
        narrow = CellIndex.of(cast.north, units=[None], cells=["A-2"])
        assert list(narrow.cells) == ["A-2"]
        assert narrow.units == {}
