"""Forms of the regime pages: they parse input into the use cases' inputs; the rules are the
services', whose refusals are shown on the fields they name."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.core.errors import DomainError
from habeas.custody.forms import DATE, DomainErrorsMixin
from habeas.estate.models import Facility, Unit
from habeas.regime.models import ContactKind, ExceptionReason, Location, Purpose, VisitMode

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PrefixErrorsMixin(DomainErrorsMixin):
    """A problem on ``exceptions[2].person`` is shown on the ``exceptions`` field."""

    prefixes: tuple[str, ...] = ()

    def add_domain_error(self, exc: DomainError) -> None:
        problems = exc.details.get("problems") or [{"field": exc.field, "message": exc.message}]
        for p in problems:
            name = str(p.get("field") or "")
            target = next((x for x in self.prefixes if name.startswith(x)), None)
            if target is None:
                target = self.field_map.get(name, name.rsplit(".", 1)[-1])
            self.add_error(target if target in self.fields else None, str(p["message"]))


def local(day: dt.date, time: dt.time, facility: Facility) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(facility.time_zone))


class UnlockForm(PrefixErrorsMixin):
    prefixes = ("exceptions", "cells")
    field_map = {"started_at": "starts", "ended_at": "ends"}

    unit = forms.ChoiceField(label=_("A whole unit"), required=False)
    cells = forms.CharField(
        label=_("… or these cells"),
        required=False,
        max_length=2000,
        help_text=_("Cell codes separated by commas, e.g. 3-01, 3-02."),
    )
    day = forms.DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=_("Unlocked at"), widget=TIME)
    ends = forms.TimeField(label=_("Locked again at"), widget=TIME)
    location = forms.ChoiceField(label=_("Where"), choices=Location.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    exceptions = forms.CharField(
        label=_("Who did not take part"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One person per line: custody number and reason (%(reasons)s).")
        % {"reasons": ", ".join(ExceptionReason.values)},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, facility: Facility, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(facility=facility).order_by("code")
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(u.code, u.name) for u in units]]

    def exception_lines(self) -> list[tuple[str, str]]:
        out = []
        for line in (self.cleaned_data.get("exceptions") or "").splitlines():
            parts = line.split()
            if parts:
                out.append((parts[0], parts[1] if len(parts) > 1 else ""))
        return out


class VisitRequestForm(DomainErrorsMixin):
    custody_number = forms.CharField(label=_("Custody number"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=ContactKind.choices)
    visitor = forms.CharField(label=_("Visitor"), max_length=200)
    relationship = forms.CharField(label=_("Relationship"), max_length=100, required=False)


class DecisionForm(DomainErrorsMixin):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(label=_("Reason for a refusal"), required=False, max_length=2000)


class HeldForm(DomainErrorsMixin):
    field_map = {"started_at": "starts", "ended_at": "minutes"}

    day = forms.DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=_("Began at"), widget=TIME)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    mode = forms.ChoiceField(label=_("How"), choices=VisitMode.choices)
    sight_not_hearing = forms.BooleanField(label=_("Staff could see but not hear"), required=False)


class DayForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=DATE, required=False)
