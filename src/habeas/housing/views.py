"""The roll board and its drill-down: facility → unit → cell → person."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.errors import DomainError, InvalidInput
from habeas.core.views import actor_of, facility_for, require, user_of
from habeas.estate import services as estate_services
from habeas.estate.models import Cell, Facility, Unit
from habeas.housing import board, planning, selectors, services


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    code = request.session.get("facility")
    facilities = Facility.objects.filter(pk__in=user.facility_ids()).order_by("code")
    facility = facilities.filter(code=code).first() or facilities.first()
    if facility is None:
        return render(request, "housing/no_facility.html")
    return redirect("housing:roll", code=facility.code)


@login_required
def roll_board(request: HttpRequest, code: str) -> HttpResponse:
    """The facility at a glance: every unit and cell, totals against every capacity, and the
    people held without a cell or without a valid lawful authority — never hidden."""
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    # Every tile links to its cell: one reverse for the board, not one per cell.
    cells_url = reverse("housing:cell", kwargs={"code": facility.code, "cell": "-"})[:-2]

    def draw(r: selectors.Roll) -> str:
        return render_to_string(
            "housing/roll_board.html", {"roll": r, "facility": facility, "cells_url": cells_url}
        )

    drawn = board.drawn_board(facility, clock.now(), get_language(), draw)
    return render(
        request,
        "housing/roll.html",
        {
            "facility": facility,
            "at": drawn.at,
            "board": mark_safe(drawn.html),  # noqa: S308 - rendered by our own template, escaped
            "roll": drawn.roll,
            "board_seconds": settings.HABEAS_ROLL_BOARD_SECONDS,
        },
    )


@login_required
def unit_view(request: HttpRequest, code: str, unit: str) -> HttpResponse:
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    target = Unit.objects.filter(facility=facility, code=unit).first()
    if target is None:
        raise Http404(_("No such unit."))
    r = board.board_roll(facility, clock.now())
    unit_roll = (
        next(u for u in r.units if u.id == target.pk)
        if any(u.id == target.pk for u in r.units)
        else selectors.UnitRoll(target.pk, target.code, target.name)
    )
    return render(
        request, "housing/unit.html", {"facility": facility, "unit": unit_roll, "roll": r}
    )


@login_required
def cell_view(request: HttpRequest, code: str, cell: str) -> HttpResponse:
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    target = Cell.objects.select_related("unit").filter(facility=facility, code=cell).first()
    if target is None:
        raise Http404(_("No such cell."))
    now = clock.now()
    cell_roll = next(c for c in selectors.roll(facility, now).cells if c.id == target.pk)
    return render(
        request,
        "housing/cell.html",
        {
            "facility": facility,
            "cell": target,
            "cell_roll": cell_roll,
            "occupants": selectors.occupants(target, now),
            "show_groups": user_of(request).can(Capability.VIEW_SECURITY),
        },
    )


@login_required
def flagged(request: HttpRequest, code: str, which: str) -> HttpResponse:
    """The people the roll flags: held without a valid lawful authority, or without a cell."""
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    r = board.board_roll(facility, clock.now())
    if which == "without-authority":
        people, title = r.without_authority, _("Held without a valid lawful authority")
    elif which == "without-cell":
        people, title = r.unplaced, _("In custody without a cell")
    else:
        raise Http404
    page = Paginator(people, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "housing/flagged.html",
        {
            "facility": facility,
            "page": page,
            "title": title,
            "which": which,
            "count": len(people),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest, code: str) -> HttpResponse:
    """The plan preview: moves per unit, occupancy before and after, who cannot be placed and
    why; a governor approves it (a rebalance), an officer places those waiting (intake)."""
    require(request, Capability.VIEW_ROLL)
    facility = facility_for(request, code)
    mode = request.POST.get("mode") or request.GET.get("mode") or "intake"
    if mode not in planning.MODES:
        raise Http404
    user = user_of(request)
    needed = Capability.APPROVE_PLAN if mode == "rebalance" else Capability.PLACE
    error = None
    if request.method == "POST":
        require(request, needed)
        try:
            with transaction.atomic():
                proposal = planning.apply(
                    facility=facility,
                    mode=mode,
                    expected=request.POST.get("fingerprint"),
                    reason=request.POST.get("reason", ""),
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Plan applied: %(p)d placed, %(m)d moved.")
                % {"p": proposal.placements, "m": proposal.moves},
            )
            return redirect("housing:roll", code=facility.code)
    proposal = planning.propose(facility=facility, mode=mode, at=clock.now())
    return render(
        request,
        "housing/allocation.html",
        {
            "facility": facility,
            "proposal": proposal,
            "mode": mode,
            "error": error,
            "can_apply": user.can(needed),
            "modes": planning.MODES,
        },
        status=409 if error else 200,
    )


@login_required
@require_POST
def cell_decision(request: HttpRequest, code: str, cell: str) -> HttpResponse:
    """A governor's decisions on a cell: over capacity up to its bunks, out of service, back."""
    facility = facility_for(request, code)
    target = (
        Cell.objects.select_related("unit", "facility").filter(facility=facility, code=cell).first()
    )
    if target is None:
        raise Http404(_("No such cell."))
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    try:
        with transaction.atomic():
            if action == "over_capacity":
                require(request, Capability.AUTHORISE_OVER_CAPACITY)
                try:
                    ceiling = int(request.POST.get("ceiling", ""))
                except ValueError as exc:
                    raise InvalidInput(
                        field="ceiling", message=_("Give the number of people the cell may hold.")
                    ) from exc
                services.authorise_over_capacity(
                    cell=target,
                    ceiling=ceiling,
                    reason=reason,
                    actor=actor_of(request),
                    at=clock.now(),
                )
            elif action == "out_of_service":
                require(request, Capability.SET_CAPACITY)
                estate_services.take_out_of_service(
                    cell=target, actor=actor_of(request), at=clock.now(), reason=reason
                )
            elif action == "return_to_service":
                require(request, Capability.SET_CAPACITY)
                estate_services.return_to_service(
                    cell=target, actor=actor_of(request), at=clock.now(), reason=reason
                )
            else:
                raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Recorded."))
    return redirect("housing:cell", code=facility.code, cell=target.code)
