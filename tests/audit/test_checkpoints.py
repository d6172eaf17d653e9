"""Signed checkpoints anchor the chain outside the database: a tampered, a truncated and a fully
rewritten (consistently re-hashed) chain are each detected by `habeas audit verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from habeas.audit import anchor, chain, checkpoints
from habeas.audit.models import GENESIS, AuditCheckpoint, AuditEvent, AuditHead
from habeas.audit.selectors import verify
from habeas.audit.services import Change, record, write_checkpoint
from habeas.core import clock
from habeas.core.errors import RuleViolation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "keys" / "audit.pem"
    call_command("audit_keygen", str(path))
    settings.HABEAS_AUDIT_KEY = str(path)
    settings.HABEAS_AUDIT_PUBLIC_KEY = ""
    settings.HABEAS_AUDIT_CHECKPOINTS = str(tmp_path / "outside" / "checkpoints.jsonl")
    return path


def write_events(n: int, start: int = 0) -> None:
    with transaction.atomic():
        for i in range(start, start + n):
            record(
                actor=f.SYSTEM,
                at=clock.now(),
                change=Change(action="test.write", object_type="test", object_id=i, after={"i": i}),
            )


def checkpoint() -> anchor.Checkpoint:
    with transaction.atomic():
        return write_checkpoint(actor=f.SYSTEM, at=clock.now())


def verify_command(*args: str) -> dict[str, Any]:
    """Run `habeas audit verify --json`; return its answer and whether it refused."""
    from io import StringIO

    out = StringIO()
    refused = False
    try:
        call_command("audit_verify", "--json", *args, stdout=out, stderr=StringIO())
    except CommandError:
        refused = True
    answer: dict[str, Any] = json.loads(out.getvalue())
    answer["refused"] = refused
    return answer


def rewrite_chain(*, keep: int, then: int) -> None:
    """What someone with database access and the code would do: keep the first ``keep`` events,
    write ``then`` different ones after them, re-hash everything from there and move the head —
    a chain consistent in itself."""
    with transaction.atomic():
        AuditEvent.objects.filter(seq__gt=keep).delete()
        last = AuditEvent.objects.filter(seq=keep).first()
        AuditHead.objects.filter(pk=1).update(seq=keep, hash=last.hash if last else GENESIS)
    write_events(then, start=1000)


class TestCheckpoint:
    def test_signs_the_length_and_head_of_the_chain(self, key: Path) -> None:
        write_events(4)
        signed = checkpoint()
        head = AuditEvent.objects.get(seq=4)
        assert (signed.seq, signed.hash) == (4, head.hash)
        public = anchor.load_public(key.with_name("audit.pem.pub"))
        assert anchor.signature_valid(signed, public)
        stored = AuditCheckpoint.objects.get()
        assert (stored.seq, stored.hash, stored.signature) == (4, head.hash, signed.signature)

    def test_is_itself_audited_after_the_point_it_signs(self, key: Path) -> None:
        write_events(2)
        checkpoint()
        event = AuditEvent.objects.get(seq=3)
        assert event.action == "audit.checkpoint"
        assert event.after["seq"] == 2
        assert verify().ok

    @pytest.mark.django_db(transaction=True)
    def test_is_appended_to_the_file_outside_the_database_on_commit(
        self, key: Path, settings: Any
    ) -> None:
        write_events(1)
        signed = checkpoint()
        lines = Path(settings.HABEAS_AUDIT_CHECKPOINTS).read_text().splitlines()
        assert [json.loads(line)["signature"] for line in lines] == [signed.signature]

    def test_refuses_without_a_key(self, settings: Any) -> None:
        settings.HABEAS_AUDIT_KEY = ""
        write_events(1)
        with pytest.raises(RuleViolation) as refused:
            checkpoint()
        assert refused.value.code == "NO_AUDIT_KEY"
        assert AuditCheckpoint.objects.count() == 0

    def test_keygen_never_overwrites_a_key(self, key: Path) -> None:
        before = key.read_bytes()
        with pytest.raises(CommandError):
            call_command("audit_keygen", str(key))
        assert key.read_bytes() == before


class TestVerifyWithCheckpoints:
    def test_an_untouched_chain_with_checkpoints_is_ok(self, key: Path) -> None:
        write_events(3)
        checkpoint()
        write_events(2, start=10)
        checkpoint()
        answer = verify_command()
        assert answer["ok"] and not answer["refused"]
        assert answer["checkpoints"]["checked"] == 2

    def test_detects_a_tampered_chain(self, key: Path) -> None:
        write_events(5)
        checkpoint()
        with connection.cursor() as cur:
            cur.execute("UPDATE audit_auditevent SET reason = 'nothing happened' WHERE seq = 3")
        answer = verify_command()
        assert answer["refused"]
        assert (answer["problem"], answer["seq"]) == ("EDITED", 3)

    def test_detects_a_truncated_chain_even_with_the_head_moved_back(self, key: Path) -> None:
        write_events(6)
        checkpoint()  # signs 6 events
        # Cut the tail and move the head back: the chain alone is consistent again.
        with transaction.atomic():
            AuditEvent.objects.filter(seq__gt=4).delete()
            AuditHead.objects.filter(pk=1).update(seq=4, hash=AuditEvent.objects.get(seq=4).hash)
        assert verify().ok, "the chain by itself cannot see this"
        answer = verify_command()
        assert answer["refused"]
        assert answer["checkpoints"]["problems"] == [
            {"seq": 6, "at": answer["checkpoints"]["problems"][0]["at"], "problem": "BEYOND_END"}
        ]

    def test_detects_a_fully_rewritten_chain(self, key: Path) -> None:
        write_events(5)
        checkpoint()
        rewrite_chain(keep=0, then=9)  # every event replaced, re-hashed from the genesis
        assert verify().ok, "the chain by itself cannot see this"
        answer = verify_command()
        assert answer["refused"]
        assert [p["problem"] for p in answer["checkpoints"]["problems"]] == ["HASH_MISMATCH"]

    def test_detects_a_rewrite_that_also_deletes_the_checkpoints_in_the_database(
        self, key: Path, tmp_path: Path
    ) -> None:
        write_events(5)
        checkpoint()
        export = tmp_path / "inspector.json"
        call_command("audit_export", "--out", str(export))
        rewrite_chain(keep=2, then=7)
        AuditCheckpoint.objects.all().delete()
        answer = verify_command(
            "--checkpoints", str(export), "--public-key", str(key.with_name("audit.pem.pub"))
        )
        assert answer["refused"]
        assert [p["problem"] for p in answer["checkpoints"]["problems"]] == ["HASH_MISMATCH"]

    def test_detects_a_forged_checkpoint(self, key: Path) -> None:
        write_events(3)
        checkpoint()
        rewrite_chain(keep=0, then=4)
        # The forger re-points the stored checkpoint at the new chain, without the key.
        new_hash = AuditEvent.objects.get(seq=3).hash
        AuditCheckpoint.objects.update(hash=new_hash)
        answer = verify_command()
        assert answer["refused"]
        assert [p["problem"] for p in answer["checkpoints"]["problems"]] == ["BAD_SIGNATURE"]

    def test_a_checkpoint_signed_by_another_key_does_not_count(
        self, key: Path, tmp_path: Path
    ) -> None:
        write_events(2)
        other = anchor.generate_key(tmp_path / "other.pem")
        forged = anchor.sign(seq=2, hash="f" * 64, at=clock.now(), private=other)
        path = tmp_path / "forged.jsonl"
        path.write_text(json.dumps(forged.as_dict()) + "\n")
        answer = verify_command("--checkpoints", str(path))
        assert answer["refused"]
        assert [p["problem"] for p in answer["checkpoints"]["problems"]] == ["BAD_SIGNATURE"]

    def test_refuses_when_checkpoints_exist_but_no_key_can_check_them(
        self, key: Path, settings: Any
    ) -> None:
        write_events(1)
        checkpoint()
        settings.HABEAS_AUDIT_KEY = ""
        answer = verify_command()
        assert answer["refused"]
        assert answer["checkpoints"]["found"] == 1

    def test_the_inspector_export_holds_the_public_key_and_every_checkpoint(
        self, key: Path, tmp_path: Path
    ) -> None:
        write_events(1)
        checkpoint()
        checkpoint()
        export = tmp_path / "inspector.json"
        call_command("audit_export", "--out", str(export))
        doc = json.loads(export.read_text())
        assert doc["key_id"] == anchor.key_id(anchor.load_public(key))
        assert "PRIVATE" not in doc["public_key"]
        assert [c["seq"] for c in doc["checkpoints"]] == [1, 2]
        assert [c.seq for c in checkpoints.read_file(export)] == [1, 2]


def test_the_signed_payload_is_canonical() -> None:
    c = anchor.Checkpoint(seq=1, hash="a" * 64, at=chain.moment(clock.now()), key_id="k")
    assert c.payload() == anchor.Checkpoint(**c.__dict__).payload()
    assert b" " not in c.payload()
