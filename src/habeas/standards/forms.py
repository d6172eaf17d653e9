"""The form that asks for an evaluation: a range of days and a profile. The rules are the
service's (``check_standards``), whose refusals are shown on the fields they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.custody.forms import DATE, DomainErrorsMixin
from habeas.standards.catalogue import BUILT_IN_PROFILES

PROFILE_NAMES = {
    "mandela": _("Nelson Mandela Rules (with ICRC figures)"),
    "icrc": _("ICRC (water, sanitation, hygiene and habitat)"),
    "cpt": _("CPT and European Court of Human Rights"),
    "national": _("National law (template)"),
}


class CheckForm(DomainErrorsMixin):
    field_map = {"from": "first", "to": "last"}

    first = forms.DateField(label=_("From"), widget=DATE)
    last = forms.DateField(label=_("To"), widget=DATE)
    profile = forms.ChoiceField(
        label=_("Profile"),
        choices=[(code, PROFILE_NAMES.get(code, code)) for code in BUILT_IN_PROFILES],
    )
