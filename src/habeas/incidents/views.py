"""Pages of incidents: what is in force (restraints, segregation, sanctions — collective ones
flagged), complaints without an answer, deaths, and the incidents of the last 30 days."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.errors import DomainError
from habeas.core.views import actor_of, facility_for, local_input, require, user_of
from habeas.estate.models import Facility
from habeas.incidents import selectors, services
from habeas.incidents.forms import IncidentForm


def _render(request: HttpRequest, facility: Facility, form: IncidentForm | None) -> HttpResponse:
    now = clock.now()
    since = now - dt.timedelta(days=30)
    if form is None and user_of(request).can(Capability.RECORD_INCIDENTS):
        form = IncidentForm()
    return render(
        request,
        "incidents/list.html",
        {
            "facility": facility,
            "now": now,
            "summary": selectors.summary(facility, now, since),
            "incidents": list(
                selectors.incidents(facility, since, now + dt.timedelta(hours=1))[:200]
            ),
            "prolonged_days": selectors.PROLONGED_DAYS,
            "form": form,
        },
    )


@login_required
def incidents(request: HttpRequest, code: str) -> HttpResponse:
    require(request, Capability.VIEW_ROLL)
    return _render(request, facility_for(request, code), None)


@login_required
@require_POST
def record_incident(request: HttpRequest, code: str) -> HttpResponse:
    require(request, Capability.RECORD_INCIDENTS)
    facility = facility_for(request, code)
    form = IncidentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                services.record_incident(
                    facility=facility,
                    kind=d["kind"],
                    occurred_at=local_input(d["occurred_at"], facility),  # type: ignore[arg-type]
                    description=d["description"],
                    cell=d["cell"] or None,
                    place=d["place"],
                    serious=d["serious"],
                    involved=[
                        services.InvolvedIn(role=role, custody_number=number, injured=injured)
                        for number, role, injured in form.involved_lines()
                    ],
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Incident recorded."))
            return redirect("incidents:list", code=facility.code)
    return _render(request, facility, form)
