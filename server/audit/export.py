"""Signed custody exports: an item's whole chain, as hashed, with a detached Ed25519 signature.

The export's `body` holds every event body exactly as its hash covers it, the hashes that
link them, the images they name and the sealed days they fall in. The signature is over the
canonical JSON of the body (the same encoding as the chain's hashes), so anyone holding the
public key (`GET /api/v1/audit/export-key`) can check that a document came from this server
unchanged, without access to the server.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import current_app
from sqlalchemy import select

from server.core.access_log import log_access
from server.core.scope import find_visible_item
from server.custody.events import event_body, iso_utc
from server.domain.custody_chain import ChainLink, canonical_json, first_broken_link
from server.domain.evidence_images import media_fields
from server.domain.local_time import local_day
from server.extensions import db
from server.models import CustodyEvent, DailyRoot, Media, Role, Unit, User
from server.models.types import utc_now
from server.transparency.log import (
    TileStore,
    latest_checkpoint,
    log_indexes,
    log_origin,
    served_note,
)
from server.transparency.signing_keys import (
    KEY_FILE_NAME as KEY_FILE_NAME,  # re-exported
)
from server.transparency.signing_keys import signing_key

#: Names the layout of the document, so a reader knows how to check it.
EXPORT_FORMAT = "tantay.custody-export.v1"
SIGNATURE_ALGORITHM = "Ed25519"
#: Who may take an item's custody out as a signed document: audit, and the agency it serves.
EXPORT_ROLES = frozenset({Role.supervisor, Role.admin, Role.agency})


# --- the key ----------------------------------------------------------------------------

def configured_signing_key() -> Ed25519PrivateKey:
    """The signing key of the running app (EXPORT_SIGNING_KEY or instance/)."""
    return signing_key(current_app.config.get("EXPORT_SIGNING_KEY", ""), current_app.instance_path)


def public_key_pem(private_key: Ed25519PrivateKey) -> str:
    """The public half, as the PEM that `verify_export` takes."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: tells keys apart on paper."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


# --- the export -------------------------------------------------------------------------

def _links(entries: list[dict[str, Any]]) -> list[ChainLink]:
    """The chain links of an export's events."""
    return [ChainLink(entry["body"]["id"], entry["body"], entry["previous_hash"], entry["hash"])
            for entry in entries]


def custody_body(actor: User, tracking_number: str) -> dict[str, Any]:
    """The unsigned body of an item's export, for someone who may see the item (else 404)."""
    item = find_visible_item(actor, tracking_number)
    log_access(actor, item, "custody_record")
    events = db.session.execute(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq)
    ).scalars().all()
    entries = [{"body": event_body(event, item.tracking_number),
                "previous_hash": event.previous_hash, "hash": event.hash} for event in events]
    named = [(event.id, field, sha256) for event in events
             for field, sha256 in media_fields(event.evidence)]
    known = {media.sha256: media for media in db.session.execute(
        select(Media).where(Media.sha256.in_({sha256 for _e, _f, sha256 in named}))).scalars()}
    days = {local_day(event.received_at) for event in events}
    sealed = db.session.execute(
        select(DailyRoot).where(DailyRoot.day.in_(days)).order_by(DailyRoot.day)).scalars()
    user_ids = {event.actor_user_id for event in events}
    unit_ids = {event.actor_unit_id for event in events}
    users = db.session.execute(select(User).where(User.id.in_(user_ids)).order_by(User.id)).scalars()
    units = db.session.execute(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id)).scalars()
    chain_intact = (first_broken_link(_links(entries), item.head_hash) is None
                    and [event.seq for event in events] == list(range(1, item.event_count + 1)))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": iso_utc(utc_now()),
        "exported_by": {"user_id": actor.id, "username": actor.username},
        "item": {
            "tracking_number": item.tracking_number, "kind": item.kind, "status": item.status,
            "procedure_code": item.procedure.code, "dossier_code": item.dossier_code,
            "agency_unit": item.agency_unit.code, "event_count": item.event_count,
            "head_hash": item.head_hash,
            # QĐ45 Art.7: the legal filing time of a dossier (the officer's signature).
            "filed_at": iso_utc(item.filed_at) if item.filed_at else None,
        },
        "chain_intact": chain_intact,
        "events": entries,
        "media": [{"event_id": event_id, "field": field, "sha256": sha256,
                   "content_type": known[sha256].content_type if sha256 in known else None,
                   "size_bytes": known[sha256].size_bytes if sha256 in known else None}
                  for event_id, field, sha256 in named],
        "sealed_days": [{"day": day.day.isoformat(), "root": day.root,
                         "event_count": day.event_count} for day in sealed],
        "actors": [{"user_id": user.id, "username": user.username, "full_name": user.full_name}
                   for user in users],
        "units": [{"unit_id": unit.id, "code": unit.code, "name": unit.name} for unit in units],
        "log": custody_log_proofs([event.id for event in events]),
    }


def custody_log_proofs(event_ids: list[str]) -> dict[str, Any] | None:
    """What an offline verifier needs to see the events in the public custody log: the
    latest checkpoint with its cosignatures, and each logged event's inclusion proof in it.
    None while the log has no checkpoint."""
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return None
    tiles = TileStore(checkpoint.tree_size)
    indexes = log_indexes(event_ids)
    return {
        "origin": log_origin(),
        "checkpoint": served_note(checkpoint),
        "inclusion": [
            {"event_id": event_id, "log_index": indexes[event_id],
             "proof": [h.hex() for h in tiles.inclusion_proof(indexes[event_id],
                                                              checkpoint.tree_size)]}
            for event_id in event_ids
            if event_id in indexes and indexes[event_id] < checkpoint.tree_size],
    }


def sign_body(body: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The document: the body and a detached signature over its canonical JSON."""
    signature = private_key.sign(canonical_json(body))
    return {"body": body, "signature": {
        "algorithm": SIGNATURE_ALGORITHM,
        "key_id": key_id(private_key.public_key()),
        "value": base64.b64encode(signature).decode("ascii"),
    }}


def custody_export(actor: User, tracking_number: str, private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """An item's signed custody export."""
    return sign_body(custody_body(actor, tracking_number), private_key)


def verify_export(document: Any, public_key_pem: str) -> bool:
    """True when the signature holds for this key and the chain inside is whole and intact."""
    try:
        public_key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(public_key, Ed25519PublicKey):
            return False
        signature = document["signature"]
        if signature["algorithm"] != SIGNATURE_ALGORITHM or signature["key_id"] != key_id(public_key):
            return False
        body = document["body"]
        public_key.verify(base64.b64decode(signature["value"], validate=True), canonical_json(body))
        # The signature proves who issued it; the chain proves the history it carries holds.
        links = _links(body["events"])
        return (body["chain_intact"] is True and len(links) == body["item"]["event_count"]
                and first_broken_link(links, body["item"]["head_hash"]) is None)
    except (InvalidSignature, UnsupportedAlgorithm, KeyError, TypeError, ValueError,
            binascii.Error):
        return False
