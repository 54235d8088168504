"""C2SP signed notes, tlog-checkpoints and Ed25519 cosignatures (c2sp.org/signed-note,
c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature v1).

A note is text ending in a newline, a blank line, then lines `— <name> base64(key id ‖
signature)`. An Ed25519 key's id is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]; a
witness's timestamped cosignature uses type 0x04 and signs `cosignature/v1\\ntime <t>\\n`
followed by the checkpoint text. Pure: no Flask, no database. Ground: TT17/2017/TT-BTTTT
Art.14 (records of every handover kept so they can be proven later).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass
from datetime import date

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"
MAX_SIGNATURES = 64


class NoteError(ValueError):
    """A note, checkpoint, key or signature that is malformed or does not verify."""


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


@dataclass(frozen=True)
class Verifier:
    """A trusted public key: its name, key id, type and Ed25519 key."""

    name: str
    key_id: bytes
    signature_type: int
    public_key: Ed25519PublicKey

    @property
    def vkey(self) -> str:
        """`<name>+<hex key id>+<base64(type ‖ public key)>`."""
        material = bytes([self.signature_type]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(material).decode()}"


def verifier_from_vkey(vkey: str) -> Verifier:
    """Parse a verifier key; type 0x01 (note signature) or 0x04 (cosignature)."""
    try:
        name, hex_id, material_b64 = vkey.strip().split("+", 2)
        _check_name(name)
        material = base64.b64decode(material_b64, validate=True)
        wanted_id = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error) as error:
        raise NoteError(f"malformed verifier key: {error}") from None
    if len(material) != 33 or material[0] not in (ED25519, COSIGNATURE_V1) or len(wanted_id) != 4:
        raise NoteError("verifier key is not an Ed25519 key of type 0x01 or 0x04")
    if key_id(name, material[0], material[1:]) != wanted_id:
        raise NoteError("verifier key id does not match its name and key")
    return Verifier(name, wanted_id, material[0], Ed25519PublicKey.from_public_bytes(material[1:]))


@dataclass(frozen=True)
class Signer:
    """A private key with its name, signing notes (0x01) or cosigning checkpoints (0x04)."""

    name: str
    private_key: Ed25519PrivateKey
    signature_type: int = ED25519

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def verifier(self) -> Verifier:
        public = self.private_key.public_key()
        return Verifier(self.name, key_id(self.name, self.signature_type, _raw_public(public)),
                        self.signature_type, public)

    def signature_line(self, text: str, timestamp: int | None = None) -> str:
        """The note signature line over `text` (no newline at its end)."""
        check_text(text)
        if self.signature_type == COSIGNATURE_V1:
            if not timestamp or timestamp <= 0:
                raise NoteError("a cosignature needs a positive timestamp")
            message = cosigned_message(text, timestamp)
            blob = struct.pack(">Q", timestamp) + self.private_key.sign(message)
        else:
            blob = self.private_key.sign(text.encode())
        signature = base64.b64encode(self.verifier.key_id + blob).decode()
        return f"{DASH} {self.name} {signature}"


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a v1 Ed25519 cosignature signs."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def check_text(text: str) -> None:
    """A note's text: UTF-8, ends in a newline, no control characters but newlines."""
    if not text.endswith("\n") or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text must end in a newline and hold no control characters")


def sign_note(text: str, signer: Signer) -> str:
    """A signed note of one signature."""
    return f"{text}\n{signer.signature_line(text)}\n"


@dataclass(frozen=True)
class SignatureLine:
    name: str
    key_id: bytes
    blob: bytes
    line: str


def split_note(note: str) -> tuple[str, list[SignatureLine]]:
    """(text, signature lines) of a signed note; NoteError when malformed."""
    if not note.endswith("\n") or "\n\n" not in note:
        raise NoteError("a signed note needs text, a blank line and signatures")
    cut = note.rindex("\n\n")
    text, block = note[:cut + 1], note[cut + 2:]
    check_text(text)
    lines = block[:-1].split("\n") if block else []
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError("a signed note needs between 1 and 64 signatures")
    signatures = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line {line!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise NoteError(f"signature of {parts[1]} is not base64") from None
        if len(raw) < 5:
            raise NoteError(f"signature of {parts[1]} is too short")
        signatures.append(SignatureLine(parts[1], raw[:4], raw[4:], line))
    return text, signatures


def signature_verifies(text: str, signature: SignatureLine, verifier: Verifier) -> int | None:
    """Check one signature line with its (matching) verifier; the cosignature's timestamp
    (or 0 for a plain signature). NoteError when it fails."""
    try:
        if verifier.signature_type == COSIGNATURE_V1:
            if len(signature.blob) != 72:
                raise NoteError(f"cosignature of {signature.name} has the wrong length")
            timestamp = struct.unpack(">Q", signature.blob[:8])[0]
            verifier.public_key.verify(signature.blob[8:], cosigned_message(text, timestamp))
            return int(timestamp)
        verifier.public_key.verify(signature.blob, text.encode())
        return 0
    except InvalidSignature:
        raise NoteError(f"signature of {signature.name} does not verify") from None


def open_note(note: str, verifiers: list[Verifier]) -> tuple[str, dict[str, int]]:
    """Verify a note against trusted keys: its text and {verifier name: timestamp} of the
    known keys that signed it. Unknown signatures are ignored; a known one that fails, or
    none known at all, raises NoteError (as the spec asks)."""
    text, signatures = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified: dict[str, int] = {}
    for signature in signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is not None:
            verified[signature.name] = signature_verifies(text, signature, verifier) or 0
    if not verified:
        raise NoteError("no signature from a trusted key")
    return text, verified


# --- checkpoints ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint: origin, size and root, then the spec's optional extension lines
    (opaque to witnesses and verifiers; ours names the last sealed day, see `sealed_day_line`)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        extra = "".join(f"{line}\n" for line in self.extensions)
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n{extra}"


def parse_checkpoint(text: str) -> Checkpoint:
    """The checkpoint in a note's text; NoteError when malformed."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
        raise NoteError("a checkpoint has an origin, a size and a root, each on a line")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise NoteError("checkpoint size must be decimal without leading zeroes")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise NoteError("checkpoint root is not base64") from None
    if len(root) != 32:
        raise NoteError("checkpoint root is not 32 bytes")
    return Checkpoint(origin, int(size_text), root, tuple(lines[3:-1]))


# --- the last sealed day, carried by every checkpoint ---------------------------------------

#: The extension line our checkpoints carry once a day was sealed: the last sealed day, its
#: root and event count, so deleting or rewriting that day's seal contradicts a signed note.
SEALED_DAY_KEYWORD = "tantay-sealed-day"


def sealed_day_line(day: date, root: str, event_count: int) -> str:
    """`tantay-sealed-day 2026-12-01 <hex root> <count>`."""
    return f"{SEALED_DAY_KEYWORD} {day.isoformat()} {root} {event_count}"


def sealed_day_of(checkpoint: Checkpoint) -> tuple[date, str, int] | None:
    """(day, root, event count) named by a checkpoint's extension line, if any."""
    for line in checkpoint.extensions:
        parts = line.split(" ")
        if len(parts) == 4 and parts[0] == SEALED_DAY_KEYWORD and parts[3].isdigit():
            try:
                return date.fromisoformat(parts[1]), parts[2], int(parts[3])
            except ValueError:
                return None
    return None
