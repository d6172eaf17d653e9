"""Pages of health: a person's health record (health staff only; every read, and every refused
attempt, is in the audit log) and the people of a facility awaiting their examination on
admission (dates only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.errors import DomainError, PermissionDenied
from habeas.core.views import actor_of, facility_for, local_input, require, user_of
from habeas.custody.selectors import last_stay, visible_person
from habeas.health import selectors, services
from habeas.health.forms import ExaminationForm, HealthContactForm
from habeas.people.models import Person


def _person(request: HttpRequest, person_id: int) -> Person:
    try:
        return visible_person(user_of(request), pk=person_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc


def _render(
    request: HttpRequest,
    person: Person,
    exam_form: ExaminationForm | None = None,
    contact_form: HealthContactForm | None = None,
) -> HttpResponse:
    user = user_of(request)
    try:
        record = selectors.health_record(person=person, user=user, at=clock.now())
    except PermissionDenied as exc:
        raise HttpForbidden(exc.message) from exc
    stay = last_stay(person)
    can_record = user.can(Capability.RECORD_HEALTH)
    return render(
        request,
        "health/person.html",
        {
            "person": person,
            "facility": stay.facility if stay else None,
            "record": record,
            "exam_form": exam_form or (ExaminationForm() if can_record else None),
            "contact_form": contact_form or (HealthContactForm() if can_record else None),
        },
    )


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The health record. Anyone but health staff gets 403, and the attempt is audited."""
    return _render(request, _person(request, person_id))


@login_required
@require_POST
def record_examination(request: HttpRequest, person_id: int) -> HttpResponse:
    require(request, Capability.RECORD_HEALTH)
    who = _person(request, person_id)
    stay = last_stay(who)
    form = ExaminationForm(request.POST)
    if form.is_valid() and stay is not None:
        d = form.cleaned_data
        try:
            with transaction.atomic():
                services.record_examination(
                    person=who,
                    facility=stay.facility,
                    examination=services.ExaminationIn(
                        **{**d, "examined_at": local_input(d["examined_at"], stay.facility)}
                    ),
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Examination recorded."))
            return redirect("health:person", person_id=who.pk)
    return _render(request, who, exam_form=form)


@login_required
@require_POST
def record_contact(request: HttpRequest, person_id: int) -> HttpResponse:
    require(request, Capability.RECORD_HEALTH)
    who = _person(request, person_id)
    stay = last_stay(who)
    form = HealthContactForm(request.POST)
    if form.is_valid() and stay is not None:
        d = form.cleaned_data
        try:
            with transaction.atomic():
                services.record_health_contact(
                    person=who,
                    facility=stay.facility,
                    kind=d["kind"],
                    requested_at=local_input(d["requested_at"], stay.facility),
                    seen_at=local_input(d["seen_at"], stay.facility),
                    seen_by=d["seen_by"],
                    notes=d["notes"],
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Health contact recorded."))
            return redirect("health:person", person_id=who.pk)
    return _render(request, who, contact_form=form)


@login_required
def awaiting(request: HttpRequest, code: str) -> HttpResponse:
    """People in custody here without a medical examination on admission (Mandela Rule 30)."""
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    now = clock.now()
    waiting = list(selectors.awaiting_examination(facility, now)[:500])
    return render(
        request,
        "health/awaiting.html",
        {
            "facility": facility,
            "now": now,
            "waiting": [(e, int((now - e.admitted_at).total_seconds() // 3600)) for e in waiting],
            "total": selectors.awaiting_examination(facility, now).count(),
        },
    )
