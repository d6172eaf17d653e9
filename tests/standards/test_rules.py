"""Each rule breached exactly once: a ward run by the book, one wrong thing done to it through the
use cases staff would use, and the evaluation finds exactly that breach — its person-days and
its people — and nothing else.

Where one rule implies another (under the default profile, less than 2 m² is also less than 3 m²,
which is also less than 3.4 m²), the test names the whole implied set.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from habeas.conditions import services as conditions
from habeas.conditions.feed import ReadingIn
from habeas.core import clock
from habeas.custody.inputs import AuthorityIn
from habeas.custody.services import add_authority, revoke_authority
from habeas.incidents import discipline
from habeas.incidents import services as incidents
from habeas.regime import services as regime
from habeas.standards.models import Status
from tests import factories as f
from tests.standards.support import DAYS, Ward, at, breaches, day, finding

pytestmark = pytest.mark.django_db


def now() -> dt.datetime:
    return clock.now()


class TestTheWardRunByTheBook:
    def test_breaches_nothing(self, the_ward: Ward) -> None:
        the_ward.settle()
        run = the_ward.check()
        assert breaches(run) == {}
        assert run.rules_breached == 0
        assert run.ledger_rows == 8 * DAYS

    def test_judges_what_it_has_data_for_and_says_so_for_the_rest(self, the_ward: Ward) -> None:
        the_ward.settle()
        run = the_ward.check()
        # No sensor, water or death on record: those rules have nothing to judge.
        for rule in ("NMR-43a", "W-09", "W-06", "NMR-69", "NMR-71"):
            assert finding(run, rule).status == Status.NOT_JUDGED
        # Open air is judged on whole days only (D0 is the day of arrival).
        assert finding(run, "NMR-23").judged == 8 * (DAYS - 1)
        assert finding(run, "NMR-30").judged == 8  # one arrival each
        assert finding(run, "W-01").status == Status.COMPLIANT


class TestEachRuleBreachedOnce:
    def test_held_without_lawful_authority(self, the_ward: Ward) -> None:
        the_ward.settle()
        person = the_ward.people["a1a"]
        authority = person.episodes.get().authorities.get()
        with time_machine.travel(at(17, 12), tick=False), transaction.atomic():
            revoke_authority(authority=authority, reason="Anulada", actor=f.SYSTEM, at=now())
        assert breaches(the_ward.check()) == {"NMR-07a": (3, 1)}  # days 17, 18, 19

    def test_untried_held_with_convicted(self, the_ward: Ward) -> None:
        the_ward.settle()
        with transaction.atomic():
            add_authority(
                person=the_ward.people["a1a"],
                authority=AuthorityIn(
                    kind="conviction",
                    issuing_authority="Tribunal de Sentencia",
                    reference="SENT-1",
                    issued_on=day(18),
                    valid_from=at(18, 10),
                ),
                actor=f.SYSTEM,
                at=now(),
            )
        # Both people of A-1 on days 18 and 19.
        assert breaches(the_ward.check()) == {"NMR-11": (4, 2)}

    def test_less_living_space_than_the_icrc_minimum(self, the_ward: Ward) -> None:
        the_ward.admit("third", "A-3")  # 10 m² for three: 3.33 m² each
        the_ward.settle()
        run = the_ward.check()
        assert breaches(run) == {"W-01": (3 * DAYS, 3)}
        assert finding(run, "W-01").worst_value == Decimal("3.33")

    def test_the_cpt_profile_draws_the_line_higher(self, the_ward: Ward) -> None:
        the_ward.admit("c", "A-6")
        the_ward.admit("d", "A-6")  # 7.2 m² for two: 3.6 m² each
        the_ward.settle()
        assert breaches(the_ward.check()) == {}  # the ICRC's 3.4 m²
        run = the_ward.check(profile="cpt")  # the CPT's 4 m²
        assert breaches(run) == {"W-01": (2 * DAYS, 2)}
        assert run.profile_version.profile.code == "cpt"

    def test_less_than_3_m2_in_a_shared_cell(self, the_ward: Ward) -> None:
        the_ward.admit("c", "A-4")
        the_ward.admit("d", "A-4")  # 5.8 m² for two: 2.9 m² each
        the_ward.settle()
        run = the_ward.check()
        # Under 3 m² is also under the ICRC's 3.4 m².
        assert breaches(run) == {"W-04": (2 * DAYS, 2), "W-01": (2 * DAYS, 2)}
        muršić = finding(run, "W-04")
        assert muršić.longest_run == DAYS
        assert muršić.severe_people == 0  # 20 days is not more than 27

    def test_below_the_absolute_floor_of_2_m2(self, the_ward: Ward) -> None:
        the_ward.admit("c", "A-5")
        the_ward.admit("d", "A-5")  # 3.8 m² for two: 1.9 m² each
        the_ward.settle()
        assert breaches(the_ward.check()) == {
            "W-02": (2 * DAYS, 2),
            "W-04": (2 * DAYS, 2),
            "W-01": (2 * DAYS, 2),
        }

    def test_more_people_than_mattresses(self, the_ward: Ward) -> None:
        the_ward.admit("third", "B-1")  # 4 bunks but 2 mattresses
        the_ward.settle()
        run = the_ward.check()
        assert breaches(run) == {"NMR-21": (3 * DAYS, 3)}
        assert finding(run, "NMR-21").worst_value == 1  # one mattress short

    def test_a_cell_without_a_working_toilet(self, the_ward: Ward) -> None:
        the_ward.admit("c", "B-2")
        the_ward.admit("d", "B-2")
        the_ward.settle()
        assert breaches(the_ward.check()) == {"W-05": (2 * DAYS, 2)}

    def test_a_day_without_open_air(self, the_ward: Ward) -> None:
        the_ward.settle(exceptions={("a2a", 7): "kept_in"})
        assert breaches(the_ward.check()) == {"NMR-23": (1, 1)}

    def test_open_air_refused_is_still_open_air_offered(self, the_ward: Ward) -> None:
        the_ward.settle(exceptions={("a2a", 7): "refused"})
        run = the_ward.check()
        assert breaches(run) == {}
        assert the_ward.row("a2a", 7).open_air_minutes == 0
        assert the_ward.row("a2a", 7).open_air_offered_minutes == 120

    def test_a_cell_lit_all_night(self, the_ward: Ward) -> None:
        the_ward.settle()
        readings(the_ward, cell="A-2", n=6, lights=lambda h: True)
        run = the_ward.check()
        assert breaches(run) == {"NMR-43a": (2, 2)}
        assert finding(run, "NMR-43a").judged == 2  # only that cell on that day has data
        assert finding(run, "W-09").status == Status.COMPLIANT  # 25 °C

    def test_a_collective_sanction(self, the_ward: Ward) -> None:
        the_ward.settle()
        with transaction.atomic():
            discipline.impose_collective_sanction(
                facility=the_ward.facility,
                kind="loss_of_privileges",
                started_at=at(4, 10),
                ended_at=at(5, 10),
                reason="Desorden",
                imposed_by="Dirección",
                cells=["A-2"],
                actor=f.SYSTEM,
                at=now(),
            )
        assert breaches(the_ward.check()) == {"NMR-43b": (4, 2)}  # two people, days 4 and 5

    def test_food_reduced_as_a_punishment(self, the_ward: Ward) -> None:
        the_ward.settle()
        person = the_ward.people["b1a"]
        with transaction.atomic():
            charge = discipline.bring_charge(
                person=person,
                facility=the_ward.facility,
                offence="Desobediencia",
                charged_at=at(3, 9),
                notified_at=at(3, 10),
                actor=f.SYSTEM,
                at=now(),
            )
            discipline.hear_charge(
                charge=charge,
                hearing_at=at(4, 9),
                adjudicator="Director",
                person_heard=True,
                interpreter=None,
                legal_assistance=True,
                outcome="proven",
                reasons="Probado",
                sanctions=[discipline.SanctionIn("food_or_water_reduced", at(4, 10), at(4, 20))],
                actor=f.SYSTEM,
                at=now(),
            )
        assert breaches(the_ward.check()) == {"NMR-43c": (1, 1)}

    def test_prolonged_solitary_confinement(self, the_ward: Ward) -> None:
        person = the_ward.people["a1a"]
        with transaction.atomic():
            discipline.segregate(
                person=person,
                facility=the_ward.facility,
                kind="protective",
                grounds="Amenazas",
                started_at=at(1, 0),
                authorised_by="Director",
                actor=f.SYSTEM,
                at=now(),
            )
        # Offered the open air every day, and refused it: alone from day 1.
        the_ward.settle(exceptions={("a1a", n): "refused" for n in range(1, DAYS)})
        run = the_ward.check()
        # Solitary from day 1: day 16 is the 16th day in a row, so days 16–19 breach.
        assert breaches(run) == {"NMR-44": (4, 1)}
        assert the_ward.row("a1a", 19).solitary_run == 19
        assert finding(run, "NMR-44").worst_value == 19

    def test_prohibited_restraint(self, the_ward: Ward) -> None:
        the_ward.settle()
        restrain(the_ward, "a2b", "chains", "prevent_harm", minutes=30)
        assert breaches(the_ward.check()) == {"NMR-47": (1, 1)}

    def test_restraint_for_hours(self, the_ward: Ward) -> None:
        the_ward.settle()
        restrain(the_ward, "a2b", "handcuffs", "prevent_harm", minutes=180)
        run = the_ward.check()
        assert breaches(run) == {"NMR-48": (1, 1)}
        assert finding(run, "NMR-48").worst_value == 180

    def test_no_family_contact_for_a_month(self, the_ward: Ward) -> None:
        the_ward.admit("early", "A-2", when=at(-15, 9))
        the_ward.settle()
        contact(the_ward, "early", legal=True, n=10)
        # Admitted on day -15 without any family contact: more than 30 days from day 16.
        assert breaches(the_ward.check()) == {"NMR-58": (4, 1)}

    def test_no_lawyer_for_a_month(self, the_ward: Ward) -> None:
        the_ward.admit("early", "A-2", when=at(-15, 9))
        the_ward.settle()
        contact(the_ward, "early", legal=False, n=10)
        assert breaches(the_ward.check()) == {"NMR-61": (4, 1)}

    def test_no_medical_examination_after_admission(self, the_ward: Ward) -> None:
        the_ward.settle(no_exam=["b1b"])
        run = the_ward.check()
        assert breaches(run) == {"NMR-30": (1, 1)}

    def test_family_not_told_of_the_admission(self, the_ward: Ward) -> None:
        the_ward.settle(no_notice=["b1b"])
        assert breaches(the_ward.check()) == {"NMR-68": (1, 1)}

    def test_an_arrival_on_the_last_day_is_not_judged_yet(self, the_ward: Ward) -> None:
        the_ward.admit("late", "A-2", when=at(DAYS - 1, 9))
        the_ward.settle(no_exam=["late"], no_notice=["late"])
        run = the_ward.check()
        assert breaches(run) == {}
        assert finding(run, "NMR-30").judged == 9

    def test_a_death_not_reported_to_an_independent_authority(self, the_ward: Ward) -> None:
        the_ward.settle()
        die(the_ward, "b1a", family_after=dt.timedelta(hours=2), authority_after=None)
        assert breaches(the_ward.check()) == {"NMR-71": (1, 1)}

    def test_a_family_told_of_a_death_days_later(self, the_ward: Ward) -> None:
        the_ward.settle()
        die(
            the_ward,
            "b1a",
            family_after=dt.timedelta(days=3),
            authority_after=dt.timedelta(hours=1),
        )
        run = the_ward.check()
        assert breaches(run) == {"NMR-69": (1, 1)}
        assert finding(run, "NMR-69").worst_value == 3 * 24 * 60

    def test_too_little_drinking_water(self, the_ward: Ward) -> None:
        the_ward.settle()
        with transaction.atomic():
            conditions.deliver_water(
                facility=the_ward.facility,
                delivered_at=at(6, 10),
                deliveries=[conditions.WaterIn("A-1", Decimal(4))],
                actor=f.SYSTEM,
                at=now(),
            )
        run = the_ward.check()  # 2 L each, locked in 22 hours
        assert breaches(run) == {"W-06": (2, 2)}
        assert the_ward.row("a1a", 6).water_litres_per_person == Decimal("2.00")

    def test_a_hot_cell(self, the_ward: Ward) -> None:
        the_ward.settle()
        readings(the_ward, cell="B-1", n=8, temperature=lambda h: 34 if 11 <= h < 16 else 27)
        run = the_ward.check()
        assert breaches(run) == {"W-09": (2, 2)}
        assert the_ward.row("b1a", 8).minutes_hot == 5 * 60
        assert finding(run, "W-09").worst_value == 34


class TestSolitaryOfAWoman:
    def test_is_a_breach_from_the_first_day(self, cast: object) -> None:
        from tests.standards.support import ward

        w = Ward(ward("wward", sex="F"))
        w.admit("ana", "A-1")
        w.admit("eva", "A-1")
        with transaction.atomic():
            seg = discipline.segregate(
                person=w.people["ana"],
                facility=w.facility,
                kind="disciplinary",
                grounds="Pelea",
                started_at=at(5, 0),
                authorised_by="Directora",
                actor=f.SYSTEM,
                at=now(),
            )
            discipline.end_segregation(
                segregation=seg, ended_at=at(7, 0), reason="Fin", actor=f.SYSTEM, at=now()
            )
        w.settle(exceptions={("ana", 5): "refused", ("ana", 6): "refused"})
        run = w.check()
        assert breaches(run) == {"NMR-45": (2, 1)}
        assert w.row("ana", 5).cellular_confinement


# Helpers: one wrong thing at a time, through the use cases.


def readings(
    w: Ward,
    *,
    cell: str,
    n: int,
    lights: object = None,
    temperature: object = None,
) -> None:
    def light(h: int) -> bool:
        return lights(h) if callable(lights) else not (h < 6 or h >= 22)

    def temp(h: int) -> float:
        return float(temperature(h)) if callable(temperature) else 25.0

    with transaction.atomic():
        conditions.import_readings(
            facility=w.facility,
            readings=[
                ReadingIn(
                    measured_at=at(n, h),
                    cell=cell,
                    sensor="s1",
                    temperature=temp(h),
                    lights_on=light(h),
                )
                for h in range(24)
            ],
            source="test",
            actor=f.SYSTEM,
            at=now(),
        )


def restrain(w: Ward, label: str, kind: str, purpose: str, *, minutes: int) -> None:
    with transaction.atomic():
        incidents.apply_restraint(
            person=w.people[label],
            facility=w.facility,
            kind=kind,
            purpose=purpose,
            started_at=at(9, 10),
            ended_at=at(9, 10) + dt.timedelta(minutes=minutes),
            reason="Agitación",
            authorised_by="Jefe de turno",
            actor=f.SYSTEM,
            at=now(),
        )


def contact(w: Ward, label: str, *, legal: bool, n: int) -> None:
    """A legal visit or a family call on day ``n``."""
    pid = w.people[label].pk
    with transaction.atomic():
        if legal:
            regime.record_visits(
                facility=w.facility,
                visits=[
                    regime.VisitIn(
                        kind="legal",
                        visitor="Defensora",
                        requested_at=at(n, 8),
                        status="held",
                        started_at=at(n, 10),
                        ended_at=at(n, 11),
                        mode="open",
                        sight_not_hearing=True,
                        person_id=pid,
                    )
                ],
                actor=f.SYSTEM,
                at=now(),
            )
        else:
            regime.record_calls(
                facility=w.facility,
                calls=[
                    regime.CallIn(kind="family", started_at=at(n, 10), minutes=10, person_id=pid)
                ],
                actor=f.SYSTEM,
                at=now(),
            )


def die(
    w: Ward,
    label: str,
    *,
    family_after: dt.timedelta | None,
    authority_after: dt.timedelta | None,
) -> None:
    died = at(12, 3)
    with transaction.atomic():
        incidents.record_death(
            person=w.people[label],
            died_at=died,
            place="Celda",
            circumstances="Hallado sin vida",
            manner="unknown",
            family_informed_at=died + family_after if family_after else None,
            family_informed="Madre" if family_after else "",
            authority_informed_at=died + authority_after if authority_after else None,
            authority="Fiscalía" if authority_after else "",
            actor=f.SYSTEM,
            at=now(),
        )
