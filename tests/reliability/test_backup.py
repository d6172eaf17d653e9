"""`habeas backup` and `habeas restore`: a backup restores into a fresh database holding the same
rows in every table and the same audit chain head, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from habeas.audit.models import AuditEvent, AuditHead
from habeas.core import backup
from habeas.people.models import Person
from tests import factories as f
from tests.conftest import Cast
from tests.reliability.conftest import habeas

pytestmark = pytest.mark.django_db(transaction=True)


def run(name: str, *args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(name, *args, "--json", stdout=out, stderr=StringIO())
    answer: dict[str, Any] = json.loads(out.getvalue())
    return answer


@pytest.fixture
def populated(cast: Cast) -> Cast:
    for given in ("Mario", "Óscar", "José"):
        f.admit_person(cast.north, given=given)
    return cast


class TestBackup:
    def test_writes_a_copy_and_a_manifest_of_every_table_and_the_audit_head(
        self, populated: Cast, tmp_path: Path
    ) -> None:
        answer = run("backup", "--out", str(tmp_path))
        assert answer["verified"] is True
        manifest = backup.Manifest.read(Path(answer["manifest"]))
        head = AuditHead.objects.get(pk=1)
        assert (manifest.snapshot.audit_head_seq, manifest.snapshot.audit_head_hash) == (
            head.seq,
            head.hash,
        )
        assert manifest.snapshot.tables["people_person"] == Person.objects.count() == 3
        assert manifest.snapshot.tables["audit_auditevent"] == AuditEvent.objects.count()
        assert manifest.sha256 == backup.sha256_of(Path(answer["file"]))
        assert Path(answer["file"]).stat().st_mode & 0o077 == 0, "readable by its owner only"


class TestRestore:
    def test_restores_into_a_fresh_database_and_verifies(
        self, populated: Cast, tmp_path: Path, scratch_url: str
    ) -> None:
        copy = Path(run("backup", "--out", str(tmp_path))["file"])
        answer = run("restore", str(copy), "--database-url", scratch_url)
        assert answer["verified"] is True and answer["problems"] == []
        assert answer["audit_head_seq"] == AuditHead.objects.get(pk=1).seq
        # The restored copy is a working Habeas database whose chain verifies end to end.
        done = habeas("audit", "verify", "--json", url=scratch_url)
        assert json.loads(done.stdout)["ok"] is True
        done = habeas("roll", "--facility", "north", "--json", url=scratch_url)
        assert json.loads(done.stdout)["in_custody"] == 3

    def test_refuses_a_damaged_copy(
        self, populated: Cast, tmp_path: Path, scratch_url: str
    ) -> None:
        copy = Path(run("backup", "--out", str(tmp_path), "--no-verify")["file"])
        data = bytearray(copy.read_bytes())
        data[len(data) // 2] ^= 0xFF
        copy.write_bytes(bytes(data))
        with pytest.raises(CommandError):
            call_command("restore", str(copy), "--database-url", scratch_url, stderr=StringIO())
        assert backup.is_empty(backup.Target.of_url(scratch_url))

    def test_reports_a_restore_that_differs_from_the_manifest(
        self, populated: Cast, tmp_path: Path, scratch_url: str
    ) -> None:
        copy = Path(run("backup", "--out", str(tmp_path), "--no-verify")["file"])
        path = backup.manifest_path(copy)
        doc = json.loads(path.read_text())
        doc["snapshot"]["tables"]["people_person"] += 1  # as if a row went missing in the copy
        path.write_text(json.dumps(doc))
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("restore", str(copy), "--database-url", scratch_url, stderr=err)
        assert "people_person" in err.getvalue()

    def test_refuses_to_overwrite_a_database_that_holds_tables(
        self, populated: Cast, tmp_path: Path, scratch_url: str
    ) -> None:
        copy = Path(run("backup", "--out", str(tmp_path), "--no-verify")["file"])
        run("restore", str(copy), "--database-url", scratch_url)
        with pytest.raises(CommandError):
            call_command("restore", str(copy), "--database-url", scratch_url, stderr=StringIO())
        again = run("restore", str(copy), "--database-url", scratch_url, "--replace")
        assert again["verified"] is True


def test_a_backup_blocked_by_another_writer_gives_up_with_a_reason(
    populated: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's backup step retries for ever while another connection holds the database; the
    backup stops after a bounded wait, says why, and leaves no partial file behind."""
    import sqlite3

    from django.db import connection

    from habeas.core.errors import RuleViolation

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's online backup API only")
    monkeypatch.setattr(backup, "BUSY_SECONDS", 0.3)
    name = connection.settings_dict["NAME"]
    connection.ensure_connection()
    other = sqlite3.connect(str(name), uri=str(name).startswith("file:"), timeout=0)
    try:
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE people_person SET given_names = given_names")
        with pytest.raises(RuleViolation) as caught:
            backup.backup(out_dir=tmp_path, at=dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC))
        assert caught.value.code == "DATABASE_BUSY"
    finally:
        other.rollback()
        other.close()
    assert list(tmp_path.iterdir()) == [], "no partial copy and no manifest"
