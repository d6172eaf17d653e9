"""Forms of the incidents pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.custody.forms import MOMENT, MOMENT_FORMATS
from habeas.incidents.models import IncidentKind, InvolvementRole
from habeas.regime.forms import PrefixErrorsMixin


class IncidentForm(PrefixErrorsMixin):
    prefixes = ("involved",)

    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"), widget=MOMENT, input_formats=MOMENT_FORMATS
    )
    cell = forms.CharField(label=_("Cell"), max_length=32, required=False)
    place = forms.CharField(label=_("Or where"), max_length=200, required=False)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    serious = forms.BooleanField(label=_("Serious injury or death"), required=False)
    involved = forms.CharField(
        label=_("People involved"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One person per line: custody number, role (%(roles)s), and «injured» if so.")
        % {"roles": ", ".join(InvolvementRole.values)},
    )

    def involved_lines(self) -> list[tuple[str, str, bool]]:
        out = []
        for line in (self.cleaned_data.get("involved") or "").splitlines():
            parts = line.split()
            if parts:
                injured = any(p.lower() in {"injured", "herido"} for p in parts[2:])
                out.append((parts[0], parts[1] if len(parts) > 1 else "", injured))
        return out
