"""Pages of sentencing: the deadlines work queue, a person's sentences and release, the
jurisdiction profiles, and the what-if calculator. Thin: parse, call one use case in a
transaction, render."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from habeas.accounts.models import User
from habeas.accounts.roles import Capability
from habeas.audit.services import Actor
from habeas.core import clock
from habeas.core.errors import DomainError, NotFound
from habeas.custody import services as custody
from habeas.custody.models import LawfulAuthority
from habeas.custody.selectors import visible_person
from habeas.estate.models import Facility
from habeas.people.models import Person
from habeas.sentencing import law, selectors, services
from habeas.sentencing.api import run_what_if
from habeas.sentencing.forms import (
    CourtOrderReleaseForm,
    PeriodForm,
    ProfileForm,
    QuashForm,
    SentenceEndReleaseForm,
    SentenceForm,
    TermsForm,
    WhatIfForm,
    add_domain_error,
)
from habeas.sentencing.inputs import ProvisionalTermsIn, SentenceIn
from habeas.sentencing.models import JurisdictionProfile, Sentence


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require(request: HttpRequest, capability: Capability) -> User:
    user = _user(request)
    if not user.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))
    return user


def _facility(request: HttpRequest, code: str) -> Facility:
    facility = Facility.objects.filter(code=code).first()
    if facility is None or not _user(request).sees(facility):
        raise Http404(_("No such facility."))
    return facility


def _person(request: HttpRequest, person_id: int) -> Person:
    try:
        return visible_person(_user(request), pk=person_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _moment(value: str, facility: Facility) -> dt.datetime | None:
    """A date (its start) or a date and time typed in the page: the facility's local time."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(facility.time_zone))


@login_required
def deadlines(request: HttpRequest, code: str) -> HttpResponse:
    """The work queue of a facility: who is held past a legal deadline and by how many days,
    what falls due soon, whose legal end no one can know yet."""
    _require(request, Capability.VIEW_DEADLINES)
    facility = _facility(request, code)
    at = _moment(request.GET.get("at", ""), facility)
    bad_moment = bool(request.GET.get("at")) and at is None
    try:
        within = min(max(int(request.GET.get("within", 7)), 0), 366)
    except ValueError:
        within = 7
    queue = selectors.deadlines_queue(facility, at or clock.now(), within_days=within)
    return render(
        request,
        "sentencing/deadlines.html",
        {
            "facility": facility,
            "queue": queue,
            "counts": sorted(
                ((str(selectors.OVERDUE[kind]), n) for kind, n in queue.counts().items()),
                key=lambda kv: -kv[1],
            ),
            "at_local": queue.at.astimezone(ZoneInfo(facility.time_zone)),
            "bad_moment": bad_moment,
            "chosen": request.GET.get("at", ""),
        },
        status=422 if bad_moment else 200,
    )


