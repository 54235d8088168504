"""Declarations of the supervisors' dashboard (`GET /api/v1/dashboard`)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from server.core.schemas import ResponseModel


class DashboardScopeOut(ResponseModel):
    """The unit whose subtree the figures cover."""

    code: str
    name: str


class TodayEventOut(ResponseModel):
    """One of today's events that a card counts."""

    card: Literal["delivered", "attempt_failed", "collected", "collected_at_counter"]
    event_id: str
    type: str
    tracking_number: str
    at: datetime
    actor: str | None = Field(description="who recorded it, by name")
    unit: str | None = Field(description="the unit it was recorded for, by name")
    at_counter: bool = Field(description="recorded at the post-office counter")


class TodayOut(ResponseModel):
    """Today's events (local day) across the scope; each card's count is the number of
    its rows in `events` (at most 500 rows per card)."""

    delivered: int = Field(ge=0, description="phát thành công (at the door and at the counter)")
    attempt_failed: int = Field(ge=0, description="phát không thành công")
    collected: int = Field(ge=0, description="nhận hồ sơ tại nhà (home pickups only)")
    collected_at_counter: int = Field(ge=0, description="nhận hồ sơ tại quầy")
    filed: int = Field(ge=0, description="nộp hồ sơ cho cơ quan")
    registered: int = Field(ge=0, description="kết quả cơ quan đăng ký")
    waiting: int = Field(ge=0, description="results out for delivery in postmen's bags")
    events: list[TodayEventOut] = Field(description="the cards' rows, newest first per card")


class FlagCountOut(ResponseModel):
    """Open flags of one code."""

    code: str
    label: str
    count: int = Field(ge=0)


class FlagRowOut(ResponseModel):
    """One open flag to review."""

    id: int
    code: str
    label: str = Field(description="Vietnamese name of the code")
    tracking_number: str
    event_id: str | None
    event_type: str | None
    raised_at: datetime
    occurred_at: datetime | None = Field(description="when the flagged event happened")
    postman: str | None = Field(description="who recorded the flagged event")
    summary: str = Field(description="the evidence in one Vietnamese line")
    details: dict[str, Any]


class FlagsOut(ResponseModel):
    """Open flags of the scope: totals, per code, and the newest rows."""

    open_count: int = Field(ge=0)
    raised_today: int = Field(ge=0, description="open flags raised since local midnight")
    by_code: list[FlagCountOut] = Field(description="most frequent first")
    rows: list[FlagRowOut] = Field(description="newest first, at most 200")


class PostmanOut(ResponseModel):
    """One postman of the scope today."""

    username: str
    full_name: str
    unit: str
    held: int = Field(ge=0, description="items the postman holds")
    delivered_today: int = Field(ge=0)
    failed_today: int = Field(ge=0)
    collected_today: int = Field(ge=0)
    waiting: int = Field(ge=0, description="held results out for delivery")


class OverdueItemOut(ResponseModel):
    """An unfinished item past its service deadline."""

    tracking_number: str
    kind: str
    status: str
    status_label: str
    due_at: datetime
    post_office: str | None
    holder: str | None = Field(description="the person or unit holding the item")


class OverdueOut(ResponseModel):
    """Items not delivered, filed, cancelled or returned whose deadline has passed."""

    count: int = Field(ge=0)
    due_today: int = Field(ge=0, description="not yet overdue, due before local midnight")
    at_risk: int = Field(ge=0, description="due after today, by the close of the next "
                                           "DEADLINE_AT_RISK_WORKING_DAYS working days, and not "
                                           "yet out for delivery (server/domain/deadlines.py)")
    rows: list[OverdueItemOut] = Field(
        description="oldest deadline first, at most 500 (the overdue card's list)")
    due_today_rows: list[OverdueItemOut] = Field(description="the due-today card's list, at most 500")
    at_risk_rows: list[OverdueItemOut] = Field(description="the at-risk card's list, at most 500")


class DayOut(ResponseModel):
    """One local day of the charts."""

    day: date
    delivered: int = Field(ge=0)
    filed: int = Field(ge=0)
    registered: int = Field(ge=0)
    collected: int = Field(ge=0)
    completed: int = Field(ge=0, description="delivered + filed events")
    on_time: int = Field(ge=0, description="completions on or before the item's due_at")
    on_time_rate: float | None = Field(ge=0, le=1, description="on_time ÷ completed; "
                                                               "null when nothing completed")


class MapPointOut(ResponseModel):
    """A positioned event on the sketch map."""

    event_id: str
    type: str
    label: str
    tracking_number: str
    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None
    postman: str | None
    commune: str
    today: bool = Field(description="a doorstep event of today (else only flagged)")
    flags: list[str] = Field(description="codes of the open flags on the event")


class MapOfficeOut(ResponseModel):
    """A post office, drawn as a landmark."""

    code: str
    name: str
    lat: float
    lon: float


class DashboardMapOut(ResponseModel):
    """Points and landmarks of the sketch map (tiles are not reachable)."""

    points: list[MapPointOut]
    offices: list[MapOfficeOut]


class DashboardOut(ResponseModel):
    """The supervisors' dashboard of the caller's unit subtree."""

    generated_at: datetime
    day: date = Field(description="the local day reported as today")
    timezone: str
    scope: DashboardScopeOut
    today: TodayOut
    flags: FlagsOut
    postmen: list[PostmanOut]
    overdue: OverdueOut
    daily: list[DayOut] = Field(description="the last 30 local days, oldest first")
    map: DashboardMapOut
