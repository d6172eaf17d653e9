"""The site in a real browser: sign in, admit through the form, find the person on the roll
board in their cell, open their record; refusals explained; roles and facilities enforced."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from habeas.accounts.models import User
from habeas.core import clock
from tests import factories as f
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/facilities/"))


def test_a_custody_officer_admits_a_person_and_finds_them_on_the_roll(
    page: Any, cast: Cast
) -> None:
    sign_in(page, cast.custody)
    page.get_by_role("link", name="Intake").click()
    start = clock.now().astimezone(dt.timezone(dt.timedelta(hours=-6))) - dt.timedelta(hours=3)
    page.get_by_label("Given names").fill("Mario Ernesto")
    page.get_by_label("Family names").fill("Rivera Ayala")
    page.get_by_label("Date of birth").fill("1994-07-12")
    page.get_by_label("Document number").fill("04567890-1")
    page.get_by_label("Kind of authority").select_option("administrative_detention")
    page.get_by_label("Issued by", exact=True).fill("Policía Nacional Civil")
    page.get_by_label("Reference").fill("PNC-RE-2026-1")
    page.get_by_label("Issued on").fill(start.date().isoformat())
    page.get_by_label("Valid from").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Judicial review due by", exact=False).fill(
        (start + dt.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Place of arrest").fill("Soyapango")
    page.get_by_label("MS-13").check()
    page.wait_for_load_state("networkidle")  # the cell list follows the profile (htmx)
    page.get_by_label("Cell", exact=True).select_option("A-2")
    page.get_by_role("button", name="Admit").click()
    page.wait_for_url(re.compile(r"/people/\d+/"))
    expect(page.get_by_role("heading", name="Mario Ernesto Rivera Ayala")).to_be_visible()
    custody_number = page.get_by_test_id("custody-number").inner_text()
    page.get_by_role("link", name="Roll").click()
    tile = page.get_by_role("link", name=re.compile(r"^Cell A-2: 1 of 4"))
    expect(tile).to_be_visible()
    tile.click()
    page.get_by_role("link", name=custody_number).click()
    expect(page.get_by_role("heading", name="Mario Ernesto Rivera Ayala")).to_be_visible()
    expect(page.get_by_test_id("custody-number")).to_have_text(custody_number)


def test_a_refused_move_shows_its_reason(page: Any, cast: Cast) -> None:
    f.admit_person(cast.north, cell="A-2", groups=("b18s",))
    done = f.admit_person(cast.north, cell="A-1", groups=("ms13",))
    sign_in(page, cast.custody)
    page.goto(f"/people/{done.person_id}/")
    page.get_by_text("Move to another cell").click()
    page.get_by_label("Move to cell").fill("A-2")
    page.get_by_label("Reason").fill("cell repairs")
    page.get_by_role("button", name="Move").click()
    refusal = page.locator("#move-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("rival")


def test_an_inspector_cannot_reach_the_intake_form(page: Any, cast: Cast) -> None:
    sign_in(page, cast.inspector)
    expect(page.get_by_role("link", name="Roll")).to_be_visible()
    expect(page.get_by_role("link", name="Intake")).to_have_count(0)
    response = page.goto("/facilities/north/intake/")
    assert response is not None and response.status == 403


def test_a_user_of_one_facility_cannot_open_a_person_of_another(page: Any, cast: Cast) -> None:
    done = f.admit_person(cast.north, cell="A-1")
    sign_in(page, cast.south_officer)
    response = page.goto(f"/people/{done.person_id}/")
    assert response is not None and response.status == 404
    api = page.request.get(f"/api/v1/people/{done.person_id}")
    assert api.status == 404


def test_a_governor_previews_and_approves_a_rebalance(page: Any, cast: Cast) -> None:
    from django.db import transaction

    from habeas.estate.models import Cell
    from habeas.estate.services import take_out_of_service

    for _ in range(2):
        f.admit_person(cast.north, cell="A-1")
    with transaction.atomic():
        take_out_of_service(
            cell=Cell.objects.get(facility=cast.north, code="A-1"),
            actor=f.SYSTEM,
            at=clock.now(),
            reason="flooded",
        )
    sign_in(page, cast.governor)
    page.goto("/facilities/north/allocation/?mode=rebalance")
    expect(page.locator("#plan-summary")).to_contain_text("People moved")
    expect(page.locator("#plan-units")).to_contain_text("Unit A")
    page.get_by_label("Reason").fill("A-1 flooded")
    page.get_by_role("button", name="Approve and apply the plan").click()
    page.wait_for_url(re.compile(r"/facilities/north/$"))
    expect(page.get_by_text("Plan applied: 0 placed, 2 moved.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Cell A-1: 0 of 4"))).to_be_visible()


def test_the_move_form_ranks_the_cells_and_explains_the_refused_ones(page: Any, cast: Cast) -> None:
    f.admit_person(cast.north, cell="A-2", groups=("b18s",))
    done = f.admit_person(cast.north, cell="A-1", groups=("ms13",))
    sign_in(page, cast.custody)
    page.goto(f"/people/{done.person_id}/")
    page.get_by_text("Move to another cell").click()
    options = page.locator("#move-options")
    expect(options).to_contain_text("Cells that would accept this person")
    expect(options.locator(".badge.good").first).to_be_visible()
    options.get_by_text("Cells that would refuse, and why").click()
    expect(options).to_contain_text("A-2")
    expect(options).to_contain_text("rival")
