"""Use cases that change the estate. Each writes its audit event; the caller opens the
transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record, record_many
from habeas.core.errors import FieldProblem, InvalidInput, NotFound, RuleViolation
from habeas.core.yamlfile import YamlSyntaxError, load
from habeas.estate import estate_file
from habeas.estate.models import Cell, Facility, SpaceStandard, Unit
from habeas.estate.standards import BUILT_IN


def set_operational_capacity(
    *, cell: Cell, capacity: int, actor: Actor, at: dt.datetime, reason: str
) -> Cell:
    """The governor sets how many people a cell may hold. Lowering it below the people already in
    the cell is allowed (the roll then shows the cell as over capacity) but must give a reason."""
    if capacity < 0:
        raise InvalidInput(
            message=_("Operational capacity cannot be negative."), field="operational_capacity"
        )
    if not reason.strip():
        raise InvalidInput(message=_("Give the reason for the change."), field="reason")
    before = cell.operational_capacity
    cell.operational_capacity = capacity
    cell.save(update_fields=["operational_capacity"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="cell.set_operational_capacity",
            object_type="estate.Cell",
            object_id=cell.pk,
            before={"operational_capacity": before},
            after={"operational_capacity": capacity},
            reason=reason,
            facility_id=cell.facility_id,
        ),
    )
    return cell


def take_out_of_service(*, cell: Cell, actor: Actor, at: dt.datetime, reason: str) -> Cell:
    """A cell out of service takes no one; the people in it stay on the roll until moved."""
    if not reason.strip():
        raise InvalidInput(
            message=_("Say why the cell goes out of service."), field="out_of_service_reason"
        )
    if not cell.in_service:
        raise RuleViolation(
            code="CELL_ALREADY_OUT_OF_SERVICE",
            message=_("Cell %(cell)s is already out of service.") % {"cell": cell.code},
            field="cell",
        )
    cell.in_service = False
    cell.out_of_service_reason = reason.strip()
    cell.save(update_fields=["in_service", "out_of_service_reason"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="cell.take_out_of_service",
            object_type="estate.Cell",
            object_id=cell.pk,
            before={"in_service": True},
            after={"in_service": False},
            reason=reason,
            facility_id=cell.facility_id,
        ),
    )
    return cell


def return_to_service(*, cell: Cell, actor: Actor, at: dt.datetime, reason: str) -> Cell:
    if cell.in_service:
        raise RuleViolation(
            code="CELL_ALREADY_IN_SERVICE",
            message=_("Cell %(cell)s is already in service.") % {"cell": cell.code},
            field="cell",
        )
    before = cell.out_of_service_reason
    cell.in_service = True
    cell.out_of_service_reason = ""
    cell.save(update_fields=["in_service", "out_of_service_reason"])
    record(
        actor=actor,
        at=at,
        change=Change(
            action="cell.return_to_service",
            object_type="estate.Cell",
            object_id=cell.pk,
            before={"in_service": False, "out_of_service_reason": before},
            after={"in_service": True},
            reason=reason,
            facility_id=cell.facility_id,
        ),
    )
    return cell


def _changed(before: dict[str, object], after: dict[str, object]) -> bool:
    return {k: str(v) for k, v in before.items()} != {k: str(v) for k, v in after.items()}


def import_estate(*, spec: estate_file.EstateSpec, actor: Actor, at: dt.datetime) -> dict[str, int]:
    """Create or update the facilities, units and cells of an estate file, all or nothing.

    Cells already known (by facility and code) are updated; cells absent from the file are left
    as they are. Every creation and change is audited.
    """
    counts = {"facilities": 0, "units": 0, "cells_created": 0, "cells_updated": 0}
    changes: list[Change] = []
    standards = {s.code: s for s in SpaceStandard.objects.all()}
    for code, values in BUILT_IN.items():
        if code not in standards:  # e.g. after a flush, which removes migrated data
            standards[code] = SpaceStandard.objects.create(code=code, **values)
    for s in spec.standards:
        obj, created = SpaceStandard.objects.update_or_create(
            code=s.code,
            defaults={
                "name": s.name,
                "shared_m2_per_person": s.shared_m2_per_person,
                "single_m2": s.single_m2,
                "source": s.source,
            },
        )
        standards[s.code] = obj
        changes.append(
            Change(
                action="space_standard.import",
                object_type="estate.SpaceStandard",
                object_id=obj.pk,
                after=s.__dict__,
            )
        )
    missing = [
        (i, f.space_standard)
        for i, f in enumerate(spec.facilities)
        if f.space_standard not in standards
    ]
    if missing:
        raise InvalidInput(
            code="UNKNOWN_SPACE_STANDARD",
            message=_("Unknown space standard: %(codes)s.")
            % {"codes": ", ".join(sorted({c for _i, c in missing}))},
            problems=[
                FieldProblem(
                    field=f"facilities[{i}].space_standard",
                    message=_("%(code)s is not a known space standard (known: %(known)s)")
                    % {"code": c, "known": ", ".join(sorted(standards))},
                    code="UNKNOWN_SPACE_STANDARD",
                )
                for i, c in missing
            ],
        )
    for f in spec.facilities:
        facility, created = Facility.objects.update_or_create(
            code=f.code,
            defaults={
                "name": f.name,
                "time_zone": f.time_zone,
                "jurisdiction": f.jurisdiction,
                "holds_sex": f.holds_sex,
                "kind": f.kind,
                "stated_capacity": f.stated_capacity,
                "space_standard": standards[f.space_standard],
            },
        )
        counts["facilities"] += 1
        changes.append(
            Change(
                action="facility.create" if created else "facility.update",
                object_type="estate.Facility",
                object_id=facility.pk,
                facility_id=facility.pk,
                after={k: v for k, v in f.__dict__.items() if k != "units"},
            )
        )
        units = {u.code: u for u in facility.units.all()}
        cells = {c.code: c for c in facility.cells.select_related("unit")}
        new_cells: list[Cell] = []
        for u in f.units:
            unit = units.get(u.code)
            if unit is None:
                unit = Unit.objects.create(facility=facility, code=u.code, name=u.name)
                changes.append(
                    Change(
                        action="unit.create",
                        object_type="estate.Unit",
                        object_id=unit.pk,
                        facility_id=facility.pk,
                        after={"code": u.code, "name": u.name},
                    )
                )
            elif unit.name != u.name:
                before_name = unit.name
                unit.name = u.name
                unit.save(update_fields=["name"])
                changes.append(
                    Change(
                        action="unit.update",
                        object_type="estate.Unit",
                        object_id=unit.pk,
                        facility_id=facility.pk,
                        before={"name": before_name},
                        after={"name": u.name},
                    )
                )
            counts["units"] += 1
            for c in u.cells:
                values = {k: v for k, v in c.__dict__.items() if k != "code"}
                existing = cells.get(c.code)
                if existing is None:
                    new_cells.append(Cell(facility=facility, unit=unit, code=c.code, **values))
                    continue
                before = existing.facts()
                for k, v in values.items():
                    setattr(existing, k, v)
                existing.unit = unit
                after = existing.facts()
                if _changed(before, after):
                    existing.save()
                    counts["cells_updated"] += 1
                    changes.append(
                        Change(
                            action="cell.update",
                            object_type="estate.Cell",
                            object_id=existing.pk,
                            facility_id=facility.pk,
                            before=before,
                            after=after,
                        )
                    )
        created_cells = Cell.objects.bulk_create(new_cells, batch_size=1000)
        counts["cells_created"] += len(created_cells)
        for cell in created_cells:
            changes.append(
                Change(
                    action="cell.create",
                    object_type="estate.Cell",
                    object_id=cell.pk,
                    facility_id=facility.pk,
                    after=cell.facts(),
                )
            )
    record_many(actor=actor, at=at, changes=changes)
    return counts


def import_estate_file(*, path: Path, actor: Actor, at: dt.datetime) -> dict[str, int]:
    """Read, validate in full, then import. A problem anywhere imports nothing."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound(
            code="FILE_NOT_FOUND",
            message=_("No such file: %(path)s") % {"path": path},
            field="file",
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            code="BAD_ENCODING",
            message=_("%(path)s is not UTF-8 text.") % {"path": path},
            field="file",
        ) from exc
    try:
        doc = load(text)
    except YamlSyntaxError as exc:
        raise InvalidInput(
            code="YAML_SYNTAX",
            message=_("%(path)s is not valid YAML.") % {"path": path},
            problems=[
                FieldProblem(field="", message=exc.message, code="YAML_SYNTAX", line=exc.line)
            ],
        ) from exc
    spec, problems = estate_file.parse(doc)
    if problems:
        raise InvalidInput(
            code="INVALID_ESTATE_FILE",
            message=_("%(path)s has %(n)d problem(s); nothing was imported.")
            % {"path": path, "n": len(problems)},
            problems=problems,
        )
    return import_estate(spec=spec, actor=actor, at=at)
