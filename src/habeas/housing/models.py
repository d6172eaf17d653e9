from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.custody.models import Episode
from habeas.estate.models import Cell, Facility
from habeas.people.models import Person


class OverCapacityAuthorisation(models.Model):
    """A governor's decision to let a cell hold more than its operational capacity, up to its
    bunks, for a period and a reason. Over capacity is a decision, never an accident."""

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="over_capacity")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    ceiling = models.PositiveIntegerField(_("may hold up to"))
    reason = models.TextField(_("reason"))
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateTimeField(_("from"))
    valid_until = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("over-capacity authorisation")
        verbose_name_plural = _("over-capacity authorisations")

    def __str__(self) -> str:
        return f"{self.cell_id} ≤ {self.ceiling}"


class Placement(models.Model):
    """A person in a cell, from a moment to a moment. One open placement per person; on
    PostgreSQL an exclusion constraint also forbids any two overlapping periods."""

    # Foreign keys covered by the composite indexes below carry no index of their own: fewer
    # indexes to maintain on the bulk intake path.
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="placements")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="placements", db_index=False
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="placements", db_index=False
    )
    cell = models.ForeignKey(
        Cell, on_delete=models.PROTECT, related_name="placements", db_index=False
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    authorisation = models.ForeignKey(
        OverCapacityAuthorisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_at__isnull=True), name="one_open_placement"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="placement_period_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["cell", "started_at"], name="placement_cell"),
            models.Index(fields=["facility", "ended_at"], name="placement_facility_open"),
            models.Index(fields=["person", "started_at"], name="placement_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.cell_id}"
