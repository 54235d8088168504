"""Declarations of the working calendar (Labour Code 2019 Art.112, TT17 Art.7)."""
from __future__ import annotations

from datetime import date

from pydantic import Field

from server.core.schemas import RecordDate, RequestModel, ResponseModel

#: The longest range one GET answers: a year, leap day included.
MAX_CALENDAR_DAYS = 366


class CalendarQuery(RequestModel):
    """The days asked for, both included."""

    from_: RecordDate = Field(alias="from", examples=["2026-08-01"])
    to: RecordDate = Field(examples=["2026-09-30"])


class CalendarDayOut(ResponseModel):
    """One day: a working day or not, and why (holiday, weekend, the State's decision)."""

    date: date
    working: bool
    reason: str | None
    legal_basis: str | None = Field(default=None,
                                    description="the decision's number, when a decision rules the day")


class CalendarOut(ResponseModel):
    """`GET /calendar`: every day of the range, in order."""

    days: list[CalendarDayOut]


class CalendarDecisionIn(RequestModel):
    """`PUT /calendar/<date>`: the State's decision about that day."""

    working: bool
    reason: str = Field(min_length=1, max_length=200, examples=["Nghỉ hoán đổi dịp Quốc khánh"])
    legal_basis: str = Field(min_length=1, max_length=200,
                             examples=["Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"])


class CalendarDecisionOut(ResponseModel):
    """The decision as recorded and how many open deadlines it moved."""

    date: date
    working: bool
    reason: str
    legal_basis: str
    deadlines_moved: int = Field(ge=0, description="open items whose due date this change moved")
