"""Where a bulk entry applies: some cells, or a whole unit, of one facility.

An officer records one entry for a unit of 32 cells and thousands of people; the entry keeps the
scope the officer chose and the cells it covers, and who was in those cells is derived from the
placements at the time (never copied per person).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from habeas.core.errors import FieldProblem
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
    def of(cls, facility: Facility) -> CellIndex:
        units = {u.code: u for u in Unit.objects.filter(facility=facility)}
        cells = {c.code: c for c in Cell.objects.filter(facility=facility).order_by("code")}
        by_unit: dict[int, list[Cell]] = defaultdict(list)
        for c in cells.values():
            by_unit[c.unit_id].append(c)
        return cls(units=units, cells=cells, cells_of_unit=dict(by_unit))

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
