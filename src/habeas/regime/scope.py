"""Where a bulk entry applies: some cells, or a whole unit, of one facility.

An officer records one entry for a unit of 32 cells and thousands of people; the entry keeps the
scope the officer chose and the cells it covers, and who was in those cells is derived from the
placements at the time (never copied per person).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.core.errors import FieldProblem
from habeas.core.prepared import prepared
from habeas.estate.models import Cell, Facility, Unit


class Scope(models.TextChoices):
    CELL = "cell", gettext_lazy("Cells")
    UNIT = "unit", gettext_lazy("A whole unit")


@dataclass(frozen=True)
class CellIndex:
    """A facility's units and cells, loaded once for a batch."""

    units: dict[str, Unit]
    cells: dict[str, Cell]
    cells_of_unit: dict[int, list[Cell]]

    @classmethod
    def of(
        cls,
        facility: Facility,
        *,
        units: Iterable[str | None] | None = None,
        cells: Iterable[str] | None = None,
    ) -> CellIndex:
        """The facility's units and cells; or, given the unit and cell codes a batch names, only
        those units and cells and the cells of those units (a daily log of one cell reads one
        cell, not 256: issue #8). A code that names nothing is reported by ``resolve``."""
        if units is None and cells is None:
            found_units = list(Unit.objects.filter(facility=facility))
            found_cells = list(Cell.objects.filter(facility=facility))
        else:
            unit_codes = sorted({u.strip() for u in units or () if u and u.strip()})
            cell_codes = sorted({c.strip() for c in cells or () if c and c.strip()})
            found_units = (
                _units_named(facility_id=facility.pk, codes=unit_codes) if unit_codes else []
            )
            found_cells = (
                _cells_named(facility_id=facility.pk, codes=cell_codes) if cell_codes else []
            )
            if found_units:
                found_cells += _cells_of_units(facility_id=facility.pk, codes=unit_codes)
        by_code = {u.code: u for u in found_units}
        cell_by_code = {c.code: c for c in sorted(found_cells, key=lambda c: c.code)}
        by_unit: dict[int, list[Cell]] = defaultdict(list)
        for c in cell_by_code.values():
            by_unit[c.unit_id].append(c)
        return cls(units=by_code, cells=cell_by_code, cells_of_unit=dict(by_unit))

    def resolve(
        self,
        *,
        unit: str | None,
        cells: Sequence[str],
        field: str,
        problems: list[FieldProblem],
        line: int | None = None,
    ) -> tuple[str, Unit | None, list[Cell]]:
        codes = [c.strip() for c in cells if c and c.strip()]
        if unit and codes:
            problems.append(
                FieldProblem(
                    field=f"{field}unit",
                    message=_("Give a unit or a list of cells, not both."),
                    code="UNIT_AND_CELLS",
                    line=line,
                )
            )
            return Scope.CELL, None, []
        if unit:
            u = self.units.get(unit.strip())
            if u is None:
                problems.append(
                    FieldProblem(
                        field=f"{field}unit",
                        message=_("No unit %(code)s.") % {"code": unit},
                        code="UNKNOWN_UNIT",
                        line=line,
                    )
                )
                return Scope.UNIT, None, []
            return Scope.UNIT, u, list(self.cells_of_unit.get(u.pk, []))
        if not codes:
            problems.append(
                FieldProblem(
                    field=f"{field}cells",
                    message=_("Give a unit or some cells."),
                    code="REQUIRED",
                    line=line,
                )
            )
            return Scope.CELL, None, []
        found = []
        for i, code in enumerate(dict.fromkeys(codes)):
            cell = self.cells.get(code)
            if cell is None:
                problems.append(
                    FieldProblem(
                        field=f"{field}cells[{i}]",
                        message=_("No cell %(code)s.") % {"code": code},
                        code="UNKNOWN_CELL",
                        line=line,
                    )
                )
            else:
                found.append(cell)
        return Scope.CELL, None, found


# A daily log names a cell or two, or a unit: its look-ups are prepared (issue #8).
@prepared
def _units_named(facility_id: int, codes: list[str]) -> QuerySet[Unit]:
    return Unit.objects.filter(facility_id=facility_id, code__in=codes)


@prepared
def _cells_named(facility_id: int, codes: list[str]) -> QuerySet[Cell]:
    return Cell.objects.filter(facility_id=facility_id, code__in=codes)


@prepared
def _cells_of_units(facility_id: int, codes: list[str]) -> QuerySet[Cell]:
    return Cell.objects.filter(facility_id=facility_id, unit__code__in=codes)
