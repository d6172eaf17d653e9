"""Forms of the health pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.custody.forms import MOMENT, MOMENT_FORMATS, DomainErrorsMixin
from habeas.health.models import ContactKind, ExaminationKind

TEXT = forms.Textarea(attrs={"rows": 2})


class ExaminationForm(DomainErrorsMixin):
    kind = forms.ChoiceField(label=_("Examination"), choices=ExaminationKind.choices)
    examined_at = forms.DateTimeField(
        label=_("Examined at"), widget=MOMENT, input_formats=MOMENT_FORMATS
    )
    examined_by = forms.CharField(label=_("Examined by (name and profession)"), max_length=200)
    injuries_seen = forms.BooleanField(label=_("Injuries seen"), required=False)
    injuries = forms.CharField(
        label=_("Injuries (site, kind, likely cause)"), required=False, widget=TEXT
    )
    ill_treatment_alleged = forms.BooleanField(
        label=_("The person alleges ill-treatment"), required=False
    )
    allegation = forms.CharField(label=_("The person's account"), required=False, widget=TEXT)
    reported_to = forms.CharField(
        label=_("Signs of ill-treatment reported to"), required=False, max_length=200
    )
    findings = forms.CharField(label=_("Findings and needs"), required=False, widget=TEXT)


class HealthContactForm(DomainErrorsMixin):
    kind = forms.ChoiceField(label=_("Contact"), choices=ContactKind.choices)
    requested_at = forms.DateTimeField(
        label=_("Asked for at"), widget=MOMENT, input_formats=MOMENT_FORMATS, required=False
    )
    seen_at = forms.DateTimeField(
        label=_("Seen at"), widget=MOMENT, input_formats=MOMENT_FORMATS, required=False
    )
    seen_by = forms.CharField(label=_("Seen by"), max_length=200, required=False)
    notes = forms.CharField(label=_("Clinical notes"), required=False, widget=TEXT)
