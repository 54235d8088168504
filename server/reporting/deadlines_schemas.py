"""Declarations of the deadline lists: overdue, due today, at risk (TT17 Art.7)."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from server.core.schemas import RequestModel, ResponseModel
from server.domain.deadlines import DeadlineClass


class DeadlineQuery(RequestModel):
    """Which classes to list (default: all three) and how many items at most."""

    deadline: DeadlineClass | None = None
    limit: int = Field(default=100, ge=1, le=500)


class DeadlineCounts(ResponseModel):
    """How many items of the caller's scope fall in each class."""

    overdue: int
    due_today: int
    at_risk: int


class DeadlineItem(ResponseModel):
    """One item with its deadline and class."""

    tracking_number: str
    kind: str
    status: str
    status_label: str
    deadline: DeadlineClass
    deadline_label: str
    due_at: datetime
    procedure_name: str
    citizen_name: str
    commune: str
    holder: str | None = Field(description="the person or unit that holds the item")


class DeadlineList(ResponseModel):
    """The caller's deadline list: counts, the rule's cut-offs and the items, most urgent first."""

    counts: DeadlineCounts
    now: datetime
    end_of_today: datetime
    at_risk_until: datetime
    at_risk_working_days: int
    items: list[DeadlineItem]
