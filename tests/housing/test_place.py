from __future__ import annotations

import pytest
from django.db import transaction

from habeas.audit.models import AuditEvent
from habeas.audit.services import Actor
from habeas.core import clock
from habeas.core.errors import RuleViolation
from habeas.custody.admission import admit
from habeas.custody.inputs import AdmissionIn
from habeas.estate.models import Cell
from habeas.estate.services import take_out_of_service
from habeas.housing.models import Placement
from habeas.housing.services import authorise_over_capacity, place
from habeas.people.models import Affiliation, Person, Scope, SecurityThreatGroup
from habeas.people.services import record_affiliation, separate
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def cell(cast: Cast, code: str) -> Cell:
    return Cell.objects.select_related("facility", "unit").get(facility=cast.north, code=code)


def move(person: Person, target: Cell, actor: Actor = f.SYSTEM) -> Placement:
    with transaction.atomic():
        return place(person=person, cell=target, actor=actor, at=clock.now(), reason="test")


def refusal(person: Person, target: Cell) -> RuleViolation:
    before = (Placement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(RuleViolation) as exc:
        move(person, target)
    assert (Placement.objects.count(), AuditEvent.objects.count()) == before
    return exc.value


class TestPlace:
    def test_moves_a_person_and_keeps_the_history(self, cast: Cast) -> None:
        p = f.person(f.admit_person(cast.north, cell="A-1"))
        move(p, cell(cast, "A-2"))
        history = list(Placement.objects.filter(person=p).order_by("started_at", "id"))
        assert [h.cell.code for h in history] == ["A-1", "A-2"]
        assert history[0].ended_at == history[1].started_at
        event = AuditEvent.objects.latest("seq")
        assert (event.action, event.before, event.after["cell"]) == (
            "housing.move",
            {"cell": "A-1"},
            "A-2",
        )

    def test_refuses_a_cell_out_of_service(self, cast: Cast) -> None:
        p = f.person(f.admit_person(cast.north, cell="A-1"))
        with transaction.atomic():
            take_out_of_service(
                cell=cell(cast, "A-2"), actor=f.SYSTEM, at=clock.now(), reason="flooded"
            )
        err = refusal(p, cell(cast, "A-2"))
        assert err.code == "CELL_OUT_OF_SERVICE"
        assert "A-2 is out of service" in err.message

    def test_refuses_a_cell_at_operational_capacity(self, cast: Cast) -> None:
        for _ in range(2):
            f.admit_person(cast.north, cell="A-3")
        p = f.person(f.admit_person(cast.north, cell="A-1"))
        err = refusal(p, cell(cast, "A-3"))
        assert err.code == "CELL_FULL"
        assert "holds 2 of 2" in err.message

    def test_refuses_a_cell_holding_a_member_of_a_rival_group(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-2", groups=("b18s",))
        p = f.person(f.admit_person(cast.north, cell="A-1", groups=("ms13",)))
        err = refusal(p, cell(cast, "A-2"))
        assert err.code == "RIVAL_IN_CELL"
        assert "b18s" in err.message

    def test_allows_a_cell_holding_a_member_who_renounced(self, cast: Cast) -> None:
        other = f.person(f.admit_person(cast.north, cell="A-2", groups=("b18s",)))
        with transaction.atomic():
            record_affiliation(
                person=other,
                group=SecurityThreatGroup.objects.get(code="b18s"),
                status=Affiliation.Status.RENOUNCED,
                source="church programme",
                recorded_on=clock.now().date(),
                actor=f.SYSTEM,
                at=clock.now(),
            )
        p = f.person(f.admit_person(cast.north, cell="A-1", groups=("ms13",)))
        assert move(p, cell(cast, "A-2")).cell.code == "A-2"

    def test_refuses_a_cell_holding_someone_to_be_kept_apart(self, cast: Cast) -> None:
        victim = f.person(f.admit_person(cast.north, cell="A-2"))
        p = f.person(f.admit_person(cast.north, cell="A-1"))
        with transaction.atomic():
            separate(
                person=p,
                other=victim,
                scope=Scope.CELL,
                reason="assault on 3 March",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        err = refusal(p, cell(cast, "A-2"))
        assert err.code == "NON_ASSOCIATION"
        assert victim.custody_number in err.message

    def test_refuses_a_unit_holding_someone_to_be_kept_apart_at_unit_scope(
        self, cast: Cast
    ) -> None:
        witness = f.person(f.admit_person(cast.north, cell="A-2"))
        p = f.person(f.admit_person(cast.north, cell="B-1"))
        with transaction.atomic():
            separate(
                person=p,
                other=witness,
                scope=Scope.UNIT,
                reason="witness",
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert refusal(p, cell(cast, "A-1")).code == "NON_ASSOCIATION"

    def test_refuses_to_mix_untried_and_convicted_in_a_cell(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-2", kind="conviction")
        p = f.person(f.admit_person(cast.north, cell="A-1"))
        err = refusal(p, cell(cast, "A-2"))
        assert err.code == "CATEGORY_MIX"
        assert "Mandela Rule 11" in err.message

    def test_gives_every_reason_at_once(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-3", groups=("b18r",), kind="conviction")
        f.admit_person(cast.north, cell="A-3", groups=("b18r",), kind="conviction")
        p = f.person(f.admit_person(cast.north, cell="A-1", groups=("ms13",)))
        err = refusal(p, cell(cast, "A-3"))
        codes = {r["code"] for r in err.details["reasons"]}
        assert {"CELL_FULL", "RIVAL_IN_CELL", "CATEGORY_MIX"} <= codes

    def test_refuses_a_person_not_on_the_facility_roll(self, cast: Cast) -> None:
        with transaction.atomic():
            done = admit(
                admission=AdmissionIn(authority=f.authority(), person=f.person_in(sex="F")),
                facility=cast.south,
                actor=f.SYSTEM,
                at=clock.now(),
            )
        assert refusal(f.person(done), cell(cast, "A-1")).code == "NOT_ON_ROLL"


class TestOverCapacity:
    def test_a_governor_may_authorise_up_to_the_bunks(self, cast: Cast) -> None:
        Cell.objects.filter(facility=cast.north, code="A-1").update(operational_capacity=2)
        for _ in range(2):
            f.admit_person(cast.north, cell="A-1")
        p = f.person(f.admit_person(cast.north, cell="A-2"))
        assert refusal(p, cell(cast, "A-1")).code == "CELL_FULL"
        with transaction.atomic():
            auth = authorise_over_capacity(
                cell=cell(cast, "A-1"),
                ceiling=3,
                reason="A-2 flooded",
                actor=Actor.of(cast.governor),
                at=clock.now(),
            )
        placement = move(p, cell(cast, "A-1"))
        assert placement.authorisation == auth
        assert AuditEvent.objects.filter(action="housing.authorise_over_capacity").count() == 1

    def test_never_beyond_the_bunks(self, cast: Cast) -> None:
        with pytest.raises(RuleViolation) as exc, transaction.atomic():
            authorise_over_capacity(
                cell=cell(cast, "A-3"),
                ceiling=3,
                reason="crowding",
                actor=Actor.of(cast.governor),
                at=clock.now(),
            )
        assert exc.value.code == "ABOVE_BED_CAPACITY"
