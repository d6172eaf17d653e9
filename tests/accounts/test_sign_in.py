from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from habeas.accounts.models import ApiToken, User
from habeas.audit.models import AuditEvent
from habeas.core import clock
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


class TestSignIn:
    def test_signs_in_with_the_right_password(self, cast: Cast) -> None:
        r = attempt(Client(), "ana", f.PASSWORD)
        assert r.status_code == 302

    def test_refuses_a_wrong_password(self, cast: Cast) -> None:
        r = attempt(Client(), "ana", "not-the-password")
        assert r.status_code == 200
        assert r.context["form"].errors

    def test_locks_the_account_after_repeated_failures(self, cast: Cast, settings: Any) -> None:
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, "ana", "wrong")
        r = attempt(client, "ana", f.PASSWORD)  # even the right password is refused now
        assert r.status_code == 429
        assert "locked" in r.content.decode()
        assert attempt(Client(), "luis", f.PASSWORD).status_code == 302  # others unaffected

    def test_a_session_ends_after_inactivity_and_activity_keeps_it(
        self, cast: Cast, settings: Any
    ) -> None:
        assert settings.SESSION_COOKIE_AGE <= 60 * 60
        client = Client()
        start = clock.now()
        with time_machine.travel(start, tick=False):
            assert attempt(client, "ana", f.PASSWORD).status_code == 302
        idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        # Active every ten minutes for an hour: still signed in, though the hour is longer
        # than the idle limit.
        for minutes in range(10, 70, 10):
            with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
                assert client.get("/").status_code in (200, 302)
                assert client.get("/accounts/profile/").status_code == 200, minutes
        # Then idle for longer than the limit: signed out.
        last = start + dt.timedelta(minutes=60)
        with time_machine.travel(last + idle + dt.timedelta(seconds=61), tick=False):
            r = client.get("/accounts/profile/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")

    def test_a_session_is_written_at_most_once_a_minute(self, cast: Cast) -> None:
        client = Client()
        start = clock.now()
        with time_machine.travel(start, tick=False):
            attempt(client, "ana", f.PASSWORD)
            client.get("/accounts/profile/")  # the first page remembers the facility shown
        key = client.session.session_key
        expiry = Session.objects.get(pk=key).expire_date
        with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
            client.get("/accounts/profile/")
        assert Session.objects.get(pk=key).expire_date == expiry, "not rewritten within a minute"
        with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
            client.get("/accounts/profile/")
        assert Session.objects.get(pk=key).expire_date > expiry, "renewed after a minute"

    def test_passwords_are_hashed_with_argon2_in_production(self) -> None:
        from django.conf import settings as live

        from habeas import settings as module

        assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
        assert live is not None

    def test_pages_send_a_content_security_policy_forbidding_framing(self, cast: Cast) -> None:
        r = Client().get("/accounts/login/")
        policy = r["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy
        assert r["X-Frame-Options"] == "DENY"


class TestUsersCommand:
    def test_creates_an_account_and_prints_its_password_once(
        self, cast: Cast, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command(
            "users_create", "nuevo", role="records_officer", facilities=["north"], json=True
        )
        out = json.loads(capsys.readouterr().out)
        user = User.objects.get(username="nuevo")
        assert user.check_password(out["password"])
        assert user.facility_ids() == {cast.north.pk}
        assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()

    def test_refuses_an_unknown_facility(self, cast: Cast) -> None:
        with pytest.raises(CommandError):
            call_command("users_create", "nuevo", role="governor", facilities=["atlantis"])
        assert not User.objects.filter(username="nuevo").exists()

    def test_issues_a_token_whose_hash_only_is_stored(
        self, cast: Cast, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command("users_token", "ana", name="roll display", json=True)
        raw = json.loads(capsys.readouterr().out)["token"]
        token = ApiToken.objects.get(user=cast.custody)
        assert token.digest == ApiToken.digest_of(raw)
        assert raw not in token.digest
        r = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/facilities")
        assert [fac["code"] for fac in r.json()] == ["north"]