def _sentence_form(record: selectors.SentencingRecord, data: Any = None) -> SentenceForm:
    warrants = [
        (a.pk, f"{a.reference} — {a.issuing_authority}")
        for a in record.warrants
        if a.revoked_at is None
    ]
    sentences = [
        (s.pk, f"{s.case_reference} ({s.term_label})")
        for s in record.sentences
        if s.quashed_at is None
    ]
    return SentenceForm(data, warrants=warrants, sentences=sentences)


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's sentences, the release date with every step of its calculation, the maximum
    of each provisional detention, and release — on the release date or on a court order."""
    user = _require(request, Capability.VIEW_PERSON)
    who = _person(request, person_id)
    record = selectors.sentencing_record(who, clock.now())
    forms: dict[str, Any] = {
        "record": _sentence_form(record),
        "release_end": SentenceEndReleaseForm(),
        "release_order": CourtOrderReleaseForm(),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = ACTIONS.get(action)
        if handler is None:
            raise Http404(_("No such action."))
        capability, run = handler
        if not user.can(capability):
            raise PermissionDenied(_("Your role does not allow this."))
        if not record.in_custody:
            raise Http404(_("This person is not in custody."))
        outcome = run(request, who, record)
        if isinstance(outcome, HttpResponse):
            return outcome
        forms.update(outcome)
        status = 409 if any(f.non_field_errors() for f in outcome.values()) else 422
    terms_forms = {
        view.authority.pk: TermsForm(
            initial={
                "authority": view.authority.pk,
                "seriousness": view.terms.seriousness if view.terms else "serious",
                "detained_on": view.terms.detained_on if view.terms else None,
                "conditions": view.terms.conditions if view.terms else [],
            },
            conditions=record.conditions,
        )
        for view in record.provisional
    }
    if isinstance(forms.get("terms"), TermsForm):
        bound = forms["terms"]
        terms_forms[int(bound.data.get("authority") or 0)] = bound
    return render(
        request,
        "sentencing/person.html",
        {
            "person": who,
            "record": record,
            "facility": record.facility,
            "forms": forms,
            "provisional": [(v, terms_forms[v.authority.pk]) for v in record.provisional],
            "can_record": user.can(Capability.MANAGE_SENTENCES) and record.in_custody,
            "can_release": user.can(Capability.RELEASE) and record.in_custody,
            "today": clock.local_date(clock.now(), record.facility.time_zone)
            if record.facility
            else None,
        },
        status=status,
    )


def _done(request: HttpRequest, who: Person, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("sentencing:person", person_id=who.pk)


def _record(
    request: HttpRequest, who: Person, record: selectors.SentencingRecord
) -> dict[str, Any] | HttpResponse:
    form = _sentence_form(record, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                services.record_sentence(
                    person=who,
                    sentence=SentenceIn(
                        offence=d["offence"],
                        court=d["court"],
                        case_reference=d["case_reference"],
                        imposed_on=d["imposed_on"],
                        years=d["years"],
                        months=d["months"],
                        days=d["days"],
                        seriousness=d["seriousness"],
                        starts_on=d["starts_on"],
                        consecutive_to_id=d["consecutive_to"],
                        remand_credit_days=d["remand_credit_days"],
                        authority_id=d["authority"],
                    ),
                    actor=Actor.of(_user(request)),
                    at=clock.now(),
                )
        except DomainError as exc:
            add_domain_error(form, _term_field(exc))
        else:
            return _done(request, who, _("Sentence recorded; the release date is recalculated."))
    return {"record": form}


def _term_field(exc: DomainError) -> DomainError:
    # The form has years/months/days where the service speaks of the term.
    if exc.field == "term":
        exc.field = "years"
    for p in exc.details.get("problems") or []:
        if p.get("field") == "term":
            p["field"] = "years"
    return exc


def _quash(
    request: HttpRequest, who: Person, record: selectors.SentencingRecord
) -> dict[str, Any] | HttpResponse:
    form = QuashForm(request.POST)
    if form.is_valid():
        sentence = Sentence.objects.filter(
            pk=form.cleaned_data["sentence"], episode__person=who
        ).first()
        if sentence is None:
            raise Http404(_("No such sentence."))
        try:
            with transaction.atomic():
                services.quash_sentence(
                    sentence=sentence,
                    reason=form.cleaned_data["reason"],
                    actor=Actor.of(_user(request)),
                    at=clock.now(),
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, who, _("Sentence quashed; the release date is recalculated."))
    return {"quash": form}


def _terms(
    request: HttpRequest, who: Person, record: selectors.SentencingRecord
) -> dict[str, Any] | HttpResponse:
    form = TermsForm(request.POST, conditions=record.conditions)
    if form.is_valid():
        authority = LawfulAuthority.objects.filter(
            pk=form.cleaned_data["authority"], episode__person=who
        ).first()
        if authority is None:
            raise Http404(_("No such authority."))
        try:
            with transaction.atomic():
                services.record_provisional_terms(
                    authority=authority,
                    terms=ProvisionalTermsIn(
                        seriousness=form.cleaned_data["seriousness"],
                        detained_on=form.cleaned_data["detained_on"],
                        conditions=tuple(form.cleaned_data["conditions"]),
                    ),
                    actor=Actor.of(_user(request)),
                    at=clock.now(),
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, who, _("Recorded; the maximum is recalculated."))
    return {"terms": form}


def _release_end(
    request: HttpRequest, who: Person, record: selectors.SentencingRecord
) -> dict[str, Any] | HttpResponse:
    form = SentenceEndReleaseForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.release_at_sentence_end(
                    person=who,
                    actor=Actor.of(_user(request)),
                    at=clock.now(),
                    reason=form.cleaned_data["note"],
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, who, _("Released at the end of the sentence."))
    return {"release_end": form}


def _release_order(
    request: HttpRequest, who: Person, record: selectors.SentencingRecord
) -> dict[str, Any] | HttpResponse:
    form = CourtOrderReleaseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                custody.release(
                    person=who,
                    at=clock.now(),
                    order_reference=d["order_reference"],
                    ordered_by=d["ordered_by"],
                    reason=d["reason"],
                    actor=Actor.of(_user(request)),
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _done(request, who, _("Released on the court's order."))
    return {"release_order": form}


ACTIONS = {
    "record": (Capability.MANAGE_SENTENCES, _record),
    "quash": (Capability.MANAGE_SENTENCES, _quash),
    "terms": (Capability.MANAGE_SENTENCES, _terms),
    "release_end": (Capability.RELEASE, _release_end),
    "release_order": (Capability.RELEASE, _release_order),
}


@login_required
def profiles(request: HttpRequest) -> HttpResponse:
    """The jurisdictions and the profile each applies."""
    _require(request, Capability.VIEW_PERSON)
    stored = set(JurisdictionProfile.objects.values_list("jurisdiction", flat=True))
    rows = [law.profile_for(j) for j in sorted(stored | set(law.BUILTIN))]
    return render(request, "sentencing/profiles.html", {"profiles": rows})


def _periods(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    rules = document.get("rules", {})
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for name, periods in rules.items():
        if isinstance(periods, dict):
            out += [(f"{name}.{cls}", list(p)) for cls, p in periods.items()]
        else:
            out.append((name, list(periods)))
    return [
        (
            name,
            [{**p, "value_text": json.dumps(p.get("value"), ensure_ascii=False)} for p in ps],
        )
        for name, ps in out
    ]


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, jurisdiction: str) -> HttpResponse:
    """A jurisdiction's profile: each rule with the periods it applies in and their sources, the
    history of versions; an administrator adds a period or replaces the whole profile."""
    user = _require(request, Capability.VIEW_PERSON)
    try:
        found = law.profile_for(jurisdiction)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    period_form = PeriodForm()
    document_form = ProfileForm(
        initial={"document": json.dumps(found.document, indent=2, ensure_ascii=False)}
    )
    status = 200
    if request.method == "POST":
        if not user.can(Capability.EDIT_LEGAL_PROFILES):
            raise PermissionDenied(_("Your role does not allow this."))
        action = request.POST.get("action")
        try:
            if action == "period":
                period_form = PeriodForm(request.POST)
                if period_form.is_valid():
                    d = period_form.cleaned_data
                    with transaction.atomic():
                        stored, report = services.add_profile_period(
                            jurisdiction=jurisdiction,
                            rule=d["rule"],
                            valid_from=d["valid_from"],
                            value=d["value"],
                            source=d["source"],
                            confirmed=d["confirmed"],
                            note=d["note"],
                            reason=d["reason"],
                            actor=Actor.of(user),
                            at=clock.now(),
                        )
                    return _profile_saved(request, stored, report.legal_ends_changed)
            elif action == "document":
                document_form = ProfileForm(request.POST)
                if document_form.is_valid():
                    with transaction.atomic():
                        stored, report = services.change_profile(
                            jurisdiction=jurisdiction,
                            document=document_form.cleaned_data["document"],
                            reason=document_form.cleaned_data["reason"],
                            actor=Actor.of(user),
                            at=clock.now(),
                        )
                    return _profile_saved(request, stored, report.legal_ends_changed)
            else:
                raise Http404(_("No such action."))
        except DomainError as exc:
            form = period_form if action == "period" else document_form
            add_domain_error(form, exc)
        status = 422
    history = list(
        JurisdictionProfile.objects.filter(jurisdiction=jurisdiction)
        .select_related("recorded_by")
        .order_by("-version")
    )
    return render(
        request,
        "sentencing/profile.html",
        {
            "found": found,
            "rules": _periods(found.document),
            "extensions": found.document.get("provisional_detention_extensions", []),
            "history": history,
            "can_edit": user.can(Capability.EDIT_LEGAL_PROFILES),
            "period_form": period_form,
            "document_form": document_form,
        },
        status=status,
    )


def _profile_saved(request: HttpRequest, stored: JurisdictionProfile, changed: int) -> HttpResponse:
    messages.success(
        request,
        _("Version %(v)d is in force; %(n)d legal ends were recalculated and changed.")
        % {"v": stored.version, "n": changed},
    )
    return redirect("sentencing:profile", jurisdiction=stored.jurisdiction)


EXAMPLE = {
    "schema": "habeas.sentencing.what-if/1",
    "profile": "el_salvador",
    "sentences": [
        {
            "id": "S1",
            "imposed_on": "2023-05-02",
            "term": {"years": 20},
            "seriousness": "serious",
            "remand_credit_days": 400,
        },
        {
            "id": "S2",
            "imposed_on": "2023-05-02",
            "term": {"years": 15, "months": 6},
            "seriousness": "serious",
            "consecutive_to": "S1",
        },
    ],
}


@login_required
@require_http_methods(["GET", "POST"])
def what_if(request: HttpRequest) -> HttpResponse:
    """The calculator alone, on a what-if file: nothing is read from or written to the
    records."""
    _user(request)
    form = WhatIfForm(
        request.POST or None,
        initial={"document": json.dumps(EXAMPLE, indent=2, ensure_ascii=False)},
    )
    result: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = run_what_if(form.cleaned_data["document"])
            except DomainError as exc:
                add_domain_error(form, exc)
        if form.errors:
            status = 422
    return render(
        request, "sentencing/what_if.html", {"form": form, "result": result}, status=status
    )
