from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import transaction

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.core.errors import InvalidInput, RuleViolation
from habeas.custody.admission import admit, admit_many
from habeas.custody.inputs import AdmissionIn, ArrivalIn
from habeas.custody.models import Episode, LawfulAuthority, Movement, Stay
from habeas.housing.models import Placement
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Episode.objects.count(),
        AuditEvent.objects.count(),
        Placement.objects.count(),
    )


def try_admit(cast: Cast, admission: AdmissionIn) -> None:
    with transaction.atomic():
        admit(admission=admission, facility=cast.north, actor=f.SYSTEM, at=clock.now())


class TestAdmit:
    def test_admits_places_and_audits_a_person_on_a_lawful_authority(self, cast: Cast) -> None:
        before = AuditEvent.objects.count()
        done = f.admit_person(
            cast.north, given="Mario", cell="A-1", kind="administrative_detention"
        )
        person = Person.objects.get(pk=done.person_id)
        episode = Episode.objects.get(person=person)
        assert done.cell == "A-1"
        assert person.custody_number == done.custody_number
        assert episode.arrest_place == "Soyapango"
        assert LawfulAuthority.objects.get(episode=episode).kind == "administrative_detention"
        assert Stay.objects.get(person=person).facility == cast.north
        assert Movement.objects.get(person=person).kind == "admission"
        assert Placement.objects.get(person=person).cell.code == "A-1"
        event = AuditEvent.objects.get(seq=before + 1)
        assert (event.action, event.person_id, event.facility_id) == (
            "custody.admit",
            person.pk,
            cast.north.pk,
        )
        assert event.after["authority"]["kind"] == "administrative_detention"

    def test_gives_each_person_a_valid_custody_number(self, cast: Cast) -> None:
        from habeas.people.identity import custody_number_is_valid

        a = f.admit_person(cast.north)
        b = f.admit_person(cast.north)
        assert a.custody_number != b.custody_number
        assert custody_number_is_valid(a.custody_number)
        assert custody_number_is_valid(b.custody_number)

    def test_lets_the_engine_choose_a_cell_when_none_is_given(self, cast: Cast) -> None:
        done = f.admit_person(cast.north)
        assert done.cell is not None


class TestRefusesWithoutLawfulAuthority:
    def test_refuses_an_admission_without_an_authority(self, cast: Cast) -> None:
        before = counts()
        with pytest.raises(RuleViolation) as exc:
            try_admit(cast, AdmissionIn(authority=None, person=f.person_in()))
        assert exc.value.code == "NO_LAWFUL_AUTHORITY"
        assert exc.value.field == "authority"
        assert "lawful authority" in exc.value.message
        assert counts() == before

    def test_refuses_an_authority_that_has_expired(self, cast: Cast) -> None:
        old = dataclasses.replace(
            f.authority(),
            valid_from=clock.now() - dt.timedelta(days=30),
            valid_until=clock.now() - dt.timedelta(days=1),
        )
        before = counts()
        with pytest.raises(RuleViolation) as exc:
            try_admit(cast, AdmissionIn(authority=old, person=f.person_in()))
        assert exc.value.code == "AUTHORITY_NOT_VALID"
        assert counts() == before

    def test_refuses_an_arrest_whose_judicial_review_is_already_overdue(self, cast: Cast) -> None:
        arrest = dataclasses.replace(
            f.authority("arrest"),
            valid_from=clock.now() - dt.timedelta(days=5),
            valid_until=None,
            review_due_by=clock.now() - dt.timedelta(days=2),
        )
        with pytest.raises(RuleViolation) as exc:
            try_admit(cast, AdmissionIn(authority=arrest, person=f.person_in()))
        assert exc.value.code == "AUTHORITY_NOT_VALID"

    def test_an_arrest_without_a_review_date_gets_the_one_the_law_requires(
        self, cast: Cast
    ) -> None:
        # Under the state of exception (from 27 March 2022) a judge must review within 15 days.
        arrest = dataclasses.replace(f.authority("arrest"), review_due_by=None, valid_until=None)
        try_admit(cast, AdmissionIn(authority=arrest, person=f.person_in()))
        stored = LawfulAuthority.objects.get(kind="arrest")
        assert stored.review_due_by == arrest.valid_from + dt.timedelta(days=15)

    def test_refuses_a_review_date_before_the_detention(self, cast: Cast) -> None:
        arrest = dataclasses.replace(
            f.authority("arrest"),
            valid_until=None,
            review_due_by=clock.now() - dt.timedelta(days=3),
        )
        with pytest.raises(InvalidInput) as exc:
            try_admit(cast, AdmissionIn(authority=arrest, person=f.person_in()))
        assert "authority.review_due_by" in {p.field for p in exc.value.problems}


