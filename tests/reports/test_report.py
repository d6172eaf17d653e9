"""The inspection report: rendered from a run, its sections checked; the PDF is a PDF; the command
writes it; the page serves it under a Content-Security-Policy that allows its own stylesheet only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from habeas.accounts.roles import Role
from habeas.audit.models import AuditEvent
from habeas.core import clock
from habeas.reports import inspection
from habeas.standards.models import EvaluationRun
from tests import factories as f
from tests.regime.support import page
from tests.standards.support import D0, LAST, Ward

pytestmark = pytest.mark.django_db

SECTIONS = ["cover", "summary", "facility", "findings", "method", "annex"]


@pytest.fixture
def checked(the_ward: Ward) -> EvaluationRun:
    the_ward.settle(no_exam=["b1b"], no_notice=["a2a"])
    return the_ward.check()


class TestTheReport:
    def test_has_its_sections_dated_with_the_profile_and_the_ledger_hash(
        self, checked: EvaluationRun
    ) -> None:
        html = inspection.render_html(checked, generated_at=clock.now())
        for section in SECTIONS:
            assert f'id="{section}"' in html, section
        assert checked.ledger_hash in html
        assert checked.findings_hash in html
        assert "Nelson Mandela Rules (with ICRC figures) — version 1" in html
        assert re.search(r'data-testid="dated">2026-03-25 20:00', html)
        # Every rule is written up, with its source and its query.
        for code in ("NMR-07a", "NMR-30", "NMR-68", "W-04", "W-09"):
            assert f'id="{code}"' in html
        assert "UN General Assembly resolution 70/175" in html
        assert "minutes_to_examination IS NULL" in html
        # Self-contained: its stylesheet inside, charts as inline SVG, nothing fetched.
        assert "<style>" in html and "<svg" in html
        assert "src=" not in html and "<link" not in html

    def test_names_the_breaches_in_its_summary(self, checked: EvaluationRun) -> None:
        html = inspection.render_html(checked, generated_at=clock.now())
        summary = html.split('id="summary"')[1].split('id="facility"')[0]
        assert 'href="#NMR-30"' in summary and 'href="#NMR-68"' in summary
        assert 'href="#W-01"' not in summary

    def test_is_a_pdf_a_person_can_read(self, checked: EvaluationRun) -> None:
        from weasyprint import HTML

        html = inspection.render_html(checked, generated_at=clock.now())
        assert inspection.render_pdf(html).startswith(b"%PDF-")
        document = HTML(string=html).render()
        assert len(document.pages) >= 5  # a cover, the summary, the findings, the annex
        first = document.pages[0]._page_box.descendants()  # the cover page's boxes
        text = " ".join(getattr(b, "text", "") for b in first if hasattr(b, "text"))
        assert "Inspection report" in text.replace("INSPECTION REPORT", "Inspection report")


class TestTheCommand:
    def test_writes_the_pdf(
        self, the_ward: Ward, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        the_ward.settle()
        out = tmp_path / "ward.pdf"
        call_command(
            "report",
            facility="ward",
            first=str(D0),
            last=str(LAST),
            format="pdf",
            output=str(out),
            json=True,
        )
        answer = json.loads(capsys.readouterr().out)
        assert out.read_bytes().startswith(b"%PDF-")
        run = EvaluationRun.objects.get()
        assert answer == {
            "file": str(out),
            "format": "pdf",
            "run": run.pk,
            "ledger_hash": run.ledger_hash,
            "findings_hash": run.findings_hash,
            "rules_breached": 0,
        }
        assert AuditEvent.objects.filter(action="reports.inspection").count() == 1

    def test_refuses_a_directory_that_does_not_exist(self, the_ward: Ward, tmp_path: Path) -> None:
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("report", facility="ward", output=str(tmp_path / "no" / "r.html"))
        assert not EvaluationRun.objects.exists()


class TestThePage:
    def test_serves_the_html_with_only_its_own_stylesheet_allowed(
        self, checked: EvaluationRun, the_ward: Ward
    ) -> None:
        inspector = f.user("insp", Role.INSPECTOR, the_ward.facility)
        response = page(inspector).get(f"/facilities/ward/reports/inspection/{checked.pk}/")
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert inspection.CSS_HASH in policy
        assert "'unsafe-inline'" not in policy
        assert AuditEvent.objects.get(action="reports.inspection").actor_label == "insp"

    def test_serves_the_pdf_as_a_download(self, checked: EvaluationRun, the_ward: Ward) -> None:
        governor = f.user("gob", Role.GOVERNOR, the_ward.facility)
        response = page(governor).get(
            f"/facilities/ward/reports/inspection/{checked.pk}/?format=pdf"
        )
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert response.content.startswith(b"%PDF-")
