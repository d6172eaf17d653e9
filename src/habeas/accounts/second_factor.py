"""The second factor for staff (TOTP, django-otp), recovery codes, re-authentication before a
change of access, and ending every session of a disabled user — issue #8.

Policy: the roles in ``HABEAS_SECOND_FACTOR_ROLES`` (governors, administrators and inspectors by
default) must enrol a device and pass it after the password; anyone else who has enrolled one is
asked for it too. API tokens are for programs and carry no second factor, so a token is issued
only to a user who has the second factor when the policy requires it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import ApiToken, RecoveryCode, User
from habeas.accounts.roles import Role
from habeas.audit.services import Actor, Change, record
from habeas.core import clock
from habeas.core.errors import FieldProblem, InvalidInput, RuleViolation
from habeas.estate.models import Facility

RECOVERY_CODES = 10
REAUTH_SESSION_KEY = "habeas_reauth_at"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed from paper


# --- Policy ------------------------------------------------------------------------------------


def required_for(user: User) -> bool:
    """Whether the policy requires ``user``'s role to pass a second factor."""
    return user.role in set(getattr(settings, "HABEAS_SECOND_FACTOR_ROLES", ()))


def enrolled(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def needed(user: User) -> bool:
    """Whether a session of ``user`` must pass the second factor before it may do anything."""
    return required_for(user) or enrolled(user)


def needed_when_loaded(user: User) -> bool:
    """``needed``, from what was read with the signed-in user at the start of the request
    (``accounts.backends.UserBackend``), without another query."""
    when_loaded = getattr(user, "second_factor_when_loaded", None)
    if when_loaded is None:
        return needed(user)
    return required_for(user) or bool(when_loaded)


def passed(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def session_may_act(request: HttpRequest, user: User) -> bool:
    """A signed-in browser session may act when it passed the second factor, or needs none."""
    return passed(request) or not needed(user)


# --- Enrolment and recovery codes -------------------------------------------------------------


def totp_device(user: User) -> TOTPDevice:
    """The user's enrolment in progress (unconfirmed), created when missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's provisioning URL as an SVG QR code, drawn here (no CDN, no script)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = BytesIO()
    img.save(out)
    return out.getvalue().decode("utf-8")


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normalise_code(token: str) -> str:
    raw = "".join(ch for ch in token.lower() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else ""


def issue_recovery_codes(*, user: User, actor: Actor, at: dt.datetime) -> list[str]:
    """Ten new one-time codes; earlier ones stop working. Returned once, stored hashed."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        [
            RecoveryCode(user=user, prefix=c[:4], digest=make_password(c), created_at=at)
            for c in codes
        ]
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="user.recovery_codes",
            object_type="accounts.User",
            object_id=user.pk,
            after={"username": user.username, "codes": len(codes)},
        ),
    )
    return codes


def confirm_enrolment(
    *, user: User, device: TOTPDevice, token: str, actor: Actor, at: dt.datetime
) -> list[str]:
    """Confirm the device with a code from it; returns the recovery codes, shown once."""
    if device.user_id != user.pk or device.confirmed:
        raise RuleViolation(
            code="NO_ENROLMENT",
            message=_("Start the enrolment again."),
            field="token",
        )
    if not device.verify_token(token.strip().replace(" ", "")):
        raise InvalidInput(
            code="WRONG_CODE",
            message=_("That code is not right. Check the time on the phone and try the next one."),
            field="token",
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="user.second_factor.enrol",
            object_type="accounts.User",
            object_id=user.pk,
            after={"username": user.username, "device": "totp"},
        ),
    )
    return issue_recovery_codes(user=user, actor=actor, at=at)


