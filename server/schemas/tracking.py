"""Declarations of public tracking and of the audit calls."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from server.schemas.common import RequestModel, ResponseModel


class TrackEvent(ResponseModel):
    """One step as the public sees it: what, when, at which unit (never who or where exactly)."""

    type: str
    label: str
    at: datetime
    place: str | None


class TrackOut(ResponseModel):
    """Public tracking: no name, phone, address or ID (TT17 Art.12, Law 91/2025)."""

    tracking_number: str
    kind: str
    status: str
    status_label: str
    due_at: datetime
    events: list[TrackEvent]


class FlagQuery(RequestModel):
    """Filters of the audit flags."""

    status: Literal["open", "resolved"] | None = "open"
    code: str | None = None
    limit: int = 200


class FlagOut(ResponseModel):
    """An audit flag and the evidence that raised it."""

    id: int
    code: str
    tracking_number: str
    event_id: str | None
    details: dict[str, Any]
    status: str
    created_at: datetime


class FlagList(ResponseModel):
    """Flags, newest first."""

    flags: list[FlagOut]


class BrokenLinkOut(ResponseModel):
    """The first link of a chain that does not verify."""

    tracking_number: str
    event_id: str | None
    reason: str


class VerifyOut(ResponseModel):
    """The result of walking every custody chain."""

    ok: bool
    items_checked: int
    events_checked: int
    first_broken: BrokenLinkOut | None
