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

    @model_validator(mode="after")
    def _one_receiver(self) -> HandoverCreate:
        if bool(self.to_user) == bool(self.to_unit):
            raise ValueError("chọn đúng một bên nhận: to_user hoặc to_unit")
        return self


class HandoverAccept(RequestModel):
    """The receiver's scans and signature; custody moves for the scanned items only."""

    scanned: list[str] = Field(max_length=500, description="tracking numbers scanned")
    signature_sha256: Sha256


class HandoverLineOut(ResponseModel):
    """One tracking number of the record and what became of it."""

    tracking_number: str
    outcome: str


class HandoverOut(ResponseModel):
    """A handover record as both parties see it."""

    id: int
    status: str
    from_user: str | None
    from_unit: str
    to_user: str | None
    to_unit: str
    created_at: datetime
    accepted_at: datetime | None
    accepted_by: str | None
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


class HandoverQuery(RequestModel):
    """Filters of the handover list."""

    status: Literal["pending", "accepted", "cancelled"] | None = None


class HandoverList(ResponseModel):
    """Handover records the caller sends or receives."""

    handovers: list[HandoverOut]