def check_second_factor(
    *, user: User, token: str, actor: Actor, at: dt.datetime
) -> TOTPDevice | None:
    """The user's confirmed TOTP device when ``token`` is a current code from it or an unused
    recovery code (which is then spent, and the use audited); ``None`` otherwise. Failures are
    throttled by the device (django-otp) and by the hash cost of recovery codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    compact = token.strip().replace(" ", "")
    if compact.isdigit():
        allowed, _why = device.verify_is_allowed()
        if allowed and device.verify_token(compact):
            return device
        return None
    code = _normalise_code(token)
    if not code:
        return None
    for candidate in RecoveryCode.objects.filter(
        user=user, prefix=code[:4], used_at__isnull=True
    ).select_for_update():
        if check_password(code, candidate.digest):
            candidate.used_at = at
            candidate.save(update_fields=["used_at"])
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            record(
                actor=actor,
                at=at,
                change=Change(
                    action="user.recovery_code.use",
                    object_type="accounts.User",
                    object_id=user.pk,
                    after={"username": user.username, "left": left},
                ),
            )
            return device
    return None


def reset_second_factor(*, user: User, actor: Actor, at: dt.datetime, reason: str) -> None:
    """An administrator removes a lost device and its recovery codes: the user enrols again at
    their next sign-in, and their open sessions end."""
    if not reason.strip():
        raise InvalidInput(message=_("Say why."), field="reason")
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    ended = end_sessions(user)
    record(
        actor=actor,
        at=at,
        change=Change(
            action="user.second_factor.reset",
            object_type="accounts.User",
            object_id=user.pk,
            after={"username": user.username, "sessions_ended": ended},
            reason=reason,
        ),
    )


# --- Re-authentication -------------------------------------------------------------------------


def mark_reauthenticated(request: HttpRequest, at: dt.datetime) -> None:
    request.session[REAUTH_SESSION_KEY] = at.timestamp()


def recently_reauthenticated(request: HttpRequest, at: dt.datetime) -> bool:
    stamp = request.session.get(REAUTH_SESSION_KEY)
    if not isinstance(stamp, int | float):
        return False
    return 0 <= at.timestamp() - stamp <= settings.HABEAS_REAUTH_SECONDS


def reauthenticate(
    *, request: HttpRequest, user: User, password: str, token: str, at: dt.datetime
) -> None:
    """Password and a current second factor again: required before a change of access."""
    problems = []
    if not user.check_password(password):
        problems.append(FieldProblem("password", _("The password is not right."), "WRONG_PASSWORD"))
    if enrolled(user):
        if check_second_factor(user=user, token=token, actor=Actor.of(user), at=at) is None:
            problems.append(FieldProblem("token", _("That code is not right."), "WRONG_CODE"))
    elif required_for(user):
        problems.append(
            FieldProblem("token", _("Enrol a second factor first."), "SECOND_FACTOR_REQUIRED")
        )
    if problems:
        raise InvalidInput(
            code="REAUTHENTICATION_FAILED",
            message=_("Re-authentication failed."),
            problems=problems,
        )
    mark_reauthenticated(request, at)


# --- Changing access, disabling ----------------------------------------------------------------


def change_access(
    *,
    user: User,
    role: str,
    facilities: Sequence[Facility],
    actor: Actor,
    at: dt.datetime,
    reason: str,
) -> User:
    """Give ``user`` a role and the facilities they may see. The caller has re-authenticated the
    actor (``recently_reauthenticated``); the change is audited before and after."""
    problems = []
    if role not in Role.values:
        problems.append(FieldProblem("role", _("Unknown role."), "INVALID"))
    if not facilities:
        problems.append(FieldProblem("facilities", _("Assign at least one facility."), "REQUIRED"))
    if not reason.strip():
        problems.append(FieldProblem("reason", _("Say why."), "REQUIRED"))
    if actor.user_id == user.pk:
        raise RuleViolation(
            code="OWN_ACCESS",
            message=_("No one may change their own role or facilities."),
            field="role",
        )
    if problems:
        raise InvalidInput(message=problems[0].message, problems=problems)
    before = {
        "role": user.role,
        "facilities": sorted(user.facilities.values_list("code", flat=True)),
    }
    user.role = role
    user.save(update_fields=["role"])
    user.facilities.set(facilities)
    user.forget_facilities()
    record(
        actor=actor,
        at=at,
        change=Change(
            action="user.access",
            object_type="accounts.User",
            object_id=user.pk,
            before=before,
            after={"role": role, "facilities": sorted(f.code for f in facilities)},
            reason=reason,
        ),
    )
    return user


def end_sessions(user: User) -> int:
    """Delete every stored session of ``user``. Sessions last ``SESSION_COOKIE_AGE`` (half an
    hour), so the live ones are few: each is read once."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def disable_user(*, user: User, actor: Actor, at: dt.datetime, reason: str) -> dict[str, int]:
    """Deactivate ``user`` at once: every session ends, every API token is revoked."""
    if not reason.strip():
        raise InvalidInput(message=_("Say why."), field="reason")
    if actor.user_id == user.pk:
        raise RuleViolation(
            code="OWN_ACCOUNT", message=_("No one may disable their own account."), field=None
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)
    sessions = end_sessions(user)
    record(
        actor=actor,
        at=at,
        change=Change(
            action="user.disable",
            object_type="accounts.User",
            object_id=user.pk,
            before={"active": True},
            after={"active": False, "tokens_revoked": tokens, "sessions_ended": sessions},
            reason=reason,
        ),
    )
    return {"tokens_revoked": tokens, "sessions_ended": sessions}


# --- The middleware ----------------------------------------------------------------------------

_OPEN_PREFIXES = ("/static/", "/accounts/login/", "/accounts/logout/", "/api/", "/i18n/")


class SecondFactorMiddleware:
    """A signed-in session that still owes its second factor may only verify it (or enrol one,
    when its role requires one and it has none) and sign out. The API's session authentication
    applies the same rule (``core.api.SessionAuth``); tokens are for programs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        path = request.path
        if (
            user is not None
            and user.is_authenticated
            and not path.startswith(_OPEN_PREFIXES)
            and not passed(request)
            and needed_when_loaded(user)
        ):
            verify, enrol = reverse("accounts:verify"), reverse("accounts:enrol")
            target = verify if enrolled(user) else enrol
            if path not in (verify, enrol):
                return HttpResponseRedirect(f"{target}?next={_safe_next(request, path)}")
            if path != target:
                return HttpResponseRedirect(target)
        return self.get_response(request)


def _safe_next(request: HttpRequest, path: str) -> str:
    from urllib.parse import quote

    ok = url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()})
    return quote(path if ok else "/")


def sign_in_second_factor(request: HttpRequest, device: TOTPDevice) -> None:
    """Mark this session as having passed the second factor (django-otp)."""
    from django_otp import login as otp_login

    otp_login(request, device)
    request.session.cycle_key()  # a new session id once the session is fully trusted
