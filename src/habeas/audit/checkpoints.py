"""Checkpoints of the audit chain as the system keeps them: the keys named in the settings, the
file of checkpoints outside the database, and checking every checkpoint against the chain.

``HABEAS_AUDIT_KEY``             the Ed25519 private key file that signs checkpoints
``HABEAS_AUDIT_PUBLIC_KEY``      the public key that verifies them (default: derived from the
                                 private key; an inspector has only this one)
``HABEAS_AUDIT_CHECKPOINTS``     the file (JSON lines) each new checkpoint is appended to
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

from habeas.audit import anchor
from habeas.audit.models import GENESIS, AuditCheckpoint, AuditEvent, AuditHead
from habeas.core.bulk import matching
from habeas.core.errors import RuleViolation


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or "")


def signing_key() -> Ed25519PrivateKey:
    path = _setting("HABEAS_AUDIT_KEY")
    if not path:
        raise RuleViolation(
            code="NO_AUDIT_KEY",
            message=_(
                "No audit signing key: set HABEAS_AUDIT_KEY to the path of an Ed25519 key file "
                "kept outside the database (create one with `habeas audit keygen FILE`)."
            ),
            field="HABEAS_AUDIT_KEY",
        )
    try:
        return anchor.load_private(Path(path))
    except anchor.KeyProblem as exc:
        raise RuleViolation(
            code="BAD_AUDIT_KEY", message=str(exc), field="HABEAS_AUDIT_KEY"
        ) from exc


def verification_key(path: str | Path | None = None) -> Ed25519PublicKey | None:
    """The public key to check checkpoints with: ``path`` if given, else the settings; ``None``
    when none is configured."""
    chosen = str(path or "") or _setting("HABEAS_AUDIT_PUBLIC_KEY") or _setting("HABEAS_AUDIT_KEY")
    if not chosen:
        return None
    try:
        return anchor.load_public(Path(chosen))
    except anchor.KeyProblem as exc:
        raise RuleViolation(code="BAD_AUDIT_KEY", message=str(exc), field="public_key") from exc


def checkpoint_file() -> Path | None:
    path = _setting("HABEAS_AUDIT_CHECKPOINTS")
    return Path(path) if path else None


def append_to_file(checkpoint: anchor.Checkpoint) -> None:
    path = checkpoint_file()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(checkpoint.as_dict(), sort_keys=True) + "\n")


def read_file(path: Path) -> list[anchor.Checkpoint]:
    """Checkpoints from a file: JSON lines (the system's own file), or an inspector's export
    (one JSON document with a ``checkpoints`` list)."""
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("{") and '"checkpoints"' in stripped[:4096]:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("checkpoints"), list):
            return [anchor.Checkpoint.from_dict(c) for c in doc["checkpoints"]]
    return [anchor.Checkpoint.from_dict(json.loads(line)) for line in text.splitlines() if line]


def stored() -> list[anchor.Checkpoint]:
    return [
        anchor.Checkpoint(seq=c.seq, hash=c.hash, at=c.at, key_id=c.key_id, signature=c.signature)
        for c in AuditCheckpoint.objects.order_by("seq", "id")
    ]


def gather(extra_files: Iterable[Path] = ()) -> list[anchor.Checkpoint]:
    """Every checkpoint known: in the database, in the checkpoint file, in ``extra_files`` —
    each once."""
    found: dict[tuple[int, str, str], anchor.Checkpoint] = {}
    sources: list[list[anchor.Checkpoint]] = [stored()]
    own = checkpoint_file()
    if own is not None and own.exists():
        sources.append(read_file(own))
    sources += [read_file(p) for p in extra_files]
    for source in sources:
        for c in source:
            found.setdefault((c.seq, c.hash, c.signature), c)
    return sorted(found.values(), key=lambda c: (c.seq, c.at))


@dataclass(frozen=True)
class CheckpointProblem:
    seq: int
    at: str
    problem: str  # BAD_SIGNATURE, BEYOND_END, HASH_MISMATCH

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "problem": self.problem}


def check(
    checkpoints: Iterable[anchor.Checkpoint], public: Ed25519PublicKey
) -> list[CheckpointProblem]:
    """Each checkpoint must carry a valid signature of ``public``'s key, and the chain must still
    have at least ``seq`` events with event ``seq`` still hashing to ``hash``: so a truncated tail
    (``BEYOND_END``) or a chain rewritten and re-hashed from some point (``HASH_MISMATCH``) is
    found even when the chain is consistent in itself."""
    checkpoints = list(checkpoints)
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    last_event = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    length = min(head_seq, last_event)
    wanted = [c.seq for c in checkpoints if c.seq > 0]
    hashes = dict(
        matching(AuditEvent.objects.values_list("seq", "hash"), "seq", wanted) if wanted else []
    )
    problems = []
    for c in checkpoints:
        if not anchor.signature_valid(c, public):
            problems.append(CheckpointProblem(c.seq, c.at, "BAD_SIGNATURE"))
        elif c.seq > length:
            problems.append(CheckpointProblem(c.seq, c.at, "BEYOND_END"))
        elif (hashes.get(c.seq) if c.seq > 0 else GENESIS) != c.hash:
            problems.append(CheckpointProblem(c.seq, c.at, "HASH_MISMATCH"))
    return problems
