"""Pages of the standards: a facility's dashboard (every rule compliant or breached, people and
days, the trend), a finding down to its people and cells, a person's days in breach, and a
person's own findings (a tab of the person record)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from habeas.accounts.roles import Capability
from habeas.core import clock, jobs
from habeas.core.errors import DomainError, NotFound
from habeas.core.views import actor_of, facility_for, require, user_of
from habeas.custody.selectors import visible_person
from habeas.estate.models import Cell, Facility
from habeas.ledger.options import days_range
from habeas.ledger.services import check_range
from habeas.people.models import Person
from habeas.reports import charts
from habeas.standards import selectors
from habeas.standards.catalogue import DEFAULT_PROFILE
from habeas.standards.forms import CheckForm
from habeas.standards.models import EvaluationRun, Finding, Status
from habeas.standards.services import check_standards


def _run_of(facility: Facility, run_id: int) -> EvaluationRun:
    run = selectors.runs(facility).filter(pk=run_id).first()
    if run is None:
        raise Http404(_("No such evaluation run."))
    return run


def _finding_of(run: EvaluationRun, rule: str) -> Finding:
    found = selectors.finding(run, rule)
    if found is None:
        raise Http404(_("No such rule."))
    return found


def _trend(f: Finding) -> list[tuple[dt.date, int, int]]:
    return [(dt.date.fromisoformat(d), b, j) for d, b, j in f.trend]


def _rows(run: EvaluationRun) -> list[dict[str, Any]]:
    rows = []
    for f in selectors.findings(run):
        shares = [b / j if j else 0.0 for _d, b, j in _trend(f)]
        rows.append(
            {
                "f": f,
                "spark": charts.sparkline(
                    shares,
                    label=_("%(rule)s: share of people in breach, day by day")
                    % {"rule": f.rule.code},
                ),
                "share": selectors.share_text(f.person_days, f.judged) if f.judged else None,
            }
        )
    return rows


def _dashboard(
    request: HttpRequest, facility: Facility, run: EvaluationRun | None, form: CheckForm
) -> HttpResponse:
    user = user_of(request)
    rows = _rows(run) if run is not None else []
    return render(
        request,
        "standards/dashboard.html",
        {
            "facility": facility,
            "run": run,
            "rows": rows,
            "breached": [r for r in rows if r["f"].status == Status.BREACHED],
            "runs": list(selectors.runs(facility)[:10]),
            "form": form if user.can(Capability.CHECK_STANDARDS) else None,
            "rebuilt": selectors.ledger_rebuilt_since(run) if run is not None else None,
        },
    )


def _form(facility: Facility) -> CheckForm:
    first, last = days_range(facility, None, None)
    return CheckForm(initial={"first": first, "last": last, "profile": DEFAULT_PROFILE})


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """Every rule for the latest evaluation of the facility."""
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    return _dashboard(request, facility, selectors.latest_run(facility), _form(facility))


@login_required
def run_page(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    return _dashboard(request, facility, _run_of(facility, run_id), _form(facility))


@login_required
@require_POST
def check(request: HttpRequest, code: str) -> HttpResponse:
    """Start an evaluation beside the request (a year of a large facility takes minutes): the
    ledger of the period is rebuilt, then every rule judged; the job page shows the progress
    and leads to the run."""
    require(request, Capability.CHECK_STANDARDS)
    facility = facility_for(request, code)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _dashboard(request, facility, selectors.latest_run(facility), form)
    d = form.cleaned_data
    try:
        check_range(facility, d["first"], d["last"], at=clock.now())
    except DomainError as exc:
        form.add_domain_error(exc)
        return _dashboard(request, facility, selectors.latest_run(facility), form)
    actor, facility_id = actor_of(request), facility.pk
    first, last, profile = d["first"], d["last"], d["profile"]

    def work(progress: jobs.Progress) -> dict[str, Any]:
        target = Facility.objects.select_related("space_standard").get(pk=facility_id)
        with transaction.atomic():
            run = check_standards(
                facility=target,
                first=first,
                last=last,
                profile=profile,
                actor=actor,
                at=clock.now(),
                progress=lambda day, _rows: progress((day - first).days + 1),
            )
        return {"run": run.pk, "rules_breached": run.rules_breached}

    job = jobs.start(
        kind="standards",
        user_id=user_of(request).pk,
        facility_id=facility.pk,
        total=(last - first).days + 1,
        work=work,
    )
    return redirect("standards:job", code=facility.code, job_id=job.id)


@login_required
def job_view(request: HttpRequest, code: str, job_id: str) -> HttpResponse:
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    job = jobs.get(job_id, user_id=user_of(request).pk)
    if job is None or job.facility_id != facility.pk or job.kind != "standards":
        raise Http404(_("No such job."))
    if job.status == "done":
        target = reverse(
            "standards:run", kwargs={"code": facility.code, "run_id": job.result["run"]}
        )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    template = "standards/_job.html" if request.headers.get("HX-Request") else "standards/job.html"
    return render(request, template, {"facility": facility, "job": job})


PAGE = 50


@login_required
def finding(request: HttpRequest, code: str, run_id: int, rule: str) -> HttpResponse:
    """One rule in one run: what it requires and why, its trend, the worst cases, the cells and
    the people (a page at a time)."""
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    run = _run_of(facility, run_id)
    f = _finding_of(run, rule)
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    people, total = selectors.finding_people(f, offset=(page - 1) * PAGE, limit=PAGE)
    worst_ids = [w["person"] for w in f.worst]
    worst_people = Person.objects.in_bulk(worst_ids)
    rendered = selectors.rendered(f)
    return render(
        request,
        "standards/finding.html",
        {
            "facility": facility,
            "run": run,
            "f": f,
            "rule": f.rule,
            "chart": charts.trend_chart(
                _trend(f),
                title=_("%(rule)s — people in breach each day") % {"rule": f.rule.code},
                description=_(
                    "Red: person-days in breach; grey outline: person-days judged, from "
                    "%(first)s to %(last)s."
                )
                % {"first": run.first_day, "last": run.last_day},
            ),
            "worst": [(worst_people.get(w["person"]), w) for w in f.worst],
            "cells": selectors.finding_cells(f)[:100],
            "people": people,
            "total": total,
            "page": page,
            "pages": max((total + PAGE - 1) // PAGE, 1),
            "sql": rendered.breached,
            "sources": f.rule.source_text,
        },
    )


@login_required
def finding_person(
    request: HttpRequest, code: str, run_id: int, rule: str, person_id: int
) -> HttpResponse:
    """A person's days in breach of a rule: the ledger rows, each leading to its records."""
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    run = _run_of(facility, run_id)
    f = _finding_of(run, rule)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404(_("No such person."))
    return render(
        request,
        "standards/finding_days.html",
        {
            "facility": facility,
            "run": run,
            "f": f,
            "person": person,
            "cell": None,
            "days": selectors.days_in_breach(f, person=person),
            "rebuilt": selectors.ledger_rebuilt_since(run),
        },
    )


