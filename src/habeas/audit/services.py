"""Writing to the audit chain. Every service that writes calls ``record`` or ``record_many`` inside
its own transaction, after its own writes, so the event exists exactly when the change does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import QuerySet

from habeas.audit import anchor, chain
from habeas.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from habeas.core.bulk import insert_rows
from habeas.core.prepared import prepared

if TYPE_CHECKING:
    from habeas.accounts.models import User


@dataclass(frozen=True)
class Actor:
    """Who did it: a signed-in user, or a named system process (a command, the demo)."""

    user: User | None = None
    label: str = "system"

    @classmethod
    def of(cls, user: User | None, label: str | None = None) -> Actor:
        if user is not None:
            return cls(user=user, label=user.get_username())
        return cls(user=None, label=label or "system")

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


SYSTEM = Actor()


@dataclass(frozen=True)
class Change:
    action: str
    object_type: str
    object_id: str | int = ""
    before: Any = None
    after: Any = None
    reason: str = ""
    facility_id: int | None = None
    person_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


HEAD = 1  # the primary key of the chain's single head row


@prepared
def _locked_head(pk: int) -> QuerySet[AuditHead]:
    """The head, locked until the transaction ends: every write of every user takes it."""
    return AuditHead.objects.select_for_update().filter(pk=pk)


def _lock_head() -> AuditHead:
    if not connection.in_atomic_block:
        raise RuntimeError("audit events must be written inside the use case's transaction")
    found = _locked_head(pk=HEAD)
    if found:
        return found[0]
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=HEAD)
    return head


FIELDS = (
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


def _append(*, actor: Actor, at: dt.datetime, changes: Sequence[Change]) -> list[tuple[Any, ...]]:
    if not changes:
        return []
    head = _lock_head()
    seq, prev = head.seq, head.hash
    rows: list[tuple[Any, ...]] = []
    at_text = chain.moment(at)
    for change in changes:
        seq += 1
        before = chain.jsonable(change.before)
        after = chain.jsonable(change.after)
        object_id = str(change.object_id)
        reason = str(change.reason)
        h = chain.digest(
            seq=seq,
            at=at_text,
            actor_id=actor.user_id,
            actor_label=actor.label,
            action=change.action,
            object_type=change.object_type,
            object_id=object_id,
            facility_id=change.facility_id,
            person_id=change.person_id,
            before=before,
            after=after,
            reason=reason,
            prev_hash=prev,
        )
        rows.append(
            (
                seq,
                at,
                actor.user_id,
                actor.label,
                change.action,
                change.object_type,
                object_id,
                change.facility_id,
                change.person_id,
                before,
                after,
                reason,
                prev,
                h,
            )
        )
        prev = h
    insert_rows(AuditEvent, FIELDS, rows)
    with connection.cursor() as cur:  # the ORM's UPDATE costs more to build than to run
        cur.execute(
            f'UPDATE "{AuditHead._meta.db_table}" SET "seq" = %s, "hash" = %s WHERE "id" = %s',  # noqa: S608
            [seq, prev, head.pk],
        )
    return rows


def record_many(*, actor: Actor, at: dt.datetime, changes: Sequence[Change]) -> int:
    """Append ``changes`` to the chain, in order, in the caller's transaction. Set-based: one
    statement whatever the number of events. Returns how many were written."""
    return len(_append(actor=actor, at=at, changes=changes))


def record(*, actor: Actor, at: dt.datetime, change: Change) -> AuditEvent:
    """Append one event; returns it (unsaved copy of the stored row, without its id)."""
    (row,) = _append(actor=actor, at=at, changes=[change])
    return AuditEvent(**dict(zip(FIELDS, row, strict=True)))


@transaction.atomic
def record_read(
    *,
    actor: Actor,
    at: dt.datetime,
    object_type: str,
    object_id: str | int,
    person_id: int | None = None,
    facility_id: int | None = None,
    reason: str = "",
) -> AuditEvent:
    """A sensitive read (a health record, an export of personal data) is audited like a write."""
    return record(
        actor=actor,
        at=at,
        change=Change(
            action="read",
            object_type=object_type,
            object_id=object_id,
            person_id=person_id,
            facility_id=facility_id,
            reason=reason,
        ),
    )


def write_checkpoint(*, actor: Actor, at: dt.datetime) -> anchor.Checkpoint:
    """Sign the chain's current length and head with the key outside the database
    (``HABEAS_AUDIT_KEY``), keep the checkpoint in the database and — once the transaction
    commits — append it to the checkpoint file outside it (``HABEAS_AUDIT_CHECKPOINTS``).

    The checkpoint covers the chain *before* its own audit event, which is then appended like any
    other write, so the next checkpoint covers that one."""
    from habeas.audit import checkpoints

    private = checkpoints.signing_key()
    head = _lock_head()
    signed = anchor.sign(seq=head.seq, hash=head.hash, at=at, private=private)
    AuditCheckpoint.objects.create(
        seq=signed.seq,
        hash=signed.hash,
        at=signed.at,
        key_id=signed.key_id,
        signature=signed.signature,
    )
    record(
        actor=actor,
        at=at,
        change=Change(
            action="audit.checkpoint",
            object_type="audit.AuditCheckpoint",
            object_id=signed.seq,
            after={"seq": signed.seq, "hash": signed.hash, "key_id": signed.key_id},
        ),
    )
    transaction.on_commit(lambda: checkpoints.append_to_file(signed))
    return signed
