"""Evaluating the standards: ``check_standards`` judges a facility's ledger for a range of days
against every rule with one profile's thresholds and stores the verdict; ``sync_catalogue``
keeps the stored rules and profile versions in step with the files that define them."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record
from habeas.core.bulk import insert_rows
from habeas.core.errors import InvalidInput
from habeas.estate.models import Facility
from habeas.ledger.models import CustodyDay
from habeas.ledger.selectors import current_digest
from habeas.ledger.services import build_ledger, check_range
from habeas.standards import catalogue as cat
from habeas.standards.engine import Judge, RuleResult
from habeas.standards.models import (
    EvaluationRun,
    Finding,
    FindingCell,
    FindingPerson,
    Profile,
    ProfileVersion,
    Rule,
    Status,
)

LEDGER_COLUMNS = frozenset(
    f.column for f in CustodyDay._meta.concrete_fields if getattr(f, "column", None)
)


def catalogue() -> tuple[cat.Catalogue, dict[str, cat.ProfileDef]]:
    """The rules and profiles shipped with Habeas, checked against the ledger's columns."""
    return cat.built_in(LEDGER_COLUMNS)


def sync_catalogue(*, at: dt.datetime) -> dict[str, ProfileVersion]:
    """Store the current rules and a new version of every profile whose thresholds changed;
    returns the latest version of each built-in profile. Idempotent: unchanged files write
    nothing."""
    rules, profiles = catalogue()
    known = {r.code: r for r in Rule.objects.all()}
    current = set()
    for position, r in enumerate(rules.rules):
        current.add(r.id)
        values = {
            "title": r.title,
            "source": r.source,
            "source_text": rules.sources[r.source],
            "citation": r.citation,
            "tag": r.tag,
            "requirement": r.requirement,
            "method": r.method,
            "definition": r.as_dict(),
            "position": position,
            "current": True,
        }
        row = known.get(r.id)
        if row is None:
            Rule.objects.create(code=r.id, **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            Rule.objects.filter(pk=row.pk).update(**values)
    Rule.objects.exclude(code__in=current).filter(current=True).update(current=False)
    latest: dict[str, ProfileVersion] = {}
    for code, p in profiles.items():
        profile, _created = Profile.objects.update_or_create(
            code=code, defaults={"name": p.name, "description": p.description}
        )
        version = profile.versions.order_by("-number").first()
        if version is None or version.digest != p.digest:
            version = ProfileVersion.objects.create(
                profile=profile,
                number=(version.number + 1) if version else 1,
                thresholds=p.jsonable()["thresholds"],
                digest=p.digest,
                created_at=at,
                origin=f"habeas/standards/profiles/{code}.yaml",
            )
        latest[code] = version
    return latest


def _thresholds(version: ProfileVersion, rule_id: str) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in (version.thresholds.get(rule_id) or {}).items()}


def findings_hash(results: list[RuleResult]) -> str:
    """SHA-256 of the verdict: for each rule its counts, trend and people, in a fixed order."""
    h = hashlib.sha256()
    for res in results:
        h.update(
            cat.canonical(
                [
                    res.rendered.rule.id,
                    res.judged,
                    res.unknown,
                    res.person_days,
                    res.longest_run,
                    res.severe_people,
                    [[d.isoformat(), b, j] for d, b, j in res.trend],
                    [[c, b, j] for c, b, j in res.cells],
                ]
            ).encode()
        )
        for p in res.people:
            h.update(f"{p.person_id}:{p.days}:{p.first}:{p.last}:{p.worst}:{p.run}\n".encode())
    return h.hexdigest()


