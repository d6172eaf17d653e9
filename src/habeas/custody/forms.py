"""Forms of the custody pages. They only parse input into the use cases' plain inputs; the rules
live in the services, whose refusals are shown back on the form's fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from habeas.core.errors import DomainError
from habeas.core.views import local_input
from habeas.custody.inputs import (
    AdmissionIn,
    AffiliationIn,
    ArrivalIn,
    AuthorityIn,
    DocumentIn,
    PersonIn,
)
from habeas.custody.models import AuthorityKind
from habeas.estate.models import Facility, Sex
from habeas.people.models import Affiliation, IdentityDocument, SecurityThreatGroup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # ISO in every language
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class DomainErrorsMixin(forms.Form):
    """Shows a use case's refusal on the field it names (``person.date_of_birth`` → the form's
    ``date_of_birth``), or on the whole form."""

    field_map: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_error(self, exc: DomainError) -> None:
        problems = exc.details.get("problems") or [{"field": exc.field, "message": exc.message}]
        reasons = exc.details.get("reasons")
        if reasons:
            problems = [{"field": exc.field, "message": r["message"]} for r in reasons]
        for p in problems:
            name = self.field_map.get(p.get("field") or "", None)
            if name is None and p.get("field"):
                name = str(p["field"]).rsplit(".", 1)[-1]
            if name in self.fields:
                self.add_error(name, str(p["message"]))
            else:
                self.add_error(None, str(p["message"]))


class AdmissionForm(DomainErrorsMixin):
    # Person
    given_names = forms.CharField(label=_("Given names"), max_length=150)
    family_names = forms.CharField(label=_("Family names"), max_length=150)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    gender_identity = forms.CharField(
        label=_("Gender, as the person describes it"), max_length=100, required=False
    )
    nationality = forms.CharField(label=_("Nationality"), max_length=64, initial="SV")
    aliases = forms.CharField(
        label=_("Aliases (separated by commas)"), max_length=500, required=False
    )
    document_kind = forms.ChoiceField(
        label=_("Identity document"),
        choices=[("", _("none")), *IdentityDocument.Kind.choices],
        required=False,
    )
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_country = forms.CharField(
        label=_("Issued by (country)"), max_length=64, required=False, initial="SV"
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Security-threat group affiliations"),
        required=False,
        queryset=SecurityThreatGroup.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    affiliation_status = forms.ChoiceField(
        label=_("Affiliation is"),
        required=False,
        choices=[c for c in Affiliation.Status.choices if c[0] != Affiliation.Status.RENOUNCED],
        initial=Affiliation.Status.ASSESSED,
    )
    affiliation_source = forms.CharField(
        label=_("Source of the affiliation"), max_length=200, required=False
    )
    # Lawful authority (Mandela Rule 7)
    authority_kind = forms.ChoiceField(
        label=_("Kind of authority"),
        choices=[("", "—"), *[c for c in AuthorityKind.choices if c[0] != "transfer"]],
    )
    issuing_authority = forms.CharField(label=_("Issued by"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=100)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    valid_from = forms.DateTimeField(
        label=_("Valid from"), widget=MOMENT, input_formats=MOMENT_FORMATS
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until (if it says)"),
        widget=MOMENT,
        input_formats=MOMENT_FORMATS,
        required=False,
    )
    review_due_by = forms.DateTimeField(
        label=_("Judicial review due by (arrest, administrative detention)"),
        widget=MOMENT,
        input_formats=MOMENT_FORMATS,
        required=False,
    )
    offence = forms.CharField(label=_("Offence or grounds"), max_length=300, required=False)
    # Arrival (Mandela Rule 7)
    arrested_at = forms.DateTimeField(
        label=_("Arrested at"), widget=MOMENT, input_formats=MOMENT_FORMATS, required=False
    )
    arrest_place = forms.CharField(label=_("Place of arrest"), max_length=200, required=False)
    arresting_authority = forms.CharField(
        label=_("Arresting authority"), max_length=200, required=False
    )
    visible_injuries = forms.CharField(
        label=_("Visible injuries"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    ill_treatment_reported = forms.CharField(
        label=_("Prior ill-treatment the person reports"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    property_inventory = forms.CharField(
        label=_("Property inventory"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    family = forms.CharField(
        label=_("Family and children (ages, where they are, who cares for them)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    emergency_contact = forms.CharField(
        label=_("Emergency contact"), max_length=300, required=False
    )
    # Placement
    cell = forms.CharField(
        label=_("Cell"),
        max_length=32,
        required=False,
        help_text=_("Leave empty to let the allocation engine choose."),
    )
    distinct_from = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm_distinct = forms.BooleanField(
        label=_("I have checked: this is a different person"), required=False
    )

    # Changing these re-runs the inline duplicate check / re-ranks the cells (htmx).
    DUPLICATE_KEYS = ("given_names", "family_names", "date_of_birth", "document_number")
    PROFILE_KEYS = ("sex", "date_of_birth", "groups", "authority_kind")

    def __init__(self, *args: Any, facility: Facility, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facility = facility
        for name in self.DUPLICATE_KEYS:
            self.fields[name].widget.attrs["class"] = "dup-key"
        for name in self.PROFILE_KEYS:
            classes = self.fields[name].widget.attrs.get("class", "")
            self.fields[name].widget.attrs["class"] = f"{classes} profile-key".strip()

    def to_admission(self) -> AdmissionIn:
        d = self.cleaned_data
        documents: tuple[DocumentIn, ...] = ()
        if d.get("document_number"):
            documents = (
                DocumentIn(
                    kind=d.get("document_kind") or "national_id",
                    number=d["document_number"],
                    issuing_country=d.get("document_country") or d["nationality"],
                ),
            )
        status = d.get("affiliation_status") or Affiliation.Status.ASSESSED
        affiliations = tuple(
            AffiliationIn(group=g.code, status=status, source=d.get("affiliation_source") or "")
            for g in d.get("groups") or []
        )
        f = self.facility
        distinct = (
            tuple(int(x) for x in (d.get("distinct_from") or "").split(",") if x.strip().isdigit())
            if d.get("confirm_distinct")
            else ()
        )
        return AdmissionIn(
            person=PersonIn(
                given_names=d["given_names"],
                family_names=d["family_names"],
                date_of_birth=d["date_of_birth"],
                sex=d["sex"],
                nationality=d["nationality"],
                gender_identity=d.get("gender_identity") or "",
                aliases=tuple(a.strip() for a in (d.get("aliases") or "").split(",") if a.strip()),
                documents=documents,
                affiliations=affiliations,
            ),
            authority=AuthorityIn(
                kind=d["authority_kind"],
                issuing_authority=d["issuing_authority"],
                reference=d["reference"],
                issued_on=d["issued_on"],
                valid_from=local_input(d["valid_from"], f),
                valid_until=local_input(d.get("valid_until"), f),
                review_due_by=local_input(d.get("review_due_by"), f),
                offence=d.get("offence") or "",
            ),
            arrival=ArrivalIn(
                arrested_at=local_input(d.get("arrested_at"), f),
                arrest_place=d.get("arrest_place") or "",
                arresting_authority=d.get("arresting_authority") or "",
                visible_injuries=d.get("visible_injuries") or "",
                ill_treatment_reported=d.get("ill_treatment_reported") or "",
                property_inventory=d.get("property_inventory") or "",
                family=d.get("family") or "",
                emergency_contact=d.get("emergency_contact") or "",
            ),
            cell=(d.get("cell") or "").strip() or None,
            distinct_from=distinct,
        )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Intake file (CSV, UTF-8)"))

    MAX_BYTES = 50 * 1024 * 1024

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB; split it."))
        return f


class MoveForm(DomainErrorsMixin):
    cell = forms.CharField(label=_("Move to cell"), max_length=32)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReleaseForm(DomainErrorsMixin):
    order_reference = forms.CharField(label=_("Release order reference"), max_length=100)
    ordered_by = forms.CharField(label=_("Ordered by (court or authority)"), max_length=200)
    reason = forms.CharField(
        label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    at = forms.DateTimeField(
        label=_("Released at"),
        widget=MOMENT,
        input_formats=MOMENT_FORMATS,
        required=False,
        help_text=_("Leave empty for now."),
    )


class TransferForm(DomainErrorsMixin):
    to = forms.ModelChoiceField(
        label=_("To facility"), queryset=Facility.objects.all(), to_field_name="code"
    )
    order_reference = forms.CharField(label=_("Transfer order reference"), max_length=100)
    ordered_by = forms.CharField(label=_("Ordered by"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


def aware_or_now(value: dt.datetime | None, facility: Facility, now: dt.datetime) -> dt.datetime:
    return local_input(value, facility) or now
