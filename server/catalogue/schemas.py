"""Declarations of sign-in, units and procedures."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from server.core.schemas import RequestModel, ResponseModel


class LoginRequest(RequestModel):
    """Credentials of a person."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class UnitRef(ResponseModel):
    """A unit as other answers mention it."""

    code: str
    name: str
    kind: str


class UserOut(ResponseModel):
    """The signed-in user."""

    username: str
    full_name: str
    role: str
    unit: UnitRef


class SessionOut(ResponseModel):
    """The user and the CSRF token to send with unsafe calls."""

    user: UserOut
    csrf_token: str


class SignedOut(ResponseModel):
    """The session is over."""

    ok: bool = True


class UnitOut(ResponseModel):
    """A post office, an agency or the province."""

    code: str
    name: str
    kind: str
    parent: str | None
    province: str
    commune: str
    address_line: str
    lat: float | None
    lon: float | None


class UnitList(ResponseModel):
    """The units of the caller's province."""

    units: list[UnitOut]


class ProcedureOut(ResponseModel):
    """A procedure of the catalogue."""

    code: str
    name: str
    field: str
    agency_unit: str
    postal_eligible: bool
    documents: list[dict[str, Any]]
    official_fee_vnd: int


class ProcedureList(ResponseModel):
    """The catalogue."""

    procedures: list[ProcedureOut]


class ProcedureQuery(RequestModel):
    """Filters of the catalogue."""

    postal_eligible: bool | None = None
    field: str | None = Field(default=None, max_length=40)
