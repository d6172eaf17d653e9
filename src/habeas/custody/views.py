"""Pages of custody: the person record, search, intake (one person or a file), moves, releases
and transfers. Thin: parse, call one use case in a transaction, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from habeas.accounts.roles import Capability
from habeas.audit.selectors import events_for_person
from habeas.core import clock, jobs
from habeas.core.context import person_links
from habeas.core.errors import DomainError
from habeas.core.views import actor_of, facility_for, local_input, require, user_of
from habeas.custody import admission, intake_file, selectors, services
from habeas.custody.forms import AdmissionForm, MoveForm, ReleaseForm, TransferForm, UploadForm
from habeas.estate.models import Cell, Facility
from habeas.housing import allocator as alloc
from habeas.housing import engine
from habeas.housing import services as housing
from habeas.people.identity import document_key, name_key
from habeas.people.models import IdentityDocument, Person


def _person(request: HttpRequest, person_id: int) -> Person:
    try:
        return selectors.visible_person(user_of(request), pk=person_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc


@login_required
def person_record(request: HttpRequest, person_id: int) -> HttpResponse:
    """Identity, custody episodes with every lawful authority and its deadlines, placements,
    movements and the audit trail — each part only for the roles that may see it."""
    require(request, Capability.VIEW_PERSON)
    user = user_of(request)
    person = _person(request, person_id)
    record = selectors.person_record(person, clock.now())
    facility = record.stay.facility if record.stay else None
    context: dict[str, Any] = {
        "record": record,
        "person": person,
        "aliases": selectors.aliases_of(person_id=person.pk),
        "documents": selectors.documents_of(person_id=person.pk),
        "facility": facility,
        "can": {c.value: user.can(c) for c in Capability},
        "person_links": person_links(user, person.pk),
    }
    if user.can(Capability.VIEW_SECURITY):
        context["affiliations"] = selectors.affiliations_of(person_id=person.pk)
        context["non_associations"] = selectors.non_associations_of(person)
    if user.can(Capability.VIEW_AUDIT):
        context["events"] = list(events_for_person(person.pk)[:200])
    if facility is not None and record.whereabouts.in_custody and user.can(Capability.PLACE):
        context["move_form"] = MoveForm()
    return render(request, "custody/person.html", context)


@login_required
def people(request: HttpRequest, code: str) -> HttpResponse:
    """Find a person of the facility by custody number, name, alias or document number."""
    require(request, Capability.VIEW_PERSON)
    facility = facility_for(request, code)
    q = (request.GET.get("q") or "").strip()
    found: list[Person] = []
    if q:
        key = name_key(q)
        here = Person.objects.filter(stays__facility=facility)
        found = (
            list(
                here.filter(
                    Q(custody_number__iexact=q)
                    | Q(name_key__contains=key)
                    | Q(aliases__name_key__contains=key)
                    | Q(documents__number_key=document_key(q))
                )
                .distinct()
                .order_by("family_names", "given_names")[:100]
            )
            if key
            else []
        )
    return render(request, "custody/people.html", {"facility": facility, "q": q, "found": found})


def _cell_options(facility: Facility, form_data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cell ranked for a person not yet admitted, with the reason for each excluded cell."""
    at = clock.now()
    today = clock.local_date(at, facility.time_zone)
    try:
        born = dt.date.fromisoformat(form_data.get("date_of_birth") or "")
        age = clock.age_on(born, today)
    except ValueError:
        age = 30
    groups = frozenset(g for g in form_data.get("groups", []) if g)
    status = "convicted" if form_data.get("authority_kind") == "conviction" else "untried"
    newcomer = alloc.Person(
        id=-1, sex=form_data.get("sex") or facility.holds_sex, age=age, status=status, groups=groups
    )
    instance = engine.facility_instance(facility, at, newcomers=[newcomer])
    codes = dict(Cell.objects.filter(facility=facility).values_list("pk", "code"))
    options = []
    for o in alloc.options(instance, -1):
        reasons = [engine.describe(r, codes) for r in o.refusals]
        options.append(
            {
                "code": codes.get(o.cell, "?"),
                "rank": o.rank,
                "occupancy_after": o.occupancy_after,
                "reasons": reasons,
            }
        )
    options.sort(key=lambda o: (o["rank"] is None, o["rank"] or 0, o["code"]))
    return options


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, code: str) -> HttpResponse:
    """Admit one person: identity, lawful authority, what Rule 7 requires, and the cell."""
    require(request, Capability.ADMIT)
    facility = facility_for(request, code)
    form = AdmissionForm(
        request.POST or None, facility=facility, initial={"sex": facility.holds_sex}
    )
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                done = admission.admit(
                    admission=form.to_admission(),
                    facility=facility,
                    actor=actor_of(request),
                    at=clock.now(),
                )
        except DomainError as exc:
            if exc.code == "POSSIBLE_DUPLICATE":
                duplicates = list(exc.details.get("matches", []))
                data = request.POST.copy()
                data["distinct_from"] = ",".join(str(m["id"]) for m in duplicates)
                form.data = data
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Admitted %(number)s to cell %(cell)s.")
                % {"number": done.custody_number, "cell": done.cell or _("reception")},
            )
            return redirect("custody:person", person_id=done.person_id)
    return render(
        request,
        "custody/intake.html",
        {
            "facility": facility,
            "form": form,
            "duplicates": duplicates,
            "options": _cell_options(facility, {"sex": facility.holds_sex}),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def intake_check(request: HttpRequest, code: str) -> HttpResponse:
    """The duplicate-identity check, shown inline while the officer types (htmx)."""
    require(request, Capability.ADMIT)
    facility_for(request, code)
    given, family = request.GET.get("given_names", ""), request.GET.get("family_names", "")
    number = document_key(request.GET.get("document_number", ""))
    matches: dict[int, Person] = {}
    if number:
        for doc in IdentityDocument.objects.filter(number_key=number).select_related("person"):
            matches[doc.person_id] = doc.person
    try:
        born = dt.date.fromisoformat(request.GET.get("date_of_birth", ""))
    except ValueError:
        born = None
    if born and (given or family):
        for p in Person.objects.filter(name_key=name_key(given, family), date_of_birth=born):
            matches[p.pk] = p
    visible = [
        {"id": p.pk, "custody_number": p.custody_number, "name": p.full_name}
        for p in matches.values()
        if (s := selectors.last_stay(p)) is not None and user_of(request).sees(s.facility_id)
    ]
    hidden = len(matches) - len(visible)
    return render(request, "custody/_duplicates.html", {"matches": visible, "hidden": hidden})


@login_required
def intake_cells(request: HttpRequest, code: str) -> HttpResponse:
    """The cells that would accept a person of this profile, ranked (htmx)."""
    require(request, Capability.ADMIT)
    facility = facility_for(request, code)
    data = {
        "sex": request.GET.get("sex"),
        "date_of_birth": request.GET.get("date_of_birth"),
        "groups": request.GET.getlist("groups"),
        "authority_kind": request.GET.get("authority_kind"),
    }
    return render(
        request,
        "custody/_cell_options.html",
        {"options": _cell_options(facility, data), "selected": request.GET.get("cell", "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_upload(request: HttpRequest, code: str) -> HttpResponse:
    """Bulk intake from a CSV file: every bad row, or the progress and then the summary."""
    require(request, Capability.ADMIT)
    facility = facility_for(request, code)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text. Save it as CSV UTF-8."))
        else:
            admissions, problems = intake_file.parse(text, time_zone=facility.time_zone)
            if not problems:
                actor = actor_of(request)
                facility_id = facility.pk

                def work(progress: jobs.Progress) -> dict[str, Any]:
                    target = Facility.objects.select_related("space_standard").get(pk=facility_id)
                    with transaction.atomic():
                        report = admission.admit_many(
                            facility=target,
                            admissions=admissions,
                            actor=actor,
                            at=clock.now(),
                            progress=progress,
                        )
                    return {
                        "admitted": report.count,
                        "without_cell": len(report.unplaced),
                        "people": [a.__dict__ for a in report.admitted[:500]],
                    }

                job = jobs.start(
                    kind="intake",
                    user_id=user_of(request).pk,
                    facility_id=facility.pk,
                    total=len(admissions),
                    work=work,
                )
                return redirect("custody:job", code=facility.code, job_id=job.id)
    return render(
        request,
        "custody/upload.html",
        {
            "facility": facility,
            "form": form,
            "problems": problems,
            "columns": intake_file.COLUMNS,
            "required": sorted(intake_file.REQUIRED_COLUMNS),
        },
        status=422 if problems or form.errors else 200,
    )


@login_required
def job_view(request: HttpRequest, code: str, job_id: str) -> HttpResponse:
    facility = facility_for(request, code)
    job = jobs.get(job_id, user_id=user_of(request).pk)
    if job is None or job.facility_id != facility.pk:
        raise Http404(_("No such job."))
    template = "custody/_job.html" if request.headers.get("HX-Request") else "custody/job.html"
    return render(request, template, {"facility": facility, "job": job})


def _aware(value: dt.datetime | None, facility: Facility) -> dt.datetime:
    return local_input(value, facility) or clock.now()


@login_required
def move_options(request: HttpRequest, person_id: int) -> HttpResponse:
    """The cells that would accept the person, ranked, and why each other cell refuses (htmx,
    loaded when the officer opens the move form — the record itself stays fast)."""
    require(request, Capability.PLACE)
    person = _person(request, person_id)
    try:
        options = housing.cell_options(person=person, at=clock.now())
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(request, "custody/_move_options.html", {"options": options})


@login_required
@require_POST
def move(request: HttpRequest, person_id: int) -> HttpResponse:
    require(request, Capability.PLACE)
    person = _person(request, person_id)
    stay = selectors.last_stay(person)
    form = MoveForm(request.POST)
    if form.is_valid() and stay is not None:
        cell = Cell.objects.filter(
            facility_id=stay.facility_id, code=form.cleaned_data["cell"]
        ).first()
        if cell is None:
            form.add_error("cell", _("No such cell in this facility."))
        else:
            try:
                with transaction.atomic():
                    housing.place(
                        person=person,
                        cell=cell,
                        actor=actor_of(request),
                        at=clock.now(),
                        reason=form.cleaned_data["reason"],
                    )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Moved to cell %(cell)s.") % {"cell": cell.code})
                return redirect("custody:person", person_id=person.pk)
    record = selectors.person_record(person, clock.now())
    return render(
        request,
        "custody/move_refused.html",
        {"person": person, "form": form, "record": record},
        status=409,
    )


@login_required
@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, person_id: int) -> HttpResponse:
    require(request, Capability.RELEASE)
    person = _person(request, person_id)
    stay = selectors.last_stay(person)
    if stay is None or stay.ended_at is not None:
        raise Http404(_("This person is not in custody."))
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                services.release(
                    person=person,
                    at=_aware(d.get("at"), stay.facility),
                    order_reference=d["order_reference"],
                    ordered_by=d["ordered_by"],
                    reason=d["reason"],
                    actor=actor_of(request),
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Released."))
            return redirect("custody:person", person_id=person.pk)
    return render(
        request,
        "custody/release.html",
        {"person": person, "form": form, "facility": stay.facility},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, person_id: int) -> HttpResponse:
    require(request, Capability.TRANSFER)
    person = _person(request, person_id)
    stay = selectors.last_stay(person)
    if stay is None or stay.ended_at is not None:
        raise Http404(_("This person is not in custody."))
    form = TransferForm(request.POST or None)
    form.fields["to"].queryset = Facility.objects.exclude(pk=stay.facility_id)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                services.transfer(
                    person=person,
                    to=d["to"],
                    at=clock.now(),
                    order_reference=d["order_reference"],
                    ordered_by=d["ordered_by"],
                    reason=d.get("reason") or "",
                    actor=actor_of(request),
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("Transferred to %(facility)s.") % {"facility": d["to"].name}
            )
            if user_of(request).sees(d["to"]):
                return redirect("custody:person", person_id=person.pk)
            return redirect(reverse("housing:roll", kwargs={"code": stay.facility.code}))
    return render(
        request,
        "custody/transfer.html",
        {"person": person, "form": form, "facility": stay.facility},
        status=422 if form.errors else 200,
    )
