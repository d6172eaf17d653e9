from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from habeas.audit.models import AuditEvent, AuditHead
from habeas.audit.selectors import verify
from habeas.audit.services import Change, record
from habeas.core import clock
from tests import factories as f

pytestmark = pytest.mark.django_db


def write_events(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            record(
                actor=f.SYSTEM,
                at=clock.now(),
                change=Change(
                    action="test.write",
                    object_type="test",
                    object_id=i,
                    after={"i": i, "amount": 1.5},
                ),
            )


class TestRecord:
    def test_chains_each_event_to_its_predecessor(self) -> None:
        write_events(3)
        events = list(AuditEvent.objects.order_by("seq"))
        assert [e.seq for e in events] == [1, 2, 3]
        assert events[1].prev_hash == events[0].hash
        assert events[2].prev_hash == events[1].hash
        head = AuditHead.objects.get(pk=1)
        assert (head.seq, head.hash) == (3, events[2].hash)

    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_refuses_to_write_outside_a_transaction(self) -> None:
        with pytest.raises(RuntimeError):
            record(actor=f.SYSTEM, at=clock.now(), change=Change(action="x", object_type="t"))
        assert AuditEvent.objects.count() == 0

    def test_rolls_back_with_the_use_case(self) -> None:
        with pytest.raises(ValueError, match="failed after writing"), transaction.atomic():  # noqa: PT012 - the whole use case
            record(actor=f.SYSTEM, at=clock.now(), change=Change(action="x", object_type="t"))
            raise ValueError("the use case failed after writing its event")
        assert AuditEvent.objects.count() == 0
        assert AuditHead.objects.get(pk=1).seq == 0


class TestVerify:
    def test_an_untouched_chain_is_ok(self) -> None:
        write_events(5)
        result = verify()
        assert result.ok and result.checked == 5

    def test_finds_a_hand_edited_row(self) -> None:
        write_events(5)
        with connection.cursor() as cur:
            cur.execute("UPDATE audit_auditevent SET reason = 'nothing happened' WHERE seq = 3")
        result = verify()
        assert (result.ok, result.problem, result.seq) == (False, "EDITED", 3)

    def test_finds_an_edited_payload(self) -> None:
        write_events(5)
        AuditEvent.objects.filter(seq=2).update(after={"i": 99, "amount": "1.5"})
        result = verify()
        assert (result.problem, result.seq) == ("EDITED", 2)

    def test_finds_a_removed_row(self) -> None:
        write_events(5)
        AuditEvent.objects.filter(seq=2).delete()
        result = verify()
        assert (result.problem, result.seq) == ("MISSING", 2)

    def test_finds_reordered_rows(self) -> None:
        write_events(4)
        with transaction.atomic():
            AuditEvent.objects.filter(seq=2).update(seq=-2)
            AuditEvent.objects.filter(seq=3).update(seq=2)
            AuditEvent.objects.filter(seq=-2).update(seq=3)
        result = verify()
        assert not result.ok and result.seq == 2

    def test_finds_a_truncated_tail(self) -> None:
        write_events(5)
        AuditEvent.objects.filter(seq__gte=4).delete()
        result = verify()
        assert (result.problem, result.checked) == ("HEAD_MISMATCH", 3)

    def test_the_command_names_the_edited_event(self, capsys: pytest.CaptureFixture[str]) -> None:
        write_events(4)
        with connection.cursor() as cur:
            cur.execute("UPDATE audit_auditevent SET actor_label = 'someone else' WHERE seq = 2")
        with pytest.raises(CommandError, match="#2 was edited"):
            call_command("audit_verify")

    def test_the_command_reports_ok(self, capsys: pytest.CaptureFixture[str]) -> None:
        write_events(2)
        call_command("audit_verify")
        assert "OK: 2 events" in capsys.readouterr().out
