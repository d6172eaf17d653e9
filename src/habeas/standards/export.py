"""A run's findings as Parquet: one row per rule and person in breach; the run itself (profile,
hashes, every finding's counts, thresholds and trend) in the file's metadata."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from habeas.audit.services import Actor, Change, record
from habeas.ledger.export import SCHEMA_VERSION
from habeas.standards.models import EvaluationRun, FindingPerson
from habeas.standards.selectors import run_as_dict

FINDINGS_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.int64(), nullable=False, metadata={"description": "evaluation run"}),
        pa.field("facility", pa.string(), nullable=False),
        pa.field("rule", pa.string(), nullable=False, metadata={"description": "rule id"}),
        pa.field("person_id", pa.int64(), nullable=False),
        pa.field("days", pa.int32(), nullable=False, metadata={"description": "days in breach"}),
        pa.field("first_day", pa.date32(), nullable=False),
        pa.field("last_day", pa.date32(), nullable=False),
        pa.field("worst_value", pa.decimal128(14, 2), metadata={"description": "worst value"}),
        pa.field("longest_run", pa.int32(), metadata={"description": "longest run of days"}),
    ]
)


def export_findings(*, run: EvaluationRun, path: Path, actor: Actor, at: dt.datetime) -> int:
    """Write a run's people in breach (one row per rule and person) to ``path``; the run and
    every finding's counts, thresholds and trend travel in the file's metadata."""
    rows = list(
        FindingPerson.objects.filter(finding__run=run)
        .order_by("finding__rule__position", "person_id")
        .values_list(
            "finding__rule__code",
            "person_id",
            "days",
            "first_day",
            "last_day",
            "worst_value",
            "longest_run",
        )
    )
    schema = FINDINGS_SCHEMA.with_metadata(
        {
            "habeas.table": "findings",
            "habeas.schema": SCHEMA_VERSION,
            "habeas.run": json.dumps(run_as_dict(run), default=str),
        }
    )
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(7)]
    table = pa.Table.from_arrays(
        [
            pa.array([run.pk] * len(rows), type=pa.int64()),
            pa.array([run.facility.code] * len(rows), type=pa.string()),
            *[pa.array(list(col), type=schema.field(i + 2).type) for i, col in enumerate(cols)],
        ],
        schema=schema,
    )
    pq.write_table(table, str(path), compression="zstd")
    record(
        actor=actor,
        at=at,
        change=Change(
            action="standards.export",
            object_type="standards.EvaluationRun",
            object_id=run.pk,
            facility_id=run.facility_id,
            after={"rows": len(rows), "findings_hash": run.findings_hash},
            reason=str(path.name),
        ),
    )
    return len(rows)
