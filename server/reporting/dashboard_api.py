"""The supervisors' dashboard data (issue 5): one read of the caller's unit subtree."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from server.core.spec import operation
from server.models import Role
from server.reporting.dashboard import build_dashboard
from server.reporting.dashboard_schemas import DashboardOut

bp = Blueprint("dashboard_api", __name__, url_prefix="/api/v1/dashboard")


@operation(bp, "", "GET", summary="Supervisors' dashboard: flags, postmen, overdue, 30 days, map",
           tag="dashboard", response=DashboardOut, roles={Role.supervisor, Role.admin})
def dashboard() -> DashboardOut:
    """Today's figures of the caller's unit subtree, counted by the database."""
    board = build_dashboard(current_user)
    return DashboardOut.model_validate(board)
