"""The inspection report: one evaluation run of a facility written up as a national preventive
mechanism would — the findings rule by rule, with the standard, its source, how it was judged,
the thresholds of the profile, the trend and the worst cases — dated, self-contained (charts as
inline SVG, its stylesheet inside) and verifiable (the ledger hash, the findings hash, the query
of every rule). The same HTML makes the PDF (WeasyPrint)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db.models import Avg, Count, Max, Min, Sum
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.estate.models import Cell
from habeas.ledger.models import CustodyDay
from habeas.people.models import Person
from habeas.reports import charts
from habeas.standards import selectors
from habeas.standards.models import EvaluationRun, Finding, Status

CSS = resources.files("habeas.reports").joinpath("report.css").read_text(encoding="utf-8")
# The report's own stylesheet may be inline when the report is served as a page: the
# Content-Security-Policy allows exactly this stylesheet, by its hash, and nothing else.
CSS_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode() + "'"


@dataclass
class RuleSection:
    f: Finding
    chart: str
    worst: list[dict[str, Any]]
    share: float | None
    share_text: str
    sql: str


def _trend(f: Finding) -> list[tuple[dt.date, int, int]]:
    return [(dt.date.fromisoformat(d), b, j) for d, b, j in f.trend]


def context(run: EvaluationRun, *, generated_at: dt.datetime) -> dict[str, Any]:
    """Everything the report shows, from the run and the ledger it judged."""
    facility = run.facility
    found = selectors.findings(run)
    worst_people = {w["person"] for f in found for w in f.worst}
    custody_numbers = dict(
        Person.objects.filter(pk__in=worst_people).values_list("pk", "custody_number")
    )
    sections = []
    for f in found:
        worst = [dict(w, custody_number=custody_numbers.get(w["person"], "")) for w in f.worst]
        sections.append(
            RuleSection(
                f=f,
                chart=charts.trend_chart(
                    _trend(f),
                    title=_("%(rule)s — person-days in breach each day") % {"rule": f.rule.code},
                    description=_(
                        "Red bars: person-days in breach; grey outline: person-days judged."
                    ),
                    width=680,
                    height=180,
                )
                if f.person_days
                else "",
                worst=worst,
                share=round(100 * f.person_days / f.judged, 1) if f.judged else None,
                share_text=selectors.share_text(f.person_days, f.judged),
                sql=selectors.rendered(f).breached,
            )
        )
    breached = [s for s in sections if s.f.status == Status.BREACHED]
    compliant = [s for s in sections if s.f.status == Status.COMPLIANT]
    not_judged = [s for s in sections if s.f.status == Status.NOT_JUDGED]
    overview = charts.bar_list(
        [
            (s.f.rule.code, s.share or 0.0, charts.RED if s.f.person_days else charts.GREEN)
            for s in sections
            if s.f.judged
        ],
        title=_("Share of person-days in breach, rule by rule"),
        description=_("One bar per rule judged: the percentage of the person-days it judged."),
    )
    ledger = CustodyDay.objects.filter(
        facility=facility, day__gte=run.first_day, day__lte=run.last_day
    )
    days = (run.last_day - run.first_day).days + 1
    space = ledger.aggregate(
        avg=Avg("m2_per_person"), low=Min("m2_per_person"), high=Max("m2_per_person")
    )
    cells = Cell.objects.filter(facility=facility).aggregate(
        n=Count("id"),
        area=Sum("floor_area_m2"),
        bunks=Sum("bunks"),
        mattresses=Sum("mattresses"),
        toilets=Sum("toilets"),
    )
    version = run.profile_version
    sources = sorted({(f.rule.source, f.rule.source_text) for f in found})
    return {
        "run": run,
        "facility": facility,
        "generated_at": generated_at,
        "version": version,
        "sections": sections,
        "breached": breached,
        "compliant": compliant,
        "not_judged": not_judged,
        "overview": overview,
        "average_population": round(run.ledger_rows / days) if days else 0,
        "days": days,
        "space": {k: (round(Decimal(v), 2) if v is not None else None) for k, v in space.items()},
        "cells": cells,
        "sources": sources,
        "css": CSS,
    }


def render_html(run: EvaluationRun, *, generated_at: dt.datetime, language: str = "en") -> str:
    with translation.override(language):
        return render_to_string("reports/inspection.html", context(run, generated_at=generated_at))


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: a heavy import only the PDF needs

    return bytes(HTML(string=html).write_pdf())


def record_issued(*, run: EvaluationRun, fmt: str, actor: Actor, at: dt.datetime) -> None:
    """A report names people (custody numbers of the worst cases): its export is audited."""
    record(
        actor=actor,
        at=at,
        change=Change(
            action="reports.inspection",
            object_type="standards.EvaluationRun",
            object_id=run.pk,
            facility_id=run.facility_id,
            after={"format": fmt, "ledger_hash": run.ledger_hash},
        ),
    )
