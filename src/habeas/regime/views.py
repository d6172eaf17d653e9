"""Pages of the regime: a facility's day (timetable, unlock log, meals) with the form recording an
unlock; contact with the outside; one person's days. Thin: parse, call one use case, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.errors import DomainError
from habeas.core.views import actor_of, facility_for, require, user_of
from habeas.custody.selectors import visible_person
from habeas.estate.models import Facility
from habeas.people.models import Person
from habeas.regime import days, selectors, services
from habeas.regime.forms import (
    DayForm,
    DecisionForm,
    HeldForm,
    UnlockForm,
    VisitRequestForm,
    local,
)
from habeas.regime.models import Visit


def _day(request: HttpRequest, facility: Facility) -> dt.date:
    form = DayForm(request.GET)
    chosen: dt.date | None = form.cleaned_data.get("date") if form.is_valid() else None
    return chosen or selectors.today(facility)


def _regime_page(
    request: HttpRequest, facility: Facility, day: dt.date, form: UnlockForm | None
) -> HttpResponse:
    start, end = selectors.day_bounds(facility, day)
    user = user_of(request)
    if form is None and user.can(Capability.RECORD_DAILY_LIFE):
        form = UnlockForm(facility=facility, initial={"day": day, "location": "covered"})
    return render(
        request,
        "regime/day.html",
        {
            "facility": facility,
            "day": day,
            "timetable": selectors.timetable(facility, day),
            "unlocks": selectors.unlocks(facility, start, end),
            "meals": selectors.meals(facility, start, end),
            "form": form,
        },
    )


@login_required
def day(request: HttpRequest, code: str) -> HttpResponse:
    """The regime of a day: planned (timetable) and actual (unlocks, meals)."""
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    return _regime_page(request, facility, _day(request, facility), None)


@login_required
@require_POST
def record_unlock(request: HttpRequest, code: str) -> HttpResponse:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = facility_for(request, code)
    form = UnlockForm(request.POST, facility=facility)
    if form.is_valid():
        d = form.cleaned_data
        item = services.UnlockIn(
            started_at=local(d["day"], d["starts"], facility),
            ended_at=local(d["day"], d["ends"], facility),
            location=d["location"],
            purpose=d["purpose"],
            unit=d["unit"] or None,
            cells=tuple(c.strip() for c in d["cells"].split(",") if c.strip()),
            exceptions=tuple(
                services.ExceptionIn(reason=reason, custody_number=number)
                for number, reason in form.exception_lines()
            ),
            note=d["note"],
        )
        try:
            with transaction.atomic():
                (done,) = services.record_unlocks(
                    facility=facility, unlocks=[item], actor=actor_of(request), at=clock.now()
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Unlock recorded for %(n)d cells.") % {"n": len(done.cells)},
            )
            url = reverse("regime:day", kwargs={"code": facility.code})
            return redirect(f"{url}?date={d['day']:%Y-%m-%d}")
    return _regime_page(
        request, facility, form.cleaned_data.get("day") or selectors.today(facility), form
    )


def _contact_page(
    request: HttpRequest, facility: Facility, day: dt.date, form: VisitRequestForm | None = None
) -> HttpResponse:
    user = user_of(request)
    start, end = selectors.day_bounds(facility, day)
    found = selectors.contact(facility, start, end)
    return render(
        request,
        "regime/contact.html",
        {
            "facility": facility,
            "day": day,
            "contact": found,
            "held": sum(1 for v in found.visits if v.status == "held"),
            "form": form
            if form is not None
            else (VisitRequestForm() if user.can(Capability.RECORD_DAILY_LIFE) else None),
            "can_decide": user.can(Capability.DECIDE_REQUESTS),
            "can_record": user.can(Capability.RECORD_DAILY_LIFE),
            "decision_form": DecisionForm(),
            "held_form": HeldForm(initial={"day": day, "mode": "open", "minutes": 60}),
        },
    )


@login_required
def contact(request: HttpRequest, code: str) -> HttpResponse:
    """Visits waiting for a decision or to be held, and the day's contact with the outside."""
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    return _contact_page(request, facility, _day(request, facility))


@login_required
@require_POST
def request_visit(request: HttpRequest, code: str) -> HttpResponse:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = facility_for(request, code)
    form = VisitRequestForm(request.POST)
    if form.is_valid():
        person = Person.objects.filter(custody_number=form.cleaned_data["custody_number"]).first()
        if person is None:
            form.add_error("custody_number", _("No such person."))
        else:
            try:
                with transaction.atomic():
                    services.request_visit(
                        person=person,
                        facility=facility,
                        kind=form.cleaned_data["kind"],
                        visitor=form.cleaned_data["visitor"],
                        relationship=form.cleaned_data["relationship"],
                        actor=actor_of(request),
                        at=clock.now(),
                    )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Visit requested."))
                return redirect("regime:contact", code=facility.code)
    return _contact_page(request, facility, selectors.today(facility), form)


def _visit(request: HttpRequest, facility: Facility, visit_id: int) -> Visit:
    visit = Visit.objects.filter(pk=visit_id, facility=facility).select_related("person").first()
    if visit is None:
        raise Http404(_("No such visit."))
    return visit


def _refused(request: HttpRequest, exc: DomainError) -> None:
    problems = exc.details.get("problems") or [{"message": exc.message}]
    for p in problems:
        messages.error(request, str(p["message"]))


@login_required
@require_POST
def decide_visit(request: HttpRequest, code: str, visit_id: int) -> HttpResponse:
    require(request, Capability.DECIDE_REQUESTS)
    facility = facility_for(request, code)
    visit = _visit(request, facility, visit_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("regime:contact", code=facility.code)
    try:
        with transaction.atomic():
            services.decide_visit(
                visit=visit,
                approve=form.cleaned_data["approve"],
                reason=form.cleaned_data["reason"],
                actor=actor_of(request),
                at=clock.now(),
            )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("regime:contact", code=facility.code)


@login_required
@require_POST
def hold_visit(request: HttpRequest, code: str, visit_id: int) -> HttpResponse:
    require(request, Capability.RECORD_DAILY_LIFE)
    facility = facility_for(request, code)
    visit = _visit(request, facility, visit_id)
    form = HeldForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("regime:contact", code=facility.code)
    d = form.cleaned_data
    start = local(d["day"], d["starts"], facility)
    try:
        with transaction.atomic():
            services.hold_visit(
                visit=visit,
                started_at=start,
                ended_at=start + dt.timedelta(minutes=d["minutes"]),
                mode=d["mode"],
                sight_not_hearing=d["sight_not_hearing"],
                actor=actor_of(request),
                at=clock.now(),
            )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Visit recorded as held."))
    return redirect("regime:contact", code=facility.code)


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person's days: the unlocks they took part in (or missed, and why), minutes out of the
    cell and in the open air, contact, water, heat and light, sanctions and restraints."""
    require(request, Capability.VIEW_PERSON)
    try:
        who = visible_person(user_of(request), pk=person_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    last = None
    form = DayForm(request.GET)
    if form.is_valid() and form.cleaned_data.get("date"):
        last = form.cleaned_data["date"]
    pd = days.person_days(who, None if last is None else last - dt.timedelta(days=29), last)
    return render(
        request,
        "regime/person.html",
        {"person": who, "pd": pd, "facility": pd.facility, "days": list(reversed(pd.days))},
    )
