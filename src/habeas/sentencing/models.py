"""Sentences, the facts of provisional detention, the stored result of each calculation, and the
jurisdiction profiles (the law as effective-dated data) the calculations apply.

The rules of computation live in the pure modules (``calculator.py``, ``deadlines.py``); these
models hold what a records officer records and what the calculation produced, so the deadlines
queue and the roll can ask the database rather than recompute.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.custody.models import Episode, LawfulAuthority


class Seriousness(models.TextChoices):
    """The offence classes the Código Procesal Penal distinguishes (``profile.Seriousness``)."""

    SERIOUS = "serious", _("Serious")
    LESS_SERIOUS = "less_serious", _("Less serious")


class Sentence(models.Model):
    """A sentence of imprisonment as the court imposed it, under a conviction warrant.

    All the sentences of one custody episode are one aggregate (``calculator.calculate``). A
    sentence is never deleted: one imposed in error or quashed on appeal is marked quashed and
    leaves the calculation.
    """

    # Indexed by ``sentence_episode`` (episode, imposed_on).
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="sentences", db_index=False
    )
    authority = models.ForeignKey(
        LawfulAuthority,
        verbose_name=_("conviction warrant"),
        on_delete=models.PROTECT,
        related_name="sentences",
    )
    offence = models.CharField(_("offence"), max_length=300)
    court = models.CharField(_("court"), max_length=200)
    case_reference = models.CharField(_("case reference"), max_length=100)
    imposed_on = models.DateField(_("imposed on"))
    term_years = models.PositiveIntegerField(_("years"), default=0)
    term_months = models.PositiveIntegerField(_("months"), default=0)
    term_days = models.PositiveIntegerField(_("days"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    consecutive_to = models.ForeignKey(
        "self",
        verbose_name=_("consecutive to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_by",
    )
    remand_credit_days = models.PositiveIntegerField(_("remand credit (days)"), default=0)
    seriousness = models.CharField(
        _("seriousness"), max_length=16, choices=Seriousness.choices, default=Seriousness.SERIOUS
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    quashed_at = models.DateTimeField(_("quashed at"), null=True, blank=True)
    quashed_reason = models.TextField(_("reason quashed"), blank=True)

    class Meta:
        verbose_name = _("sentence")
        verbose_name_plural = _("sentences")
        indexes = [models.Index(fields=["episode", "imposed_on"], name="sentence_episode")]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_years__gt=0) | Q(term_months__gt=0) | Q(term_days__gt=0),
                name="sentence_term_not_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_reference} {self.term_label}"

    @property
    def term_label(self) -> str:
        return f"{self.term_years}y{self.term_months}m{self.term_days}d"


class ProvisionalDetention(models.Model):
    """What the maximum of one provisional-detention order turns on: the seriousness of the
    offence, the first day of detention counted, and the conditions an extension may require
    (e.g. ``group_trial``), as the court's file records them."""

    authority = models.OneToOneField(
        LawfulAuthority,
        verbose_name=_("provisional detention order"),
        on_delete=models.PROTECT,
        related_name="provisional_terms",
    )
    seriousness = models.CharField(_("seriousness"), max_length=16, choices=Seriousness.choices)
    detained_on = models.DateField(_("detained since"))
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
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
        verbose_name = _("provisional detention terms")
        verbose_name_plural = _("provisional detention terms")

    def __str__(self) -> str:
        return f"{self.authority_id} {self.seriousness} {self.detained_on}"


class SentenceCalculation(models.Model):
    """The latest calculation of an episode's aggregate of sentences, or the calculator's refusal.

    Derived data: rebuilt by ``recalculation.recalculate`` whenever the sentences or the profile
    change; the explanation is recomputed when shown, never stored.
    """

    episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, primary_key=True, related_name="sentence_calculation"
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=16)
    profile_version = models.PositiveIntegerField(_("profile version"))
    calculated_at = models.DateTimeField(_("calculated at"))
    sentence_start = models.DateField(_("sentence start"), null=True, blank=True)
    deemed_start = models.DateField(_("custody counted from"), null=True, blank=True)
    nominal_term = models.CharField(_("nominal term"), max_length=24, blank=True)
    enforceable_term = models.CharField(_("enforceable term"), max_length=24, blank=True)
    capped = models.BooleanField(_("capped"), default=False)
    last_day = models.DateField(_("last day served"), null=True, blank=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    conditional_release_date = models.DateField(
        _("conditional release may be considered on"), null=True, blank=True
    )
    #: The sentence whose end is the end of the aggregate (its warrant is the release's authority).
    determining_sentence = models.ForeignKey(
        Sentence,
        verbose_name=_("determining sentence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    refusal_code = models.CharField(_("refused"), max_length=40, blank=True)
    refusal_params = models.JSONField(_("refusal details"), null=True, blank=True)

    class Meta:
        verbose_name = _("sentence calculation")
        verbose_name_plural = _("sentence calculations")

    def __str__(self) -> str:
        return f"{self.episode_id} {self.release_date or self.refusal_code}"


class JurisdictionProfile(models.Model):
    """One version of a jurisdiction's profile: the whole document
    (``habeas.sentencing.profile/1``, ``docs/sentencing.md`` §5.2), whose rules carry the periods
    in which each value applies. The highest version is in force; earlier ones are the history of
    every change, each dated, with who made it and why."""

    jurisdiction = models.CharField(_("jurisdiction"), max_length=16)
    version = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("profile"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("jurisdiction profile")
        verbose_name_plural = _("jurisdiction profiles")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "version"], name="one_profile_version"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} v{self.version}"
