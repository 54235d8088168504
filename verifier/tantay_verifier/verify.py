"""The checks, in the order a failure is named: the checkpoint and its cosignatures, the
chain of events, the images' hashes, each event's inclusion in the checkpoint.

Written from the specifications (RFC 6962/9162, C2SP signed-note, tlog-checkpoint,
tlog-cosignature), independently of the server's code.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64


class Failure(Exception):
    """The first thing that does not hold: which part of the bundle, and what."""

    def __init__(self, part: str, detail: str) -> None:
        super().__init__(f"{part}: {detail}")
        self.part, self.detail = part, detail


# --- notes ----------------------------------------------------------------------------------

def _vkey(text: str) -> tuple[str, bytes, int, Ed25519PublicKey]:
    try:
        name, hex_id, material_b64 = text.strip().split("+", 2)
        material = base64.b64decode(material_b64, validate=True)
        key_id = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error):
        raise Failure("keys", f"malformed verifier key {text!r}") from None
    if len(material) != 33 or material[0] not in (1, 4):
        raise Failure("keys", f"not an Ed25519 verifier key: {name}")
    if hashlib.sha256(name.encode() + b"\n" + material).digest()[:4] != key_id:
        raise Failure("keys", f"key id does not match the key: {name}")
    return name, key_id, material[0], Ed25519PublicKey.from_public_bytes(material[1:])


def _split(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    if "\n\n" not in note or not note.endswith("\n"):
        raise Failure("checkpoint", "not a signed note")
    cut = note.rindex("\n\n")
    text, block = note[:cut + 1], note[cut + 2:-1]
    signatures = []
    for line in block.split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            raise Failure("checkpoint", f"malformed signature line {line!r}")
        try:
            signatures.append((parts[1], base64.b64decode(parts[2], validate=True)))
        except binascii.Error:
            raise Failure("checkpoint", f"signature of {parts[1]} is not base64") from None
    return text, signatures


def _check_note(note: str, log_key: str, witness_keys: list[str],
                min_witnesses: int) -> tuple[str, int, bytes, list[str]]:
    """(origin, size, root, witnesses that cosigned) of a verified checkpoint."""
    text, signatures = _split(note)
    log_name, log_id, _, log_public = _vkey(log_key)
    witnesses = {(name, key_id): public for name, key_id, kind, public in map(_vkey, witness_keys)
                 if kind == 4}
    log_signed, cosigned = False, []
    for name, raw in signatures:
        key_id, blob = raw[:4], raw[4:]
        try:
            if (name, key_id) == (log_name, log_id):
                log_public.verify(blob, text.encode())
                log_signed = True
            elif (name, key_id) in witnesses:
                if len(blob) != 72:
                    raise InvalidSignature
                timestamp = struct.unpack(">Q", blob[:8])[0]
                message = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
                witnesses[(name, key_id)].verify(blob[8:], message)
                cosigned.append(name)
        except InvalidSignature:
            part = "checkpoint" if name == log_name else "cosignature"
            raise Failure(part, f"the signature of {name} does not verify") from None
    if not log_signed:
        raise Failure("checkpoint", "not signed by the trusted log key")
    if len(set(cosigned)) < min_witnesses:
        raise Failure("cosignature", f"{len(set(cosigned))} trusted witness(es) cosigned, "
                                     f"{min_witnesses} required")
    lines = text.split("\n")
    try:
        origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    except (IndexError, ValueError, binascii.Error):
        raise Failure("checkpoint", "malformed checkpoint text") from None
    if origin != log_name or len(root) != 32:
        raise Failure("checkpoint", "origin or root hash malformed")
    return origin, size, root, cosigned


# --- the chain ------------------------------------------------------------------------------

def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def _check_chain(body: dict[str, Any]) -> list[dict[str, Any]]:
    events = body.get("events")
    item = body.get("item") or {}
    if not isinstance(events, list):
        raise Failure("events", "no events")
    head = GENESIS
    for number, entry in enumerate(events, start=1):
        event_id = entry.get("body", {}).get("id")
        if entry.get("previous_hash") != head:
            raise Failure("event", f"{event_id}: does not follow the previous event")
        digest = hashlib.sha256(_canonical(entry["body"]))
        digest.update(head.encode("ascii"))
        if digest.hexdigest() != entry.get("hash"):
            raise Failure("event", f"{event_id}: its content does not give its hash")
        if entry["body"].get("seq") != number:
            raise Failure("event", f"{event_id}: out of sequence")
        head = entry["hash"]
    if head != item.get("head_hash") or len(events) != item.get("event_count"):
        raise Failure("events", "the chain does not reach the item's recorded head")
    return events


def _media_named(evidence: Any, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(evidence, dict):
        for key, value in evidence.items():
            if key.endswith("_sha256") and isinstance(value, str):
                found.append((f"{prefix}{key}", value))
            elif isinstance(value, dict | list):
                found += _media_named(value, f"{prefix}{key}.")
    elif isinstance(evidence, list):
        for index, value in enumerate(evidence):
            if isinstance(value, dict | list):
                found += _media_named(value, f"{prefix}{index}.")
    return found


def _check_media(body: dict[str, Any], events: list[dict[str, Any]]) -> None:
    named = {(e["body"]["id"], field, sha) for e in events
             for field, sha in _media_named(e["body"].get("evidence"))}
    listed = {(m.get("event_id"), m.get("field"), m.get("sha256")) for m in body.get("media", [])}
    for event_id, field, sha in sorted(listed - named, key=str):
        raise Failure("image", f"{event_id} {field}: hash {sha} is not the one the event recorded")
    for event_id, field, sha in sorted(named - listed, key=str):
        raise Failure("image", f"{event_id} {field}: the image {sha} is missing from the list")


# --- inclusion (RFC 9162 §2.1.3.2) --------------------------------------------------------

def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _root_from_proof(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes | None:
    if not 0 <= index < size:
        return None
    fn, sn, result = index, size - 1, leaf
    for element in proof:
        if sn == 0 or len(element) != 32:
            return None
        if fn & 1 or fn == sn:
            result = _node(element, result)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = _node(result, element)
        fn, sn = fn >> 1, sn >> 1
    return result if sn == 0 else None


def _check_inclusion(log: dict[str, Any], events: list[dict[str, Any]], size: int,
                     root: bytes) -> None:
    proofs = {p.get("event_id"): p for p in log.get("inclusion", [])}
    for entry in events:
        event_id = entry["body"]["id"]
        proof = proofs.get(event_id)
        if proof is None:
            raise Failure("proof", f"{event_id}: not included in the checkpoint")
        try:
            path = [bytes.fromhex(h) for h in proof["proof"]]
            leaf = hashlib.sha256(b"\x00" + bytes.fromhex(entry["hash"])).digest()
            index = int(proof["log_index"])
        except (KeyError, ValueError, TypeError):
            raise Failure("proof", f"{event_id}: malformed inclusion proof") from None
        if _root_from_proof(index, size, leaf, path) != root:
            raise Failure("proof", f"{event_id}: the inclusion proof does not lead to the "
                                   "checkpoint's root")


def verify_bundle(document: dict[str, Any], log_key: str, witness_keys: list[str],
                  min_witnesses: int = 1) -> str:
    """Check everything; a one-line summary, or Failure naming the first thing that fails."""
    body = document.get("body", document) if isinstance(document, dict) else {}
    log = body.get("log")
    if not isinstance(log, dict) or not isinstance(log.get("checkpoint"), str):
        raise Failure("checkpoint", "the bundle carries no checkpoint of the custody log")
    origin, size, root, cosigned = _check_note(log["checkpoint"], log_key, witness_keys,
                                               min_witnesses)
    events = _check_chain(body)
    _check_media(body, events)
    _check_inclusion(log, events, size, root)
    number = body.get("item", {}).get("tracking_number")
    return (f"{number}: {len(events)} events intact and included in {origin} at size {size}, "
            f"cosigned by {', '.join(sorted(set(cosigned))) or 'no witness'}")
