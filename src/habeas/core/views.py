"""What every page shares: the signed-in user, facility scoping (404) and role checks (403)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from habeas.accounts.models import User
from habeas.accounts.roles import Capability
from habeas.audit.services import Actor
from habeas.estate.models import Facility


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def actor_of(request: HttpRequest) -> Actor:
    return Actor.of(user_of(request))


def require(request: HttpRequest, capability: Capability) -> User:
    """403 unless the user's role allows ``capability``."""
    user = user_of(request)
    if not user.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))
    return user


def facility_for(request: HttpRequest, code: str) -> Facility:
    """The facility, if the user is assigned to it; 404 otherwise (never reveal it exists)."""
    facility = next((f for f in user_of(request).assigned_facilities() if f.code == code), None)
    if facility is None:
        raise Http404(_("No such facility."))
    return facility


def local_input(value: dt.datetime | None, facility: Facility) -> dt.datetime | None:
    """A date and time typed in a form (no offset) is the facility's local time."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(facility.time_zone))
    return value
