"""Declarations of handover records (biên bản giao nhận)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from server.core.schemas import RequestModel, ResponseModel, Sha256, ShortText


class HandoverCreate(RequestModel):
    """The sender lists items for a person (`to_user`) or a unit (`to_unit`)."""

    to_user: ShortText | None = Field(default=None, description="username of the receiver")
    to_unit: ShortText | None = Field(default=None, description="unit code of the receiver")
    items: list[str] = Field(min_length=1, max_length=500, description="tracking numbers")
    signature_sha256: Sha256 | None = Field(
        default=None, description="the sender's signature (required to file dossiers with an agency)")

    @model_validator(mode="after")
    def _one_receiver(self) -> HandoverCreate:
        if bool(self.to_user) == bool(self.to_unit):
            raise ValueError("chọn đúng một bên nhận: to_user hoặc to_unit")
        return self


class IncompleteDossier(RequestModel):
    """A dossier the receiving officer found incomplete, and what it lacks (QĐ45 Art.7(4))."""

    tracking_number: str = Field(max_length=20)
    missing: str = Field(min_length=1, max_length=500, description="what the citizen must supplement")


class HandoverAccept(RequestModel):
    """The receiver's scans and signature; custody moves for the scanned items only."""

    scanned: list[str] = Field(max_length=500, description="tracking numbers scanned")
    signature_sha256: Sha256
    incomplete: list[IncompleteDossier] = Field(
        default_factory=list, max_length=500,
        description="filing only: scanned dossiers found incomplete; every other one is complete")


class HandoverLineOut(ResponseModel):
    """One tracking number of the record and what became of it."""

    tracking_number: str
    outcome: str
    #: Filing only: complete (filed) or not (a supplement is requested); None otherwise.
    complete: bool | None = None
    missing_documents: str | None = None
    #: What to check against the paper, for a line that is one of the parties' items (None
    #: for a number scanned that is no item of the receiver's): kind, procedure, the
    #: citizen's initials only (Law 91/2025/QH15: the least personal data).
    kind: str | None = None
    procedure: str | None = None
    citizen_initials: str | None = None


class HandoverOut(ResponseModel):
    """A handover record as both parties see it."""

    id: int
    status: str
    from_user: str | None
    from_unit: str
    to_user: str | None
    to_unit: str
    created_at: datetime
    #: The receiver's signature time; for dossiers filed complete, their legal filing time.
    accepted_at: datetime | None
    accepted_by: str | None
    sender_signed: bool = False
    receiver_signed: bool = False
    lines: list[HandoverLineOut]
    #: The parties by name, as people read them (codes above are for machines).
    from_name: str = ""
    to_name: str = ""
    from_unit_name: str = ""
    to_unit_name: str = ""
    #: Set when a pending record was closed unsigned: cancelled by its sender, or expired.
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    expired: bool = False
    #: Of the person asking: may he sign it (the receiver), or withdraw it (the sender)?
    can_accept: bool = False
    can_cancel: bool = False


class HandoverCreated(ResponseModel):
    """The answer to a new handover."""

    id: int
    status: str


class HandoverAccepted(ResponseModel):
    """What the receiver took, and the discrepancies recorded."""

    id: int
    status: str
    accepted_at: datetime
    received: list[str]
    missing: list[str]
    unexpected: list[str]
    #: Dossiers received complete: filed at `accepted_at` (QĐ45 Art.7).
    filed: list[str] = Field(default_factory=list)
    #: Dossiers found incomplete: a supplement is requested (QĐ45 Art.7(4)).
    supplement_requested: list[str] = Field(default_factory=list)


class HandoverCancel(RequestModel):
    """The sender withdraws a pending record, saying why."""

    reason: str = Field(min_length=3, max_length=500, description="why the record is withdrawn")


class ReceiverOut(ResponseModel):
    """Someone who can accept a record from the caller, by name."""

    #: Which field of a new record names this receiver, and its value.
    field: Literal["to_user", "to_unit"]
    key: str
    name: str
    unit_name: str
    #: `postman`, `post_office` or `agency`.
    kind: str


class ReceiverList(ResponseModel):
    """The receivers the caller may name on a handover record."""

    receivers: list[ReceiverOut]


class CandidateQuery(RequestModel):
    """Which list of held items to pick from."""

    source: Literal["held", "due_today", "evening_return"] = "held"


class CandidateOut(ResponseModel):
    """An item the caller holds and may list on a record."""

    tracking_number: str
    kind: str
    status: str
    status_label: str
    procedure: str
    #: The item's agency (code for matching a receiver; name to read).
    agency_unit: str
    agency_name: str
    due_at: datetime | None


class CandidateList(ResponseModel):
    """Held items the caller may list now (not closed, not on a pending record)."""

    items: list[CandidateOut]


class HandoverQuery(RequestModel):
    """Filters of the handover list."""

    status: Literal["pending", "accepted", "cancelled"] | None = None


class HandoverList(ResponseModel):
    """Handover records the caller sends or receives."""

    handovers: list[HandoverOut]
