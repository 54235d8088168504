"""Request and response models of the custody log's proof API."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from server.core.schemas import RequestModel, ResponseModel


class InclusionQuery(RequestModel):
    """Which event, in which tree size."""

    event_id: str = Field(min_length=1, max_length=36)
    size: int = Field(ge=1, le=2**62)


class InclusionOut(ResponseModel):
    """RFC 6962 inclusion proof of an event's entry (leaf-side first, hex)."""

    log_index: int
    tree_size: int
    proof: list[str]


class ConsistencyQuery(RequestModel):
    """From which tree size to which (`from` is a Python keyword: aliased)."""

    from_size: int = Field(alias="from", ge=0, le=2**62)
    to: int = Field(ge=0, le=2**62)


class ConsistencyOut(ResponseModel):
    """RFC 6962 consistency proof between two tree sizes (hex)."""

    proof: list[str]


class WitnessAlertOut(ResponseModel):
    """A witness's standing refusal of one of our checkpoints."""

    witness: str
    url: str
    status: int
    kind: str
    words: str
    refused_size: int
    refused_at: datetime
    detail: str


class WitnessAlertsOut(ResponseModel):
    """Every standing refusal, newest first; empty when every witness is satisfied."""

    alerts: list[WitnessAlertOut]
