"""Standards as data and their verdicts: the rules (from ``rules.yaml``), the profiles of
thresholds and their versions, and each evaluation run with its findings per rule, per person and
per cell — stored with the profile version, the rules' digest and the hash of the ledger rows
judged, so that the same data always gives the same verdict and a changed verdict can be traced
to changed data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from habeas.estate.models import Cell, Facility
from habeas.people.models import Person


class Rule(models.Model):
    """A rule as the catalogue last defined it (``habeas.standards.catalogue``); kept when the
    catalogue changes, since past findings refer to it."""

    code = models.CharField(_("rule"), max_length=16, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=8)
    source_text = models.TextField(_("source (full)"))
    citation = models.CharField(_("citation"), max_length=300)
    tag = models.CharField(_("certainty"), max_length=1)
    requirement = models.TextField(_("requirement"))
    method = models.TextField(_("method"))
    definition = models.JSONField(_("definition (SQL over the ledger)"))
    position = models.PositiveIntegerField(_("order"))
    current = models.BooleanField(_("in the current catalogue"), default=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Profile(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("standards profile")
        verbose_name_plural = _("standards profiles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProfileVersion(models.Model):
    """The thresholds of a profile as they were: a new version whenever they change."""

    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    thresholds = models.JSONField(_("thresholds"))
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    origin = models.CharField(_("origin"), max_length=200)

    class Meta:
        verbose_name = _("profile version")
        verbose_name_plural = _("profile versions")
        ordering = ["profile", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="profile_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.profile.code} v{self.number}"


class EvaluationRun(models.Model):
    """Every rule judged against a facility's ledger for a range of days."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    profile_version = models.ForeignKey(
        ProfileVersion, on_delete=models.PROTECT, related_name="runs"
    )
    rules_digest = models.CharField(_("rules digest"), max_length=64)
    ledger_hash = models.CharField(_("ledger hash"), max_length=64)
    ledger_rows = models.PositiveIntegerField(_("person-days judged"))
    people = models.PositiveIntegerField(_("people"))
    findings_hash = models.CharField(_("findings hash"), max_length=64)
    rules_breached = models.PositiveIntegerField(_("rules breached"))
    ran_at = models.DateTimeField(_("run at"))
    seconds = models.FloatField(_("seconds"))
    actor_label = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["-ran_at", "-id"]
        indexes = [models.Index(fields=["facility", "ran_at"], name="run_facility")]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.first_day}–{self.last_day}"


class Status(models.TextChoices):
    BREACHED = "breached", _("Breached")
    COMPLIANT = "compliant", _("Compliant")
    NOT_JUDGED = "not_judged", _("Nothing to judge")


class Finding(models.Model):
    """One rule's verdict in a run: how many person-days it judged, how many breached it, how
    many people, the worst cases and the trend day by day."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="findings")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    thresholds = models.JSONField(_("thresholds"))
    judged = models.PositiveIntegerField(_("person-days judged"))
    unknown = models.PositiveIntegerField(_("person-days without data"))
    person_days = models.PositiveIntegerField(_("person-days in breach"))
    people = models.PositiveIntegerField(_("people affected"))
    cells = models.PositiveIntegerField(_("cells"))
    first_day = models.DateField(_("first breach"), null=True)
    last_day = models.DateField(_("last breach"), null=True)
    worst_value = models.DecimalField(_("worst value"), max_digits=14, decimal_places=2, null=True)
    longest_run = models.PositiveIntegerField(_("longest run of days"), null=True)
    severe_people = models.PositiveIntegerField(_("people with a severe run"), null=True)
    trend = models.JSONField(_("trend"))  # [[day, breached, judged], …] in day order
    worst = models.JSONField(_("worst cases"))  # [{person, days, worst, run}, …]

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["run", "rule__position"]
        constraints = [models.UniqueConstraint(fields=["run", "rule"], name="finding_once")]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.status}"

    @property
    def share(self) -> float | None:
        return self.person_days / self.judged if self.judged else None


class FindingPerson(models.Model):
    """A person a finding fell on: their days in breach in the run's range."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="people_in_breach")
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    days = models.PositiveIntegerField(_("days in breach"))
    first_day = models.DateField(_("first"))
    last_day = models.DateField(_("last"))
    worst_value = models.DecimalField(_("worst value"), max_digits=14, decimal_places=2, null=True)
    longest_run = models.PositiveIntegerField(_("longest run of days"), null=True)

    class Meta:
        verbose_name = _("person in breach")
        verbose_name_plural = _("people in breach")
        indexes = [
            models.Index(fields=["finding", "days"], name="finding_person_days"),
            models.Index(fields=["person", "finding"], name="finding_person_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.days}"


class FindingCell(models.Model):
    """A cell a finding fell in: the person-days in breach there."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="cells_in_breach")
    cell = models.ForeignKey(
        Cell, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    person_days = models.PositiveIntegerField(_("person-days in breach"))
    judged = models.PositiveIntegerField(_("person-days judged"))

    class Meta:
        verbose_name = _("cell in breach")
        verbose_name_plural = _("cells in breach")
        indexes = [models.Index(fields=["finding", "person_days"], name="finding_cell_days")]

    def __str__(self) -> str:
        return f"{self.cell_id}: {self.person_days}"
