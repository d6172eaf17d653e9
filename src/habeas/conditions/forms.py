"""Forms of the conditions pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.custody.forms import MOMENT, MOMENT_FORMATS, DomainErrorsMixin
from habeas.estate.models import Facility, Unit

MAX_UPLOAD_BYTES = 64 * 1024 * 1024


class ReadingsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Readings file (CSV or JSON lines)"),
        help_text=_(
            "Columns: cell (or unit), measured_at with its UTC offset, temperature_c, "
            "humidity_pct, lights (on/off), co2_ppm, sensor."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 64 MB; split it."))
        return f


class WaterForm(DomainErrorsMixin):
    field_map = {"deliveries": "unit"}

    unit = forms.ChoiceField(label=_("Unit (every cell)"))
    litres_per_cell = forms.DecimalField(
        label=_("Litres per cell"), min_value=0, max_digits=7, decimal_places=1
    )
    delivered_at = forms.DateTimeField(
        label=_("Delivered at"), widget=MOMENT, input_formats=MOMENT_FORMATS
    )

    def __init__(self, *args: Any, facility: Facility, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(facility=facility).order_by("code")
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(u.code, u.name) for u in units]
