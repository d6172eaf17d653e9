"""Signed checkpoints of the audit chain: what anchors it outside the database.

The hash chain proves that no event was edited, removed or reordered *relative to the others*;
someone with write access to the database can still cut the tail (and move the head back) or
rewrite the whole chain consistently, re-hashing every event. A checkpoint closes that gap: it
states "the chain had ``seq`` events and event ``seq`` had hash ``hash``", signed with an Ed25519
key kept *outside* the database (a key file, ``HABEAS_AUDIT_KEY``). Whoever holds the public key
(an inspector) can later check that the chain still reaches that far with that hash.

Pure: no database. The canonical form of a checkpoint is its JSON without the signature, keys
sorted, no spaces — the same rule as the chain's own digest.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from habeas.audit.chain import moment

FORMAT = "habeas-audit-checkpoint/1"


class KeyProblem(Exception):
    """The signing or verification key is missing, unreadable or of the wrong kind."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain had ``seq`` events at ``at``; event ``seq`` had hash ``hash`` (the genesis
    hash when ``seq`` is 0). ``key_id`` names the public key that signed it."""

    seq: int
    hash: str
    at: str  # canonical moment (chain.moment)
    key_id: str
    signature: str = ""  # base64 of the Ed25519 signature of ``payload()``

    def payload(self) -> bytes:
        body = {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} checkpoint")
        return cls(
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            at=str(data["at"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
        )


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex digits of the SHA-256 of its raw
    bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def generate_key(path: Path) -> Ed25519PrivateKey:
    """A new private key written to ``path`` (PEM, readable by its owner only); refuses to
    overwrite an existing file."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:  # "x": never overwrite a key that signed earlier checkpoints
        out.write(pem)
    path.chmod(0o600)
    return private


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise KeyProblem(f"cannot read the audit key {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise KeyProblem(f"{path} is not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """A public key file (PEM), or a private key file from which the public key is derived."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyProblem(f"cannot read the audit key {path}: {exc.strerror}") from exc
    if b"PRIVATE KEY" in data:
        return load_private(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise KeyProblem(f"{path} is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem(f"{path} is not an Ed25519 key")
    return key


def sign(*, seq: int, hash: str, at: dt.datetime, private: Ed25519PrivateKey) -> Checkpoint:
    unsigned = Checkpoint(seq=seq, hash=hash, at=moment(at), key_id=key_id(private.public_key()))
    signature = base64.b64encode(private.sign(unsigned.payload())).decode("ascii")
    return Checkpoint(
        seq=unsigned.seq,
        hash=unsigned.hash,
        at=unsigned.at,
        key_id=unsigned.key_id,
        signature=signature,
    )


def signature_valid(checkpoint: Checkpoint, public: Ed25519PublicKey) -> bool:
    """True when ``checkpoint`` was signed by ``public``'s private key, unchanged since."""
    if checkpoint.key_id != key_id(public):
        return False
    try:
        public.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.payload())
    except (InvalidSignature, ValueError):
        return False
    return True