class TestMandelaRule11AtTheGate:
    def test_refuses_a_sixteen_year_old_in_an_adult_facility(self, cast: Cast) -> None:
        today = clock.local_date(clock.now(), "America/El_Salvador")
        born = (
            today.replace(year=today.year - 16)
            if not (today.month == 2 and today.day == 29)
            else dt.date(today.year - 16, 3, 1)
        )
        before = counts()
        with pytest.raises(RuleViolation) as exc:
            try_admit(cast, AdmissionIn(authority=f.authority(), person=f.person_in(born=born)))
        assert exc.value.code == "UNDER_AGE"
        assert exc.value.field == "person.date_of_birth"
        assert "aged 16" in exc.value.message
        assert counts() == before

    def test_admits_a_person_on_their_eighteenth_birthday(self, cast: Cast) -> None:
        today = clock.local_date(clock.now(), "America/El_Salvador")
        if today.month == 2 and today.day == 29:
            pytest.skip("no such birthday 18 years ago")
        born = today.replace(year=today.year - 18)
        done = f.admit_person(cast.north, person=f.person_in(born=born))
        assert done.person_id

    def test_refuses_a_woman_in_a_facility_for_men(self, cast: Cast) -> None:
        with pytest.raises(RuleViolation) as exc:
            try_admit(cast, AdmissionIn(authority=f.authority(), person=f.person_in(sex="F")))
        assert exc.value.code == "WRONG_SEX_FOR_FACILITY"


class TestDuplicateIdentity:
    def test_refuses_a_second_person_with_the_same_document(self, cast: Cast) -> None:
        first = f.admit_person(cast.north, person=f.person_in("Carlos", document="01234567-8"))
        with pytest.raises(RuleViolation) as exc:
            try_admit(
                cast,
                AdmissionIn(
                    authority=f.authority(), person=f.person_in("Otro", document="012345678")
                ),
            )
        assert exc.value.code == "POSSIBLE_DUPLICATE"
        assert first.custody_number in exc.value.message
        assert exc.value.details["matches"][0]["id"] == first.person_id

    def test_refuses_the_same_name_and_birth_date_written_differently(self, cast: Cast) -> None:
        born = dt.date(1991, 5, 17)
        f.admit_person(
            cast.north,
            person=dataclasses.replace(
                f.person_in("José Ángel", "Pérez Núñez", born=born), documents=()
            ),
        )
        with pytest.raises(RuleViolation) as exc:
            try_admit(
                cast,
                AdmissionIn(
                    authority=f.authority(),
                    person=dataclasses.replace(
                        f.person_in("JOSE ANGEL", "perez-nunez", born=born), documents=()
                    ),
                ),
            )
        assert exc.value.code == "POSSIBLE_DUPLICATE"

    def test_admits_when_the_officer_confirms_a_different_person(self, cast: Cast) -> None:
        born = dt.date(1991, 5, 17)
        first = f.admit_person(
            cast.north,
            person=dataclasses.replace(f.person_in("Juan", "López", born=born), documents=()),
        )
        with transaction.atomic():
            second = admit(
                admission=AdmissionIn(
                    authority=f.authority(),
                    distinct_from=(first.person_id,),
                    person=dataclasses.replace(
                        f.person_in("Juan", "López", born=born), documents=()
                    ),
                ),
                facility=cast.north,
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert second.person_id != first.person_id


class TestAdmitMany:
    def test_reports_every_bad_row_and_admits_no_one(self, cast: Cast) -> None:
        rows = [
            AdmissionIn(authority=f.authority(), person=f.person_in(), line=2),
            AdmissionIn(authority=None, person=f.person_in(), line=3),
            AdmissionIn(authority=f.authority(), person=f.person_in(sex="X"), line=4),
            AdmissionIn(authority=f.authority(), person=f.person_in(), line=5, cell="Z-9"),
        ]
        before = counts()
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            admit_many(facility=cast.north, admissions=rows, actor=f.SYSTEM, at=clock.now())
        lines = {(p.line, p.field, p.code) for p in exc.value.problems}
        assert (3, "authority", "NO_LAWFUL_AUTHORITY") in lines
        assert (4, "person.sex", "INVALID") in lines
        assert all(line != 2 for line, _f, _c in lines)
        assert counts() == before

    def test_reports_two_rows_of_the_same_person(self, cast: Cast) -> None:
        p = f.person_in(document="55555555-5")
        rows = [
            AdmissionIn(authority=f.authority(), person=p, line=2),
            AdmissionIn(authority=f.authority(), person=p, line=3),
        ]
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            admit_many(facility=cast.north, admissions=rows, actor=f.SYSTEM, at=clock.now())
        assert [(p.line, p.code) for p in exc.value.problems] == [(3, "DUPLICATE_IN_BATCH")]

    def test_admits_to_reception_those_for_whom_there_is_no_room(self, cast: Cast) -> None:
        rows = [
            AdmissionIn(authority=f.authority(), person=f.person_in(), line=i)
            for i in range(2, 2 + 16)
        ]  # 4 + 4 + 2 + 4 + 1 = 15 places
        with transaction.atomic():
            report = admit_many(
                facility=cast.north, admissions=rows, actor=f.SYSTEM, at=clock.now()
            )
        assert report.count == 16
        assert len(report.unplaced) == 1
        assert Placement.objects.count() == 15

    def test_uses_a_bounded_number_of_queries(
        self, cast: Cast, django_assert_max_num_queries: object
    ) -> None:
        rows = [
            AdmissionIn(
                authority=f.authority(),
                person=f.person_in(groups=("ms13",)),
                arrival=ArrivalIn(arrest_place="Apopa"),
                line=i,
            )
            for i in range(12)
        ]
        with django_assert_max_num_queries(45), transaction.atomic():  # type: ignore[operator]
            admit_many(facility=cast.north, admissions=rows, actor=f.SYSTEM, at=clock.now())
        assert Person.objects.count() == 12
