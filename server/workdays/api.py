"""The working calendar: every signed-in user reads it, the administrator keeps it."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from server.core.spec import operation
from server.models import Role
from server.workdays.schemas import (
    CalendarDayOut,
    CalendarDecisionIn,
    CalendarDecisionOut,
    CalendarOut,
    CalendarQuery,
)
from server.workdays.service import calendar_range, parse_calendar_date, set_decision

bp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar")


@operation(bp, "", "GET", summary="Working days of a range (at most 366 days)",
           tag="calendar", query=CalendarQuery, response=CalendarOut)
def get_calendar(query: CalendarQuery) -> CalendarOut:
    """Every day of the range: working or not, and why."""
    return CalendarOut(days=[
        CalendarDayOut(date=day.day, working=day.working, reason=day.reason, legal_basis=basis)
        for day, basis in calendar_range(query.from_, query.to)])


@operation(bp, "/<day>", "PUT", summary="Record the State's decision about a day",
           tag="calendar", body=CalendarDecisionIn, response=CalendarDecisionOut,
           roles={Role.admin})
def put_calendar_day(day: str, body: CalendarDecisionIn) -> CalendarDecisionOut:
    """Add or change a decision; the open deadlines it affects move, each move recorded."""
    row, moved = set_decision(current_user, parse_calendar_date(day), body.working,
                              body.reason, body.legal_basis)
    return CalendarDecisionOut(date=row.day, working=row.working, reason=row.reason,
                               legal_basis=row.legal_basis, deadlines_moved=moved)
