from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from habeas.accounts.models import ApiToken, User
from habeas.audit.models import AuditEvent
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

    def test_a_session_expires_after_inactivity(self, settings: Any) -> None:
        assert settings.SESSION_COOKIE_AGE <= 60 * 60
        assert settings.SESSION_SAVE_EVERY_REQUEST is True

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
