"""The regime as planned (timetables) and as it happened (unlocks, meals), and contact with the
outside world (visits, court hearings by video, calls, letters, family notifications).

Bulk facts are kept once per entry with the cells it covered (``UnlockCell``, ``MealCell``); who
was in those cells follows from ``housing.Placement``. Individual exceptions (refused, sick, in
court) are the only per-person rows of an entry. ``docs/daily-life.md`` shows how the custody
ledger derives each person-day from these tables.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from habeas.custody.models import Movement
from habeas.estate.models import Cell, Facility, Unit
from habeas.people.models import Person
from habeas.regime.scope import Scope


class Location(models.TextChoices):
    """Where a period out of lock-up is spent. Only ``open_air`` counts for Mandela Rule 23;
    ``in_cell`` (e.g. exercise inside the cell) does not count as time out of the cell."""

    OPEN_AIR = "open_air", _("Open air")
    COVERED = "covered", _("Covered corridor or hall")
    IN_CELL = "in_cell", _("In the cell")


class Purpose(models.TextChoices):
    EXERCISE = "exercise", _("Exercise")
    ASSOCIATION = "association", _("Association")
    ACTIVITY = "activity", _("Work, education or worship")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class TimetablePeriod(models.Model):
    """A planned period out of lock-up for a unit on a weekday (local time of the facility).
    The rest of the day is lock-up. A new timetable closes the periods it replaces."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    location = models.CharField(_("where"), max_length=16, choices=Location.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    valid_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("timetable period")
        verbose_name_plural = _("timetable periods")
        ordering = ["unit", "weekday", "starts"]
        indexes = [models.Index(fields=["unit", "weekday", "valid_from"], name="timetable_unit")]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="timetable_ends"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.weekday} {self.starts}–{self.ends}"

    @property
    def minutes(self) -> int:
        start = dt.datetime.combine(dt.date.min, self.starts)
        end = dt.datetime.combine(dt.date.min, self.ends)
        return int((end - start).total_seconds() // 60)


class Unlock(models.Model):
    """What actually happened: cells unlocked from ``started_at`` to ``ended_at`` for a purpose,
    to a location — one entry for one cell or a whole unit ("cells 3-01 … 3-32 unlocked
    09:00–09:30 to the corridor"). Everyone placed in those cells during the period took part,
    except the people listed in ``UnlockException``."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    location = models.CharField(_("where"), max_length=16, choices=Location.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    cells = models.ManyToManyField(Cell, through="UnlockCell", related_name="+")

    class Meta:
        verbose_name = _("unlock")
        verbose_name_plural = _("unlocks")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["facility", "started_at"], name="unlock_facility")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="unlock_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class UnlockCell(models.Model):
    unlock = models.ForeignKey(
        Unlock, on_delete=models.CASCADE, related_name="covered", db_index=False
    )
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("cell unlocked")
        verbose_name_plural = _("cells unlocked")
        constraints = [
            models.UniqueConstraint(fields=["unlock", "cell"], name="unlock_cell_once"),
        ]
        indexes = [models.Index(fields=["cell", "unlock"], name="unlock_cell_by_cell")]

    def __str__(self) -> str:
        return f"{self.unlock_id}:{self.cell_id}"


class ExceptionReason(models.TextChoices):
    REFUSED = "refused", _("Refused")
    SICK = "sick", _("Sick")
    IN_COURT = "in_court", _("In court or at a hearing")
    VISIT = "visit", _("At a visit")
    SEGREGATED = "segregated", _("Segregated or confined")
    KEPT_IN = "kept_in", _("Kept in by staff")
    OTHER = "other", _("Other")


class UnlockException(models.Model):
    """A person in an unlocked cell who did not take part, and why."""

    unlock = models.ForeignKey(Unlock, on_delete=models.CASCADE, related_name="exceptions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.CharField(_("reason"), max_length=16, choices=ExceptionReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("exception to an unlock")
        verbose_name_plural = _("exceptions to unlocks")
        constraints = [
            models.UniqueConstraint(fields=["unlock", "person"], name="unlock_exception_once"),
        ]
        indexes = [models.Index(fields=["person", "unlock"], name="unlock_exception_person")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.reason}"


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")
    OTHER = "other", _("Other food")


class Meal(models.Model):
    """A meal served to cells (one entry for a unit)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("meal"), max_length=16, choices=MealKind.choices)
    served_at = models.DateTimeField(_("served at"))
    description = models.CharField(_("what was served"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    cells = models.ManyToManyField(Cell, through="MealCell", related_name="+")

    class Meta:
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        ordering = ["served_at", "id"]
        indexes = [models.Index(fields=["facility", "served_at"], name="meal_facility")]

    def __str__(self) -> str:
        return f"{self.kind} {self.served_at:%Y-%m-%d %H:%M}"


class MealCell(models.Model):
    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="+", db_index=False)
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("cell served")
        verbose_name_plural = _("cells served")
        constraints = [models.UniqueConstraint(fields=["meal", "cell"], name="meal_cell_once")]
        indexes = [models.Index(fields=["cell", "meal"], name="meal_cell_by_cell")]

    def __str__(self) -> str:
        return f"{self.meal_id}:{self.cell_id}"


class ContactKind(models.TextChoices):
    FAMILY = "family", _("Family or friends")
    LEGAL = "legal", _("Legal adviser")
    CONSULAR = "consular", _("Consular")
    INSPECTOR = "inspector", _("Inspector or monitor")
    RELIGIOUS = "religious", _("Religious")
    OTHER = "other", _("Other")


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class VisitMode(models.TextChoices):
    OPEN = "open", _("In person, open")
    SCREENED = "screened", _("In person, through a screen")
    VIDEO = "video", _("By video")


class Visit(models.Model):
    """A visit: requested, then approved or refused (with the reason), then held — with its
    duration and whether it was within sight but out of hearing of staff (Mandela Rules 58, 61)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    visitor = models.CharField(_("visitor"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=100, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    requested_for = models.DateTimeField(_("wanted for"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    refusal_reason = models.TextField(_("reason refused"), blank=True)
    mode = models.CharField(_("how"), max_length=16, choices=VisitMode.choices, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    sight_not_hearing = models.BooleanField(
        _("within sight but not hearing of staff"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="visit_person"),
            models.Index(fields=["facility", "started_at"], name="visit_facility"),
            models.Index(fields=["facility", "status"], name="visit_facility_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="visit_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} visit to {self.person_id}"

    @property
    def minutes(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class HearingMode(models.TextChoices):
    VIDEO = "video", _("By video link from the facility")
    IN_PERSON = "in_person", _("In person at court")


class Hearing(models.Model):
    """A court hearing attended from the facility by video (or in person, recorded here for the
    record of legal contact). Mandela Rule 8: hearings and the presence of a lawyer."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    court = models.CharField(_("court"), max_length=200)
    reference = models.CharField(_("case reference"), max_length=100, blank=True)
    mode = models.CharField(_("how"), max_length=16, choices=HearingMode.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    defender_present = models.BooleanField(_("defender present"), default=False)
    defendants = models.PositiveIntegerField(
        _("people tried together"), default=1, help_text=_("More than one in a group trial.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="hearing_person"),
            models.Index(fields=["facility", "started_at"], name="hearing_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="hearing_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.started_at:%Y-%m-%d}"


class Direction(models.TextChoices):
    OUT = "out", _("Made or sent by the person")
    IN = "in", _("Received by the person")


class Call(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("with"), max_length=16, choices=ContactKind.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    counterpart = models.CharField(_("other party"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("at"))
    minutes = models.PositiveIntegerField(_("minutes"))
    monitored = models.BooleanField(_("listened to by staff"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["person", "started_at"], name="call_person"),
            models.Index(fields=["facility", "started_at"], name="call_facility"),
        ]

    def __str__(self) -> str:
        return f"call {self.person_id} {self.started_at:%Y-%m-%d %H:%M}"


class Letter(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("with"), max_length=16, choices=ContactKind.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    counterpart = models.CharField(_("other party"), max_length=200, blank=True)
    handled_at = models.DateTimeField(_("handed over at"))
    opened_by_staff = models.BooleanField(_("opened by staff"), default=False)
    withheld = models.BooleanField(_("withheld"), default=False)
    withheld_reason = models.TextField(_("reason withheld"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-handled_at", "-id"]
        indexes = [
            models.Index(fields=["person", "handled_at"], name="letter_person"),
            models.Index(fields=["facility", "handled_at"], name="letter_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(withheld=False) | ~Q(withheld_reason=""),
                name="letter_withheld_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"letter {self.person_id} {self.handled_at:%Y-%m-%d}"


class NotifiedEvent(models.TextChoices):
    ADMISSION = "admission", _("Admission")
    TRANSFER = "transfer", _("Transfer")
    ILLNESS = "illness", _("Serious illness or injury")
    OTHER = "other", _("Other")


class NotificationMethod(models.TextChoices):
    CALL = "call", _("Telephone")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    MESSAGE = "message", _("Message")


class FamilyNotification(models.Model):
    """When a person's family learned of their admission or transfer (Mandela Rule 68)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    event = models.CharField(_("of"), max_length=16, choices=NotifiedEvent.choices)
    event_at = models.DateTimeField(_("event at"))
    movement = models.ForeignKey(
        Movement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    notified_at = models.DateTimeField(_("family notified at"))
    notified = models.CharField(_("who was told"), max_length=200)
    method = models.CharField(_("how"), max_length=16, choices=NotificationMethod.choices)
    by_the_person = models.BooleanField(_("told by the person themself"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("family notification")
        verbose_name_plural = _("family notifications")
        ordering = ["-notified_at", "-id"]
        indexes = [
            models.Index(fields=["person", "event_at"], name="notification_person"),
            models.Index(fields=["facility", "event_at"], name="notification_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(notified_at__gte=models.F("event_at")),
                name="notification_after_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.event} notified {self.notified_at:%Y-%m-%d}"
