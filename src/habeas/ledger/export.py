"""The ledger and the findings as Parquet files with a documented schema (``docs/ledger.md``), so
that regional and national bodies can pool many systems' ledgers in an analytical engine and run
the same rules (``standards/rules.yaml``) over them.

On PostgreSQL the rows leave the database as CSV through ``COPY`` and are read by Arrow's own
CSV reader in batches (no Python object per value); on SQLite they come through the ORM.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.db import connection

from habeas.audit.services import Actor, Change, record
from habeas.estate.models import Facility
from habeas.ledger.derivation import COLUMNS
from habeas.ledger.models import CustodyDay
from habeas.ledger.selectors import ledger_digest

SCHEMA_VERSION = "1"
BATCH = 100_000

_TYPES: dict[str, pa.DataType] = {
    "facility_id": pa.int64(),
    "day": pa.date32(),
    "person_id": pa.int64(),
    "episode_id": pa.int64(),
    "unit_id": pa.int64(),
    "cell_id": pa.int64(),
    "cell_kind": pa.string(),
    "arrived_at": pa.timestamp("us", tz="UTC"),
    "legal_status": pa.string(),
    "sex": pa.string(),
    "m2_per_person": pa.decimal128(8, 2),
    "people_per_toilet": pa.decimal128(8, 2),
    "max_temperature_c": pa.decimal128(5, 1),
    "water_litres_per_person": pa.decimal128(8, 2),
    "row_hash": pa.string(),
}


def _field(name: str) -> pa.Field:
    model_field = CustodyDay._meta.get_field(name.removesuffix("_id") if name in _FKS else name)
    if name in _TYPES:
        kind = _TYPES[name]
    elif model_field.get_internal_type() == "BooleanField":
        kind = pa.bool_()
    else:
        kind = pa.int32()
    return pa.field(
        name,
        kind,
        nullable=bool(getattr(model_field, "null", False)),
        metadata={"description": str(getattr(model_field, "verbose_name", name))},
    )


_FKS = {"facility_id", "person_id", "unit_id", "cell_id"}
LEDGER_COLUMNS = (*COLUMNS, "row_hash")


def ledger_schema(metadata: dict[str, str] | None = None) -> pa.Schema:
    """The ledger's Parquet schema: one field per column, described (``docs/ledger.md``)."""
    return pa.schema(
        [_field(c) for c in LEDGER_COLUMNS],
        metadata={
            "habeas.table": "custody_day",
            "habeas.schema": SCHEMA_VERSION,
            **(metadata or {}),
        },
    )


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    ledger_hash: str


def _pg_batches(facility_id: int, first: dt.date, last: dt.date, schema: pa.Schema) -> Any:
    select = []
    for c in LEDGER_COLUMNS:
        if c == "arrived_at":
            select.append(
                "to_char(arrived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
            )
        else:
            select.append(c)
    sql = (
        f"COPY (SELECT {', '.join(select)} FROM {CustodyDay._meta.db_table} "  # noqa: S608
        f"WHERE facility_id = {int(facility_id)} AND day >= '{first.isoformat()}' "
        f"AND day <= '{last.isoformat()}' ORDER BY day, person_id) TO STDOUT (FORMAT csv)"
    )
    tmp = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)  # noqa: SIM115
    try:
        with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
            for chunk in copy:
                tmp.write(chunk)
        tmp.close()
        reader = pacsv.open_csv(
            tmp.name,
            read_options=pacsv.ReadOptions(column_names=list(LEDGER_COLUMNS), block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={f.name: f.type for f in schema},
                true_values=["t"],
                false_values=["f"],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            yield pa.Table.from_batches([batch]).cast(schema)
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def _orm_batches(facility_id: int, first: dt.date, last: dt.date, schema: pa.Schema) -> Any:
    qs = (
        CustodyDay.objects.filter(facility_id=facility_id, day__gte=first, day__lte=last)
        .order_by("day", "person_id")
        .values_list(*LEDGER_COLUMNS)
    )
    rows: list[tuple[Any, ...]] = []
    for row in qs.iterator(chunk_size=BATCH):
        rows.append(row)
        if len(rows) >= BATCH:
            yield _table(rows, schema)
            rows = []
    if rows:
        yield _table(rows, schema)


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def export_ledger(
    *,
    facility: Facility,
    first: dt.date,
    last: dt.date,
    path: Path,
    actor: Actor,
    at: dt.datetime,
) -> Exported:
    """Write the facility's ledger from ``first`` to ``last`` to ``path`` (Parquet, ordered by
    day and person). An export of personal data: recorded in the audit log."""
    digest = ledger_digest(facility, first, last)
    schema = ledger_schema(
        {
            "habeas.facility": facility.code,
            "habeas.time_zone": facility.time_zone,
            "habeas.from": first.isoformat(),
            "habeas.to": last.isoformat(),
            "habeas.ledger_hash": digest.hash,
            "habeas.exported_at": at.isoformat(),
        }
    )
    batches = (
        _pg_batches(facility.pk, first, last, schema)
        if connection.vendor == "postgresql"
        else _orm_batches(facility.pk, first, last, schema)
    )
    n = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for table in batches:
            writer.write_table(table)
            n += table.num_rows
        if n == 0:
            writer.write_table(schema.empty_table())
    record(
        actor=actor,
        at=at,
        change=Change(
            action="ledger.export",
            object_type="ledger.CustodyDay",
            facility_id=facility.pk,
            after={"from": first, "to": last, "rows": n, "ledger_hash": digest.hash},
            reason=str(path.name),
        ),
    )
    return Exported(path=path, rows=n, ledger_hash=digest.hash)
