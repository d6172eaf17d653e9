"""Reading the verdicts: a facility's runs, a run's findings, the people and cells of a finding,
a person's days in breach, and a person's findings across runs. Bounded queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.formats import number_format

from habeas.estate.models import Cell, Facility
from habeas.ledger.models import CustodyDay, LedgerBuild
from habeas.people.models import Person
from habeas.standards import catalogue as cat
from habeas.standards.models import (
    EvaluationRun,
    Finding,
    FindingCell,
    FindingPerson,
    Rule,
)

PAGE = 50


def runs(facility: Facility) -> QuerySet[EvaluationRun]:
    return EvaluationRun.objects.filter(facility=facility).select_related(
        "profile_version__profile"
    )


def latest_run(facility: Facility) -> EvaluationRun | None:
    return runs(facility).first()


def findings(run: EvaluationRun) -> list[Finding]:
    return list(Finding.objects.filter(run=run).select_related("rule").order_by("rule__position"))


def finding(run: EvaluationRun, rule_code: str) -> Finding | None:
    return Finding.objects.filter(run=run, rule__code=rule_code).select_related("rule").first()


@dataclass
class PersonLine:
    person: Person
    days: int
    first_day: dt.date
    last_day: dt.date
    worst_value: Decimal | None
    longest_run: int | None


def finding_people(
    f: Finding, *, offset: int = 0, limit: int = PAGE
) -> tuple[list[PersonLine], int]:
    """The people a finding fell on, most days first (then by custody number)."""
    qs = FindingPerson.objects.filter(finding=f)
    total = qs.count()
    rows = list(
        qs.order_by("-days", "person_id").values_list(
            "person_id", "days", "first_day", "last_day", "worst_value", "longest_run"
        )[offset : offset + limit]
    )
    people = Person.objects.in_bulk([r[0] for r in rows])
    return [
        PersonLine(people[pid], days, first, last, worst, run)
        for pid, days, first, last, worst, run in rows
        if pid in people
    ], total


def finding_cells(f: Finding) -> list[tuple[Cell, int, int]]:
    rows = list(
        FindingCell.objects.filter(finding=f)
        .order_by("-person_days", "cell_id")
        .values_list("cell_id", "person_days", "judged")
    )
    cells = Cell.objects.select_related("unit").in_bulk([r[0] for r in rows])
    return [(cells[c], b, j) for c, b, j in rows if c in cells]


def rendered(f: Finding) -> cat.RenderedRule:
    """The finding's rule as it was judged: its stored definition and thresholds."""
    d = f.rule.definition
    worst = d.get("worst") or {}
    rule = cat.RuleDef(
        id=d["id"],
        title=d["title"],
        source=d["source"],
        citation=d["citation"],
        tag=d["tag"],
        requirement=d["requirement"],
        method=d["method"],
        breach=d["breach"],
        applies=d["applies"],
        needs=tuple(d["needs"]),
        worst_expr=worst.get("expr"),
        worst_order=worst.get("order", "max"),
        streak=d.get("streak"),
        settles_after_hours=d.get("settles_after_hours"),
        params=tuple(d["params"]),
    )
    thresholds = {k: Decimal(v) for k, v in f.thresholds.items()}
    return cat.render(rule, thresholds, last_day=f.run.last_day)


def days_in_breach(
    f: Finding, *, person: Person | None = None, cell: Cell | None = None, limit: int = 400
) -> list[CustodyDay]:
    """The ledger rows of the run's range in which the finding's rule is breached — for one
    person or one cell — read from the ledger as it stands now (``ledger_rebuilt_since``)."""
    rule = rendered(f)
    table = CustodyDay._meta.db_table
    where = ["facility_id = %s", "day >= %s", "day <= %s", rule.breached]
    params: list[Any] = [f.run.facility_id, f.run.first_day, f.run.last_day]
    if person is not None:
        where.append("person_id = %s")
        params.append(person.pk)
    if cell is not None:
        where.append("cell_id = %s")
        params.append(cell.pk)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT person_id, day FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608
            f"ORDER BY day, person_id LIMIT {int(limit)}",
            params,
        )
        keys = cur.fetchall()
    if not keys:
        return []
    pids = {k[0] for k in keys}
    days = {k[1] if isinstance(k[1], dt.date) else dt.date.fromisoformat(k[1]) for k in keys}
    rows = CustodyDay.objects.filter(
        facility_id=f.run.facility_id, person_id__in=pids, day__in=days
    ).order_by("day", "person_id")
    wanted = {
        (k[0], k[1] if isinstance(k[1], dt.date) else dt.date.fromisoformat(k[1])) for k in keys
    }
    return [r for r in rows if (r.person_id, r.day) in wanted]