def check_standards(
    *,
    facility: Facility,
    first: dt.date | None,
    last: dt.date | None,
    actor: Actor,
    at: dt.datetime,
    profile: str = cat.DEFAULT_PROFILE,
    build: bool = True,
    progress: Callable[[dt.date, int], None] | None = None,
) -> EvaluationRun:
    """Judge every rule of the catalogue against the facility's ledger from ``first`` to
    ``last`` with ``profile``'s thresholds, and store the run with its findings. By default the
    ledger of the range is rebuilt first from the operational records, so the verdict is on
    today's records; ``build=False`` judges the ledger as it stands.

    No facility setting can leave a rule out: every rule is judged in every run."""
    first, last = check_range(facility, first, last, at=at)
    started = time.perf_counter()
    versions = sync_catalogue(at=at)
    version = versions.get(profile) or (
        ProfileVersion.objects.filter(profile__code=profile).order_by("-number").first()
    )
    if version is None:
        raise InvalidInput(
            code="UNKNOWN_PROFILE",
            message=_("No standards profile %(code)s.") % {"code": profile},
            field="profile",
        )
    if build:
        build_ledger(
            facility=facility, first=first, last=last, actor=actor, at=at, progress=progress
        )
    rules_def, _profiles = catalogue()
    rendered = [cat.render(r, _thresholds(version, r.id), last_day=last) for r in rules_def.rules]
    results = Judge(facility.pk, first, last).evaluate(rendered)
    digest = current_digest(facility, first, last)
    run = EvaluationRun.objects.create(
        facility=facility,
        first_day=first,
        last_day=last,
        profile_version=version,
        rules_digest=rules_def.digest,
        ledger_hash=digest.hash,
        ledger_rows=digest.rows,
        people=digest.people,
        findings_hash=findings_hash(results),
        rules_breached=sum(1 for r in results if r.person_days),
        ran_at=at,
        seconds=0,
        actor_label=actor.label,
    )
    _store(run, results)
    seconds = round(time.perf_counter() - started, 3)
    EvaluationRun.objects.filter(pk=run.pk).update(seconds=seconds)
    run.seconds = seconds
    record(
        actor=actor,
        at=at,
        change=Change(
            action="standards.check",
            object_type="standards.EvaluationRun",
            object_id=run.pk,
            facility_id=facility.pk,
            after={
                "from": first,
                "to": last,
                "profile": f"{version.profile.code} v{version.number}",
                "ledger_hash": digest.hash,
                "findings_hash": run.findings_hash,
                "breached": [r.rendered.rule.id for r in results if r.person_days],
            },
        ),
    )
    return run


def _store(run: EvaluationRun, results: list[RuleResult]) -> None:
    rule_ids = dict(Rule.objects.values_list("code", "pk"))
    findings = []
    for res in results:
        if res.judged == 0:
            status = Status.NOT_JUDGED
        elif res.person_days:
            status = Status.BREACHED
        else:
            status = Status.COMPLIANT
        findings.append(
            Finding(
                run=run,
                rule_id=rule_ids[res.rendered.rule.id],
                status=status,
                thresholds={k: str(v) for k, v in res.rendered.thresholds.items()},
                judged=res.judged,
                unknown=res.unknown,
                person_days=res.person_days,
                people=len(res.people),
                cells=sum(1 for _c, b, _j in res.cells if b),
                first_day=res.first,
                last_day=res.last,
                worst_value=res.worst_value,
                longest_run=res.longest_run,
                severe_people=res.severe_people,
                trend=[[d.isoformat(), b, j] for d, b, j in res.trend],
                worst=[_case(p) for p in res.worst_cases()],
            )
        )
    Finding.objects.bulk_create(findings)
    stored = {f.rule_id: f.pk for f in Finding.objects.filter(run=run)}
    people_rows: list[tuple[Any, ...]] = []
    cell_rows: list[tuple[Any, ...]] = []
    for res in results:
        fid = stored[rule_ids[res.rendered.rule.id]]
        people_rows.extend(
            (fid, p.person_id, p.days, p.first, p.last, p.worst, p.run) for p in res.people
        )
        cell_rows.extend((fid, c, b, j) for c, b, j in res.cells if b)
    insert_rows(
        FindingPerson,
        ("finding_id", "person_id", "days", "first_day", "last_day", "worst_value", "longest_run"),
        people_rows,
    )
    insert_rows(FindingCell, ("finding_id", "cell_id", "person_days", "judged"), cell_rows)


def _case(p: Any) -> dict[str, Any]:
    return {
        "person": p.person_id,
        "days": p.days,
        "first": p.first.isoformat(),
        "last": p.last.isoformat(),
        "worst": None if p.worst is None else str(p.worst),
        "run": p.run,
    }
