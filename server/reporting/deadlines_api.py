"""Service deadlines: what is overdue, due today and at risk in the caller's scope."""
from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from server.core.spec import operation
from server.domain.deadlines import DEADLINE_LABELS_VI
from server.domain.lifecycle import STATUS_LABELS_VI, ItemStatus
from server.models import Role
from server.reporting.deadlines import deadline_list
from server.reporting.deadlines_schemas import (
    DeadlineCounts,
    DeadlineItem,
    DeadlineList,
    DeadlineQuery,
)

bp = Blueprint("deadlines", __name__, url_prefix="/api/v1/deadlines")


@operation(bp, "", "GET", summary="Items overdue, due today and at risk (TT17 Art.7)",
           tag="deadlines", query=DeadlineQuery, response=DeadlineList,
           roles={Role.clerk, Role.supervisor, Role.postman, Role.admin})
def list_deadlines(query: DeadlineQuery) -> DeadlineList:
    """A postman sees his bag; a clerk her office; a supervisor the units below him."""
    found = deadline_list(current_user, [query.deadline] if query.deadline else None,
                          query.limit)
    return DeadlineList(
        counts=DeadlineCounts(**{name.value: count for name, count in found.counts.items()}),
        now=found.bounds.now, end_of_today=found.bounds.end_of_today,
        at_risk_until=found.bounds.at_risk_until,
        at_risk_working_days=current_app.config["DEADLINE_AT_RISK_WORKING_DAYS"],
        items=[DeadlineItem(
            tracking_number=item.tracking_number, kind=item.kind, status=item.status,
            status_label=STATUS_LABELS_VI[ItemStatus(item.status)], deadline=deadline,
            deadline_label=DEADLINE_LABELS_VI[deadline], due_at=item.due_at,
            procedure_name=item.procedure.name, citizen_name=item.citizen_name,
            commune=item.address_commune,
            holder=(item.holder_user.full_name or item.holder_user.username) if item.holder_user
            else (item.holder_unit.name if item.holder_unit else None))
            for item, deadline in found.items],
    )
