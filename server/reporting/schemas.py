"""Declarations of the summary report (TT17 Art.13) and its exports."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from server.core.schemas import RequestModel, ResponseModel
from server.domain.periods import PeriodKind


class ReportQuery(RequestModel):
    """Which period and which unit; the period is checked by the domain (Vietnamese messages)."""

    period: str | None = Field(
        default=None, max_length=40,
        json_schema_extra={"enum": [kind.value for kind in PeriodKind]},
        description="day | month | quarter | half_year | year | custom; "
                    "default: the current month (or custom when `end` is given)")
    start: str | None = Field(
        default=None, max_length=40, json_schema_extra={"format": "date"},
        examples=["2026-10-01"],
        description="first day of the period (e.g. 2026-10-01 for Q4); default: the current one")
    end: str | None = Field(
        default=None, max_length=40, json_schema_extra={"format": "date"},
        description="last day included, for a custom range only")
    unit: str | None = Field(
        default=None, min_length=1, max_length=40,
        description="unit code; default: the caller's unit (an agency officer: always their own)")


class ReportUnitOut(ResponseModel):
    """The unit whose subtree the report covers."""

    code: str
    name: str
    kind: str


class ReportPeriodOut(ResponseModel):
    """The period: local days `start`..`end` (both included) and the half-open UTC range."""

    kind: PeriodKind
    label: str
    start: date
    end: date
    from_utc: datetime
    until_utc: datetime = Field(description="first instant no longer included")
    timezone: Literal["Asia/Ho_Chi_Minh"] = "Asia/Ho_Chi_Minh"


class DossierCounts(ResponseModel):
    """Dossiers (citizen → agency): each item counted once, at its first such event."""

    #: first `collected` event: taken at the door or at the counter
    accepted: int = 0
    #: first `filed` event: legally filed at the officer's signature (QĐ45 Art.7)
    filed: int = 0
    cancelled: int = 0


class ResultCounts(ResponseModel):
    """Results (agency → citizen): each item counted once, at its first such event."""

    registered: int = 0
    delivered: int = 0
    returned: int = 0
    cancelled: int = 0


class DirectionCounts(ResponseModel):
    """The counts of both directions."""

    dossiers: DossierCounts = Field(default_factory=DossierCounts)
    results: ResultCounts = Field(default_factory=ResultCounts)


class FieldCounts(DirectionCounts):
    """The counts of one field (lĩnh vực) of procedures."""

    field: str
    label: str


class OnTimeOut(ResponseModel):
    """Of the items completed in the period, how many by their service deadline (TT17 Art.7)."""

    total: int = 0
    on_time: int = 0
    late: int = 0
    rate: float | None = Field(default=None, ge=0, le=1, description="on_time / total; null when none")


class OnTimeSection(ResponseModel):
    """Dossiers filed and results delivered in the period, against their `due_at`."""

    all: OnTimeOut
    dossiers_filed: OnTimeOut
    results_delivered: OnTimeOut


class FailuresOut(ResponseModel):
    """Failed delivery attempts (`attempt_failed` events) in the period, by reason and action."""

    attempts: int
    by_reason: dict[str, int]
    by_action: dict[str, int]


class IncidentsOut(ResponseModel):
    """Returns, losses and complaints; the system records no losses or complaints yet."""

    returned: int
    losses: int | None = None
    complaints: int | None = None


class CashOut(ResponseModel):
    """Cash taken at `collected` and `delivered` events in the period, against what was due.

    Postage and the official fee are not split per event, so only totals are compared; events
    that record no cash (counter intake, paid at the counter) are counted apart.
    """

    events: int
    collected_vnd: int
    #: postage + official fee of the items of the events that record cash
    due_vnd: int
    difference_vnd: int
    events_without_cash_record: int
    due_without_cash_record_vnd: int


class ReportRecipientOut(ResponseModel):
    """The authority the report is addressed to (TT17 Art.13): the provincial Sở KH&CN."""

    name: str = Field(examples=["Sở Khoa học và Công nghệ Ninh Bình"])
    legal_basis: str


class ReportSummary(ResponseModel):
    """`GET /reports/summary`: every figure derived from custody events (TT17 Art.13)."""

    unit: ReportUnitOut
    submitted_to: ReportRecipientOut
    period: ReportPeriodOut
    items: DirectionCounts
    by_field: list[FieldCounts]
    on_time: OnTimeSection
    failures: FailuresOut
    incidents: IncidentsOut
    cash: CashOut
    not_recorded: list[str] = Field(description="figures the system does not record yet")
    generated_at: datetime
