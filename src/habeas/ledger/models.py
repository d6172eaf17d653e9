"""The custody ledger: one row per person in custody per day (the facility's own day), derived
from the operational records by ``habeas.ledger.services.build_ledger`` and never edited by hand.

Every column is defined in ``docs/ledger.md``. The table has no foreign-key constraints: it is
derived data, rebuilt for any range at any time, and on PostgreSQL it is partitioned by month
(``migrations/0001_initial.py``), so bulk rebuilds never wait on the operational tables' locks.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.estate.models import Cell, Facility, Unit
from habeas.people.models import Person


def _ref(model: type[models.Model], **kw: object) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        **kw,  # type: ignore[arg-type]
    )


class LegalStatus(models.TextChoices):
    UNTRIED = "untried", _("Untried")
    CONVICTED = "convicted", _("Convicted")


class CustodyDay(models.Model):
    """One person on the roll of one facility on one local day."""

    pk = models.CompositePrimaryKey("facility_id", "day", "person_id")
    facility = _ref(Facility)
    day = models.DateField(_("day"))
    person = _ref(Person)
    episode_id = models.BigIntegerField(_("custody episode"))
    # Where
    unit = _ref(Unit, null=True)
    cell = _ref(Cell, null=True)
    cell_kind = models.CharField(_("kind of cell"), max_length=8, blank=True)
    held_minutes = models.IntegerField(_("minutes on the roll"))
    whole_day = models.BooleanField(_("on the roll the whole day"))
    absent_minutes = models.IntegerField(_("minutes at court or hospital"))
    arrived_at = models.DateTimeField(_("arrived (admission or transfer) at"), null=True)
    # On what authority
    legal_status = models.CharField(_("custody status"), max_length=12)
    covered = models.BooleanField(_("lawful authority covered the whole day"))
    sex = models.CharField(_("sex"), max_length=1)
    minor = models.BooleanField(_("under 18"))
    # The cell
    occupancy = models.IntegerField(_("people in the cell"), null=True)
    m2_per_person = models.DecimalField(
        _("m² per person"), max_digits=8, decimal_places=2, null=True
    )
    toilets = models.IntegerField(_("working toilets"), null=True)
    people_per_toilet = models.DecimalField(
        _("people per working toilet"), max_digits=8, decimal_places=2, null=True
    )
    bunks = models.IntegerField(_("bunks"), null=True)
    mattresses = models.IntegerField(_("mattresses"), null=True)
    mixed_sex = models.BooleanField(_("held with the other sex"))
    mixed_status = models.BooleanField(_("untried held with convicted"))
    mixed_age = models.BooleanField(_("child held with adults"))
    # The regime
    out_of_cell_minutes = models.IntegerField(_("minutes out of the cell"))
    open_air_minutes = models.IntegerField(_("minutes in the open air"))
    open_air_offered_minutes = models.IntegerField(_("minutes in the open air offered"))
    visit_minutes = models.IntegerField(_("minutes of visits"))
    segregated_minutes = models.IntegerField(_("minutes segregated"))
    solitary = models.BooleanField(_("22 hours or more without meaningful human contact"))
    solitary_run = models.IntegerField(_("consecutive days of solitary confinement"))
    # Conditions
    lights_off_minutes = models.IntegerField(_("minutes with the lights off"), null=True)
    max_temperature_c = models.DecimalField(
        _("highest temperature (°C)"), max_digits=5, decimal_places=1, null=True
    )
    minutes_hot = models.IntegerField(_("minutes at or above the heat threshold"), null=True)
    water_litres_per_person = models.DecimalField(
        _("drinking water per person (L)"), max_digits=8, decimal_places=2, null=True
    )
    # Contact with the outside world
    family_contact = models.BooleanField(_("family contact"))
    days_since_family_contact = models.IntegerField(_("days since family contact"))
    legal_contact = models.BooleanField(_("legal contact"))
    days_since_legal_contact = models.IntegerField(_("days since legal contact"))
    # Force and discipline
    restraint_minutes = models.IntegerField(_("minutes under restraint"))
    prohibited_restraint = models.BooleanField(_("prohibited restraint"))
    sanctions = models.IntegerField(_("sanctions in force"))
    cellular_confinement = models.BooleanField(_("cellular confinement"))
    collective_sanction = models.BooleanField(_("collective sanction"))
    prohibited_sanction = models.BooleanField(_("prohibited sanction"))
    # Events of the day
    minutes_to_examination = models.IntegerField(
        _("minutes from arrival to the medical examination"), null=True
    )
    minutes_to_family_notified = models.IntegerField(
        _("minutes from arrival to the family being told"), null=True
    )
    died = models.BooleanField(_("died in custody"))
    minutes_to_death_reported = models.IntegerField(
        _("minutes from death to an independent authority being told"), null=True
    )
    minutes_to_family_told_of_death = models.IntegerField(
        _("minutes from death to the family being told"), null=True
    )
    row_hash = models.CharField(_("hash of the row"), max_length=32)

    class Meta:
        verbose_name = _("custody day")
        verbose_name_plural = _("custody days")
        indexes = [models.Index(fields=["person", "day"], name="custody_day_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}"


class LedgerBuild(models.Model):
    """A build of the ledger for a facility and a range of days: what was built, by whom, how
    long it took, and the hash of the rows it left."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    rows = models.PositiveIntegerField(_("person-days"))
    people = models.PositiveIntegerField(_("people"))
    ledger_hash = models.CharField(_("ledger hash"), max_length=64)
    heat_threshold_c = models.DecimalField(_("heat threshold (°C)"), max_digits=4, decimal_places=1)
    built_at = models.DateTimeField(_("built at"))
    seconds = models.FloatField(_("seconds"))
    actor_label = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("ledger build")
        verbose_name_plural = _("ledger builds")
        ordering = ["-built_at", "-id"]
        indexes = [models.Index(fields=["facility", "built_at"], name="ledger_build_facility")]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.first_day}–{self.last_day}"
