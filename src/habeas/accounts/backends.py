"""Signing in and loading the signed-in user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.accounts.models import User
from habeas.core.prepared import prepared


@prepared
def _signed_in(pk: int) -> QuerySet[User]:
    return User._default_manager.annotate(
        second_factor_when_loaded=Exists(
            TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        )
    ).filter(pk=pk)


class UserBackend(ModelBackend):
    """Django's model backend, except that the user of a signed-in request is read together with
    whether they have a confirmed second factor: one query instead of two on every page (the
    second-factor middleware asks it of every request; issue #8, docs/benchmarks.md). TOTP is
    the only kind of device Habeas installs (``django_otp.plugins.otp_totp``). The query is
    prepared (``core.prepared``): it runs on every request."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _signed_in(pk=pk)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
