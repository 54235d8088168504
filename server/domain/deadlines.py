"""Which unfinished items are overdue, due today or at risk of missing their deadline (TT17 Art.7).

One definition for the clerk's, the postman's and the supervisor's lists and the supervisors'
dashboard. An item falls in at most one class, checked in this order:

- overdue: its deadline has passed;
- due today: its deadline falls before the end of the local day;
- at risk: its deadline falls by the close (17:00) of the next `at_risk_working_days` working
  days, and it is not yet in hand for delivery (a result out for delivery is on its way; a
  dossier is at risk until filed, since filing is what ends its service time).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from server.domain.lifecycle import CLOSED, ItemStatus
from server.domain.service_time import (
    END_OF_WORKING_DAY,
    LOCAL_TZ,
    NO_DECISIONS,
    WorkingDecisions,
    add_working_days,
)


class DeadlineClass(StrEnum):
    """Where an unfinished item stands against its service deadline."""

    #: quá hạn
    overdue = "overdue"
    #: đến hạn hôm nay
    due_today = "due_today"
    #: sắp đến hạn — due soon and not yet on its way
    at_risk = "at_risk"


#: Words of the screens for each class.
DEADLINE_LABELS_VI: dict[DeadlineClass, str] = {
    DeadlineClass.overdue: "Quá hạn",
    DeadlineClass.due_today: "Đến hạn hôm nay",
    DeadlineClass.at_risk: "Sắp đến hạn",
}

#: Statuses in which the item is already on its last leg: not "at risk", only late or not.
IN_HAND_STATUSES: frozenset[ItemStatus] = frozenset({ItemStatus.out_for_delivery})
#: Statuses that no longer run against a deadline (the same set the dashboard and retention use).
FINISHED_STATUSES: frozenset[ItemStatus] = CLOSED


@dataclass(frozen=True)
class DeadlineBounds:
    """The three cut-off moments (UTC) of a deadline list computed at `now`."""

    now: datetime
    #: 00:00 local of the next calendar day: due before it and not overdue is "due today".
    end_of_today: datetime
    #: 17:00 local of the last working day counted as "soon".
    at_risk_until: datetime


def deadline_bounds(now: datetime, at_risk_working_days: int = 1,
                    decisions: WorkingDecisions = NO_DECISIONS) -> DeadlineBounds:
    """The cut-offs of the classes at `now` (timezone-aware) for the at-risk setting."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if at_risk_working_days < 0:
        raise ValueError(f"at_risk_working_days must be 0 or more, got {at_risk_working_days}")
    today = now.astimezone(LOCAL_TZ).date()
    end_of_today = datetime.combine(today + timedelta(days=1), time(), tzinfo=LOCAL_TZ)
    last_day = add_working_days(today, at_risk_working_days, decisions)
    at_risk_until = datetime.combine(last_day, END_OF_WORKING_DAY, tzinfo=LOCAL_TZ)
    return DeadlineBounds(now=now.astimezone(UTC), end_of_today=end_of_today.astimezone(UTC),
                          at_risk_until=max(at_risk_until, end_of_today).astimezone(UTC))


def deadline_class(due_at: datetime, status: str, bounds: DeadlineBounds) -> DeadlineClass | None:
    """The class of one item, or None when it is finished or not due soon."""
    if status in FINISHED_STATUSES:
        return None
    if due_at < bounds.now:
        return DeadlineClass.overdue
    if due_at < bounds.end_of_today:
        return DeadlineClass.due_today
    if due_at <= bounds.at_risk_until and status not in IN_HAND_STATUSES:
        return DeadlineClass.at_risk
    return None
