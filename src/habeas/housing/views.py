from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from habeas.accounts.models import User
from habeas.core import clock
from habeas.estate.models import Facility
from habeas.housing import selectors


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    facility = Facility.objects.filter(pk__in=user.facility_ids()).order_by("code").first()
    if facility is None:
        return render(request, "housing/no_facility.html", status=200)
    return redirect("housing:roll", code=facility.code)


@login_required
def roll_board(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    facility = Facility.objects.select_related("space_standard").filter(code=code).first()
    if facility is None or not user.sees(facility):
        raise Http404(_("No such facility."))
    r = selectors.roll(facility, clock.now())
    facilities = Facility.objects.filter(pk__in=user.facility_ids()).order_by("code")
    return render(
        request, "housing/roll.html", {"roll": r, "facility": facility, "facilities": facilities}
    )
