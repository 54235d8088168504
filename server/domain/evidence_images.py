"""Which images a custody event may cite as its evidence (docs/design.md §4).

A signature is the recipient's own act over what they receive (TT17 Art.5(2): both sign at
the hand-over; TT17 Art.9: the consignment note is the contract), and a written authorisation
belongs to one proxy's hand-over. So an image is bound to its uploader, who alone may cite it,
and a signature or authorisation to the one hand-over it was first cited for: the same
recipient taking several items from the same person at once may share it; any other
recipient, or the same one at another hand-over, may not.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from server.domain.custody_chain import canonical_json

#: The evidence fields whose image belongs to one hand-over (recipient's act).
HANDOVER_IMAGE_FIELDS = ("signature_sha256", "authorization_sha256")
#: Items handed to one recipient "at once": their events fall within this span.
SAME_HANDOVER_SPAN = timedelta(minutes=30)


def handover_key(actor_user_id: int, recipient: Mapping[str, Any] | None,
                 citizen_phone: str | None) -> str:
    """A digest naming one hand-over's parties: who handed over, and to whom.

    The recipient of a delivery is named by the identity checked at the door (name, ID type
    and last four digits, self or proxy); a dossier collected at the door by its citizen's
    phone number (the collection names nobody else). Only the digest is kept: no personal
    data beside the image.
    """
    if recipient is not None:
        party: dict[str, Any] = {
            "name": " ".join(str(recipient.get("name", "")).casefold().split()),
            "id_type": recipient.get("id_type"), "id_last4": recipient.get("id_last4"),
            "relation": recipient.get("relation")}
    else:
        party = {"citizen_phone": citizen_phone}
    payload = {"actor_user_id": actor_user_id, "recipient": party}
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def reuse_of_handover_image(bound_key: str | None, bound_at: datetime | None, key: str,
                            occurred_at: datetime) -> str | None:
    """Why citing an image already bound to a hand-over is refused, or None when it may be.

    `another_recipient`: first cited for other parties; `another_handover`: the same parties,
    but not at once (beyond `SAME_HANDOVER_SPAN` from its first citation).
    """
    if bound_key is None:
        return None
    if bound_key != key:
        return "another_recipient"
    if bound_at is not None and abs(occurred_at - bound_at) > SAME_HANDOVER_SPAN:
        return "another_handover"
    return None


def media_fields(evidence: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(field path, hash) of every image an evidence names: any key ending in `_sha256`."""
    found: list[tuple[str, str]] = []
    _collect_media_fields(evidence, prefix, found)
    return iter(found)


def _collect_media_fields(evidence: Any, prefix: str, found: list[tuple[str, str]]) -> None:
    """Append to `found` what `media_fields` answers, in document order."""
    # Recurses into containers only: the verifier calls this on every stored event.
    if isinstance(evidence, dict):
        for key, value in evidence.items():
            if key.endswith("_sha256") and isinstance(value, str):
                found.append((f"{prefix}{key}", value))
            elif isinstance(value, dict | list):
                _collect_media_fields(value, f"{prefix}{key}.", found)
    elif isinstance(evidence, list):
        for index, value in enumerate(evidence):
            if isinstance(value, dict | list):
                _collect_media_fields(value, f"{prefix}{index}.", found)
