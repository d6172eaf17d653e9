from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.estate.models import Facility
from habeas.people.models import Person


class CustodyStatus(models.TextChoices):
    UNTRIED = "untried", _("Untried")
    CONVICTED = "convicted", _("Convicted")


class Episode(models.Model):
    """One continuous period in custody, from admission to release (across transfers).

    Holds the admission record Mandela Rule 7 requires.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    admitted_at = models.DateTimeField(_("admitted at"))
    admitted_to = models.ForeignKey(
        Facility,
        verbose_name=_("admitted to"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    # Mandela Rule 7 (a)–(g)
    arrested_at = models.DateTimeField(_("arrested at"), null=True, blank=True)
    arrest_place = models.CharField(_("place of arrest"), max_length=200, blank=True)
    arresting_authority = models.CharField(_("arresting authority"), max_length=200, blank=True)
    visible_injuries = models.TextField(_("visible injuries at admission"), blank=True)
    ill_treatment_reported = models.TextField(
        _("prior ill-treatment reported by the person"), blank=True
    )
    property_inventory = models.TextField(_("property inventory"), blank=True)
    family = models.TextField(
        _("family and children (ages, where they are, who cares for them)"), blank=True
    )
    emergency_contact = models.CharField(_("emergency contact"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("custody episode")
        verbose_name_plural = _("custody episodes")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(released_at__isnull=True),
                name="one_open_episode_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.admitted_at:%Y-%m-%d}"


class AuthorityKind(models.TextChoices):
    ARREST = "arrest", _("Arrest")
    ADMINISTRATIVE_DETENTION = "administrative_detention", _("Administrative detention order")
    PROVISIONAL_DETENTION = "provisional_detention", _("Judicial provisional detention")
    CONVICTION = "conviction", _("Conviction and sentence warrant")
    TRANSFER = "transfer", _("Transfer order")


REVIEWABLE_KINDS = {AuthorityKind.ARREST, AuthorityKind.ADMINISTRATIVE_DETENTION}


class LawfulAuthority(models.Model):
    """The lawful basis for holding a person for a period.

    It covers a moment when ``valid_from <= moment < end``, where the end is the earliest of
    ``valid_until``, ``review_due_by`` (an arrest or administrative detention not reviewed by a
    judge in time stops being a lawful basis), ``legal_end`` and ``revoked_at``.

    ``legal_end`` is the end the law imposes, computed and kept up to date by the sentencing layer
    (``habeas.sentencing``): for a conviction, the end of the release date of the aggregate of
    sentences; for provisional detention, the end of the last day of its legal maximum. Past it
    the person is held without valid authority, on the roll and in the deadlines queue alike.
    """

    # Indexed by ``authority_episode`` (episode, valid_from) below.
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="authorities", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AuthorityKind.choices)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    review_due_by = models.DateTimeField(_("judicial review due by"), null=True, blank=True)
    legal_end = models.DateTimeField(_("legal end"), null=True, blank=True)
    offence = models.CharField(_("offence or grounds"), max_length=300, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason revoked"), blank=True)
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
        verbose_name = _("lawful authority")
        verbose_name_plural = _("lawful authorities")
        indexes = [models.Index(fields=["episode", "valid_from"], name="authority_episode")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="authority_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def ends_at(self) -> dt.datetime | None:
        ends = [
            t
            for t in (self.valid_until, self.review_due_by, self.legal_end, self.revoked_at)
            if t is not None
        ]
        return min(ends) if ends else None

    def covers(self, moment: dt.datetime) -> bool:
        end = self.ends_at
        return self.valid_from <= moment and (end is None or moment < end)


def authority_covers(moment: dt.datetime, prefix: str = "") -> Q:
    """A filter for authorities covering ``moment`` (``prefix`` e.g. "authorities__")."""
    p = prefix
    return (
        Q(**{f"{p}valid_from__lte": moment})
        & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gt": moment}))
        & (Q(**{f"{p}review_due_by__isnull": True}) | Q(**{f"{p}review_due_by__gt": moment}))
        & (Q(**{f"{p}legal_end__isnull": True}) | Q(**{f"{p}legal_end__gt": moment}))
        & (Q(**{f"{p}revoked_at__isnull": True}) | Q(**{f"{p}revoked_at__gt": moment}))
    )


class Stay(models.Model):
    """A period an episode spends on the roll of one facility (admission or transfer in, to
    release or transfer out). Absences at court or hospital do not end a stay."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="stays", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="stays")
    facility = models.ForeignKey(  # indexed by ``stay_facility`` (facility, started_at)
        Facility, on_delete=models.PROTECT, related_name="stays", db_index=False
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_at__isnull=True), name="one_open_stay"
            ),
        ]
        indexes = [models.Index(fields=["facility", "started_at"], name="stay_facility")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.facility_id}"


class MovementKind(models.TextChoices):
    ADMISSION = "admission", _("Admission")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COURT_OUT = "court_out", _("Out to court")
    COURT_RETURN = "court_return", _("Back from court")
    HOSPITAL_OUT = "hospital_out", _("Out to hospital")
    HOSPITAL_RETURN = "hospital_return", _("Back from hospital")
    RELEASE = "release", _("Release")
    DEATH = "death", _("Death in custody")


class Movement(models.Model):
    # Movements are read by person (``movement_person``) and by facility and time.
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    at = models.DateTimeField(_("at"))
    destination = models.CharField(_("to / from"), max_length=200, blank=True)
    authority = models.ForeignKey(
        LawfulAuthority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
        db_index=False,
    )
    order_reference = models.CharField(_("order reference"), max_length=100, blank=True)
    ordered_by = models.CharField(_("ordered by"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["person", "at"], name="movement_person"),
            models.Index(fields=["facility", "at"], name="movement_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class Absence(models.Model):
    """Temporarily out of the facility (court, hospital) but still on its roll."""

    class Kind(models.TextChoices):
        COURT = "court", _("Court")
        HOSPITAL = "hospital", _("Hospital")

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="absences")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="absences")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="absences")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    destination = models.CharField(_("where"), max_length=200)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_at__isnull=True), name="one_open_absence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"
