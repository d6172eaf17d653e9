"""The second factor (TOTP), recovery codes, re-authentication before a change of access, and a
disabled user's sessions and tokens ending at once — under the production policy (issue #8)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts import second_factor as sf
from habeas.accounts.models import ApiToken, RecoveryCode, User
from habeas.accounts.services import issue_token
from habeas.audit.models import AuditEvent
from habeas.audit.selectors import verify
from habeas.core import clock
from habeas.core.errors import RuleViolation
from tests import factories as f
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor]


def code(device: TOTPDevice, drift: int = 0) -> str:
    """The code the phone shows now (``drift`` steps of 30 s later), computed with the library."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def enrolled_device(user: User) -> tuple[TOTPDevice, list[str]]:
    device = sf.totp_device(user)
    with transaction.atomic():
        codes = sf.confirm_enrolment(
            user=user, device=device, token=code(device), actor=f.SYSTEM, at=clock.now()
        )
    device.refresh_from_db()
    return device, codes


def password_only(user: User) -> Client:
    client = Client()
    r = client.post("/accounts/login/", {"username": user.username, "password": f.PASSWORD})
    assert r.status_code == 302
    return client


def signed_in(user: User, device: TOTPDevice) -> Client:
    client = password_only(user)
    r = client.post("/accounts/verify/", {"token": code(device, drift=1), "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    return client


class TestPolicy:
    def test_the_production_default_requires_governors_administrators_and_inspectors(
        self,
    ) -> None:
        from habeas import settings as module

        assert set(module.DEFAULT_SECOND_FACTOR_ROLES.split(",")) == {
            "governor",
            "administrator",
            "inspector",
        }

    def test_a_governor_without_a_device_is_sent_to_enrol_after_the_password(
        self, cast: Cast
    ) -> None:
        client = password_only(cast.governor)
        r = client.get("/facilities/north/")
        assert r.status_code == 302
        assert r["Location"].startswith("/accounts/second-factor/")

    def test_a_custody_officer_is_not_asked_by_default(self, cast: Cast) -> None:
        client = password_only(cast.custody)
        assert client.get("/facilities/north/").status_code == 200

    def test_an_officer_who_enrolled_is_asked_for_the_code(self, cast: Cast) -> None:
        enrolled_device(cast.custody)
        client = password_only(cast.custody)
        r = client.get("/facilities/north/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/verify/")

    def test_the_policy_is_a_setting(self, cast: Cast, settings: Any) -> None:
        settings.HABEAS_SECOND_FACTOR_ROLES = ["governor", "custody_officer"]
        r = password_only(cast.custody).get("/facilities/north/")
        assert r["Location"].startswith("/accounts/second-factor/")


class TestEnrol:
    def test_shows_a_server_drawn_qr_code_under_the_strict_policy(self, cast: Cast) -> None:
        client = password_only(cast.governor)
        r = client.get("/accounts/second-factor/")
        assert r.status_code == 200
        assert r.context["qr_data_uri"].startswith("data:image/svg+xml;base64,")
        assert "script-src 'self'" in r["Content-Security-Policy"]
        assert "<script>" not in r.content.decode()

    def test_a_right_code_confirms_the_device_and_shows_recovery_codes_once(
        self, cast: Cast
    ) -> None:
        client = password_only(cast.governor)
        client.get("/accounts/second-factor/")
        device = TOTPDevice.objects.get(user=cast.governor)
        r = client.post("/accounts/second-factor/", {"token": code(device), "next": "/"})
        assert r.status_code == 200
        codes = r.context["codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        device.refresh_from_db()
        assert device.confirmed
        stored = list(RecoveryCode.objects.filter(user=cast.governor))
        assert len(stored) == 10
        assert not {c.digest for c in stored} & set(codes), "only hashes are kept"
        assert client.get("/facilities/north/").status_code == 200  # this session passed
        assert AuditEvent.objects.filter(action="user.second_factor.enrol").count() == 1

    def test_a_wrong_code_is_refused(self, cast: Cast) -> None:
        client = password_only(cast.governor)
        client.get("/accounts/second-factor/")
        r = client.post("/accounts/second-factor/", {"token": "000000"})
        assert r.status_code == 200 and r.context["form"].errors
        assert not TOTPDevice.objects.get(user=cast.governor).confirmed
        assert client.get("/facilities/north/").status_code == 302


class TestVerify:
    def test_password_then_code_signs_in(self, cast: Cast) -> None:
        device, _codes = enrolled_device(cast.governor)
        client = signed_in(cast.governor, device)
        assert client.get("/facilities/north/").status_code == 200

    def test_a_wrong_code_keeps_the_session_out(self, cast: Cast) -> None:
        enrolled_device(cast.governor)
        client = password_only(cast.governor)
        r = client.post("/accounts/verify/", {"token": "123456"})
        assert r.status_code == 200 and r.context["form"].errors
        assert client.get("/facilities/north/").status_code == 302

    def test_a_recovery_code_works_once_and_is_audited(self, cast: Cast) -> None:
        _device, codes = enrolled_device(cast.inspector)
        client = password_only(cast.inspector)
        r = client.post("/accounts/verify/", {"token": codes[3].upper(), "next": "/"})
        assert r.status_code == 302
        assert RecoveryCode.objects.filter(user=cast.inspector, used_at__isnull=False).count() == 1
        event = AuditEvent.objects.get(action="user.recovery_code.use")
        assert event.after == {"username": "elena", "left": 9}
        again = password_only(cast.inspector)
        r = again.post("/accounts/verify/", {"token": codes[3]})
        assert r.status_code == 200 and r.context["form"].errors

    def test_the_api_refuses_a_session_that_owes_its_second_factor(self, cast: Cast) -> None:
        device, _codes = enrolled_device(cast.governor)
        client = password_only(cast.governor)
        assert client.get("/api/v1/facilities/north/roll").status_code == 401
        r = client.post("/accounts/verify/", {"token": code(device, drift=1)})
        assert r.status_code == 302
        assert client.get("/api/v1/facilities/north/roll").status_code == 200


class TestTokens:
    def test_are_not_issued_to_a_user_who_lacks_a_required_second_factor(self, cast: Cast) -> None:
        with pytest.raises(RuleViolation) as refused, transaction.atomic():
            issue_token(user=cast.governor, name="script", actor=f.SYSTEM, at=clock.now())
        assert refused.value.code == "SECOND_FACTOR_REQUIRED"
        assert not ApiToken.objects.filter(user=cast.governor).exists()

    def test_work_for_programs_once_the_user_has_the_second_factor(self, cast: Cast) -> None:
        enrolled_device(cast.governor)
        with transaction.atomic():
            _t, raw = issue_token(user=cast.governor, name="script", actor=f.SYSTEM, at=clock.now())
        r = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/facilities/north/roll")
        assert r.status_code == 200


def admin_client(cast: Cast) -> tuple[Client, TOTPDevice]:
    device, _codes = enrolled_device(cast.admin)
    return signed_in(cast.admin, device), device


class TestChangeOfAccess:
    def body(self, cast: Cast, role: str = "governor") -> dict[str, Any]:
        return {"role": role, "facilities": [cast.north.pk], "reason": "promoted"}

    def test_needs_password_and_code_again_first(self, cast: Cast) -> None:
        client, _device = admin_client(cast)
        r = client.post(f"/accounts/users/{cast.custody.pk}/", self.body(cast))
        assert r.status_code == 302 and r["Location"].startswith("/accounts/reauthenticate/")
        cast.custody.refresh_from_db()
        assert cast.custody.role == "custody_officer"
        assert not AuditEvent.objects.filter(action="user.access").exists()

    def test_after_re_authentication_changes_role_and_facilities_and_audits_it(
        self, cast: Cast
    ) -> None:
        client, device = admin_client(cast)
        r = client.post(
            "/accounts/reauthenticate/",
            {"password": f.PASSWORD, "token": code(device, drift=2), "next": "/accounts/users/"},
        )
        assert r.status_code == 302 and r["Location"] == "/accounts/users/"
        body = {"role": "records_officer", "facilities": [cast.north.pk, cast.south.pk]}
        r = client.post(f"/accounts/users/{cast.custody.pk}/", {**body, "reason": "moved"})
        assert r.status_code == 302
        cast.custody.refresh_from_db()
        assert cast.custody.role == "records_officer"
        assert set(cast.custody.facilities.values_list("code", flat=True)) == {"north", "south"}
        event = AuditEvent.objects.get(action="user.access")
        assert event.before == {"role": "custody_officer", "facilities": ["north"]}
        assert event.after == {"role": "records_officer", "facilities": ["north", "south"]}
        assert (event.actor_id, event.reason) == (cast.admin.pk, "moved")
        assert verify().ok

    def test_a_wrong_password_does_not_count(self, cast: Cast) -> None:
        client, device = admin_client(cast)
        r = client.post(
            "/accounts/reauthenticate/", {"password": "wrong", "token": code(device, drift=2)}
        )
        assert r.status_code == 200 and r.context["form"].errors
        r = client.post(f"/accounts/users/{cast.custody.pk}/", self.body(cast))
        assert r["Location"].startswith("/accounts/reauthenticate/")

    def test_re_authentication_lapses_after_a_few_minutes(self, cast: Cast, settings: Any) -> None:
        client, device = admin_client(cast)
        client.post(
            "/accounts/reauthenticate/", {"password": f.PASSWORD, "token": code(device, drift=2)}
        )
        later = clock.now() + dt.timedelta(seconds=settings.HABEAS_REAUTH_SECONDS + 60)
        with time_machine.travel(later, tick=False):
            r = client.post(f"/accounts/users/{cast.custody.pk}/", self.body(cast))
        assert r.status_code == 302 and r["Location"].startswith("/accounts/reauthenticate/")

    def test_only_administrators_may(self, cast: Cast) -> None:
        device, _codes = enrolled_device(cast.governor)
        client = signed_in(cast.governor, device)
        assert client.get(f"/accounts/users/{cast.custody.pk}/").status_code == 403

    def test_no_one_changes_their_own_access(self, cast: Cast) -> None:
        with pytest.raises(RuleViolation), transaction.atomic():
            sf.change_access(
                user=cast.admin,
                role="governor",
                facilities=[cast.north],
                actor=sf.Actor.of(cast.admin),
                at=clock.now(),
                reason="x",
            )


class TestDisableUser:
    def test_ends_every_session_and_revokes_every_token_at_once(self, cast: Cast) -> None:
        officer = cast.custody
        first, second = password_only(officer), password_only(officer)
        with transaction.atomic():
            _t, raw = issue_token(user=officer, name="scanner", actor=f.SYSTEM, at=clock.now())
        other = password_only(cast.records)
        assert Session.objects.count() == 3
        with transaction.atomic():
            done = sf.disable_user(
                user=officer, actor=sf.Actor.of(cast.admin), at=clock.now(), reason="left"
            )
        assert done == {"tokens_revoked": 1, "sessions_ended": 2}
        assert Session.objects.count() == 1  # only the other user's
        for client in (first, second):
            assert client.get("/facilities/north/").status_code == 302
        api = Client(headers={"Authorization": f"Bearer {raw}"})
        assert api.get("/api/v1/facilities/north/roll").status_code == 401
        assert other.get("/facilities/north/").status_code == 200
        event = AuditEvent.objects.get(action="user.disable")
        assert event.after == {"active": False, "tokens_revoked": 1, "sessions_ended": 2}

    def test_from_the_administrators_page_after_re_authentication(self, cast: Cast) -> None:
        client, device = admin_client(cast)
        victim = password_only(cast.custody)
        client.post(
            "/accounts/reauthenticate/", {"password": f.PASSWORD, "token": code(device, drift=2)}
        )
        r = client.post(f"/accounts/users/{cast.custody.pk}/disable", {"disable-reason": "left"})
        assert r.status_code == 302
        cast.custody.refresh_from_db()
        assert not cast.custody.is_active
        assert victim.get("/facilities/north/").status_code == 302


def test_codes_are_computed_as_a_phone_would(cast: Cast) -> None:
    device, _codes = enrolled_device(cast.governor)
    assert len(code(device)) == 6
    assert abs(time.time() - clock.now().timestamp()) < 5
