"""The inspection report in Spanish and in English (issue #9): the same run written up in the
language asked for — headings, the rules' texts, the profile's name, dates and decimal marks —
as HTML and PDF, from the command (--lang) and from the page (the reader's language)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from habeas.accounts.roles import Role
from habeas.accounts.services import set_language
from habeas.core import clock
from habeas.reports import inspection
from habeas.standards.models import EvaluationRun
from tests import factories as f
from tests.regime.support import page
from tests.standards.support import D0, LAST, Ward

pytestmark = pytest.mark.django_db

SPANISH = [
    "Informe de inspección",
    "1. Resumen",
    "2. El centro penal",
    "3. Hallazgos, estándar por estándar",
    "4. Método y fuentes",
    "Reglas Nelson Mandela (con cifras del CICR) — versión 1",
    "Cada día con una autoridad legal válida",  # NMR-07a's title, stored in English
    "Un examen médico al ingresar",
    "Regla 7 de las Reglas Nelson Mandela (R)",
    "Resolución 70/175 de la Asamblea General de las Naciones Unidas",
    "Cómo verificar este informe",
]
ENGLISH = [
    "Inspection report",
    "1. Summary",
    "3. Findings, standard by standard",
    "Nelson Mandela Rules (with ICRC figures) — version 1",
    "Every day on a valid lawful authority",
    "UN General Assembly resolution 70/175",
]


@pytest.fixture
def checked(the_ward: Ward) -> EvaluationRun:
    the_ward.settle(no_exam=["b1b"], no_notice=["a2a"])
    return the_ward.check()


class TestTheReportInSpanish:
    def test_is_written_in_spanish_with_the_rules_texts(self, checked: EvaluationRun) -> None:
        html = inspection.render_html(checked, generated_at=clock.now(), language="es")
        assert '<html lang="es">' in html
        for text in SPANISH:
            assert text in html, text
        for text in ENGLISH:
            assert text not in html, text
        # Dates in the language's own order and words; the hashes and codes unchanged.
        first = checked.first_day
        assert f"del {first.day} de " in html
        assert checked.ledger_hash in html and 'id="NMR-30"' in html

    def test_writes_shares_with_a_decimal_comma(self, checked: EvaluationRun) -> None:
        spanish = inspection.render_html(checked, generated_at=clock.now(), language="es")
        english = inspection.render_html(checked, generated_at=clock.now(), language="en")
        breached = list(inspection.context(checked, generated_at=clock.now())["breached"])
        assert breached
        for s in breached:
            share = s.share_text  # rendered in the active language (English here)
            if "." in share:
                assert f"{share} %" in english
                assert f"{share.replace('.', ',')} %" in spanish

    def test_is_a_spanish_pdf(self, checked: EvaluationRun) -> None:
        from weasyprint import HTML

        html = inspection.render_html(checked, generated_at=clock.now(), language="es")
        assert inspection.render_pdf(html).startswith(b"%PDF-")
        first = HTML(string=html).render().pages[0]._page_box.descendants()
        text = " ".join(getattr(b, "text", "") for b in first if hasattr(b, "text"))
        assert "informe de inspección" in text.lower()

    def test_is_still_english_by_default(self, checked: EvaluationRun) -> None:
        html = inspection.render_html(checked, generated_at=clock.now())
        assert '<html lang="en">' in html
        for text in ENGLISH:
            assert text in html, text


class TestTheCommandAndThePage:
    def test_the_command_writes_it_in_the_language_asked_for(
        self, the_ward: Ward, tmp_path: Path
    ) -> None:
        the_ward.settle()
        out = tmp_path / "ward.html"
        call_command(
            "report", facility="ward", first=str(D0), last=str(LAST), output=str(out), lang="es"
        )
        html = out.read_text(encoding="utf-8")
        assert "Informe de inspección" in html and "Inspection report" not in html

    def test_the_page_is_in_the_readers_language(
        self, checked: EvaluationRun, the_ward: Ward
    ) -> None:
        inspector = f.user("insp", Role.INSPECTOR, the_ward.facility)
        with transaction.atomic():
            set_language(user=inspector, language="es", actor=f.SYSTEM, at=clock.now())
        url = f"/facilities/ward/reports/inspection/{checked.pk}/"
        html = page(inspector).get(url).content.decode()
        assert "Informe de inspección" in html
        english = page(inspector).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Informe de inspección" in english  # the profile wins over the browser
