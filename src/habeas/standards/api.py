"""The standards API: the rules and profiles as data, evaluation runs of a facility, and every
finding down to its people, cells and person-days. Inspectors read all of it (and may run a
check); governors their facility's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.api import actor_of, require, visible_facility
from habeas.core.errors import NotFound
from habeas.estate.models import Facility
from habeas.housing.api import ErrorOut
from habeas.ledger.evidence import ledger_row_as_dict
from habeas.ledger.options import days_range
from habeas.people.models import Person
from habeas.standards import selectors
from habeas.standards.catalogue import DEFAULT_PROFILE
from habeas.standards.models import EvaluationRun, Finding, Profile, Rule
from habeas.standards.services import check_standards, sync_catalogue

router = Router(tags=["standards"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class RuleOut(Schema):
    id: str
    title: str
    source: str
    source_text: str
    citation: str
    tag: str = Field(..., description="C confirmed, R paraphrased, U unconfirmed default")
    requirement: str
    method: str
    definition: dict[str, Any] = Field(..., description="the rule as SQL over the ledger")


@router.get("/standards/rules", response={200: list[RuleOut], **ERRORS}, summary="The rules")
def list_rules(request: HttpRequest) -> list[RuleOut]:
    require(request, Capability.VIEW_STANDARDS)
    with transaction.atomic():
        sync_catalogue(at=clock.now())
    return [
        RuleOut(
            id=r.code,
            title=r.title,
            source=r.source,
            source_text=r.source_text,
            citation=r.citation,
            tag=r.tag,
            requirement=r.requirement,
            method=r.method,
            definition=r.definition,
        )
        for r in Rule.objects.filter(current=True)
    ]


# Not ``ProfileVersionOut``/``ProfileOut``: sentencing has both, and OpenAPI names one schema
# per name, so one silently replaced the other in the spec (issue #8 fuzzer).
class StandardsProfileVersionOut(Schema):
    version: int
    digest: str
    created_at: dt.datetime
    origin: str
    thresholds: dict[str, dict[str, str]]


class StandardsProfileOut(Schema):
    code: str
    name: str
    description: str
    versions: list[StandardsProfileVersionOut]


@router.get(
    "/standards/profiles",
    response={200: list[StandardsProfileOut], **ERRORS},
    summary="The profiles of thresholds, every version",
)
def list_profiles(request: HttpRequest) -> list[StandardsProfileOut]:
    require(request, Capability.VIEW_STANDARDS)
    with transaction.atomic():
        sync_catalogue(at=clock.now())
    return [
        StandardsProfileOut(
            code=p.code,
            name=p.name,
            description=p.description,
            versions=[
                StandardsProfileVersionOut(
                    version=v.number,
                    digest=v.digest,
                    created_at=v.created_at,
                    origin=v.origin,
                    thresholds=v.thresholds,
                )
                for v in p.versions.order_by("-number")
            ],
        )
        for p in Profile.objects.order_by("code")
    ]


class CheckIn(Schema):
    first: dt.date | None = Field(None, alias="from", description="default: 30 days ago")
    last: dt.date | None = Field(None, alias="to", description="default: yesterday")
    profile: str = Field(DEFAULT_PROFILE, max_length=32)
    build: bool = Field(True, description="rebuild the ledger of the range first")


def _run(facility: Facility, run_id: int) -> EvaluationRun:
    run = selectors.runs(facility).filter(pk=run_id).first()
    if run is None:
        raise NotFound(code="UNKNOWN_RUN", message=_("No such evaluation run."), field="run")
    return run


def _finding(run: EvaluationRun, rule: str) -> Finding:
    found = selectors.finding(run, rule)
    if found is None:
        raise NotFound(
            code="UNKNOWN_RULE", message=_("No rule %(rule)s.") % {"rule": rule}, field="rule"
        )
    return found


@router.post(
    "/facilities/{code}/standards/runs",
    response={201: dict[str, Any], **ERRORS},
    summary="Judge the ledger of a range of days against every rule (rebuilding it first)",
)
def post_run(request: HttpRequest, code: str, payload: CheckIn) -> Status[dict[str, Any]]:
    require(request, Capability.CHECK_STANDARDS)
    facility = visible_facility(request, code)
    first, last = days_range(facility, payload.first, payload.last)
    with transaction.atomic():
        run = check_standards(
            facility=facility,
            first=first,
            last=last,
            profile=payload.profile,
            build=payload.build,
            actor=actor_of(request),
            at=clock.now(),
        )
    return Status(201, selectors.run_as_dict(run))


def run_summary(r: EvaluationRun) -> dict[str, Any]:
    return {
        "id": r.pk,
        "facility": r.facility.code,
        "from": r.first_day.isoformat(),
        "to": r.last_day.isoformat(),
        "profile": r.profile_version.profile.code,
        "profile_version": r.profile_version.number,
        "ledger_hash": r.ledger_hash,
        "findings_hash": r.findings_hash,
        "rules_breached": r.rules_breached,
        "person_days": r.ledger_rows,
        "people": r.people,
        "ran_at": r.ran_at.isoformat(),
        "by": r.actor_label,
    }


@router.get(
    "/facilities/{code}/standards/runs",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="A facility's evaluation runs, latest first",
)
def list_runs(request: HttpRequest, code: str, limit: int = 50) -> list[dict[str, Any]]:
    require(request, Capability.VIEW_STANDARDS)
    facility = visible_facility(request, code)
    return [run_summary(r) for r in selectors.runs(facility)[: max(1, min(limit, 500))]]


@router.get(
    "/facilities/{code}/standards/runs/latest",
    response={200: dict[str, Any], **ERRORS},
    summary="The latest run with every finding",
)
def get_latest(request: HttpRequest, code: str) -> dict[str, Any]:
    require(request, Capability.VIEW_STANDARDS)
    facility = visible_facility(request, code)
    run = selectors.latest_run(facility)
    if run is None:
        raise NotFound(code="NO_RUN", message=_("No evaluation has been run yet."), field="run")
    return selectors.run_as_dict(run)


@router.get(
    "/facilities/{code}/standards/runs/{run_id}",
    response={200: dict[str, Any], **ERRORS},
    summary="A run with every finding",
)
def get_run(request: HttpRequest, code: str, run_id: int) -> dict[str, Any]:
    require(request, Capability.VIEW_STANDARDS)
    return selectors.run_as_dict(_run(visible_facility(request, code), run_id))


@router.get(
    "/facilities/{code}/standards/runs/{run_id}/findings/{rule}",
    response={200: dict[str, Any], **ERRORS},
    summary="One finding with the cells it fell in",
)
def get_finding(request: HttpRequest, code: str, run_id: int, rule: str) -> dict[str, Any]:
    require(request, Capability.VIEW_STANDARDS)
    f = _finding(_run(visible_facility(request, code), run_id), rule)
    body = selectors.finding_as_dict(f)
    body["cells_in_breach"] = [
        {"cell": c.code, "unit": c.unit.code, "person_days": b, "person_days_judged": j}
        for c, b, j in selectors.finding_cells(f)
    ]
    return body


@router.get(
    "/facilities/{code}/standards/runs/{run_id}/findings/{rule}/people",
    response={200: dict[str, Any], **ERRORS},
    summary="The people a finding fell on, most days first",
)
def get_finding_people(
    request: HttpRequest, code: str, run_id: int, rule: str, offset: int = 0, limit: int = 100
) -> dict[str, Any]:
    require(request, Capability.VIEW_STANDARDS)
    f = _finding(_run(visible_facility(request, code), run_id), rule)
    lines, total = selectors.finding_people(
        f, offset=max(offset, 0), limit=max(1, min(limit, 1000))
    )
    return {
        "total": total,
        "offset": offset,
        "people": [
            {
                "person_id": p.person.pk,
                "custody_number": p.person.custody_number,
                "name": p.person.full_name,
                "days": p.days,
                "first_day": p.first_day,
                "last_day": p.last_day,
                "worst_value": float(p.worst_value) if p.worst_value is not None else None,
                "longest_run": p.longest_run,
            }
            for p in lines
        ],
    }


@router.get(
    "/facilities/{code}/standards/runs/{run_id}/findings/{rule}/people/{person_id}",
    response={200: dict[str, Any], **ERRORS},
    summary="A person's days in breach of a rule, each a ledger row",
)
def get_person_days(
    request: HttpRequest, code: str, run_id: int, rule: str, person_id: int
) -> dict[str, Any]:
    require(request, Capability.VIEW_STANDARDS)
    run = _run(visible_facility(request, code), run_id)
    f = _finding(run, rule)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(code="UNKNOWN_PERSON", message=_("No such person."), field="person")
    rebuilt = selectors.ledger_rebuilt_since(run)
    return {
        "rule": f.rule.code,
        "person_id": person.pk,
        "ledger_rebuilt_since_run": rebuilt is not None,
        "days": [ledger_row_as_dict(r) for r in selectors.days_in_breach(f, person=person)],
    }
