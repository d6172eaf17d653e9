from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from habeas.estate.models import Sex


class Person(models.Model):
    """A person deprived of liberty. Identified by a custody number that Habeas generates."""

    custody_number = models.CharField(_("custody number"), max_length=20, unique=True)
    given_names = models.CharField(_("given names"), max_length=150)
    family_names = models.CharField(_("family names"), max_length=150)
    name_key = models.CharField(
        _("normalised name"),
        max_length=300,
        db_index=True,
        help_text=_("Names without accents, case or punctuation, for finding duplicates."),
    )
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    gender_identity = models.CharField(
        _("gender (as the person describes it)"), max_length=100, blank=True
    )
    nationality = models.CharField(_("nationality"), max_length=64)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["name_key", "date_of_birth"], name="person_name_dob")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.custody_number})"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}".strip()


class Alias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="aliases")
    name = models.CharField(_("alias"), max_length=200)
    name_key = models.CharField(max_length=300, db_index=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")

    def __str__(self) -> str:
        return self.name


class IdentityDocument(models.Model):
    class Kind(models.TextChoices):
        NATIONAL_ID = "national_id", _("National identity document")
        PASSPORT = "passport", _("Passport")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=64)
    number_key = models.CharField(max_length=64)
    issuing_country = models.CharField(_("issuing country"), max_length=64)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        indexes = [models.Index(fields=["kind", "number_key"], name="document_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class SecurityThreatGroup(models.Model):
    """A gang or other group whose members may not be safely held with members of its rivals."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("security-threat group")
        verbose_name_plural = _("security-threat groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    CELL = "cell", _("Cell")
    UNIT = "unit", _("Unit")
    FACILITY = "facility", _("Facility")


class Rivalry(models.Model):
    """Two groups whose members must not share a cell (or a unit). Stored once, lower id first."""

    group_a = models.ForeignKey(SecurityThreatGroup, on_delete=models.PROTECT, related_name="+")
    group_b = models.ForeignKey(SecurityThreatGroup, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(
        _("kept apart within the same"),
        max_length=8,
        choices=[(Scope.CELL, Scope.CELL.label), (Scope.UNIT, Scope.UNIT.label)],
        default=Scope.CELL,
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("rivalry")
        verbose_name_plural = _("rivalries")
        constraints = [
            models.UniqueConstraint(fields=["group_a", "group_b"], name="rivalry_unique"),
            models.CheckConstraint(condition=Q(group_a__lt=F("group_b")), name="rivalry_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.group_a_id} × {self.group_b_id}"


class Affiliation(models.Model):
    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed by the person")
        ASSESSED = "assessed", _("Assessed by staff")
        RENOUNCED = "renounced", _("Renounced")

    person = models.ForeignKey(  # indexed by the unique (person, group) constraint
        Person, on_delete=models.PROTECT, related_name="affiliations", db_index=False
    )
    group = models.ForeignKey(
        SecurityThreatGroup, on_delete=models.PROTECT, related_name="affiliations"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    source = models.CharField(_("source"), max_length=200)
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(fields=["person", "group"], name="affiliation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.status}"

    @property
    def active(self) -> bool:
        return self.status != self.Status.RENOUNCED


ACTIVE_AFFILIATION = ~Q(status=Affiliation.Status.RENOUNCED)


class NonAssociation(models.Model):
    """Two people who must be kept apart at a scope (a victim and an aggressor, co-accused, …).

    Stored once with the lower person id first; ended rather than deleted."""

    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("kept apart within the same"), max_length=8, choices=Scope.choices)
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("non-association")
        verbose_name_plural = _("non-associations")
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="nonassociation_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["person_a"], name="nonassoc_a"),
            models.Index(fields=["person_b"], name="nonassoc_b"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} / {self.person_b_id} ({self.scope})"


class CustodyNumberSequence(models.Model):
    """The last custody number issued in a year. Locked while numbers are taken."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
