"""Conditions in the cell: environmental readings from sensors (temperature, light, humidity,
CO₂), drinking water delivered, showers, and cell inspections.

A reading is a sample at a moment for one cell (or for a unit when the sensor is in the corridor);
the custody ledger turns samples into minutes (lights off, above the heat threshold) with the time
to the next sample, capped (see ``docs/daily-life.md``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.estate.models import Cell, Facility, Unit
from habeas.people.models import Person


class ReadingBatch(models.Model):
    """One delivery of readings (a file or an API call), as received: how many lines, how many
    were stored and how many were already known (duplicates are ignored, so a feed may resend)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=300)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(_("by"), max_length=150)
    lines = models.PositiveIntegerField(_("lines"))
    stored = models.PositiveIntegerField(_("stored"))
    duplicates = models.PositiveIntegerField(_("already known"))
    first_at = models.DateTimeField(_("first reading at"), null=True, blank=True)
    last_at = models.DateTimeField(_("last reading at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch of readings")
        verbose_name_plural = _("batches of readings")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} ({self.stored}/{self.lines})"


class Reading(models.Model):
    """A sample from a sensor in a cell (``cell`` set) or in a unit's corridor (``cell`` empty).
    At most one per place, moment and sensor: a resent reading is recognised and ignored."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    measured_at = models.DateTimeField(_("measured at"))
    sensor = models.CharField(_("sensor"), max_length=64, blank=True)
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    humidity_pct = models.DecimalField(
        _("relative humidity (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    lights_on = models.BooleanField(_("lights on"), null=True, blank=True)
    co2_ppm = models.PositiveIntegerField(_("CO₂ (ppm)"), null=True, blank=True)
    batch = models.ForeignKey(
        ReadingBatch, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["measured_at", "id"]
        constraints = [
            # Also the index the ledger joins on: (cell, measured_at).
            models.UniqueConstraint(
                fields=["cell", "measured_at", "sensor"],
                condition=Q(cell__isnull=False),
                name="reading_cell_once",
            ),
            models.UniqueConstraint(
                fields=["unit", "measured_at", "sensor"],
                condition=Q(cell__isnull=True),
                name="reading_unit_once",
            ),
        ]
        indexes = [models.Index(fields=["facility", "measured_at"], name="reading_facility")]

    def __str__(self) -> str:
        return f"{self.cell_id or self.unit_id} {self.measured_at:%Y-%m-%d %H:%M}"


class WaterDelivery(models.Model):
    """Drinking water delivered to a cell, in litres (ICRC: 3–5 L per person per day when locked
    in more than 16 hours or in a hot climate). Water on tap is recorded as a daily delivery."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="+", db_index=False)
    delivered_at = models.DateTimeField(_("delivered at"))
    litres = models.DecimalField(_("litres"), max_digits=7, decimal_places=1)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("water delivery")
        verbose_name_plural = _("water deliveries")
        ordering = ["delivered_at", "id"]
        indexes = [
            models.Index(fields=["cell", "delivered_at"], name="water_cell"),
            models.Index(fields=["facility", "delivered_at"], name="water_facility"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(litres__gt=0), name="water_litres_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} {self.litres} L"


class Shower(models.Model):
    """Showers taken: by one person, or by everyone in a cell at the time (Mandela Rule 16)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    taken_at = models.DateTimeField(_("at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("shower")
        verbose_name_plural = _("showers")
        ordering = ["taken_at", "id"]
        indexes = [
            models.Index(fields=["cell", "taken_at"], name="shower_cell"),
            models.Index(fields=["person", "taken_at"], name="shower_person"),
            models.Index(fields=["facility", "taken_at"], name="shower_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cell__isnull=False) & Q(person__isnull=True))
                | (Q(cell__isnull=True) & Q(person__isnull=False)),
                name="shower_cell_or_person",
            ),
        ]

    def __str__(self) -> str:
        return f"shower {self.cell_id or self.person_id} {self.taken_at:%Y-%m-%d}"


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    ACCEPTABLE = "acceptable", _("Acceptable")
    POOR = "poor", _("Poor")


class Bedding(models.TextChoices):
    ADEQUATE = "adequate", _("A bed and clean bedding for everyone")
    INSUFFICIENT = "insufficient", _("Not enough beds or bedding")
    NONE = "none", _("No mattresses or bedding")


class CellInspection(models.Model):
    """A look inside a cell: cleanliness, bedding, ventilation, pests (Mandela Rules 17, 21, 35)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="+", db_index=False)
    inspected_at = models.DateTimeField(_("inspected at"))
    inspector = models.CharField(_("inspected by"), max_length=200)
    cleanliness = models.CharField(_("cleanliness"), max_length=16, choices=Rating.choices)
    bedding = models.CharField(_("bedding"), max_length=16, choices=Bedding.choices)
    ventilation = models.CharField(_("ventilation"), max_length=16, choices=Rating.choices)
    pests = models.BooleanField(_("pests seen"), default=False)
    findings = models.TextField(_("findings"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("cell inspection")
        verbose_name_plural = _("cell inspections")
        ordering = ["-inspected_at", "-id"]
        indexes = [
            models.Index(fields=["cell", "inspected_at"], name="inspection_cell"),
            models.Index(fields=["facility", "inspected_at"], name="inspection_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} {self.inspected_at:%Y-%m-%d}"
