"""The deadlines queue is correct at any chosen date, and counts exactly the people the roll shows
as held without valid lawful authority (issue #5 acceptance).

One facility, arranged at a frozen moment through the services, with a person for every kind of
deadline; then the queue is read at moments before, on and after each deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction

from habeas.core import clock
from habeas.custody.services import revoke_authority
from habeas.housing.selectors import roll
from habeas.people.models import Person
from habeas.sentencing.selectors import Kind, deadlines_queue
from tests import factories as f
from tests.conftest import Cast
from tests.sentencing.conftest import authority_of, record, terms

pytestmark = pytest.mark.django_db
TZ = "America/El_Salvador"
#: 14:00 UTC is 08:00 in El Salvador, Monday 10 August 2026.
T0 = dt.datetime(2026, 8, 10, 14, 0, tzinfo=dt.UTC)


@dataclass
class Ward:
    review: Person  # administrative detention, judicial review due at T0 + 2 days
    maximum: Person  # provisional detention, maximum's last day 14 August 2026
    release: Person  # 20-day sentence imposed 9 August: release date 29 August
    long: Person  # 20-year sentence
    expiry: Person  # provisional detention order valid for 365 days
    revoked: Person  # order revoked at T0 + 1 day
    no_terms: Person  # provisional detention, terms not recorded
    no_sentence: Person  # conviction warrant, no sentence recorded


@pytest.fixture
def ward(cast: Cast) -> Ward:
    north = cast.north
    with time_machine.travel(T0, tick=False):
        w = Ward(
            review=f.person(f.admit_person(north, kind="administrative_detention", review_days=3)),
            maximum=f.person(f.admit_person(north)),
            release=f.person(f.admit_person(north, kind="conviction")),
            long=f.person(f.admit_person(north, kind="conviction")),
            expiry=f.person(f.admit_person(north)),
            revoked=f.person(f.admit_person(north)),
            no_terms=f.person(f.admit_person(north)),
            no_sentence=f.person(f.admit_person(north, kind="conviction")),
        )
        # Detained after the August 2025 extension came into force: 12 months, no extension.
        terms(authority_of(w.maximum), "less_serious", detained_on=dt.date(2025, 8, 15))
        record(w.release, imposed_on=dt.date(2026, 8, 9), years=0, days=20)
        record(w.long, imposed_on=dt.date(2026, 8, 9), years=20)
        terms(authority_of(w.expiry), "serious")
        terms(authority_of(w.revoked), "serious")
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False), transaction.atomic():
        revoke_authority(
            authority=authority_of(w.revoked), reason="annulled", actor=f.SYSTEM, at=clock.now()
        )
    return w


def overdue_at(cast: Cast, at: dt.datetime) -> dict[str, tuple[str, int]]:
    queue = deadlines_queue(cast.north, at)
    return {i.custody_number: (i.kind, i.days_overdue) for i in queue.overdue}


def number(p: Person) -> str:
    return p.custody_number


class TestDeadlinesQueueAtAnyDate:
    def test_nothing_is_overdue_at_admission_and_the_near_deadlines_are_listed(
        self, cast: Cast, ward: Ward
    ) -> None:
        queue = deadlines_queue(cast.north, T0)
        assert queue.overdue == []
        upcoming = {i.custody_number: (i.kind, i.days_left) for i in queue.upcoming}
        assert upcoming == {
            number(ward.review): (Kind.JUDICIAL_REVIEW, 2),
            number(ward.maximum): (Kind.PROVISIONAL_MAXIMUM, 4),
            # Read after the fact, the records already hold tomorrow's revocation.
            number(ward.revoked): (Kind.REVOKED, 1),
        }

    def test_a_revoked_order_is_overdue_from_the_revocation(self, cast: Cast, ward: Ward) -> None:
        at = T0 + dt.timedelta(days=1, hours=12)
        assert overdue_at(cast, at) == {number(ward.revoked): (Kind.REVOKED, 1)}

    def test_a_judicial_review_is_overdue_from_the_moment_it_was_due(
        self, cast: Cast, ward: Ward
    ) -> None:
        due = T0 + dt.timedelta(days=2)
        assert number(ward.review) not in overdue_at(cast, due - dt.timedelta(minutes=1))
        assert overdue_at(cast, due + dt.timedelta(minutes=1))[number(ward.review)] == (
            Kind.JUDICIAL_REVIEW,
            1,
        )
        assert overdue_at(cast, due + dt.timedelta(days=2, hours=1))[number(ward.review)] == (
            Kind.JUDICIAL_REVIEW,
            3,
        )

    def test_provisional_detention_is_past_its_maximum_from_the_next_local_day(
        self, cast: Cast, ward: Ward
    ) -> None:
        # 14 August 23:59 in El Salvador is 15 August 05:59 UTC: still the last lawful day.
        last_minute = dt.datetime(2026, 8, 15, 5, 59, tzinfo=dt.UTC)
        assert number(ward.maximum) not in overdue_at(cast, last_minute)
        next_day = dt.datetime(2026, 8, 15, 6, 0, tzinfo=dt.UTC)
        assert overdue_at(cast, next_day)[number(ward.maximum)] == (Kind.PROVISIONAL_MAXIMUM, 1)
        item = next(
            i
            for i in deadlines_queue(cast.north, next_day).overdue
            if i.custody_number == number(ward.maximum)
        )
        assert item.last_lawful_day == dt.date(2026, 8, 14)

    def test_held_past_the_release_date_from_the_day_after_it(self, cast: Cast, ward: Ward) -> None:
        on_release_day = clock.start_of_day(dt.date(2026, 8, 29), TZ) + dt.timedelta(hours=20)
        assert number(ward.release) not in overdue_at(cast, on_release_day)
        after = clock.start_of_day(dt.date(2026, 9, 1), TZ) + dt.timedelta(hours=9)
        assert overdue_at(cast, after)[number(ward.release)] == (Kind.RELEASE_DATE, 3)

    def test_an_expired_order_and_every_other_breach_a_year_later(
        self, cast: Cast, ward: Ward
    ) -> None:
        at = T0 + dt.timedelta(days=400)
        found = overdue_at(cast, at)
        assert {k: v[0] for k, v in found.items()} == {
            number(ward.review): Kind.JUDICIAL_REVIEW,
            number(ward.maximum): Kind.PROVISIONAL_MAXIMUM,
            number(ward.release): Kind.RELEASE_DATE,
            number(ward.expiry): Kind.AUTHORITY_EXPIRY,
            number(ward.no_terms): Kind.AUTHORITY_EXPIRY,
            number(ward.revoked): Kind.REVOKED,
        }
        assert found[number(ward.expiry)][1] == 400 - 364
        assert found[number(ward.review)][1] == 398

    def test_lists_authorities_whose_legal_end_is_unknown(self, cast: Cast, ward: Ward) -> None:
        unknown = {i.custody_number: i.kind for i in deadlines_queue(cast.north, T0).unknown}
        assert unknown == {
            number(ward.no_terms): Kind.PROVISIONAL_MAXIMUM_UNKNOWN,
            number(ward.no_sentence): Kind.RELEASE_DATE_UNKNOWN,
        }

    def test_sorts_the_longest_overdue_first(self, cast: Cast, ward: Ward) -> None:
        queue = deadlines_queue(cast.north, T0 + dt.timedelta(days=30))
        days = [i.days_overdue for i in queue.overdue]
        assert days == sorted(days, reverse=True)


class TestTheRollCountsTheSamePeople:
    @pytest.mark.parametrize(
        "offset",
        [
            dt.timedelta(0),
            dt.timedelta(days=1, hours=12),
            dt.timedelta(days=2, minutes=1),
            dt.timedelta(days=4, hours=16),
            dt.timedelta(days=5),
            dt.timedelta(days=19, hours=16),
            dt.timedelta(days=20),
            dt.timedelta(days=364),
            dt.timedelta(days=400),
        ],
    )
    def test_at(self, cast: Cast, ward: Ward, offset: dt.timedelta) -> None:
        at = T0 + offset
        queue = deadlines_queue(cast.north, at)
        board = roll(cast.north, at)
        assert sorted(i.person_id for i in queue.overdue) == sorted(
            p.id for p in board.without_authority
        )

    def test_when_time_is_frozen_at_now(self, cast: Cast, ward: Ward) -> None:
        with time_machine.travel(T0 + dt.timedelta(days=21), tick=False):
            queue = deadlines_queue(cast.north, clock.now())
            board = roll(cast.north, clock.now())
        assert len(queue.overdue) == len(board.without_authority) == 4