@login_required
def finding_cell(
    request: HttpRequest, code: str, run_id: int, rule: str, cell: str
) -> HttpResponse:
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    run = _run_of(facility, run_id)
    f = _finding_of(run, rule)
    found = Cell.objects.filter(facility=facility, code=cell).first()
    if found is None:
        raise Http404(_("No such cell."))
    days = selectors.days_in_breach(f, cell=found)
    people = Person.objects.in_bulk({d.person_id for d in days})
    return render(
        request,
        "standards/finding_days.html",
        {
            "facility": facility,
            "run": run,
            "f": f,
            "person": None,
            "cell": found,
            "days": [(d, people.get(d.person_id)) for d in days],
            "rebuilt": selectors.ledger_rebuilt_since(run),
        },
    )


@login_required
def person_findings(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person record's tab of findings: every rule breached for this person in the latest
    evaluation of each facility the user sees. ``?partial=1`` (or an htmx request) renders the
    panel alone, for the person page to include."""
    require(request, Capability.VIEW_STANDARDS)
    user = user_of(request)
    try:
        person = visible_person(user, pk=person_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    rows = selectors.person_findings(person, user.facility_ids())
    partial = request.GET.get("partial") == "1" or request.headers.get("HX-Request") == "true"
    return render(
        request,
        "standards/person_panel.html" if partial else "standards/person.html",
        {"person": person, "rows": rows},
    )
