"""Reading incidents, force, restraints, discipline, segregation, complaints and deaths of a
facility — what is in force now and what happened in a period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from habeas.estate.models import Facility
from habeas.incidents.models import (
    Complaint,
    Death,
    Incident,
    Involvement,
    Restraint,
    Sanction,
    Segregation,
    SegregationReview,
    UseOfForce,
)

# Mandela Rule 44: solitary confinement for more than 15 consecutive days is prolonged.
PROLONGED_DAYS = 15


def in_force(at: dt.datetime) -> Q:
    return Q(started_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


def incidents(facility: Facility, start: dt.datetime, end: dt.datetime) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(facility=facility, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("cell")
        .prefetch_related(
            Prefetch("involved", queryset=Involvement.objects.select_related("person")),
            "uses_of_force__techniques",
        )
        .order_by("-occurred_at", "-id")
    )


@dataclass
class SegregationRow:
    segregation: Segregation
    days: int
    reviews: int
    last_review: dt.datetime | None

    @property
    def prolonged(self) -> bool:
        return self.days > PROLONGED_DAYS


@dataclass
class Summary:
    restraints: list[Restraint]
    segregations: list[SegregationRow]
    sanctions: list[Sanction]
    complaints_unanswered: list[Complaint]
    deaths: list[Death]
    uses_of_force: int
    incidents: int


def summary(facility: Facility, at: dt.datetime, since: dt.datetime) -> Summary:
    """What is in force at ``at`` (restraints, segregation, sanctions), complaints still without
    an answer, and what happened since ``since`` (force, incidents, deaths)."""
    segs = (
        Segregation.objects.filter(in_force(at), facility=facility)
        .select_related("person", "cell")
        .annotate(n=Count("reviews"), last=Max("reviews__reviewed_at"))
        .order_by("started_at")
    )
    return Summary(
        restraints=list(
            Restraint.objects.filter(in_force(at), facility=facility)
            .select_related("person")
            .order_by("started_at")
        ),
        segregations=[SegregationRow(s, (at - s.started_at).days, s.n, s.last) for s in segs],
        sanctions=list(
            Sanction.objects.filter(in_force(at), facility=facility)
            .select_related("person", "cell", "unit")
            .order_by("scope", "started_at")
        ),
        complaints_unanswered=list(
            Complaint.objects.filter(facility=facility, answered_at__isnull=True)
            .select_related("person")
            .order_by("filed_at")
        ),
        deaths=list(
            Death.objects.filter(facility=facility, died_at__gte=since)
            .select_related("person")
            .order_by("-died_at")
        ),
        uses_of_force=UseOfForce.objects.filter(facility=facility, started_at__gte=since).count(),
        incidents=Incident.objects.filter(facility=facility, occurred_at__gte=since).count(),
    )


def reviews_of(segregation: Segregation) -> QuerySet[SegregationReview]:
    return segregation.reviews.order_by("reviewed_at")
