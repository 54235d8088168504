"""Declarations of the personal-data calls: the access log and a citizen's export."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from server.core.schemas import Phone, RequestModel, ResponseModel


class AccessQuery(RequestModel):
    """`GET /personal-data/accesses`: by item, by user, or both; newest first."""

    item: str | None = Field(default=None, max_length=20, description="tracking number")
    user: str | None = Field(default=None, max_length=80, description="username")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class AccessOut(ResponseModel):
    """One opening of one item's personal data."""

    accessed_at: datetime
    user: str
    user_name: str
    role: str
    unit: str
    tracking_number: str
    kind: str
    detail: str | None


class AccessList(ResponseModel):
    """A page of the access log."""

    accesses: list[AccessOut]
    total: int
    limit: int
    offset: int


class ExportQuery(RequestModel):
    """`GET /personal-data/export`: exactly one of an item or a phone number."""

    item: str | None = Field(default=None, max_length=20, description="tracking number")
    phone: Phone | None = None


class CitizenExportOut(ResponseModel):
    """A citizen's data as held by the service (Law 91/2025/QH15)."""

    format: str
    exported_at: str
    exported_by: dict[str, Any]
    request: dict[str, Any]
    controller: str
    purposes: list[str]
    retention: str
    items: list[dict[str, Any]]
