"""The standards and ledger API: security, validation and the happy path of every endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from habeas.accounts.roles import Role
from habeas.audit.models import AuditEvent
from habeas.standards.models import EvaluationRun
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import api, post
from tests.standards.support import D0, DAYS, LAST, Ward, breaches, day

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(the_ward: Ward) -> EvaluationRun:
    the_ward.settle(no_exam=["b1b"])
    return the_ward.check()


@pytest.fixture
def staff(the_ward: Ward) -> dict[str, Any]:
    fac = the_ward.facility
    return {
        role: f.user(name, role, fac)
        for name, role in (
            ("gob", Role.GOVERNOR),
            ("insp", Role.INSPECTOR),
            ("guard", Role.CUSTODY_OFFICER),
            ("doc", Role.HEALTH),
        )
    }


def urls(run: EvaluationRun, w: Ward) -> list[str]:
    person = w.people["b1b"].pk
    base = f"/api/v1/facilities/ward/standards/runs/{run.pk}"
    return [
        "/api/v1/standards/rules",
        "/api/v1/standards/profiles",
        "/api/v1/facilities/ward/standards/runs",
        "/api/v1/facilities/ward/standards/runs/latest",
        base,
        f"{base}/findings/NMR-30",
        f"{base}/findings/NMR-30/people",
        f"{base}/findings/NMR-30/people/{person}",
        f"/api/v1/facilities/ward/ledger/people/{person}?since={D0}&until={LAST}",
        f"/api/v1/facilities/ward/ledger/people/{person}/days/{D0}",
    ]


class TestSecurity:
    def test_refuses_anyone_not_signed_in(self, checked: EvaluationRun, the_ward: Ward) -> None:
        client = api(None)
        for url in urls(checked, the_ward):
            assert client.get(url).status_code == 401, url

    def test_refuses_roles_that_do_not_oversee(
        self, checked: EvaluationRun, the_ward: Ward, staff: dict[str, Any]
    ) -> None:
        for role in (Role.CUSTODY_OFFICER, Role.HEALTH):
            client = api(staff[role])
            for url in urls(checked, the_ward):
                response = client.get(url)
                assert response.status_code == 403, (role, url)
                assert response.json()["code"] == "FORBIDDEN"
            assert post(client, "/api/v1/facilities/ward/standards/runs", {}).status_code == 403

    def test_hides_a_facility_the_user_is_not_assigned_to(
        self, checked: EvaluationRun, cast: Cast
    ) -> None:
        outsider = f.user("insp_north", Role.INSPECTOR, cast.north)
        response = api(outsider).get("/api/v1/facilities/ward/standards/runs/latest")
        assert response.status_code == 404
        assert response.json()["code"] == "UNKNOWN_FACILITY"


class TestValidation:
    def test_an_unknown_run_or_rule(self, checked: EvaluationRun, staff: dict[str, Any]) -> None:
        client = api(staff[Role.INSPECTOR])
        base = "/api/v1/facilities/ward/standards/runs"
        assert client.get(f"{base}/999999").json()["code"] == "UNKNOWN_RUN"
        assert client.get(f"{base}/{checked.pk}/findings/NMR-99").json()["code"] == "UNKNOWN_RULE"

    def test_a_run_into_the_future_or_with_an_unknown_profile(
        self, the_ward: Ward, staff: dict[str, Any]
    ) -> None:
        client = api(staff[Role.GOVERNOR])
        url = "/api/v1/facilities/ward/standards/runs"
        future = post(client, url, {"from": str(D0), "to": str(LAST.replace(year=2030))})
        assert (future.status_code, future.json()["code"]) == (422, "IN_FUTURE")
        unknown = post(client, url, {"from": str(D0), "to": str(LAST), "profile": "nope"})
        assert (unknown.status_code, unknown.json()["code"]) == (422, "UNKNOWN_PROFILE")
        bad = post(client, url, {"from": "yesterday"})
        assert bad.status_code == 422
        assert not EvaluationRun.objects.exists()

    def test_a_day_the_person_was_not_held(
        self, checked: EvaluationRun, the_ward: Ward, staff: dict[str, Any]
    ) -> None:
        person = the_ward.people["a1a"].pk
        url = f"/api/v1/facilities/ward/ledger/people/{person}/days/2020-01-01"
        response = api(staff[Role.INSPECTOR]).get(url)
        assert (response.status_code, response.json()["code"]) == (404, "NOT_IN_LEDGER")


class TestHappyPath:
    def test_an_inspector_runs_a_check_and_reads_every_rule(
        self, the_ward: Ward, staff: dict[str, Any]
    ) -> None:
        the_ward.settle(no_notice=["a2a"])
        client = api(staff[Role.INSPECTOR])
        response = post(
            client, "/api/v1/facilities/ward/standards/runs", {"from": str(D0), "to": str(LAST)}
        )
        assert response.status_code == 201
        body = response.json()
        assert body["rules_breached"] == 1
        assert len(body["findings"]) == 23  # every rule, whatever the facility
        by_rule = {x["rule"]: x for x in body["findings"]}
        assert by_rule["NMR-68"]["status"] == "breached"
        assert by_rule["NMR-68"]["people"] == 1
        assert len(body["ledger_hash"]) == 64
        event = AuditEvent.objects.get(action="standards.check")
        assert event.actor_label == "insp"
        assert event.after["breached"] == ["NMR-68"]

    def test_a_finding_down_to_a_persons_day_and_its_records(
        self, checked: EvaluationRun, the_ward: Ward, staff: dict[str, Any]
    ) -> None:
        client = api(staff[Role.GOVERNOR])
        base = f"/api/v1/facilities/ward/standards/runs/{checked.pk}/findings/NMR-30"
        finding = client.get(base).json()
        assert (finding["status"], finding["people"], finding["person_days"]) == ("breached", 1, 1)
        assert finding["cells_in_breach"] == [
            {"cell": "B-1", "unit": "B", "person_days": 1, "person_days_judged": 2}
        ]
        people = client.get(f"{base}/people").json()
        person = the_ward.people["b1b"]
        assert people["total"] == 1
        assert people["people"][0]["custody_number"] == person.custody_number
        days = client.get(f"{base}/people/{person.pk}").json()["days"]
        assert [d["day"] for d in days] == [str(D0)]
        record = client.get(f"/api/v1/facilities/ward/ledger/people/{person.pk}/days/{D0}").json()
        assert record["ledger"]["minutes_to_examination"] is None
        assert {r["kind"] for r in record["records"]["custody"]} >= {"stay", "authority"}
        assert record["records"]["cell"][0]["text"] == "B-1"

    def test_the_rules_and_profiles_as_data(self, the_ward: Ward, staff: dict[str, Any]) -> None:
        client = api(staff[Role.INSPECTOR])
        rules = client.get("/api/v1/standards/rules").json()
        assert [r["id"] for r in rules][:3] == ["NMR-07a", "NMR-11", "W-01"]
        assert rules[2]["definition"]["params"] == ["shared_m2", "single_m2"]
        profiles = {p["code"]: p for p in client.get("/api/v1/standards/profiles").json()}
        assert set(profiles) == {"mandela", "icrc", "cpt", "national"}
        assert profiles["cpt"]["versions"][0]["thresholds"]["W-01"] == {
            "shared_m2": "4.0",
            "single_m2": "6.0",
        }

    def test_a_ledger_build(self, the_ward: Ward, staff: dict[str, Any]) -> None:
        the_ward.settle()
        response = post(
            api(staff[Role.GOVERNOR]),
            "/api/v1/facilities/ward/ledger/builds",
            {"from": str(D0), "to": str(day(9))},
        )
        assert response.status_code == 201
        assert response.json()["person_days"] == 8 * 10
        rows = api(staff[Role.GOVERNOR]).get(
            f"/api/v1/facilities/ward/ledger/people/{the_ward.people['a1a'].pk}"
            f"?since={D0}&until={day(9)}"
        )
        assert len(rows.json()) == 10

    def test_the_same_records_give_the_same_verdict(self, the_ward: Ward) -> None:
        the_ward.settle(no_exam=["a1a"])
        first, second = the_ward.check(), the_ward.check()
        assert (first.ledger_hash, first.findings_hash) == (
            second.ledger_hash,
            second.findings_hash,
        )
        assert breaches(first) == breaches(second) == {"NMR-30": (1, 1)}
        assert first.ledger_rows == 8 * DAYS
