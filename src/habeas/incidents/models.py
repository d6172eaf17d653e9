"""Incidents and force, discipline and segregation, complaints and deaths in custody.

What is forbidden is recorded when it happens, never refused at the door: a collective sanction,
chains, a restraint used as a punishment or a ban on family contact is stored as what it is, so the
standards engine and the inspectors see it (Mandela Rules 43, 47). Periods (restraints, sanctions,
segregation) have ``started_at`` and ``ended_at`` (open while it lasts) for the custody ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.estate.models import Cell, Facility, Unit
from habeas.people.models import Person


def _recorded_by() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )


class IncidentKind(models.TextChoices):
    ASSAULT = "assault", _("Assault on a detained person")
    ASSAULT_ON_STAFF = "assault_on_staff", _("Assault on staff")
    FIGHT = "fight", _("Fight")
    SELF_HARM = "self_harm", _("Self-harm")
    SUICIDE_ATTEMPT = "suicide_attempt", _("Attempted suicide")
    DISORDER = "disorder", _("Disorder")
    ESCAPE = "escape", _("Escape or attempt")
    CONTRABAND = "contraband", _("Contraband found")
    FIRE = "fire", _("Fire")
    DEATH = "death", _("Death in custody")
    OTHER = "other", _("Other")


class Incident(models.Model):
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=24, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    place = models.CharField(_("where"), max_length=200, blank=True)
    description = models.TextField(_("what happened"))
    serious = models.BooleanField(_("serious injury or death"), default=False)
    reported_to = models.CharField(
        _("reported to (independent authority)"), max_length=200, blank=True
    )
    reported_to_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["facility", "occurred_at"], name="incident_facility")]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class InvolvementRole(models.TextChoices):
    PERPETRATOR = "perpetrator", _("Alleged perpetrator")
    VICTIM = "victim", _("Victim")
    PARTICIPANT = "participant", _("Participant")
    WITNESS = "witness", _("Witness")
    DECEASED = "deceased", _("Deceased")


class Involvement(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involved")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    role = models.CharField(_("role"), max_length=16, choices=InvolvementRole.choices)
    injured = models.BooleanField(_("injured"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("person involved")
        verbose_name_plural = _("people involved")
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="involvement_once"),
        ]
        indexes = [models.Index(fields=["person", "incident"], name="involvement_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role}"


class UseOfForce(models.Model):
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="uses_of_force"
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("why force was necessary"))
    authorised_by = models.CharField(_("authorised by"), max_length=200)
    injuries = models.TextField(_("injuries"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("use of force")
        verbose_name_plural = _("uses of force")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="force_person"),
            models.Index(fields=["facility", "started_at"], name="force_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="force_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"force on {self.person_id} {self.started_at:%Y-%m-%d %H:%M}"


class Technique(models.TextChoices):
    PHYSICAL_HOLD = "physical_hold", _("Physical hold or escort")
    STRIKE = "strike", _("Strikes (hands, feet)")
    BATON = "baton", _("Baton")
    CHEMICAL = "chemical", _("Pepper spray or tear gas")
    ELECTRIC = "electric", _("Electric-shock weapon")
    DOG = "dog", _("Dog")
    FIREARM = "firearm", _("Firearm")
    MECHANICAL = "mechanical", _("Mechanical restraints")
    OTHER = "other", _("Other")


class ForceTechnique(models.Model):
    use = models.ForeignKey(UseOfForce, on_delete=models.CASCADE, related_name="techniques")
    technique = models.CharField(_("technique"), max_length=16, choices=Technique.choices)
    applied_by = models.CharField(_("applied by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("technique used")
        verbose_name_plural = _("techniques used")

    def __str__(self) -> str:
        return self.technique


class RestraintKind(models.TextChoices):
    HANDCUFFS = "handcuffs", _("Handcuffs")
    LEG_CUFFS = "leg_cuffs", _("Leg cuffs")
    BODY_BELT = "body_belt", _("Body belt")
    CHAINS = "chains", _("Chains or irons")
    RESTRAINT_CHAIR = "restraint_chair", _("Restraint chair")
    SPIT_HOOD = "spit_hood", _("Spit hood")
    OTHER = "other", _("Other")


# Mandela Rule 47(1): chains, irons and other instruments inherently degrading or painful.
PROHIBITED_RESTRAINTS = frozenset({RestraintKind.CHAINS})


class RestraintPurpose(models.TextChoices):
    ESCORT = "escort", _("Security during a move")
    PREVENT_HARM = "prevent_harm", _("To prevent harm to self or others")
    ESCAPE = "escape", _("To prevent escape")
    MEDICAL = "medical", _("On medical direction")
    SANCTION = "sanction", _("As a punishment")  # prohibited: Mandela Rule 43(2)


class Restraint(models.Model):
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("restraint"), max_length=16, choices=RestraintKind.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=RestraintPurpose.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    authorised_by = models.CharField(_("authorised by"), max_length=200)
    use_of_force = models.ForeignKey(
        UseOfForce, null=True, blank=True, on_delete=models.PROTECT, related_name="restraints"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("restraint")
        verbose_name_plural = _("restraints")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="restraint_person"),
            models.Index(fields=["facility", "started_at"], name="restraint_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="restraint_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.person_id}"

    @property
    def prohibited(self) -> bool:
        return self.kind in PROHIBITED_RESTRAINTS or self.purpose == RestraintPurpose.SANCTION


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROVEN = "proven", _("Proven")
    NOT_PROVEN = "not_proven", _("Not proven")
    DISMISSED = "dismissed", _("Dismissed")


class Charge(models.Model):
    """A disciplinary charge, its hearing and its outcome (Mandela Rules 39 and 41: notice of the
    charge, time to prepare, an interpreter, legal assistance where justice requires)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    offence = models.CharField(_("offence against discipline"), max_length=300)
    charged_at = models.DateTimeField(_("charged at"))
    notified_at = models.DateTimeField(_("person told of the charge at"), null=True, blank=True)
    hearing_at = models.DateTimeField(_("hearing at"), null=True, blank=True)
    adjudicator = models.CharField(_("adjudicator"), max_length=200, blank=True)
    person_heard = models.BooleanField(_("the person was heard"), null=True, blank=True)
    interpreter = models.BooleanField(_("interpreter provided"), null=True, blank=True)
    legal_assistance = models.BooleanField(_("legal assistance"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    reasons = models.TextField(_("reasons"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("disciplinary charge")
        verbose_name_plural = _("disciplinary charges")
        ordering = ["-charged_at", "-id"]
        indexes = [
            models.Index(fields=["person", "charged_at"], name="charge_person"),
            models.Index(fields=["facility", "charged_at"], name="charge_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.offence} ({self.person_id})"


class SanctionKind(models.TextChoices):
    CELLULAR_CONFINEMENT = "cellular_confinement", _("Cellular confinement")
    LOSS_OF_PRIVILEGES = "loss_of_privileges", _("Loss of privileges")
    LOSS_OF_EARNINGS = "loss_of_earnings", _("Loss of earnings")
    EXTRA_WORK = "extra_work", _("Extra work")
    VISITS_RESTRICTED = "visits_restricted", _("Visits restricted")
    FAMILY_CONTACT_BAN = "family_contact_ban", _("Ban on family contact")
    FOOD_OR_WATER_REDUCED = "food_or_water_reduced", _("Food or water reduced")
    OTHER = "other", _("Other")


# Mandela Rule 43: prohibited in all circumstances (collective sanctions are judged by scope).
PROHIBITED_SANCTIONS = frozenset(
    {SanctionKind.FAMILY_CONTACT_BAN, SanctionKind.FOOD_OR_WATER_REDUCED}
)


class SanctionScope(models.TextChoices):
    PERSON = "person", _("One person")
    CELL = "cell", _("A whole cell (collective)")
    UNIT = "unit", _("A whole unit (collective)")


class Sanction(models.Model):
    """A sanction in force from ``started_at`` to ``ended_at``: on one person after a proven
    charge, or on a whole cell or unit — a collective sanction, which Mandela Rule 43(1)(d)
    forbids and which is recorded as such. Who it fell on follows from the placements."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("sanction"), max_length=24, choices=SanctionKind.choices)
    scope = models.CharField(_("on"), max_length=8, choices=SanctionScope.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    charge = models.ForeignKey(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    imposed_by = models.CharField(_("imposed by"), max_length=200)
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="sanction_person"),
            models.Index(fields=["cell", "started_at"], name="sanction_cell"),
            models.Index(fields=["unit", "started_at"], name="sanction_unit"),
            models.Index(fields=["facility", "started_at"], name="sanction_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="person") & Q(person__isnull=False))
                | (Q(scope="cell") & Q(cell__isnull=False))
                | (Q(scope="unit") & Q(unit__isnull=False)),
                name="sanction_scope_target",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="sanction_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.scope}"

    @property
    def collective(self) -> bool:
        return self.scope != SanctionScope.PERSON

    @property
    def prohibited(self) -> bool:
        return self.collective or self.kind in PROHIBITED_SANCTIONS


class SegregationKind(models.TextChoices):
    DISCIPLINARY = "disciplinary", _("Disciplinary (cellular confinement)")
    PROTECTIVE = "protective", _("For the person's protection")
    SECURITY = "security", _("For security or good order")
    MEDICAL = "medical", _("Medical isolation")


class Segregation(models.Model):
    """Time apart from others, who authorised it and on what grounds (Mandela Rules 44–46:
    last resort, shortest time, authorised, independently reviewed, never prolonged)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SegregationKind.choices)
    grounds = models.TextField(_("grounds"))
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    authorised_by = models.CharField(_("authorised by (name and post)"), max_length=200)
    authorised_at = models.DateTimeField(_("authorised at"))
    sanction = models.ForeignKey(
        Sanction, null=True, blank=True, on_delete=models.PROTECT, related_name="segregations"
    )
    end_reason = models.TextField(_("why it ended"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("segregation")
        verbose_name_plural = _("segregations")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="segregation_person"),
            models.Index(fields=["facility", "started_at"], name="segregation_facility"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_at__isnull=True), name="one_open_segregation"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="segregation_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} segregation of {self.person_id}"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    END = "end", _("End")


class SegregationReview(models.Model):
    segregation = models.ForeignKey(Segregation, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(_("reviewed at"))
    reviewer = models.CharField(_("reviewer (name and post)"), max_length=200)
    independent = models.BooleanField(_("independent of the decision"), default=False)
    health_seen = models.BooleanField(_("seen by health staff"), default=False)
    decision = models.CharField(_("decision"), max_length=16, choices=ReviewDecision.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("segregation review")
        verbose_name_plural = _("segregation reviews")
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"review {self.segregation_id} {self.reviewed_at:%Y-%m-%d}"


class ComplaintSubject(models.TextChoices):
    ILL_TREATMENT = "ill_treatment", _("Ill-treatment or torture")
    CONDITIONS = "conditions", _("Conditions")
    HEALTH = "health", _("Health care")
    LEGAL = "legal", _("Access to a lawyer or the courts")
    CONTACT = "contact", _("Contact with family")
    FOOD = "food", _("Food or water")
    PROPERTY = "property", _("Property")
    STAFF = "staff", _("Conduct of staff")
    OTHER = "other", _("Other")


class ComplaintChannel(models.TextChoices):
    GOVERNOR = "governor", _("The governor")
    INSPECTOR = "inspector", _("An independent inspector")
    JUDGE = "judge", _("A judge")
    OMBUDSMAN = "ombudsman", _("The human rights ombudsman")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY = "partly", _("Partly upheld")
    REJECTED = "rejected", _("Not upheld")
    REFERRED = "referred", _("Referred elsewhere")


class Complaint(models.Model):
    """A request or complaint and its answer (Mandela Rules 54–57: prompt answer, confidential
    channel to inspectors, no reprisals)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    filed_at = models.DateTimeField(_("filed at"))
    subject = models.CharField(_("about"), max_length=16, choices=ComplaintSubject.choices)
    channel = models.CharField(_("addressed to"), max_length=16, choices=ComplaintChannel.choices)
    confidential = models.BooleanField(_("confidential"), default=False)
    summary = models.TextField(_("summary"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ComplaintOutcome.choices, blank=True
    )
    answered_by = _recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["person", "filed_at"], name="complaint_person"),
            models.Index(fields=["facility", "filed_at"], name="complaint_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.person_id})"


class Manner(models.TextChoices):
    NATURAL = "natural", _("Natural causes")
    UNNATURAL = "unnatural", _("Violence, suicide or accident")
    UNKNOWN = "unknown", _("Not yet known")


class Death(models.Model):
    """A death in custody: when the family and an independent authority were told (Mandela
    Rules 69 and 71), and where the remains went (Rule 8)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    died_at = models.DateTimeField(_("died at"))
    place = models.CharField(_("where"), max_length=200)
    circumstances = models.TextField(_("circumstances"))
    cause_stated = models.CharField(_("cause stated"), max_length=300, blank=True)
    manner = models.CharField(_("manner"), max_length=16, choices=Manner.choices)
    family_informed_at = models.DateTimeField(_("family told at"), null=True, blank=True)
    family_informed = models.CharField(_("who in the family"), max_length=200, blank=True)
    authority_informed_at = models.DateTimeField(
        _("independent authority told at"), null=True, blank=True
    )
    authority = models.CharField(_("independent authority"), max_length=200, blank=True)
    remains_to = models.CharField(_("remains released to"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = _recorded_by()

    class Meta:
        verbose_name = _("death in custody")
        verbose_name_plural = _("deaths in custody")
        ordering = ["-died_at", "-id"]
        indexes = [models.Index(fields=["facility", "died_at"], name="death_facility")]

    def __str__(self) -> str:
        return f"death of {self.person_id} {self.died_at:%Y-%m-%d}"
