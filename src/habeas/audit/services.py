"""Writing to the audit chain. Every service that writes calls ``record`` or ``record_many`` inside
its own transaction, after its own writes, so the event exists exactly when the change does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from habeas.audit import chain
from habeas.audit.models import AuditEvent, AuditHead

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


def _lock_head() -> AuditHead:
    if not connection.in_atomic_block:
        raise RuntimeError("audit events must be written inside the use case's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def record_many(*, actor: Actor, at: dt.datetime, changes: Sequence[Change]) -> list[AuditEvent]:
    """Append ``changes`` to the chain, in order, in the caller's transaction."""
    if not changes:
        return []
    head = _lock_head()
    seq, prev = head.seq, head.hash
    events: list[AuditEvent] = []
    for change in changes:
        seq += 1
        before = chain.jsonable(change.before)
        after = chain.jsonable(change.after)
        object_id = str(change.object_id)
        reason = str(change.reason)
        h = chain.digest(
            seq=seq,
            at=at,
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
        events.append(
            AuditEvent(
                seq=seq,
                at=at,
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
                hash=h,
            )
        )
        prev = h
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    AuditHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
    return events


def record(*, actor: Actor, at: dt.datetime, change: Change) -> AuditEvent:
    return record_many(actor=actor, at=at, changes=[change])[0]


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
