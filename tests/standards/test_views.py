"""Pages of the standards: security, validation and the happy path (context, not scraping)."""

from __future__ import annotations

from typing import Any

import pytest

from habeas.accounts.roles import Role
from habeas.core.context import person_links
from habeas.standards.models import EvaluationRun
from tests import factories as f
from tests.conftest import Cast
from tests.regime.support import page
from tests.standards.support import D0, LAST, Ward

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(the_ward: Ward) -> EvaluationRun:
    the_ward.settle(no_exam=["b1b"])
    return the_ward.check()


@pytest.fixture
def inspector(the_ward: Ward) -> Any:
    return f.user("insp", Role.INSPECTOR, the_ward.facility)


def pages(run: EvaluationRun, w: Ward) -> list[str]:
    person = w.people["b1b"].pk
    base = f"/facilities/ward/standards/runs/{run.pk}"
    return [
        "/facilities/ward/standards/",
        f"{base}/",
        f"{base}/NMR-30/",
        f"{base}/NMR-30/people/{person}/",
        f"{base}/NMR-30/cells/B-1/",
        f"/facilities/ward/ledger/{person}/{D0}/",
        f"/people/{person}/findings/",
        f"/facilities/ward/reports/inspection/{run.pk}/",
    ]


class TestSecurity:
    def test_sends_anyone_not_signed_in_to_sign_in(
        self, checked: EvaluationRun, the_ward: Ward
    ) -> None:
        for url in pages(checked, the_ward):
            response = page(None).get(url)
            assert response.status_code == 302, url
            assert "/accounts/login" in response["Location"] or "login" in response["Location"]

    def test_refuses_a_custody_officer(self, checked: EvaluationRun, the_ward: Ward) -> None:
        guard = f.user("guard", Role.CUSTODY_OFFICER, the_ward.facility)
        for url in pages(checked, the_ward):
            assert page(guard).get(url).status_code == 403, url

    def test_hides_another_facility(
        self, checked: EvaluationRun, the_ward: Ward, cast: Cast
    ) -> None:
        other = f.user("insp_north", Role.INSPECTOR, cast.north)
        for url in pages(checked, the_ward):
            assert page(other).get(url).status_code == 404, url


class TestValidation:
    def test_an_unknown_run_rule_or_cell(self, checked: EvaluationRun, inspector: Any) -> None:
        base = f"/facilities/ward/standards/runs/{checked.pk}"
        client = page(inspector)
        assert client.get("/facilities/ward/standards/runs/999999/").status_code == 404
        assert client.get(f"{base}/NMR-99/").status_code == 404
        assert client.get(f"{base}/NMR-30/cells/Z-9/").status_code == 404
        assert client.get("/facilities/ward/ledger/1/not-a-day/").status_code == 404

    def test_a_check_of_future_days_is_refused_on_the_form(
        self, the_ward: Ward, inspector: Any
    ) -> None:
        response = page(inspector).post(
            "/facilities/ward/standards/check/",
            {"first": str(D0), "last": "2031-01-01", "profile": "mandela"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not EvaluationRun.objects.exists()


class TestHappyPath:
    def test_the_dashboard_shows_every_rule_to_an_inspector(
        self, checked: EvaluationRun, inspector: Any
    ) -> None:
        response = page(inspector).get("/facilities/ward/standards/")
        assert response.status_code == 200
        assert "standards/dashboard.html" in [t.name for t in response.templates]
        rows = response.context["rows"]
        assert len(rows) == 23  # no facility setting can hide a rule
        assert [r["f"].rule.code for r in response.context["breached"]] == ["NMR-30"]
        assert response.context["run"] == checked
        assert b"<svg" in response.content
        assert b"style=" not in response.content  # the CSP forbids inline styles

    def test_an_inspector_runs_a_check_from_the_page(
        self, the_ward: Ward, inspector: Any, settings: Any
    ) -> None:
        settings.HABEAS_JOBS_INLINE = True  # the job runs within the request, for the test
        the_ward.settle()
        client = page(inspector)
        response = client.post(
            "/facilities/ward/standards/check/",
            {"first": str(D0), "last": str(LAST), "profile": "cpt"},
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/facilities/ward/standards/jobs/")
        done = client.get(response["Location"])
        run = EvaluationRun.objects.get()
        assert done.status_code == 302
        assert done["Location"] == f"/facilities/ward/standards/runs/{run.pk}/"
        polled = client.get(response["Location"], headers={"HX-Request": "true"})
        assert polled["HX-Redirect"] == f"/facilities/ward/standards/runs/{run.pk}/"
        assert (run.profile_version.profile.code, run.actor_label) == ("cpt", "insp")
        other = f.user("other", Role.INSPECTOR, the_ward.facility)
        assert page(other).get(response["Location"]).status_code == 404  # not their job

    def test_a_finding_with_its_trend_its_cells_and_its_people(
        self, checked: EvaluationRun, the_ward: Ward, inspector: Any
    ) -> None:
        response = page(inspector).get(f"/facilities/ward/standards/runs/{checked.pk}/NMR-30/")
        ctx = response.context
        assert ctx["f"].rule.code == "NMR-30"
        assert [c.code for c, _b, _j in ctx["cells"]] == ["B-1"]
        assert [p.person for p in ctx["people"]] == [the_ward.people["b1b"]]
        assert "minutes_to_examination" in ctx["sql"]
        assert "<svg" in ctx["chart"]

    def test_a_persons_days_lead_to_the_records(
        self, checked: EvaluationRun, the_ward: Ward, inspector: Any
    ) -> None:
        person = the_ward.people["b1b"]
        client = page(inspector)
        days = client.get(
            f"/facilities/ward/standards/runs/{checked.pk}/NMR-30/people/{person.pk}/"
        ).context["days"]
        assert [d.day for d in days] == [D0]
        day = client.get(f"/facilities/ward/ledger/{person.pk}/{D0}/")
        groups = {g: records for g, _label, records in day.context["groups"]}
        assert {r.kind for r in groups["custody"]} >= {"stay", "authority"}
        assert "health" not in groups  # no examination: that is the finding
        columns = {g: items for g, _label, items in day.context["columns"]}
        assert (
            "minutes_to_examination",
            "minutes from arrival to the medical examination",
            None,
        ) in columns["events"]

    def test_the_persons_own_tab_of_findings(
        self, checked: EvaluationRun, the_ward: Ward, inspector: Any
    ) -> None:
        person = the_ward.people["b1b"]
        full = page(inspector).get(f"/people/{person.pk}/findings/")
        assert [r.rule.code for r in full.context["rows"]] == ["NMR-30"]
        panel = page(inspector).get(f"/people/{person.pk}/findings/?partial=1")
        assert "standards/person_panel.html" in [t.name for t in panel.templates]
        assert "base.html" not in [t.name for t in panel.templates]
        clean = page(inspector).get(f"/people/{the_ward.people['a1a'].pk}/findings/")
        assert clean.context["rows"] == []

    def test_the_navigation_and_the_person_record_link_to_the_standards(
        self, checked: EvaluationRun, the_ward: Ward, inspector: Any
    ) -> None:
        response = page(inspector).get("/facilities/ward/standards/")
        assert {"label": "Standards", "url": "/facilities/ward/standards/", "active": True} in (
            response.context["nav"]
        )
        person = the_ward.people["b1b"].pk
        assert {"label": "Findings", "url": f"/people/{person}/findings/"} in person_links(
            inspector, person
        )
        guard = f.user("guard", Role.CUSTODY_OFFICER, the_ward.facility)
        assert not [x for x in person_links(guard, person) if x["label"] == "Findings"]
