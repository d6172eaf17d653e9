"""Meals as they were served: one entry for many cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from habeas.audit.services import Actor, Change, record_many
from habeas.core.bulk import insert_rows, reserve_ids
from habeas.core.errors import FieldProblem
from habeas.estate.models import Facility
from habeas.regime.models import Meal, MealCell, MealKind
from habeas.regime.presence import check_choice, check_moment
from habeas.regime.scope import CellIndex
from habeas.regime.services.problems import _fail, _prefix


@dataclass(frozen=True)
class MealIn:
    kind: str
    served_at: dt.datetime
    unit: str | None = None
    cells: tuple[str, ...] = ()
    description: str = ""
    line: int | None = None


def record_meals(
    *, facility: Facility, meals: Sequence[MealIn], actor: Actor, at: dt.datetime
) -> list[int]:
    """Meals served to cells or whole units (Mandela Rule 22: food at the usual hours)."""
    problems: list[FieldProblem] = []
    index = CellIndex.of(facility)
    n = len(meals)
    resolved = []
    for i, m in enumerate(meals):
        check_moment(
            m.served_at,
            field_name=_prefix(i, n, "served_at"),
            now=at,
            problems=problems,
            line=m.line,
        )
        check_choice(
            m.kind,
            MealKind.values,
            field_name=_prefix(i, n, "kind"),
            problems=problems,
            line=m.line,
        )
        resolved.append(
            index.resolve(
                unit=m.unit, cells=m.cells, field=_prefix(i, n, ""), problems=problems, line=m.line
            )
        )
    _fail(problems, _("The meals"))
    ids = reserve_ids(Meal, n)
    insert_rows(
        Meal,
        (
            "id",
            "facility_id",
            "scope",
            "unit_id",
            "kind",
            "served_at",
            "description",
            "recorded_at",
            "recorded_by_id",
        ),
        (
            (
                pk,
                facility.pk,
                scope,
                unit.pk if unit else None,
                m.kind,
                m.served_at,
                m.description.strip(),
                at,
                actor.user_id,
            )
            for pk, m, (scope, unit, _c) in zip(ids, meals, resolved, strict=True)
        ),
    )
    insert_rows(
        MealCell,
        ("meal_id", "cell_id"),
        ((pk, c.pk) for pk, (_s, _u, cells) in zip(ids, resolved, strict=True) for c in cells),
    )
    record_many(
        actor=actor,
        at=at,
        changes=[
            Change(
                action="regime.record_meal",
                object_type="regime.Meal",
                object_id=pk,
                facility_id=facility.pk,
                after={
                    "kind": m.kind,
                    "served_at": m.served_at,
                    "unit": unit.code if unit else None,
                    "cells": [c.code for c in cells],
                    "description": m.description,
                },
            )
            for pk, m, (_s, unit, cells) in zip(ids, meals, resolved, strict=True)
        ],
    )
    return ids
