"""The sentencing use cases: each arranged through services, acted once, and checked for its
outcome, its audit events and that nothing else changed (STYLE.md §11)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import time_machine
from django.db import transaction

from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.core.errors import InvalidInput, NotFound, RuleViolation
from habeas.custody.inputs import AdmissionIn
from habeas.custody.models import LawfulAuthority, Movement, MovementKind
from habeas.people.models import Person
from habeas.sentencing import law, services
from habeas.sentencing.calculator import add_term, term_end
from habeas.sentencing.models import (
    JurisdictionProfile,
    ProvisionalDetention,
    Sentence,
    SentenceCalculation,
)
from habeas.sentencing.profile import Term
from tests import factories as f
from tests.conftest import Cast
from tests.sentencing.conftest import authority_of, record, terms

pytestmark = pytest.mark.django_db
TZ = "America/El_Salvador"


def today() -> dt.date:
    return clock.local_date(clock.now(), TZ)


def actions(*names: str) -> int:
    return AuditEvent.objects.filter(action__in=names).count()


class TestRecordSentence:
    def test_sets_the_warrants_legal_end_to_the_end_of_the_release_date(
        self, convicted: Person
    ) -> None:
        imposed = today() - dt.timedelta(days=1)
        s = record(convicted, imposed_on=imposed, years=20)
        warrant = authority_of(convicted)
        release = add_term(imposed, Term(years=20))
        assert warrant.legal_end == clock.end_of_day(release, TZ)
        calc = SentenceCalculation.objects.get(episode=s.episode)
        assert (calc.release_date, calc.nominal_term, calc.capped) == (release, "20y0m0d", False)
        assert calc.determining_sentence_id == s.pk
        event = AuditEvent.objects.get(action="sentencing.set_legal_end")
        assert event.object_id == str(warrant.pk)
        assert event.before == {"legal_end": None}
        assert event.after["basis"] == "release_date"
        assert actions("sentencing.record_sentence") == 1

    def test_adds_consecutive_sentences_and_caps_the_aggregate(self, convicted: Person) -> None:
        imposed = today() - dt.timedelta(days=1)
        first = record(convicted, imposed_on=imposed, years=45, case_reference="A")
        record(
            convicted, imposed_on=imposed, years=45, case_reference="B", consecutive_to_id=first.pk
        )
        calc = SentenceCalculation.objects.get(episode=first.episode)
        assert (calc.nominal_term, calc.enforceable_term, calc.capped) == (
            "90y0m0d",
            "60y0m0d",
            True,
        )
        assert calc.release_date == add_term(imposed, Term(years=60))

    def test_counts_remand_credit(self, convicted: Person) -> None:
        imposed = today() - dt.timedelta(days=1)
        record(convicted, imposed_on=imposed, years=1, remand_credit_days=100)
        calc = SentenceCalculation.objects.get(episode__person=convicted)
        assert calc.last_day == term_end(imposed, Term(years=1)) - dt.timedelta(days=100)

    def test_refuses_without_a_conviction_warrant(self, untried: Person) -> None:
        before = AuditEvent.objects.count()
        with pytest.raises(RuleViolation) as exc:
            record(untried)
        assert (exc.value.code, exc.value.field) == ("NO_CONVICTION_WARRANT", "authority_id")
        assert Sentence.objects.count() == 0
        assert AuditEvent.objects.count() == before

    def test_refuses_a_start_before_imposition_naming_the_field(self, convicted: Person) -> None:
        imposed = today() - dt.timedelta(days=1)
        with pytest.raises(RuleViolation) as exc:
            record(convicted, imposed_on=imposed, starts_on=imposed - dt.timedelta(days=30))
        assert (exc.value.code, exc.value.field) == ("START_BEFORE_IMPOSITION", "starts_on")
        assert "TES-A-1-2026" in exc.value.message
        assert Sentence.objects.count() == 0
        assert authority_of(convicted).legal_end is None

    def test_refuses_remand_credit_longer_than_the_term(self, convicted: Person) -> None:
        with pytest.raises(RuleViolation) as exc:
            record(convicted, years=0, months=1, remand_credit_days=400)
        assert (exc.value.code, exc.value.field) == ("REMAND_EXCEEDS_TERM", "remand_credit_days")

    def test_lists_every_malformed_field(self, convicted: Person) -> None:
        with pytest.raises(InvalidInput) as exc:
            record(convicted, offence=" ", years=0, imposed_on=today() + dt.timedelta(days=3))
        fields = {p.field for p in exc.value.problems}
        assert fields == {"offence", "term", "imposed_on"}

    def test_refuses_a_sentence_to_follow_one_of_another_custody(
        self, cast: Cast, convicted: Person
    ) -> None:
        other = f.person(f.admit_person(cast.north, kind="conviction", given="Otro"))
        theirs = record(other)
        with pytest.raises(InvalidInput) as exc:
            record(convicted, consecutive_to_id=theirs.pk)
        assert exc.value.field == "consecutive_to_id"

    def test_records_a_sentence_the_law_in_doubt_cannot_calculate(self, convicted: Person) -> None:
        imposed = today() - dt.timedelta(days=1)
        record(
            convicted, imposed_on=imposed - dt.timedelta(days=400), years=30, case_reference="OLD"
        )
        # A cap of 25 years was in force until the latest imposition: which law governs?
        document = copy.deepcopy(law.profile_for("SV").document)
        document["rules"]["max_aggregate_term"] = [
            {
                "valid_from": "1998-04-20",
                "valid_until": (imposed - dt.timedelta(days=2)).isoformat(),
                "value": {"years": 25},
                "source": "old law",
            },
            {
                "valid_from": (imposed - dt.timedelta(days=1)).isoformat(),
                "valid_until": None,
                "value": {"years": 60},
                "source": "new law",
            },
        ]
        with transaction.atomic():
            services.change_profile(
                jurisdiction="SV", document=document, reason="test", actor=f.SYSTEM, at=clock.now()
            )
        record(convicted, imposed_on=imposed, years=1, case_reference="NEW")
        calc = SentenceCalculation.objects.get(episode__person=convicted)
        assert calc.refusal_code == "LAW_IN_DOUBT"
        assert calc.release_date is None
        assert authority_of(convicted).legal_end is None
        assert Sentence.objects.count() == 2


class TestQuashSentence:
    def test_recalculates_without_the_quashed_sentence(self, convicted: Person) -> None:
        imposed = today() - dt.timedelta(days=1)
        kept = record(convicted, imposed_on=imposed, years=10, case_reference="KEPT")
        longer = record(convicted, imposed_on=imposed, years=25, case_reference="QUASHED")
        with transaction.atomic():
            services.quash_sentence(
                sentence=longer, reason="appeal allowed", actor=f.SYSTEM, at=clock.now()
            )
        calc = SentenceCalculation.objects.get(episode=kept.episode)
        assert calc.release_date == add_term(imposed, Term(years=10))
        assert authority_of(convicted).legal_end == clock.end_of_day(calc.release_date, TZ)
        event = AuditEvent.objects.get(action="sentencing.quash_sentence")
        assert event.reason == "appeal allowed"

    def test_refuses_while_another_sentence_follows_it(self, convicted: Person) -> None:
        first = record(convicted, case_reference="A")
        record(convicted, case_reference="B", consecutive_to_id=first.pk)
        with pytest.raises(RuleViolation) as exc, transaction.atomic():
            services.quash_sentence(sentence=first, reason="x", actor=f.SYSTEM, at=clock.now())
        assert exc.value.code == "SENTENCE_HAS_CONSECUTIVE"
        first.refresh_from_db()
        assert first.quashed_at is None

    def test_needs_a_reason(self, convicted: Person) -> None:
        s = record(convicted)
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            services.quash_sentence(sentence=s, reason=" ", actor=f.SYSTEM, at=clock.now())
        assert exc.value.field == "reason"


class TestProvisionalTerms:
    def test_sets_the_legal_end_to_the_end_of_the_maximum(self, untried: Person) -> None:
        order = authority_of(untried)
        detained = today() - dt.timedelta(days=10)
        terms(order, "less_serious", detained_on=detained)
        order.refresh_from_db()
        last_day = term_end(detained, Term(months=12))
        assert order.legal_end == clock.end_of_day(last_day, TZ)
        event = AuditEvent.objects.get(action="sentencing.record_provisional_terms")
        assert event.after["seriousness"] == "less_serious"

    def test_counts_from_the_start_of_detention_by_default(self, untried: Person) -> None:
        order = authority_of(untried)
        terms(order, "serious")
        stored = ProvisionalDetention.objects.get(authority=order)
        assert stored.detained_on == clock.local_date(order.valid_from, TZ)

    def test_applies_an_extension_whose_condition_holds(self, untried: Person) -> None:
        order = authority_of(untried)
        # Detained in June 2023: 24 months, +24 for group trials (July 2023), then the August
        # 2025 two years not beyond 31 August 2027.
        terms(order, "serious", detained_on=dt.date(2023, 6, 1), conditions=("group_trial",))
        order.refresh_from_db()
        assert order.legal_end == clock.end_of_day(dt.date(2027, 8, 31), TZ)

    def test_refuses_a_condition_no_extension_depends_on(self, untried: Person) -> None:
        with pytest.raises(InvalidInput) as exc:
            terms(authority_of(untried), "serious", conditions=("good_behaviour",))
        assert exc.value.problems[0].code == "UNKNOWN_CONDITION"
        assert ProvisionalDetention.objects.count() == 0

    def test_refuses_another_kind_of_authority(self, convicted: Person) -> None:
        with pytest.raises(RuleViolation) as exc:
            terms(authority_of(convicted), "serious")
        assert exc.value.code == "NOT_PROVISIONAL_DETENTION"

    def test_corrects_the_terms_and_audits_before_and_after(self, untried: Person) -> None:
        order = authority_of(untried)
        terms(order, "serious")
        terms(order, "less_serious")
        events = list(AuditEvent.objects.filter(action="sentencing.record_provisional_terms"))
        assert events[1].before["seriousness"] == "serious"
        assert events[1].after["seriousness"] == "less_serious"
        assert ProvisionalDetention.objects.count() == 1


class TestChangeProfile:
    def test_stores_a_new_version_audits_it_and_recalculates(self, convicted: Person) -> None:
        imposed = today() - dt.timedelta(days=1)
        record(convicted, imposed_on=imposed, years=45, case_reference="A")
        first = Sentence.objects.get()
        record(
            convicted, imposed_on=imposed, years=45, case_reference="B", consecutive_to_id=first.pk
        )
        document = copy.deepcopy(law.profile_for("SV").document)
        document["rules"]["max_aggregate_term"][0]["value"] = {"years": 40}
        with transaction.atomic():
            stored, report = services.change_profile(
                jurisdiction="SV",
                document=document,
                reason="reform",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert stored.version == 1
        assert report.legal_ends_changed == 1
        assert authority_of(convicted).legal_end == clock.end_of_day(
            add_term(imposed, Term(years=40)), TZ
        )
        event = AuditEvent.objects.get(action="sentencing.change_profile")
        assert event.before["version"] == 0
        assert event.after["document"]["rules"]["max_aggregate_term"][0]["value"] == {"years": 40}
        assert event.reason == "reform"

    def test_refuses_an_invalid_profile_listing_every_problem(self) -> None:
        document = copy.deepcopy(law.profile_for("SV").document)
        document["rules"]["conditional_release_fraction"][0]["value"] = "3/2"
        document["time_zone"] = "Mars/Olympus"
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            services.change_profile(
                jurisdiction="SV", document=document, reason="x", actor=f.SYSTEM, at=clock.now()
            )
        assert {p.field for p in exc.value.problems} == {
            "$.rules.conditional_release_fraction[0].value",
            "$.time_zone",
        }
        assert JurisdictionProfile.objects.count() == 0

    def test_refuses_an_unchanged_profile(self) -> None:
        with pytest.raises(RuleViolation) as exc, transaction.atomic():
            services.change_profile(
                jurisdiction="SV",
                document=law.profile_for("SV").document,
                reason="x",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert exc.value.code == "PROFILE_UNCHANGED"

    def test_a_new_period_ends_the_one_in_force_the_day_before(self) -> None:
        with transaction.atomic():
            stored, _r = services.add_profile_period(
                jurisdiction="SV",
                rule="judicial_review_window",
                valid_from=dt.date(2027, 1, 1),
                value={"hours": 72},
                source="End of the state of exception",
                reason="decree",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        periods = stored.document["rules"]["judicial_review_window"]
        assert periods[-2]["valid_until"] == "2026-12-31"
        assert periods[-1] == {
            "valid_from": "2027-01-01",
            "valid_until": None,
            "value": {"hours": 72},
            "source": "End of the state of exception",
            "confirmed": True,
        }
        window = law.profile_for("SV").profile.judicial_review_window
        assert window.at(dt.date(2027, 1, 1)).value == dt.timedelta(hours=72)  # type: ignore[union-attr]

    def test_refuses_a_period_that_does_not_come_last(self) -> None:
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            services.add_profile_period(
                jurisdiction="SV",
                rule="judicial_review_window",
                valid_from=dt.date(2020, 1, 1),
                value={"hours": 48},
                source="x",
                reason="x",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert (exc.value.code, exc.value.field) == ("PERIOD_NOT_LATEST", "valid_from")

    def test_refuses_an_unknown_jurisdiction(self) -> None:
        with pytest.raises(NotFound), transaction.atomic():
            services.add_profile_period(
                jurisdiction="XX",
                rule="release_day",
                valid_from=dt.date(2030, 1, 1),
                value="last_day_served",
                source="x",
                reason="x",
                actor=f.SYSTEM,
                at=clock.now(),
            )


class TestReleaseAtSentenceEnd:
    def test_refuses_before_the_release_date(self, convicted: Person) -> None:
        record(convicted, years=5)
        with pytest.raises(RuleViolation) as exc, transaction.atomic():
            services.release_at_sentence_end(person=convicted, actor=f.SYSTEM, at=clock.now())
        assert exc.value.code == "RELEASE_NOT_DUE"
        assert not Movement.objects.filter(kind=MovementKind.RELEASE).exists()

    def test_refuses_without_a_release_date(self, convicted: Person) -> None:
        with pytest.raises(RuleViolation) as exc, transaction.atomic():
            services.release_at_sentence_end(person=convicted, actor=f.SYSTEM, at=clock.now())
        assert exc.value.code == "NO_RELEASE_DATE"

    def test_releases_on_the_release_date_under_the_warrant(self, convicted: Person) -> None:
        imposed = today() - dt.timedelta(days=1)
        record(convicted, imposed_on=imposed, years=0, days=10)
        release_day = imposed + dt.timedelta(days=10)
        with (
            time_machine.travel(
                clock.start_of_day(release_day, TZ) + dt.timedelta(hours=9), tick=False
            ),
            transaction.atomic(),
        ):
            movement = services.release_at_sentence_end(
                person=convicted, actor=f.SYSTEM, at=clock.now()
            )
        warrant = authority_of(convicted)
        movement.refresh_from_db()
        assert (movement.kind, movement.authority_id) == (MovementKind.RELEASE, warrant.pk)
        assert movement.order_reference == warrant.reference
        event = AuditEvent.objects.get(action="sentencing.release_at_sentence_end")
        assert event.after["days_after_release_date"] == 0
        assert actions("custody.release") == 1


class TestAdmissionFillsTheJudicialReviewDate:
    def test_from_the_window_in_force(self, cast: Cast) -> None:
        import dataclasses

        arrest = dataclasses.replace(f.authority("arrest"), review_due_by=None)
        with transaction.atomic():
            done = services_admit(cast, AdmissionIn(authority=arrest, person=f.person_in()))
        stored = LawfulAuthority.objects.get(episode_id=done)
        assert stored.review_due_by == arrest.valid_from + dt.timedelta(days=15)  # type: ignore[operator]

    def test_from_the_arrest_before_the_state_of_exception(self, cast: Cast) -> None:
        import dataclasses

        from habeas.custody.inputs import ArrivalIn

        moment = dt.datetime(2022, 3, 20, 10, tzinfo=dt.UTC)
        with time_machine.travel(moment + dt.timedelta(hours=5), tick=False):
            arrest = dataclasses.replace(
                f.authority("arrest", at=moment + dt.timedelta(days=1)),
                review_due_by=None,
                valid_until=None,
            )
            with transaction.atomic():
                done = services_admit(
                    cast,
                    AdmissionIn(
                        authority=arrest,
                        person=f.person_in(),
                        arrival=ArrivalIn(arrested_at=moment - dt.timedelta(hours=2)),
                    ),
                )
        stored = LawfulAuthority.objects.get(episode_id=done)
        assert stored.review_due_by == moment - dt.timedelta(hours=2) + dt.timedelta(hours=72)

    def test_still_asks_for_it_where_no_profile_applies(self, cast: Cast) -> None:
        import dataclasses

        from habeas.estate.models import Facility

        Facility.objects.filter(pk=cast.north.pk).update(jurisdiction="XX")
        cast.north.refresh_from_db()
        arrest = dataclasses.replace(f.authority("arrest"), review_due_by=None)
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            services_admit(cast, AdmissionIn(authority=arrest, person=f.person_in()))
        assert exc.value.field == "authority.review_due_by"


def services_admit(cast: Cast, admission: AdmissionIn) -> int:
    from habeas.custody.admission import admit

    return admit(
        admission=admission, facility=cast.north, actor=f.SYSTEM, at=clock.now()
    ).episode_id


class TestBulkRecalculation:
    def test_sets_every_legal_end_and_audits_only_what_changed(self, cast: Cast) -> None:
        from habeas.sentencing import recalculation

        people = [f.person(f.admit_person(cast.north, kind="conviction")) for _ in range(3)]
        for years, p in zip((5, 30, 80), people, strict=True):
            record(p, years=years)
        ends = list(LawfulAuthority.objects.order_by("pk").values_list("legal_end", flat=True))
        LawfulAuthority.objects.filter(pk=authority_of(people[0]).pk).update(legal_end=None)
        before = AuditEvent.objects.count()
        with transaction.atomic():
            report = recalculation.recalculate(actor=f.SYSTEM, at=clock.now(), reason="bulk")
        assert (report.episodes, report.calculated, report.legal_ends_changed) == (3, 3, 1)
        assert AuditEvent.objects.count() == before + 1
        assert (
            list(LawfulAuthority.objects.order_by("pk").values_list("legal_end", flat=True)) == ends
        )
        assert SentenceCalculation.objects.get(episode__person=people[2]).capped is True
