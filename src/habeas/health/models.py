"""Health records: the medical examination after admission and later health contacts.

Confidential (Mandela Rules 26 and 32): only health staff read them, every read is audited, and
everyone else learns only that an examination took place and when (``health.selectors``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.custody.models import Episode
from habeas.estate.models import Facility
from habeas.people.models import Person


class ExaminationKind(models.TextChoices):
    ADMISSION = "admission", _("On admission")
    AFTER_FORCE = "after_force", _("After use of force or restraint")
    SEGREGATION = "segregation", _("On segregation")
    TRANSFER = "transfer", _("On transfer")
    OTHER = "other", _("Other")


class Examination(models.Model):
    """A medical examination (Mandela Rule 30: as soon as possible after admission; Rule 34:
    signs of torture or ill-treatment documented and reported)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+", db_index=False)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExaminationKind.choices)
    examined_at = models.DateTimeField(_("examined at"))
    examined_by = models.CharField(_("examined by (name and profession)"), max_length=200)
    injuries_seen = models.BooleanField(_("injuries seen"), default=False)
    injuries = models.TextField(_("injuries (site, kind, likely cause)"), blank=True)
    ill_treatment_alleged = models.BooleanField(_("ill-treatment alleged"), default=False)
    allegation = models.TextField(_("the person's account"), blank=True)
    reported_to = models.CharField(
        _("signs of ill-treatment reported to"), max_length=200, blank=True
    )
    findings = models.TextField(_("findings and needs"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("medical examination")
        verbose_name_plural = _("medical examinations")
        ordering = ["-examined_at", "-id"]
        indexes = [
            models.Index(fields=["person", "examined_at"], name="examination_person"),
            models.Index(fields=["episode", "kind"], name="examination_episode"),
            models.Index(fields=["facility", "examined_at"], name="examination_facility"),
        ]

    def __str__(self) -> str:
        return f"examination of {self.person_id} {self.examined_at:%Y-%m-%d}"


class ContactKind(models.TextChoices):
    SICK_CALL = "sick_call", _("Consultation asked for by the person")
    CONSULTATION = "consultation", _("Consultation")
    SEGREGATION_VISIT = "segregation_visit", _("Daily visit in segregation")
    MEDICATION = "medication", _("Medication")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    REFERRAL = "referral", _("Referral to hospital or specialist")


class HealthContact(models.Model):
    """A health contact: asked for (a sick call) and when seen (Mandela Rules 31 and 46)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ContactKind.choices)
    requested_at = models.DateTimeField(_("asked for at"), null=True, blank=True)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    seen_by = models.CharField(_("seen by"), max_length=200, blank=True)
    notes = models.TextField(_("clinical notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("health contact")
        verbose_name_plural = _("health contacts")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["person", "seen_at"], name="health_contact_person"),
            models.Index(fields=["facility", "requested_at"], name="health_contact_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"
