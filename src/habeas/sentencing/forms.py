"""Forms of the sentencing pages. They parse; the services decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.core.errors import DomainError
from habeas.sentencing.models import Seriousness
from habeas.sentencing.services import PERIOD_RULES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # ISO in every language


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a refusal on the form: each problem at its field when the form has it, else above
    the form."""
    problems = exc.details.get("problems") or []
    if not problems:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    for p in problems:
        name = p.get("field")
        message = p.get("message") or exc.message
        if name in form.fields:
            form.add_error(name, message)
        else:
            form.add_error(None, f"{name}: {message}" if name else message)


class SentenceForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="record")
    authority = forms.TypedChoiceField(
        label=_("Conviction warrant"), coerce=int, required=False, empty_value=None
    )
    offence = forms.CharField(label=_("Offence"), max_length=300)
    court = forms.CharField(label=_("Court"), max_length=200)
    case_reference = forms.CharField(label=_("Case reference"), max_length=100)
    imposed_on = forms.DateField(label=_("Imposed on"), widget=DATE)
    years = forms.IntegerField(label=_("Years"), min_value=0, max_value=10_000, initial=0)
    months = forms.IntegerField(label=_("Months"), min_value=0, max_value=10_000, initial=0)
    days = forms.IntegerField(label=_("Days"), min_value=0, max_value=1_000_000, initial=0)
    seriousness = forms.ChoiceField(label=_("Seriousness"), choices=Seriousness.choices)
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=DATE,
        help_text=_("Only if the court fixed a start; otherwise it runs from imposition."),
    )
    consecutive_to = forms.TypedChoiceField(
        label=_("Consecutive to"), coerce=int, required=False, empty_value=None
    )
    remand_credit_days = forms.IntegerField(
        label=_("Remand credit (days)"), min_value=0, max_value=1_000_000, initial=0
    )

    def __init__(
        self,
        *args: Any,
        warrants: list[tuple[int, str]],
        sentences: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = warrants  # type: ignore[attr-defined]
        if warrants:
            self.fields["authority"].initial = warrants[-1][0]
        self.fields["consecutive_to"].choices = [  # type: ignore[attr-defined]
            ("", _("— concurrent —")),
            *sentences,
        ]


class QuashForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="quash")
    sentence = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class TermsForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="terms")
    authority = forms.IntegerField(widget=forms.HiddenInput)
    seriousness = forms.ChoiceField(label=_("Seriousness"), choices=Seriousness.choices)
    detained_on = forms.DateField(
        label=_("Detained since"),
        required=False,
        widget=DATE,
        help_text=_("Default: the arrest, or the order."),
    )
    conditions = forms.MultipleChoiceField(
        label=_("Conditions that hold"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, conditions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = [(c, c) for c in conditions]  # type: ignore[attr-defined]


class SentenceEndReleaseForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="release_end")
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class CourtOrderReleaseForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="release_order")
    order_reference = forms.CharField(label=_("Order reference"), max_length=100)
    ordered_by = forms.CharField(label=_("Ordered by (court)"), max_length=200)
    reason = forms.CharField(label=_("Grounds"), max_length=2000)


class JsonField(forms.CharField):
    """JSON text, parsed."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON: %(why)s (line %(line)d)."),
                params={"why": exc.msg, "line": exc.lineno},
            ) from exc
        except RecursionError as exc:
            raise forms.ValidationError(_("This JSON is nested too deeply.")) from exc


class PeriodForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="period")
    rule = forms.ChoiceField(label=_("Rule"), choices=[(r, r) for r in PERIOD_RULES])
    valid_from = forms.DateField(label=_("In force from"), widget=DATE)
    value = JsonField(
        label=_("Value (JSON)"),
        help_text=_('e.g. {"years": 60}, "2/3", "enforceable", {"hours": 72}, {"months": 24}'),
    )
    source = forms.CharField(label=_("Legal source"), max_length=2000)
    confirmed = forms.BooleanField(label=_("Confirmed"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=2000)


class ProfileForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="document")
    document = JsonField(label=_("Profile (JSON)"), widget=forms.Textarea(attrs={"rows": 24}))
    reason = forms.CharField(label=_("Reason for the change"), max_length=2000)


class WhatIfForm(forms.Form):
    document = JsonField(label=_("What-if file (JSON)"), widget=forms.Textarea(attrs={"rows": 18}))
