"""Declarations of the 2025 administrative map's suggestions (provinces and communes)."""
from __future__ import annotations

from pydantic import Field

from server.core.schemas import RequestModel, ResponseModel


class ProvinceQuery(RequestModel):
    """`GET /places/provinces`: part of a name, with or without accents."""

    q: str = Field(default="", max_length=60)
    limit: int = Field(default=10, ge=1, le=34)


class CommuneQuery(RequestModel):
    """`GET /places/communes`: part of a name, within a province (name or code) if given."""

    q: str = Field(default="", max_length=60)
    province: str | None = Field(default=None, max_length=100,
                                 description="province name (accents optional) or 2-digit code")
    limit: int = Field(default=10, ge=1, le=50)


class ProvinceOut(ResponseModel):
    """A provincial unit with its official code (Decision 19/2025/QĐ-TTg)."""

    code: str
    name: str
    kind: str


class CommuneOut(ResponseModel):
    """A commune-level unit with its official code and its province."""

    code: str
    name: str
    kind: str
    province_code: str
    province_name: str


class ProvinceList(ResponseModel):
    """Matching provinces, best first, and where the table comes from."""

    provinces: list[ProvinceOut]
    source: str


class CommuneList(ResponseModel):
    """Matching communes, best first, and where the table comes from."""

    communes: list[CommuneOut]
    source: str
