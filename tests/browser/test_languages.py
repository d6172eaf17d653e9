"""Habeas in Spanish and English in a real browser (issue #9): a Spanish-speaking custody officer
signs in and admits a person — every label, message and refusal in Spanish — and the same flow
in English; the language switch on every page; the profile's language wins over the browser's.

A custody officer needs no second factor (HABEAS_SECOND_FACTOR_ROLES: governors, administrators,
inspectors), so these tests sign in with a password alone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from playwright.sync_api import expect

from habeas.accounts.models import User
from habeas.accounts.services import set_language
from habeas.core import clock
from tests import factories as f
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: What a person reads in each language along the admission (the English is the site's own text).
WORDS = {
    "es": {
        "user": "Nombre de usuario",
        "password": "Contraseña",
        "sign_in": "Iniciar sesión",
        "intake": "Ingreso",
        "heading": "Ingresar a una persona",
        "given": "Nombres",
        "family": "Apellidos",
        "born": "Fecha de nacimiento",
        "document": "Número de documento",
        "kind": "Tipo de autoridad legal",
        "issued_by": "Emitida por",
        "reference": "Referencia",
        "issued_on": "Emitida el",
        "valid_from": "Válida desde",
        "review": "Control judicial a más tardar",
        "place": "Lugar de la captura",
        "cell": "Celda",
        "admit": "Ingresar",
        "refusal": "Una persona de 16 años no puede estar en un centro de adultos (Regla 11 de las "
        "Reglas Mandela).",
        "admitted": re.compile(r"^\d{4}-\d{6}-\d ingresó a la celda A-2\.$"),
        "in_custody": "Privado de libertad en north",
        "authority_valid": "Autoridad legal: válida",
        "roll": "Recuento",
        "tile": re.compile(r"^Celda A-2: 1 de 4"),
        "sign_out": "Cerrar sesión",
    },
    "en": {
        "user": "User name",
        "password": "Password",
        "sign_in": "Sign in",
        "intake": "Intake",
        "heading": "Admit a person",
        "given": "Given names",
        "family": "Family names",
        "born": "Date of birth",
        "document": "Document number",
        "kind": "Kind of authority",
        "issued_by": "Issued by",
        "reference": "Reference",
        "issued_on": "Issued on",
        "valid_from": "Valid from",
        "review": "Judicial review due by",
        "place": "Place of arrest",
        "cell": "Cell",
        "admit": "Admit",
        "refusal": "A person aged 16 cannot be held in an adult facility (Mandela Rule 11).",
        "admitted": re.compile(r"^Admitted \d{4}-\d{6}-\d to cell A-2\.$"),
        "in_custody": "In custody at north",
        "authority_valid": "Lawful authority: valid",
        "roll": "Roll",
        "tile": re.compile(r"^Cell A-2: 1 of 4"),
        "sign_out": "Sign out",
    },
}


@pytest.fixture
def browser_in(browser: Any, settings: Any, live_server: Any) -> Iterator[Any]:
    """A page factory: a browser whose own language is ``locale`` (Accept-Language)."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    contexts = []

    def open_page(locale: str) -> Any:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def speaks(user: User, language: str) -> User:
    with transaction.atomic():
        return set_language(user=user, language=language, actor=f.SYSTEM, at=clock.now())


def sign_in(page: Any, user: User, w: dict[str, Any]) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name=w["sign_in"])).to_be_visible()
    page.get_by_label(w["user"]).fill(user.username)
    page.get_by_label(w["password"]).fill(f.PASSWORD)
    page.get_by_role("button", name=w["sign_in"]).click()
    page.wait_for_url(re.compile(r"/facilities/"))