def ledger_rebuilt_since(run: EvaluationRun) -> LedgerBuild | None:
    """A later build of the ledger over part of the run's range that left different rows: the
    days listed now may differ from those the run judged."""
    later = LedgerBuild.objects.filter(
        facility_id=run.facility_id,
        built_at__gt=run.ran_at,
        first_day__lte=run.last_day,
        last_day__gte=run.first_day,
    ).order_by("-built_at")
    for b in later:
        same_range = b.first_day == run.first_day and b.last_day == run.last_day
        if not (same_range and b.ledger_hash == run.ledger_hash):
            return b
    return None


@dataclass
class PersonFinding:
    run: EvaluationRun
    rule: Rule
    finding_id: int
    days: int
    first_day: dt.date
    last_day: dt.date
    worst_value: Decimal | None
    longest_run: int | None


def person_findings(person: Person, facilities: set[int]) -> list[PersonFinding]:
    """The person's findings in the latest run of each facility the user sees that judged
    them (a person moved between facilities has findings in each)."""
    latest: dict[int, int] = {}
    for run_id, fid in (
        EvaluationRun.objects.filter(facility_id__in=facilities)
        .order_by("-ran_at", "-id")
        .values_list("id", "facility_id")
    ):
        latest.setdefault(fid, run_id)
    if not latest:
        return []
    rows = (
        FindingPerson.objects.filter(person=person, finding__run_id__in=latest.values())
        .select_related("finding__rule", "finding__run__facility")
        .order_by("finding__run__facility__code", "finding__rule__position")
    )
    return [
        PersonFinding(
            run=r.finding.run,
            rule=r.finding.rule,
            finding_id=r.finding_id,
            days=r.days,
            first_day=r.first_day,
            last_day=r.last_day,
            worst_value=r.worst_value,
            longest_run=r.longest_run,
        )
        for r in rows
    ]


def share_text(person_days: int, judged: int) -> str:
    """The share of the judged person-days in breach, for people to read: "2.5", "< 0.1"."""
    if not judged:
        return "—"
    share = 100 * person_days / judged
    if person_days and share < 0.1:
        return "< " + number_format(0.1, 1)
    return number_format(share, 1)  # in the language's own decimal mark


def run_as_dict(run: EvaluationRun, *, findings_of: list[Finding] | None = None) -> dict[str, Any]:
    """The run and its findings as plain JSON-ready data (the command's --json and the API)."""
    version = run.profile_version
    return {
        "id": run.pk,
        "facility": run.facility.code,
        "from": run.first_day.isoformat(),
        "to": run.last_day.isoformat(),
        "profile": version.profile.code,
        "profile_version": version.number,
        "profile_digest": version.digest,
        "rules_digest": run.rules_digest,
        "ledger_hash": run.ledger_hash,
        "person_days": run.ledger_rows,
        "people": run.people,
        "findings_hash": run.findings_hash,
        "rules_breached": run.rules_breached,
        "ran_at": run.ran_at.isoformat(),
        "seconds": run.seconds,
        "by": run.actor_label,
        "findings": [
            finding_as_dict(f) for f in (findings_of if findings_of is not None else findings(run))
        ],
    }


def finding_as_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule.code,
        "title": f.rule.title,
        "status": f.status,
        "thresholds": f.thresholds,
        "person_days_judged": f.judged,
        "person_days_without_data": f.unknown,
        "person_days": f.person_days,
        "people": f.people,
        "cells": f.cells,
        "first_day": f.first_day.isoformat() if f.first_day else None,
        "last_day": f.last_day.isoformat() if f.last_day else None,
        "worst_value": float(f.worst_value) if f.worst_value is not None else None,
        "longest_run": f.longest_run,
        "severe_people": f.severe_people,
        "trend": f.trend,
        "worst_cases": f.worst,
    }
