from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.accounts.roles import CAPABILITIES, Capability, Role
from habeas.core.prepared import prepared

if TYPE_CHECKING:
    from habeas.estate.models import Facility


class User(AbstractUser):
    """A member of staff or an inspector. Sees only the facilities they are assigned to."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    facilities = models.ManyToManyField(
        "estate.Facility", verbose_name=_("facilities"), related_name="staff", blank=True
    )
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def can(self, capability: Capability) -> bool:
        if not self.is_active:
            return False
        return capability in CAPABILITIES.get(self.role, frozenset())

    def assigned_facilities(self) -> list[Facility]:
        """The facilities the user is assigned to, by code, with their space standards: read once
        for a request, and shared by the scoping checks, the page's facility and its shell."""
        cached: list[Facility] | None = self.__dict__.get("_assigned_facilities")
        if cached is None:
            cached = _facilities_of(user_id=self.pk)
            self.__dict__["_assigned_facilities"] = cached
        return cached

    def forget_facilities(self) -> None:
        """After the user's facilities change: read them again when next asked."""
        self.__dict__.pop("_assigned_facilities", None)

    def facility_ids(self) -> set[int]:
        return {f.pk for f in self.assigned_facilities()}

    def sees(self, facility: Facility | int) -> bool:
        fid = facility if isinstance(facility, int) else facility.pk
        return fid in self.facility_ids()


class ApiToken(models.Model):
    """A bearer token for programs acting as a user. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "hb_" + secrets.token_urlsafe(32)


class RecoveryCode(models.Model):
    """A one-time code that stands in for the second factor when the phone is lost (issue #8).

    Shown to its owner once; only a salted hash is kept (the password hasher), found by a short
    prefix kept in clear so that a sign-in checks one hash, not ten."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=255)
    created_at = models.DateTimeField(_("created at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.prefix}…"


@prepared
def _facilities_of(user_id: int) -> models.QuerySet[Facility]:
    """A user's facilities with their space standards: read on every request (prepared)."""
    from habeas.estate.models import Facility

    return (
        Facility.objects.filter(staff__id=user_id).select_related("space_standard").order_by("code")
    )
