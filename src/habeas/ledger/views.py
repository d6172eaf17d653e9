"""The person-day page: one row of the ledger, column by column, and the operational records
behind it — where an inspector checks a finding without taking anyone's word for it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from habeas.accounts.roles import Capability
from habeas.core.views import facility_for, require
from habeas.estate.models import Cell
from habeas.ledger.evidence import evidence
from habeas.ledger.models import CustodyDay
from habeas.people.models import Person

# The ledger's columns in the groups the page shows (docs/ledger.md).
GROUPS = [
    (
        "where",
        ["cell", "cell_kind", "held_minutes", "whole_day", "absent_minutes", "arrived_at"],
    ),
    ("authority", ["legal_status", "covered", "sex", "minor"]),
    (
        "cell",
        [
            "occupancy",
            "m2_per_person",
            "toilets",
            "people_per_toilet",
            "bunks",
            "mattresses",
            "mixed_sex",
            "mixed_status",
            "mixed_age",
        ],
    ),
    (
        "regime",
        [
            "out_of_cell_minutes",
            "open_air_minutes",
            "open_air_offered_minutes",
            "visit_minutes",
            "segregated_minutes",
            "solitary",
            "solitary_run",
        ],
    ),
    (
        "conditions",
        ["lights_off_minutes", "max_temperature_c", "minutes_hot", "water_litres_per_person"],
    ),
    (
        "contact",
        [
            "family_contact",
            "days_since_family_contact",
            "legal_contact",
            "days_since_legal_contact",
        ],
    ),
    (
        "force",
        [
            "restraint_minutes",
            "prohibited_restraint",
            "sanctions",
            "cellular_confinement",
            "collective_sanction",
            "prohibited_sanction",
        ],
    ),
    (
        "events",
        [
            "minutes_to_examination",
            "minutes_to_family_notified",
            "died",
            "minutes_to_death_reported",
            "minutes_to_family_told_of_death",
        ],
    ),
]


def group_labels() -> dict[str, str]:
    return {
        "where": _("Where"),
        "authority": _("On what authority"),
        "cell": _("The cell"),
        "regime": _("The regime"),
        "conditions": _("Conditions"),
        "contact": _("Contact with the outside"),
        "force": _("Force and discipline"),
        "events": _("Events"),
        "custody": _("Custody"),
        "health": _("Health (that an examination took place)"),
    }


def record_labels() -> dict[str, str]:
    return {
        "stay": _("Stay"),
        "authority": _("Lawful authority"),
        "absence": _("Absence"),
        "placement": _("Placement"),
        "unlock": _("Unlock"),
        "visit": _("Visit"),
        "call": _("Call"),
        "letter": _("Letter"),
        "hearing": _("Hearing"),
        "notification": _("Notification"),
        "readings": _("Readings"),
        "water": _("Water"),
        "restraint": _("Restraint"),
        "sanction": _("Sanction"),
        "segregation": _("Segregation"),
        "examination": _("Examination"),
        "death": _("Death"),
    }


@login_required
def person_day(request: HttpRequest, code: str, person_id: int, day: str) -> HttpResponse:
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    person = Person.objects.filter(pk=person_id).first()
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404(_("No such day.")) from exc
    if person is None:
        raise Http404(_("No such person."))
    ev = evidence(facility, person, date)
    if ev.row is None and not ev.groups:
        raise Http404(_("This person was not on this facility's roll that day."))
    fields = {f.name: f for f in CustodyDay._meta.concrete_fields if getattr(f, "column", None)}
    labels = group_labels()
    columns = []
    if ev.row is not None:
        cell = (
            Cell.objects.filter(pk=ev.row.cell_id).values_list("code", flat=True).first()
            if ev.row.cell_id is not None
            else None
        )
        for group, names in GROUPS:
            items = [
                (name, fields[name].verbose_name, cell if name == "cell" else getattr(ev.row, name))
                for name in names
            ]
            columns.append((group, labels[group], items))
    groups = [(g, labels.get(g, g), records) for g, records in ev.groups.items()]
    return render(
        request,
        "ledger/person_day.html",
        {
            "facility": facility,
            "person": person,
            "day": date,
            "ev": ev,
            "columns": columns,
            "groups": groups,
            "previous": date - dt.timedelta(days=1),
            "next": date + dt.timedelta(days=1),
        },
    )
