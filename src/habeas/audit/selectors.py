"""Reading and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from habeas.audit import chain
from habeas.audit.models import GENESIS, AuditEvent, AuditHead


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    problem: str = ""  # machine code: EDITED, BROKEN_LINK, MISSING, HEAD_MISMATCH
    seq: int | None = None  # the first event at fault


def verify(*, progress: Callable[[int], None] | None = None, chunk: int = 5000) -> Verification:
    """Recompute the chain from the first event; stop at the first event that was edited, removed
    or reordered, or when the stored head does not match the last event (a truncated tail)."""
    expected_seq = 1
    prev = GENESIS
    checked = 0
    fields = (
        "seq",
        "at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "facility_id",
        "person_id",
        "before",
        "after",
        "reason",
        "prev_hash",
        "hash",
    )
    qs = AuditEvent.objects.order_by("seq").values_list(*fields)
    for row in qs.iterator(chunk_size=chunk):
        (
            seq,
            at,
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            facility_id,
            person_id,
            before,
            after,
            reason,
            prev_hash,
            stored,
        ) = row
        if seq != expected_seq:
            return Verification(False, checked, expected_seq - 1, prev, "MISSING", expected_seq)
        if prev_hash != prev:
            return Verification(False, checked, seq - 1, prev, "BROKEN_LINK", seq)
        recomputed = chain.digest(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            facility_id=facility_id,
            person_id=person_id,
            before=before,
            after=after,
            reason=reason,
            prev_hash=prev_hash,
        )
        if recomputed != stored:
            return Verification(False, checked, seq - 1, prev, "EDITED", seq)
        prev = stored
        expected_seq += 1
        checked += 1
        if progress is not None and checked % chunk == 0:
            progress(checked)
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return Verification(False, checked, checked, prev, "HEAD_MISMATCH", checked + 1)
    return Verification(True, checked, checked, prev)


def events_for_person(person_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(person_id=person_id).select_related("actor").order_by("-seq")
