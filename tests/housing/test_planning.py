"""Plans for many people at once: preview, approve, apply in one transaction or not at all."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

from habeas.audit.models import AuditEvent
from habeas.audit.services import Actor
from habeas.core import clock
from habeas.core.errors import RuleViolation
from habeas.estate.models import Cell
from habeas.estate.services import take_out_of_service
from habeas.housing import instance as instance_file
from habeas.housing import planning
from habeas.housing.models import Placement
from habeas.housing.selectors import roll
from tests import factories as f
from tests.conftest import Cast
from tests.test_api import api

pytestmark = pytest.mark.django_db


def close_cell(cast: Cast, code: str) -> None:
    with transaction.atomic():
        take_out_of_service(
            cell=Cell.objects.get(facility=cast.north, code=code),
            actor=f.SYSTEM,
            at=clock.now(),
            reason="flooded",
        )


class TestIntakePlan:
    def test_places_everyone_waiting_in_reception(self, cast: Cast) -> None:
        for _ in range(3):
            f.admit_person(cast.north, auto_place=False)
        assert len(roll(cast.north, clock.now()).unplaced) == 3
        with transaction.atomic():
            proposal = planning.apply(
                facility=cast.north,
                mode="intake",
                expected=None,
                reason="night intake",
                actor=Actor.of(cast.custody),
                at=clock.now(),
            )
        assert (proposal.placements, proposal.moves) == (3, 0)
        assert roll(cast.north, clock.now()).unplaced == []
        assert AuditEvent.objects.filter(action="housing.place").count() == 3
        assert AuditEvent.objects.filter(action="housing.plan_apply").count() == 1


class TestRebalance:
    def test_moves_everyone_out_of_a_cell_taken_out_of_service(self, cast: Cast) -> None:
        for _ in range(2):
            f.admit_person(cast.north, cell="A-1")
        f.admit_person(cast.north, cell="A-2")
        close_cell(cast, "A-1")
        with transaction.atomic():
            proposal = planning.apply(
                facility=cast.north,
                mode="rebalance",
                expected=None,
                reason="A-1 flooded",
                actor=Actor.of(cast.governor),
                at=clock.now(),
            )
        assert proposal.moves == 2
        assert not Placement.objects.filter(cell__code="A-1", ended_at__isnull=True).exists()
        assert Placement.objects.filter(ended_at__isnull=True).count() == 3

    def test_a_valid_facility_needs_no_move(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1")
        f.admit_person(cast.north, cell="A-2")
        proposal = planning.propose(facility=cast.north, mode="rebalance", at=clock.now())
        assert proposal.moves == 0

    def test_applies_nothing_if_the_facility_changed_since_the_preview(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1")
        close_cell(cast, "A-1")
        preview = planning.propose(facility=cast.north, mode="rebalance", at=clock.now())
        f.admit_person(cast.north, cell="A-2")  # meanwhile
        before = (Placement.objects.count(), AuditEvent.objects.count())
        with pytest.raises(RuleViolation) as exc, transaction.atomic():
            planning.apply(
                facility=cast.north,
                mode="rebalance",
                expected=preview.fingerprint,
                reason="flood",
                actor=Actor.of(cast.governor),
                at=clock.now(),
            )
        assert exc.value.code == "PLAN_STALE"
        assert (Placement.objects.count(), AuditEvent.objects.count()) == before


class TestAllocationApi:
    def test_a_custody_officer_cannot_apply_a_rebalance(self, cast: Cast) -> None:
        r = api(cast.custody).post(
            "/api/v1/facilities/north/allocations",
            {"mode": "rebalance", "dry_run": False, "reason": "x"},
            content_type="application/json",
        )
        assert r.status_code == 403

    def test_refuses_an_unknown_mode(self, cast: Cast) -> None:
        r = api(cast.governor).post(
            "/api/v1/facilities/north/allocations",
            {"mode": "shuffle"},
            content_type="application/json",
        )
        assert r.status_code == 422
        assert r.json()["field"] == "mode"

    def test_dry_run_then_apply_with_the_fingerprint(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1")
        close_cell(cast, "A-1")
        client = api(cast.governor)
        plan = client.post(
            "/api/v1/facilities/north/allocations",
            {"mode": "rebalance"},
            content_type="application/json",
        ).json()
        assert plan["applied"] is False
        assert [m["from"] for m in plan["moves"]] == ["A-1"]
        done = client.post(
            "/api/v1/facilities/north/allocations",
            {
                "mode": "rebalance",
                "dry_run": False,
                "fingerprint": plan["fingerprint"],
                "reason": "flood",
            },
            content_type="application/json",
        )
        assert done.status_code == 200
        assert done.json()["applied"] is True
        stale = client.post(
            "/api/v1/facilities/north/allocations",
            {
                "mode": "rebalance",
                "dry_run": False,
                "fingerprint": plan["fingerprint"],
                "reason": "again",
            },
            content_type="application/json",
        )
        assert stale.status_code == 409
        assert stale.json()["code"] == "PLAN_STALE"


class TestCellOptions:
    def test_another_facility_cannot_ask(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-1")
        r = api(cast.south_officer).get(f"/api/v1/people/{done.person_id}/cell-options")
        assert r.status_code == 404

    def test_ranks_cells_and_explains_refusals(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-2", groups=("b18s",))
        done = f.admit_person(cast.north, cell="A-1", groups=("ms13",))
        options = {
            o["cell"]: o
            for o in api(cast.custody).get(f"/api/v1/people/{done.person_id}/cell-options").json()
        }
        assert "A-1" not in options  # where they are now
        assert options["A-2"]["rank"] is None
        assert any("rival" in r for r in options["A-2"]["reasons"])
        assert options["A-3"]["rank"] is not None


class TestAllocateCommand:
    def test_dry_run_prints_the_plan_as_json(
        self, cast: Cast, capsys: pytest.CaptureFixture[str]
    ) -> None:
        f.admit_person(cast.north, auto_place=False)
        capsys.readouterr()
        call_command("allocate", facility="north", mode="intake", dry_run=True, json=True)
        out = json.loads(capsys.readouterr().out)
        assert (len(out["placements"]), out["applied"]) == (1, False)
        assert Placement.objects.count() == 0

    def test_runs_the_engine_alone_on_an_instance_file(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from habeas.housing import allocator as alloc

        inst = alloc.Instance(
            cells=(
                alloc.Cell(
                    id=1, unit="A", operational_capacity=2, standard_capacity=2, bed_capacity=2
                ),
                alloc.Cell(
                    id=2, unit="A", operational_capacity=2, standard_capacity=2, bed_capacity=2
                ),
            ),
            people=(
                alloc.Person(id=10, sex="M", age=30, status="untried", groups=frozenset({"ms13"})),
                alloc.Person(id=11, sex="M", age=30, status="untried", groups=frozenset({"b18s"})),
            ),
            placements={},
            policy=alloc.Policy(rivalries=(alloc.Rivalry("ms13", "b18s", "cell"),)),
        )
        path = tmp_path / "instance.json"
        path.write_text(instance_file.write_instance(inst))
        call_command("allocate", instance=str(path), json=True)
        plan = json.loads(capsys.readouterr().out)
        cells = {p["person"]: p["cell"] for p in plan["placements"]}
        assert cells[10] != cells[11]

    @pytest.mark.parametrize(
        ("lang", "expected"),
        [
            (
                "es",
                [
                    "extra: no es un campo conocido",
                    "cells[0].operational_capacity: debe ser al menos 0, no -1",
                    "cells[0].bed_capacity: debe ser un número entero, no null",
                    "people: debe ser una lista, no la cadena de texto 'x'",
                ],
            ),
            (
                "en",
                [
                    "extra: is not a known field",
                    "cells[0].operational_capacity: must be at least 0, not -1",
                    "cells[0].bed_capacity: must be a whole number, not null",
                    "people: must be a list, not the string 'x'",
                ],
            ),
        ],
    )
    def test_names_each_problem_of_an_instance_file_in_the_language_asked(
        self, tmp_path: Path, lang: str, expected: list[str]
    ) -> None:
        path = tmp_path / "instance.json"
        cell = {
            "id": 1,
            "unit": "A",
            "operational_capacity": -1,
            "standard_capacity": 2,
            "bed_capacity": None,
        }
        path.write_text(json.dumps({"cells": [cell], "people": "x", "extra": True}))
        err = io.StringIO()
        with pytest.raises(CommandError, match="INVALID_INSTANCE"):
            call_command(
                "allocate", instance=str(path), lang=lang, stdout=io.StringIO(), stderr=err
            )
        lines = err.getvalue().splitlines()
        assert [
            line.removeprefix(f"  {path}: ").removesuffix(" [INVALID]") for line in lines[1:]
        ] == (expected)


def test_the_plan_preview_page_needs_a_governor_to_apply(cast: Cast) -> None:
    f.admit_person(cast.north, cell="A-1")
    close_cell(cast, "A-1")
    client = Client()
    client.force_login(cast.custody)
    r = client.get("/facilities/north/allocation/?mode=rebalance")
    assert r.status_code == 200
    assert r.context["can_apply"] is False
    assert r.context["proposal"].moves == 1
    r = client.post("/facilities/north/allocation/", {"mode": "rebalance", "reason": "x"})
    assert r.status_code == 403
