"""Building the ledger: the same records give the same rows (and hash); a changed record changes
only the rows it touches; each column derived as docs/ledger.md says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from habeas.audit.models import AuditEvent
from habeas.conditions import services as conditions
from habeas.conditions.feed import ReadingIn
from habeas.core import clock
from habeas.core.errors import InvalidInput
from habeas.custody.inputs import AuthorityIn
from habeas.custody.services import add_authority, bring_back, send_out
from habeas.estate.models import Cell
from habeas.housing.services import place
from habeas.incidents import discipline
from habeas.ledger.models import CustodyDay, LedgerBuild
from habeas.ledger.selectors import ledger_digest, row_hashes
from habeas.ledger.services import build_ledger
from habeas.regime import services as regime
from tests import factories as f
from tests.standards.support import ARRIVAL, D0, DAYS, LAST, Ward, at, day

pytestmark = pytest.mark.django_db


def build(w: Ward, first: dt.date = D0, last: dt.date = LAST) -> LedgerBuild:
    with transaction.atomic():
        return build_ledger(
            facility=w.facility, first=first, last=last, actor=f.SYSTEM, at=clock.now()
        )


def call(w: Ward, label: str, n: int) -> None:
    with transaction.atomic():
        regime.record_calls(
            facility=w.facility,
            calls=[
                regime.CallIn(
                    kind="family", started_at=at(n, 10), minutes=10, person_id=w.people[label].pk
                )
            ],
            actor=f.SYSTEM,
            at=clock.now(),
        )


def readings(w: Ward, cell: str, n: int) -> None:
    with transaction.atomic():
        conditions.import_readings(
            facility=w.facility,
            readings=[
                ReadingIn(
                    measured_at=at(n, h),
                    cell=cell,
                    sensor="s1",
                    temperature=33.0 if 12 <= h < 15 else 26.5,
                    lights_on=6 <= h < 22,
                )
                for h in range(24)
            ],
            source="test",
            actor=f.SYSTEM,
            at=clock.now(),
        )


class TestRebuild:
    def test_gives_the_same_rows_and_the_same_hash(self, the_ward: Ward) -> None:
        the_ward.settle()
        first = build(the_ward)
        rows = row_hashes(the_ward.facility, D0, LAST)
        second = build(the_ward)
        assert second.ledger_hash == first.ledger_hash
        assert row_hashes(the_ward.facility, D0, LAST) == rows
        assert second.rows == len(rows) == 8 * DAYS
        assert CustodyDay.objects.count() == 8 * DAYS  # replaced, not added

    def test_a_family_call_changes_that_persons_rows_from_that_day_on(self, the_ward: Ward) -> None:
        the_ward.settle()
        build(the_ward)
        before = row_hashes(the_ward.facility, D0, LAST)
        call(the_ward, "a1a", 10)
        after_build = build(the_ward)
        after = row_hashes(the_ward.facility, D0, LAST)
        changed = {k for k in before if before[k] != after[k]}
        person = the_ward.people["a1a"].pk
        # That day (contact) and every later day (days since the last contact).
        assert changed == {(person, day(n)) for n in range(10, DAYS)}
        assert after_build.ledger_hash != ledger_digest(the_ward.facility, D0, D0).hash
        assert the_ward.row("a1a", 10).days_since_family_contact == 0
        assert the_ward.row("a1a", 13).days_since_family_contact == 3

    def test_a_days_readings_change_only_that_cells_rows_that_day(self, the_ward: Ward) -> None:
        the_ward.settle()
        build(the_ward)
        before = row_hashes(the_ward.facility, D0, LAST)
        readings(the_ward, "A-2", 6)
        build(the_ward)
        after = row_hashes(the_ward.facility, D0, LAST)
        changed = {k for k in before if before[k] != after[k]}
        assert changed == {(the_ward.people[k].pk, day(6)) for k in ("a2a", "a2b")}

    def test_writes_one_audit_event(self, the_ward: Ward) -> None:
        the_ward.settle()
        b = build(the_ward)
        events = list(AuditEvent.objects.filter(action="ledger.build"))
        assert len(events) == 1
        assert events[0].after["ledger_hash"] == b.ledger_hash
        assert events[0].after["rows"] == 8 * DAYS

    def test_a_range_built_in_two_parts_equals_the_range_built_at_once(
        self, the_ward: Ward
    ) -> None:
        with transaction.atomic():
            discipline.segregate(
                person=the_ward.people["a1a"],
                facility=the_ward.facility,
                kind="protective",
                grounds="Amenazas",
                started_at=at(1, 0),
                authorised_by="Director",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        the_ward.settle(exceptions={("a1a", n): "refused" for n in range(1, DAYS)})
        call(the_ward, "b1a", 4)
        whole = build(the_ward).ledger_hash
        CustodyDay.objects.all().delete()
        build(the_ward, D0, day(9))
        build(the_ward, day(10), LAST)
        assert ledger_digest(the_ward.facility, D0, LAST).hash == whole
        assert the_ward.row("a1a", 19).solitary_run == 19  # carried over from day 9
        assert the_ward.row("b1a", 19).days_since_family_contact == 15


class TestRefuses:
    def test_future_days(self, the_ward: Ward) -> None:
        with pytest.raises(InvalidInput) as e, transaction.atomic():
            build_ledger(
                facility=the_ward.facility,
                first=D0,
                last=LAST + dt.timedelta(days=5),
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert e.value.code == "IN_FUTURE"
        assert not LedgerBuild.objects.exists()

    def test_a_reversed_range(self, the_ward: Ward) -> None:
        with pytest.raises(InvalidInput) as e, transaction.atomic():
            build_ledger(
                facility=the_ward.facility, first=LAST, last=D0, actor=f.SYSTEM, at=clock.now()
            )
        assert e.value.code == "RANGE_REVERSED"


class TestColumns:
    def test_the_day_of_arrival_is_part_of_a_day(self, the_ward: Ward) -> None:
        the_ward.settle()
        build(the_ward)
        first, second = the_ward.row("a1a", 0), the_ward.row("a1a", 1)
        assert first.arrived_at == ARRIVAL
        assert (first.whole_day, first.held_minutes) == (False, 15 * 60)
        assert (second.whole_day, second.held_minutes, second.arrived_at) == (True, 1440, None)
        assert first.minutes_to_examination == 120
        assert first.minutes_to_family_notified == 60

    def test_the_cell_its_space_and_its_furniture(self, the_ward: Ward) -> None:
        the_ward.settle()
        build(the_ward)
        row = the_ward.row("a3a", 3)
        assert Cell.objects.get(pk=row.cell_id).code == "A-3"
        assert (row.occupancy, row.m2_per_person, row.people_per_toilet) == (
            2,
            Decimal("5.00"),
            Decimal("2.00"),
        )
        assert (row.bunks, row.mattresses, row.toilets, row.cell_kind) == (3, 3, 1, "shared")
        assert (row.legal_status, row.covered, row.sex, row.minor) == ("untried", True, "M", False)
        assert not (row.mixed_sex or row.mixed_status or row.mixed_age)

    def test_the_unlocks_of_the_day(self, the_ward: Ward) -> None:
        the_ward.settle()
        build(the_ward)
        row = the_ward.row("b1b", 5)
        assert (row.out_of_cell_minutes, row.open_air_minutes) == (120, 120)
        assert not row.solitary

    def test_the_cell_that_counts_is_where_the_person_spent_most_of_the_day(
        self, the_ward: Ward
    ) -> None:
        with transaction.atomic():
            place(
                person=the_ward.people["a1a"],
                cell=Cell.objects.get(facility=the_ward.facility, code="A-2"),
                actor=f.SYSTEM,
                at=at(5, 20),
                reason="Traslado de celda",
            )
        the_ward.settle()
        build(the_ward)
        a1, a2 = (Cell.objects.get(facility=the_ward.facility, code=c).pk for c in ("A-1", "A-2"))
        assert the_ward.row("a1a", 5).cell_id == a1
        assert the_ward.row("a1a", 6).cell_id == a2
        assert the_ward.row("a2a", 6).occupancy == 3
        assert the_ward.row("a1b", 6).occupancy == 1

    def test_an_authority_taking_over_from_another_leaves_no_gap(self, the_ward: Ward) -> None:
        w = the_ward
        person = w.admit("arrested", "A-2", kind="arrest", review_days=3)
        # Reviewed by a judge in time: provisional detention from the moment the arrest ends.
        arrest = person.episodes.get().authorities.get()
        with transaction.atomic():
            add_authority(
                person=person,
                authority=AuthorityIn(
                    kind="provisional_detention",
                    issuing_authority="Juzgado de Instrucción",
                    reference="INST-9",
                    issued_on=arrest.review_due_by.date(),
                    valid_from=arrest.review_due_by,
                    valid_until=arrest.review_due_by + dt.timedelta(days=365),
                ),
                actor=f.SYSTEM,
                at=clock.now(),
            )
        w.settle()
        build(w)
        assert all(w.row("arrested", n).covered for n in range(DAYS))

    def test_a_day_away_at_court(self, the_ward: Ward) -> None:
        w = the_ward
        with transaction.atomic():
            send_out(
                person=w.people["b1a"],
                kind="court",
                destination="Juzgado",
                at=at(3, 8),
                reason="Audiencia",
                actor=f.SYSTEM,
            )
            bring_back(person=w.people["b1a"], at=at(3, 18), actor=f.SYSTEM)
        w.settle()
        build(w)
        assert w.row("b1a", 3).absent_minutes == 600

    def test_light_heat_and_water_of_the_cell(self, the_ward: Ward) -> None:
        w = the_ward
        readings(w, "A-1", 4)
        with transaction.atomic():
            conditions.deliver_water(
                facility=w.facility,
                delivered_at=at(4, 9),
                deliveries=[conditions.WaterIn("A-1", Decimal(9))],
                actor=f.SYSTEM,
                at=clock.now(),
            )
        w.settle()
        build(w)
        row = w.row("a1a", 4)
        assert row.lights_off_minutes == 8 * 60
        assert row.max_temperature_c == Decimal("33.0")
        assert row.minutes_hot == 3 * 60
        assert row.water_litres_per_person == Decimal("4.50")
        other = w.row("a1a", 5)
        assert (other.lights_off_minutes, other.minutes_hot, other.water_litres_per_person) == (
            None,
            None,
            None,
        )


@pytest.mark.postgres
def test_the_ledger_is_partitioned_by_month_on_postgresql(the_ward: Ward) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    the_ward.settle()
    build(the_ward)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'ledger_custodyday'"
        )
        assert {r[0] for r in cur.fetchall()} >= {"ledger_custodyday_p2026_03"}
