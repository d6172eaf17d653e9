"""Pages of the roll: security (sign-in, facility scoping), validation (unknown ids), happy path."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings as djsettings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from habeas.accounts.models import User
from habeas.core import clock
from habeas.housing import board, selectors
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestSecurity:
    @pytest.mark.parametrize(
        "url",
        [
            "/",
            "/facilities/north/",
            "/facilities/north/units/A/",
            "/facilities/north/cells/A-1/",
            "/facilities/north/roll/without-authority/",
        ],
    )
    def test_requires_sign_in(self, cast: Cast, url: str) -> None:
        r = Client().get(url)
        assert r.status_code == 302
        assert r["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize(
        "url", ["/facilities/north/", "/facilities/north/units/A/", "/facilities/north/cells/A-1/"]
    )
    def test_hides_another_facility(self, cast: Cast, url: str) -> None:
        assert signed_in(cast.south_officer).get(url).status_code == 404

    def test_health_staff_do_not_see_group_affiliations(self, cast: Cast) -> None:
        f.admit_person(cast.north, cell="A-1", groups=("ms13",))
        r = signed_in(cast.health).get("/facilities/north/cells/A-1/")
        assert r.status_code == 200
        assert r.context["show_groups"] is False
        assert "ms13" not in r.content.decode()


class TestValidation:
    def test_unknown_cell_is_404(self, cast: Cast) -> None:
        assert signed_in(cast.custody).get("/facilities/north/cells/Z-9/").status_code == 404

    def test_unknown_unit_is_404(self, cast: Cast) -> None:
        assert signed_in(cast.custody).get("/facilities/north/units/Z/").status_code == 404

    def test_unknown_list_is_404(self, cast: Cast) -> None:
        assert signed_in(cast.custody).get("/facilities/north/roll/nothing/").status_code == 404


class TestRollBoard:
    def test_home_goes_to_the_users_facility(self, cast: Cast) -> None:
        r = signed_in(cast.south_officer).get("/")
        assert r["Location"] == "/facilities/south/"

    def test_shows_each_cell_coloured_by_space_per_person(self, cast: Cast) -> None:
        for _ in range(4):
            f.admit_person(cast.north, cell="A-1")  # 20 m² / 4 = 5 m²: ok
        r = signed_in(cast.custody).get("/facilities/north/")
        assert r.status_code == 200
        assert "housing/roll.html" in [t.name for t in r.templates]
        cells = {c.code: c for c in r.context["roll"].cells}
        assert (cells["A-1"].occupancy, cells["A-1"].level) == (4, "ok")
        assert cells["A-2"].level == "empty"
        assert 'class="tile ok"' in r.content.decode()

    def test_shows_people_without_valid_authority_in_red(self, cast: Cast) -> None:
        import datetime as dt

        import time_machine

        from habeas.core import clock

        done = f.admit_person(
            cast.north, cell="A-1", kind="administrative_detention", review_days=2
        )
        with time_machine.travel(clock.now() + dt.timedelta(days=3)):
            client = signed_in(cast.governor)
            r = client.get("/facilities/north/")
            assert len(r.context["roll"].without_authority) == 1
            assert 'class="alarm-box"' in r.content.decode()
            listed = client.get("/facilities/north/roll/without-authority/")
            assert done.custody_number in listed.content.decode()

    def test_the_cell_page_lists_its_occupants(self, cast: Cast) -> None:
        done = f.admit_person(cast.north, cell="A-2", groups=("b18s",))
        r = signed_in(cast.custody).get("/facilities/north/cells/A-2/")
        assert [o.custody_number for o in r.context["occupants"]] == [done.custody_number]
        assert r.context["occupants"][0].groups == ["b18s"]

    def test_the_board_uses_a_bounded_number_of_queries(
        self, cast: Cast, django_assert_max_num_queries: object
    ) -> None:
        for code in ("A-1", "A-2", "B-1"):
            f.admit_person(cast.north, cell=code)
        client = signed_in(cast.custody)
        client.get("/facilities/north/")  # warm the session
        f.admit_person(cast.north, cell="A-3")
        with django_assert_max_num_queries(11):  # type: ignore[operator]
            r = client.get("/facilities/north/")
        assert r.context["roll"].in_custody == 4

    def test_who_is_asking_costs_three_queries(self, cast: Cast) -> None:
        """Before the board itself: the session, the user read with whether they have a second
        factor, and the user's facilities read once for the page's checks and its shell."""
        client = signed_in(cast.custody)
        client.get("/facilities/north/")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            client.get("/facilities/north/")
        # The table each query reads from (the last FROM: the device is asked in a subquery).
        tables = [re.findall(r'FROM "(\w+)"', q["sql"])[-1] for q in queries.captured_queries]
        assert tables[:3] == ["django_session", "accounts_user", "estate_facility"]
        assert "otp_totp_totpdevice" in queries.captured_queries[1]["sql"]
        assert "otp_totp_totpdevice" not in tables
        assert tables.count("estate_facility") == 1


def forget() -> None:
    """No roll and no drawn board kept from another test."""
    board.forget()


def in_custody(html: str) -> int:
    found = re.search(r"<dt>In custody</dt><dd>(\d+)</dd>", html)
    assert found, "the board shows how many are in custody"
    return int(found.group(1))


class TestRollBoardReuse:
    """A shift watches one board: its pages reuse a roll for HABEAS_ROLL_BOARD_SECONDS, shared by
    every worker process, and say so; the API computes the roll on every request."""

    def test_reuses_a_roll_for_a_few_seconds_then_recomputes_it(
        self, cast: Cast, settings: Any
    ) -> None:
        settings.HABEAS_ROLL_BOARD_SECONDS = 5
        forget()
        f.admit_person(cast.north, cell="A-1")
        client = signed_in(cast.custody)
        start = clock.now() + dt.timedelta(seconds=1)
        try:
            with time_machine.travel(start, tick=False):
                first = client.get("/facilities/north/")
            html = first.content.decode()
            assert first.context["roll"].in_custody == in_custody(html) == 1
            assert "Recomputed at most every 5 seconds" in html
            f.admit_person(cast.north, cell="A-2")
            with time_machine.travel(start + dt.timedelta(seconds=3), tick=False):
                reused = client.get("/facilities/north/")
                unit = client.get("/facilities/north/units/A/")
                api = client.get("/api/v1/facilities/north/roll")
            assert reused.context["roll"] is None, "not computed again"
            assert in_custody(reused.content.decode()) == 1
            assert reused.context["at"] == first.context["roll"].at, "shows when computed"
            assert unit.context["roll"].in_custody == 1, "the unit page shows the same roll"
            assert api.json()["in_custody"] == 2, "the API computes it every time"
            with time_machine.travel(start + dt.timedelta(seconds=6), tick=False):
                later = client.get("/facilities/north/")
            assert later.context["roll"].in_custody == in_custody(later.content.decode()) == 2
        finally:
            forget()

    def test_every_worker_process_shares_the_board(self, cast: Cast, settings: Any) -> None:
        """What one worker computed, another finds: the board is kept in the shared cache (files
        under HABEAS_CACHE_DIR), not in a process's memory."""
        settings.HABEAS_ROLL_BOARD_SECONDS = 5
        forget()
        f.admit_person(cast.north, cell="A-1")
        try:
            first = signed_in(cast.custody).get("/facilities/north/")
            another_worker = FileBasedCache(
                djsettings.CACHES["shared"]["LOCATION"],
                {"KEY_PREFIX": djsettings.CACHES["shared"]["KEY_PREFIX"]},
            )
            key = f"habeas:roll-board:{cast.north.pk}:page:en"
            at, html = another_worker.get(key)
            assert at == first.context["roll"].at
            assert html in first.content.decode()
        finally:
            forget()

    def test_the_board_is_rendered_once_per_roll_and_language(
        self, cast: Cast, settings: Any
    ) -> None:
        """The tiles are the same for everyone who may see the board: while a roll is reused its
        rendered board is too (the same HTML, not drawn again), but each language has its own."""
        settings.HABEAS_ROLL_BOARD_SECONDS = 5
        forget()
        f.admit_person(cast.north, cell="A-1")
        client = signed_in(cast.custody)
        start = clock.now() + dt.timedelta(seconds=1)
        drawn: list[str] = []
        label = selectors.CellRoll.tile_label

        def counting(cell: selectors.CellRoll) -> str:
            drawn.append(cell.code)
            return label.fget(cell)  # type: ignore[attr-defined,no-any-return]

        try:
            with time_machine.travel(start, tick=False), pytest.MonkeyPatch.context() as mp:
                mp.setattr(selectors.CellRoll, "tile_label", property(counting))
                first = client.get("/facilities/north/").content.decode()
                tiles = len(drawn)
                again = client.get("/facilities/north/").content.decode()
                assert len(drawn) == tiles > 0, "the second request drew no tile"
                cast.custody.language = "es"
                cast.custody.save(update_fields=["language"])
                spanish = client.get("/facilities/north/").content.decode()
                assert len(drawn) == 2 * tiles, "a new language draws the board again"
            drawn_html = first[first.index('<dl class="totals">') :]
            assert drawn_html == again[again.index('<dl class="totals">') :]
            assert 'aria-label="Cell A-1: 1 of' in first
            assert 'aria-label="Celda A-1: 1 de' in spanish
        finally:
            forget()

    def test_a_cell_page_is_always_computed(self, cast: Cast, settings: Any) -> None:
        settings.HABEAS_ROLL_BOARD_SECONDS = 60
        forget()
        client = signed_in(cast.custody)
        try:
            client.get("/facilities/north/")
            f.admit_person(cast.north, cell="A-2")
            r = client.get("/facilities/north/cells/A-2/")
            assert r.context["cell_roll"].occupancy == len(r.context["occupants"]) == 1
        finally:
            forget()
