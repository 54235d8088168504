"""Declarations of handover records (biên bản giao nhận)."""
from __future__ import annotations

from datetime import datetime

from typing import Literal

from pydantic import Field, model_validator

from server.schemas.common import RequestModel, ResponseModel, Sha256, ShortText


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


class HandoverQuery(RequestModel):
    """Filters of the handover list."""

    status: Literal["pending", "accepted", "cancelled"] | None = None


class HandoverList(ResponseModel):
    """Handover records the caller sends or receives."""

    handovers: list[HandoverOut]
