"""Declarations of public tracking."""
from __future__ import annotations

from datetime import datetime

from server.core.schemas import ResponseModel


class TrackEvent(ResponseModel):
    """One step as the public sees it: what, when, at which unit (never who or where exactly)."""

    type: str
    label: str
    at: datetime
    place: str | None


class TrackNotice(ResponseModel):
    """After a failed attempt, in plain words: what happened, what next, where the item is."""

    what_happened: str
    what_next: str
    #: The post office holding the item (never a person).
    held_at: str | None


class TrackOut(ResponseModel):
    """Public tracking: no name, phone, address or ID (TT17 Art.12, Law 91/2025)."""

    tracking_number: str
    kind: str
    status: str
    status_label: str
    due_at: datetime
    events: list[TrackEvent]
    notice: TrackNotice | None = None
