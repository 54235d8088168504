"""Supervisor reports (TT17 Art.13): the summary of a period as JSON, CSV and XLSX."""
from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from server.core.spec import operation
from server.domain.local_time import local_day
from server.domain.periods import Period, parse_period
from server.models import Role
from server.models.types import utc_now
from server.reporting.exports import export_name, summary_csv, summary_xlsx
from server.reporting.reports import summarize
from server.reporting.schemas import ReportQuery, ReportSummary
from server.reporting.serializers import summary_out

bp = Blueprint("reports", __name__, url_prefix="/api/v1")

#: Supervisors and admins see their unit's subtree; an agency officer only their own agency.
REPORT_ROLES = {Role.supervisor, Role.admin, Role.agency}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(query: ReportQuery) -> Period:
    """The period asked for, judged against today's local date."""
    today = local_day(utc_now())
    return parse_period(query.period, query.start, query.end, today)


def _summary(query: ReportQuery) -> ReportSummary:
    """The report the query asks for, within the caller's scope."""
    return summary_out(summarize(current_user, _period(query), query.unit))


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    """An export offered as a file to save."""
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@operation(bp, "/reports/summary", "GET", summary="Summary report of a period (TT17 Art.13)",
           tag="reports", query=ReportQuery, response=ReportSummary, roles=REPORT_ROLES,
           errors=(404,))
def report_summary(query: ReportQuery) -> ReportSummary:
    """Volumes by direction and field, deadlines, failures, returns and cash of the period."""
    return _summary(query)


@operation(bp, "/reports/summary.csv", "GET", summary="Summary report as CSV (UTF-8 with BOM)",
           tag="reports", query=ReportQuery, roles=REPORT_ROLES, produces="text/csv",
           errors=(404,))
def report_summary_csv(query: ReportQuery) -> Response:
    """One row per figure: section, key, value, Vietnamese label."""
    summary = _summary(query)
    return _download(summary_csv(summary), "text/csv", export_name(summary, "csv"))


@operation(bp, "/reports/summary.xlsx", "GET", summary="Summary report as an Excel workbook",
           tag="reports", query=ReportQuery, roles=REPORT_ROLES, produces=XLSX_MIMETYPE,
           errors=(404,))
def report_summary_xlsx(query: ReportQuery) -> Response:
    """The same rows as the CSV, in a sheet with Vietnamese headers."""
    summary = _summary(query)
    return _download(summary_xlsx(summary), XLSX_MIMETYPE, export_name(summary, "xlsx"))