def admit(page: Any, w: dict[str, Any]) -> None:
    """The admission of test_site.py, first refused (a boy of 16 for an adult facility: Mandela
    Rule 11), then completed with the right date of birth."""
    page.get_by_role("link", name=w["intake"], exact=True).click()
    expect(page.get_by_role("heading", name=w["heading"])).to_be_visible()
    start = clock.now().astimezone(dt.timezone(dt.timedelta(hours=-6))) - dt.timedelta(hours=3)
    sixteen = clock.now().date().replace(year=clock.now().year - 16) - dt.timedelta(days=30)
    page.get_by_label(w["given"]).fill("Mario Ernesto")
    page.get_by_label(w["family"]).fill("Rivera Ayala")
    page.get_by_label(w["born"]).fill(sixteen.isoformat())
    page.get_by_label(w["document"]).fill("04567890-1")
    page.get_by_label(w["kind"]).select_option("administrative_detention")
    page.get_by_label(w["issued_by"], exact=True).fill("Policía Nacional Civil")
    page.get_by_label(w["reference"], exact=True).fill("PNC-RE-2026-1")
    page.get_by_label(w["issued_on"]).fill(start.date().isoformat())
    page.get_by_label(w["valid_from"]).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(w["review"], exact=False).fill(
        (start + dt.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label(w["place"]).fill("Soyapango")
    page.get_by_label("MS-13").check()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name=w["admit"], exact=True).click()
    # Refused: the rule's message, in the page's language; the form keeps what was typed.
    expect(page.get_by_text(w["refusal"]).first).to_be_visible()
    assert page.get_by_label(w["given"]).input_value() == "Mario Ernesto"
    page.get_by_label(w["born"]).fill("1994-07-12")
    page.get_by_label(w["born"]).dispatch_event("change")
    page.wait_for_load_state("networkidle")  # the cell list follows the profile (htmx)
    page.get_by_label(w["cell"], exact=True).select_option("A-2")
    page.get_by_role("button", name=w["admit"], exact=True).click()
    page.wait_for_url(re.compile(r"/people/\d+/"))
    expect(page.get_by_role("heading", name="Mario Ernesto Rivera Ayala")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=w["admitted"])).to_be_visible()
    expect(page.get_by_text(w["in_custody"])).to_be_visible()
    expect(page.get_by_text(w["authority_valid"])).to_be_visible()
    page.get_by_role("link", name=w["roll"], exact=True).click()
    expect(page.get_by_role("link", name=w["tile"])).to_be_visible()
    expect(page.get_by_role("button", name=w["sign_out"])).to_be_visible()


class TestAnAdmission:
    def test_a_spanish_speaking_officer_admits_in_spanish(
        self, browser_in: Any, cast: Cast
    ) -> None:
        officer = speaks(cast.custody, "es")
        page = browser_in("es-SV")
        sign_in(page, officer, WORDS["es"])
        expect(page.locator("html")).to_have_attribute("lang", "es")
        admit(page, WORDS["es"])

    def test_an_english_speaking_officer_admits_in_english(
        self, browser_in: Any, cast: Cast
    ) -> None:
        page = browser_in("en-GB")
        sign_in(page, cast.custody, WORDS["en"])
        expect(page.locator("html")).to_have_attribute("lang", "en")
        admit(page, WORDS["en"])


class TestTheLanguage:
    def test_the_profile_wins_over_the_browser(self, browser_in: Any, cast: Cast) -> None:
        officer = speaks(cast.custody, "es")
        page = browser_in("en-GB")
        sign_in(page, officer, WORDS["en"])  # the sign-in page follows the browser
        expect(page.get_by_role("link", name="Recuento", exact=True)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "es")

    def test_the_switch_on_every_page_changes_the_language_and_the_profile(
        self, browser_in: Any, cast: Cast
    ) -> None:
        page = browser_in("en-GB")
        sign_in(page, cast.custody, WORDS["en"])
        page.get_by_role("link", name="Roll", exact=True).click()
        roll = page.url
        page.get_by_label("Language").select_option("es")  # submits itself (habeas.js)
        expect(page.get_by_role("link", name="Recuento", exact=True)).to_be_visible()
        assert page.url == roll  # back on the same page
        cast.custody.refresh_from_db()
        assert cast.custody.language == "es"
        page.get_by_label("Idioma").select_option("en")
        expect(page.get_by_role("link", name="Roll", exact=True)).to_be_visible()

    def test_the_sign_in_page_follows_the_browser_and_the_switch(
        self, browser_in: Any, cast: Cast
    ) -> None:
        page = browser_in("es-SV")
        page.goto("/accounts/login/")
        expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
        page.get_by_label("Idioma").select_option("en")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    def test_the_profile_page_sets_the_language(self, browser_in: Any, cast: Cast) -> None:
        page = browser_in("en-GB")
        sign_in(page, cast.custody, WORDS["en"])
        page.get_by_role("link", name="Ana", exact=True).click()
        expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
        page.locator("#id_language").select_option("es")  # the profile form, not the switch
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="Su perfil")).to_be_visible()
        expect(page.get_by_text("Su idioma quedó guardado.")).to_be_visible()
        cast.custody.refresh_from_db()
        assert cast.custody.language == "es"
