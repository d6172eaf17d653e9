"""Pages of conditions: a facility's cells on a day (heat, light, water, showers, inspections),
the upload of a sensor file, and the record of a water round."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from habeas.accounts.roles import Capability
from habeas.conditions import feed, selectors, services
from habeas.conditions.forms import ReadingsUploadForm, WaterForm
from habeas.core import clock
from habeas.core.errors import DomainError
from habeas.core.views import actor_of, facility_for, local_input, require, user_of
from habeas.estate.models import Cell, Facility
from habeas.regime.forms import DayForm
from habeas.regime.selectors import today


def _render(request: HttpRequest, facility: Facility, day: dt.date, **extra: Any) -> HttpResponse:
    user = user_of(request)
    context: dict[str, Any] = {
        "facility": facility,
        "day": day,
        "cells": selectors.cell_day(facility, day),
        "threshold": selectors.HEAT_THRESHOLD_C,
        "batches": selectors.recent_batches(facility),
        "upload_form": ReadingsUploadForm() if user.can(Capability.RECORD_READINGS) else None,
        "water_form": WaterForm(facility=facility)
        if user.can(Capability.RECORD_DAILY_LIFE)
        else None,
        "problems": None,
    }
    context.update(extra)
    return render(request, "conditions/day.html", context)


@login_required
def day(request: HttpRequest, code: str) -> HttpResponse:
    """Each cell on a day: highest and lowest temperature, minutes at or above the heat
    threshold, minutes with the lights off, humidity, CO₂, water per person, showers."""
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    form = DayForm(request.GET)
    chosen = form.cleaned_data.get("date") if form.is_valid() else None
    return _render(request, facility, chosen or today(facility))


@login_required
@require_POST
def upload_readings(request: HttpRequest, code: str) -> HttpResponse:
    require(request, Capability.RECORD_READINGS)
    facility = facility_for(request, code)
    form = ReadingsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, facility, today(facility), upload_form=form)
    upload = form.cleaned_data["file"]
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        form.add_error("file", _("The file is not UTF-8 text."))
        return _render(request, facility, today(facility), upload_form=form)
    readings, problems = feed.parse(text)
    try:
        with transaction.atomic():
            report = services.import_readings(
                facility=facility,
                readings=readings,
                source=upload.name,
                actor=actor_of(request),
                at=clock.now(),
                parse_problems=problems,
                lines=len(readings) + len({p.line for p in problems}),
            )
    except DomainError as exc:
        return _render(
            request,
            facility,
            today(facility),
            upload_form=form,
            refusal=exc.message,
            problems=exc.details.get("problems", []),
        )
    messages.success(
        request,
        _("%(stored)d readings stored, %(dup)d already known.")
        % {"stored": report.stored, "dup": report.duplicates},
    )
    return redirect("conditions:day", code=facility.code)


@login_required
@require_POST
def deliver_water(request: HttpRequest, code: str) -> HttpResponse:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = facility_for(request, code)
    form = WaterForm(request.POST, facility=facility)
    if form.is_valid():
        d = form.cleaned_data
        codes = Cell.objects.filter(facility=facility, unit__code=d["unit"]).order_by("code")
        try:
            with transaction.atomic():
                ids = services.deliver_water(
                    facility=facility,
                    delivered_at=local_input(d["delivered_at"], facility),  # type: ignore[arg-type]
                    deliveries=[
                        services.WaterIn(c, d["litres_per_cell"])
                        for c in codes.values_list("code", flat=True)
                    ],
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Water recorded for %(n)d cells.") % {"n": len(ids)})
            return redirect("conditions:day", code=facility.code)
    return _render(request, facility, today(facility), water_form=form)
