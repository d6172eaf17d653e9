"""What every API router shares: authentication, permission checks and the error body."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from habeas.accounts.models import ApiToken, User
from habeas.accounts.roles import Capability
from habeas.audit.services import Actor
from habeas.core.errors import NotFound, PermissionDenied
from habeas.core.prepared import prepared
from habeas.estate.models import Facility


class SessionAuth(APIKeyCookie):
    """A signed-in browser session (CSRF checked on writes)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            # A session that still owes its second factor is not signed in yet (issue #8).
            from habeas.accounts.second_factor import session_may_act

            return user if session_may_act(request, user) else None
        return None


@prepared
def _live_token(digest: str) -> QuerySet[ApiToken]:
    """The token and its user: read on every API request (prepared, ``core.prepared``)."""
    return ApiToken.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True)


class TokenAuth(HttpBearer):
    """A per-user API token: ``Authorization: Bearer hb_…``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = _live_token(digest=ApiToken.digest_of(token))
        token_row = found[0] if found else None
        if token_row is None or not token_row.user.is_active:
            return None
        now = timezone.now()
        last = token_row.last_used_at
        if last is None or now - last > dt.timedelta(minutes=1):
            # Written at most once a minute: a write on every request costs a row lock per call.
            ApiToken.objects.filter(pk=token_row.pk).update(last_used_at=now)
        request.user = token_row.user
        if token_row.user.language:
            # A program acting as a user gets messages in that user's language (issue #9);
            # otherwise Accept-Language decides (LocaleMiddleware). Codes never change.
            translation.activate(token_row.user.language)
        return token_row.user


AUTH = [TokenAuth(), SessionAuth(csrf=True)]


def user_of(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def actor_of(request: HttpRequest) -> Actor:
    return Actor.of(user_of(request))


def require(request: HttpRequest, capability: Capability) -> User:
    user = user_of(request)
    if not user.can(capability):
        raise PermissionDenied(
            code="FORBIDDEN", message=_("Your role does not allow this."), field=None
        )
    return user


def visible_facility(request: HttpRequest, code: str) -> Facility:
    """The facility, if the user is assigned to it; otherwise 404 (never reveal it exists)."""
    user = user_of(request)
    # The user's own facilities are read once a request anyway (User.assigned_facilities).
    facility = next((f for f in user.assigned_facilities() if f.code == code), None)
    if facility is None:
        raise NotFound(
            code="UNKNOWN_FACILITY",
            message=_("No facility %(code)s.") % {"code": code},
            field="facility",
        )
    return facility
