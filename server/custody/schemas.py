"""Declarations of `POST /sync`: the field app's events, one model per event type."""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from server.core.schemas import (
    ClientTime,
    IdLast4,
    Money,
    RequestModel,
    ResponseModel,
    Sha256,
    ShortText,
    TrackingNumber,
)
from server.domain.identity import IdType
from server.domain.lifecycle import FailureAction, FailureReason


class PositionIn(RequestModel):
    """A GPS fix taken by the phone, with its accuracy in metres."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    #: When the phone's receiver took the fix (its own timestamp, not the event's): a fix
    #: much older than the event shows a position carried from an earlier stop.
    fixed_at: ClientTime | None = None


class EventBase(RequestModel):
    """What every event carries; `id` is made on the phone and is the idempotency key."""

    id: uuid.UUID
    tracking_number: TrackingNumber
    #: Bounded so that a garbage clock (year 1, year 9999) is refused, not a 500 when the
    #: time is turned into UTC; a merely skewed clock is recorded (docs/design.md §4 clock_skew).
    occurred_at: ClientTime
    position: PositionIn | None = None


class DocumentCount(RequestModel):
    """One line of the checklist as counted at the door."""

    name: ShortText
    original: bool
    count: int = Field(ge=1, le=100)


class CollectedEvent(EventBase):
    """A dossier taken from the citizen at the door (QĐ45 Art.6)."""

    type: Literal["collected"]
    #: The citizen's signature on the consignment note.
    signature_sha256: Sha256
    #: The postman's own signature: both sign (TT17 Art.9).
    postman_signature_sha256: Sha256 | None = None
    #: The documents counted at the door, each original or copy (TT17 Art.5(1)).
    documents: list[DocumentCount] = Field(default_factory=list, max_length=50)
    cash_collected_vnd: Money = 0


class OutForDeliveryEvent(EventBase):
    """The postman sets out with the item."""

    type: Literal["out_for_delivery"]


class AttemptFailedEvent(EventBase):
    """A delivery that did not happen, why, and what was done (TT17 Art.5(2)(h))."""

    type: Literal["attempt_failed"]
    reason: FailureReason
    action: FailureAction


class RecipientIn(RequestModel):
    """Who took the result, and the identity document checked (TT17 Art.5(2))."""

    name: ShortText
    relation: Literal["self", "proxy"]
    relationship: str | None = Field(default=None, max_length=100)
    id_type: IdType
    id_last4: IdLast4


class HandOverEvidence(RequestModel):
    """What handing a result to its recipient records, at the door or at the counter."""

    recipient: RecipientIn
    #: The recipient's signature, uploaded first (`PUT /media/<sha256>`).
    signature_sha256: Sha256
    photo_sha256: Sha256 | None = None
    #: The written authorisation: required for a proxy.
    authorization_sha256: Sha256 | None = None
    cash_collected_vnd: Money = 0
    papers_collected: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    #: The postman's reason when the identity's last four characters differ from the ones
    #: on record or the cash differs from what is due (the server still flags the event).
    deviation_note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _proxy_needs_authorisation(self) -> HandOverEvidence:
        if self.recipient.relation == "proxy":
            if not self.authorization_sha256:
                raise ValueError("người nhận thay phải có ảnh giấy ủy quyền (authorization_sha256)")
            if not self.recipient.relationship:
                raise ValueError("người nhận thay phải ghi rõ quan hệ với người nhận (relationship)")
        return self


class DeliveredEvent(EventBase, HandOverEvidence):
    """The result handed over at the door with the evidence the law asks for."""

    type: Literal["delivered"]


class HeldForPickupEvent(EventBase):
    """The result waits at the counter for the citizen."""

    type: Literal["held_for_pickup"]


class ReturnedEvent(EventBase):
    """The result goes back to the agency."""

    type: Literal["returned"]


SyncEvent = Annotated[
    CollectedEvent | OutForDeliveryEvent | AttemptFailedEvent | DeliveredEvent
    | HeldForPickupEvent | ReturnedEvent,
    Field(discriminator="type"),
]


class SyncRequest(RequestModel):
    """A batch from the phone's outbox. Each event is checked on its own, so the batch
    itself only has to be a list of objects."""

    events: list[dict[str, Any]] = Field(min_length=1, max_length=500)
    #: The phone's clock when it sent the batch, compared with the server's (clock_skew).
    #: A merely skewed clock is flagged; a year 1 or 9999 is refused (`time_out_of_range`):
    #: stored in a flag, it broke every page that shows flags.
    sent_at: ClientTime | None = None


class SyncError(ResponseModel):
    """Why one event was refused, in words the postman can act on."""

    code: str
    message: str
    details: dict[str, Any] = {}  # noqa: RUF012 (pydantic copies a default per instance)


class SyncResult(ResponseModel):
    """The fate of one event, in the order sent."""

    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    error: SyncError | None = None


class SyncResponse(ResponseModel):
    """Per-event results, in order."""

    results: list[SyncResult]


class SyncRequestDocument(RequestModel):
    """The batch as documented: each element is one of the event models, which the sync
    service applies one by one (so one bad event does not refuse the others)."""

    events: list[SyncEvent] = Field(min_length=1, max_length=500)
    #: The phone's clock when it sent the batch; a skewed clock is flagged, an absurd one
    #: (before 2000, after 2100) refused.
    sent_at: ClientTime | None = None
