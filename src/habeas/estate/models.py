from __future__ import annotations

import math
from decimal import Decimal
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class SpaceStandard(models.Model):
    """A profile of minimum living space per person, e.g. ICRC (2012): 3.4 m² per person in a
    shared cell, 5.4 m² in a single cell. The standard capacity of a cell is computed from it."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    shared_m2_per_person = models.DecimalField(
        _("m² per person in a shared cell"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    single_m2 = models.DecimalField(
        _("m² for a single cell"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("space standard")
        verbose_name_plural = _("space standards")

    def __str__(self) -> str:
        return self.name

    def capacity_of(self, *, floor_area_m2: Decimal, single: bool) -> int:
        """People the floor area holds under this standard (whole people, rounded down)."""
        if single:
            return 1 if floor_area_m2 >= self.single_m2 else 0
        return math.floor(Decimal(floor_area_m2) / self.shared_m2_per_person)


def _validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Facility(models.Model):
    class Kind(models.TextChoices):
        ADULT = "adult", _("Adults")
        JUVENILE = "juvenile", _("Juveniles")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[_validate_time_zone])
    jurisdiction = models.CharField(_("jurisdiction"), max_length=16)
    holds_sex = models.CharField(_("holds"), max_length=1, choices=Sex.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ADULT)
    stated_capacity = models.PositiveIntegerField(
        _("stated capacity"),
        null=True,
        blank=True,
        help_text=_("The capacity the authorities announce, kept for comparison."),
    )
    space_standard = models.ForeignKey(
        SpaceStandard, verbose_name=_("space standard"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Unit(models.Model):
    """A module, pavilion, wing or landing: a group of cells."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["facility", "code"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "code"], name="unit_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Cell(models.Model):
    class Kind(models.TextChoices):
        SHARED = "shared", _("Shared cell")
        SINGLE = "single", _("Single cell")

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="cells"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cells"
    )
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SHARED)
    floor_area_m2 = models.DecimalField(
        _("floor area (m², without the sanitary annex)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    ceiling_height_m = models.DecimalField(
        _("ceiling height (m)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    window_area_m2 = models.DecimalField(
        _("window area (m²)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    bunks = models.PositiveIntegerField(_("bunks"))
    mattresses = models.PositiveIntegerField(_("mattresses"), default=0)
    toilets = models.PositiveIntegerField(_("working toilets"), default=0)
    showers = models.PositiveIntegerField(_("showers"), default=0)
    operational_capacity = models.PositiveIntegerField(_("operational capacity"))
    in_service = models.BooleanField(_("in service"), default=True)
    out_of_service_reason = models.TextField(_("reason out of service"), blank=True)
    attributes = models.JSONField(
        _("attributes"),
        default=list,
        blank=True,
        help_text=_("Features a placement may need, such as ground_level or near_clinic."),
    )

    class Meta:
        verbose_name = _("cell")
        verbose_name_plural = _("cells")
        ordering = ["facility", "code"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "code"], name="cell_code_unique"),
            models.CheckConstraint(
                condition=models.Q(in_service=True) | ~models.Q(out_of_service_reason=""),
                name="cell_out_of_service_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def bed_capacity(self) -> int:
        return self.bunks

    def standard_capacity(self, standard: SpaceStandard) -> int:
        return standard.capacity_of(
            floor_area_m2=self.floor_area_m2, single=self.kind == Cell.Kind.SINGLE
        )

    def facts(self) -> dict[str, object]:
        """The physical facts, as recorded in the audit log when they change."""
        return {
            "code": self.code,
            "unit": self.unit.code,
            "kind": self.kind,
            "floor_area_m2": self.floor_area_m2,
            "ceiling_height_m": self.ceiling_height_m,
            "window_area_m2": self.window_area_m2,
            "bunks": self.bunks,
            "mattresses": self.mattresses,
            "toilets": self.toilets,
            "showers": self.showers,
            "operational_capacity": self.operational_capacity,
            "in_service": self.in_service,
            "out_of_service_reason": self.out_of_service_reason,
            "attributes": sorted(self.attributes or []),
        }
