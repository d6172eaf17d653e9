"""The ledger and the findings in Parquet, with the documented schema, read back by DuckDB the
way a regional body would."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from habeas.audit.models import AuditEvent
from habeas.ledger.derivation import COLUMNS
from tests.standards.support import D0, DAYS, LAST, Ward

pytestmark = pytest.mark.django_db


def test_the_ledger_and_the_findings_in_parquet(
    the_ward: Ward, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    the_ward.settle(no_exam=["b1b"])
    run = the_ward.check()
    out = tmp_path / "ward.parquet"
    call_command(
        "ledger_export",
        facility="ward",
        first=str(D0),
        last=str(LAST),
        output=str(out),
        findings=True,
        json=True,
    )
    answer = json.loads(capsys.readouterr().out)
    assert answer["ledger"]["rows"] == 8 * DAYS
    table = pq.read_table(out)
    assert table.column_names == [*COLUMNS, "row_hash"]
    schema = table.schema
    assert schema.metadata[b"habeas.ledger_hash"].decode() == run.ledger_hash
    assert schema.field("m2_per_person").metadata[b"description"] == "m² per person".encode()
    assert str(schema.field("day").type) == "date32[day]"
    assert str(schema.field("covered").type) == "bool"
    first = table.slice(0, 1).to_pylist()[0]
    assert (first["day"], first["whole_day"], first["held_minutes"]) == (D0, False, 900)
    findings = pq.read_table(answer["findings"]["file"])
    assert findings.to_pylist() == [
        {
            "run_id": run.pk,
            "facility": "ward",
            "rule": "NMR-30",
            "person_id": the_ward.people["b1b"].pk,
            "days": 1,
            "first_day": D0,
            "last_day": D0,
            "worst_value": None,
            "longest_run": None,
        }
    ]
    meta = json.loads(findings.schema.metadata[b"habeas.run"])
    assert meta["findings_hash"] == run.findings_hash
    assert {e.action for e in AuditEvent.objects.filter(action__endswith="export")} == {
        "ledger.export",
        "standards.export",
    }


def test_the_rules_run_on_the_export_as_they_run_in_the_database(
    the_ward: Ward, tmp_path: Path
) -> None:
    duckdb = pytest.importorskip("duckdb")
    from habeas.standards import selectors

    the_ward.settle(no_exam=["b1b"])
    run = the_ward.check()
    out = tmp_path / "ward.parquet"
    call_command("ledger_export", facility="ward", first=str(D0), last=str(LAST), output=str(out))
    for f in selectors.findings(run):
        rule = selectors.rendered(f)
        got = duckdb.sql(
            f"SELECT SUM(CASE WHEN {rule.breached} THEN 1 ELSE 0 END), "  # noqa: S608
            f"SUM(CASE WHEN {rule.judged} THEN 1 ELSE 0 END) FROM '{out}'"
        ).fetchall()[0]
        assert (int(got[0] or 0), int(got[1] or 0)) == (f.person_days, f.judged), f.rule.code
