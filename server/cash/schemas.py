"""Declarations of cash: a postman's day, remittances at the counter, agency statements."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from server.core.schemas import RecordDate, RequestModel, ResponseModel, Sha256


class CashDayQuery(RequestModel):
    """The day (local date; default today) and, for clerks and supervisors, one postman."""

    day: RecordDate | None = None
    postman: str | None = Field(default=None, max_length=80)


class CashLineOut(ResponseModel):
    """One delivery or collection of the day."""

    tracking_number: str
    type: str
    occurred_at: datetime
    due_vnd: int
    collected_vnd: int


class RemittanceOut(ResponseModel):
    """Cash handed to the counter; `closed` once the clerk has signed too."""

    id: int
    postman: str
    clerk: str
    unit: str
    day: date
    amount_vnd: int
    status: str
    postman_signed: bool
    clerk_signed: bool
    created_at: datetime
    closed_at: datetime | None


class PostmanCashOut(ResponseModel):
    """A postman's day: expected, collected, remitted, and the differences."""

    postman: str
    full_name: str
    unit: str
    day: date
    expected_vnd: int = Field(description="fees due on the items delivered or collected")
    collected_vnd: int = Field(description="cash recorded on those events")
    remitted_vnd: int = Field(description="closed remittances (both signed)")
    pending_vnd: int = Field(description="remittances waiting for the clerk's signature")
    difference_vnd: int = Field(description="collected − expected")
    unremitted_vnd: int = Field(description="collected − remitted − pending")
    lines: list[CashLineOut]
    remittances: list[RemittanceOut]


class CashDayList(ResponseModel):
    """The postmen of the caller's scope (a postman: himself) for one day."""

    day: date
    postmen: list[PostmanCashOut]


class RemittanceCreate(RequestModel):
    """The clerk records cash handed over; the postman has signed on the clerk's screen."""

    postman: str = Field(min_length=1, max_length=80)
    day: RecordDate | None = None
    amount_vnd: int = Field(ge=1, le=1_000_000_000)
    postman_signature_sha256: Sha256


class RemittanceSign(RequestModel):
    """The clerk's signature closes the remittance."""

    clerk_signature_sha256: Sha256


class StatementQuery(RequestModel):
    """The period of an agency statement (local dates, inclusive; default this month)."""

    start: RecordDate | None = None
    end: RecordDate | None = None


class StatementLineOut(ResponseModel):
    """One item's official fee collected on the agency's behalf."""

    occurred_at: datetime
    tracking_number: str
    dossier_code: str | None
    procedure_name: str
    kind: str
    collected_vnd: int
    official_fee_vnd: int


class AgencyStatementOut(ResponseModel):
    """Official fees to remit in full to one agency for a period (TT17 Art.5(2)(g))."""

    agency: str
    agency_name: str
    start: date
    end: date
    total_official_fee_vnd: int
    total_collected_vnd: int
    lines: list[StatementLineOut]
