"""Personal data (Law 91/2025/QH15): the access log for supervisors, a citizen's export."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from server.core.spec import operation
from server.models import PersonalDataAccess
from server.privacy.schemas import (
    AccessList,
    AccessOut,
    AccessQuery,
    CitizenExportOut,
    ExportQuery,
)
from server.privacy.service import (
    EXPORT_ROLES,
    LOG_READERS,
    citizen_export,
    query_accesses,
)

bp = Blueprint("personal_data", __name__, url_prefix="/api/v1/personal-data")


def access_out(row: PersonalDataAccess) -> AccessOut:
    """One log row as the supervisor reads it."""
    return AccessOut(accessed_at=row.accessed_at, user=row.user.username,
                     user_name=row.user.full_name, role=row.user.role, unit=row.unit.name,
                     tracking_number=row.item.tracking_number, kind=row.kind, detail=row.detail)


@operation(bp, "/accesses", "GET", summary="Who opened which citizen's personal data",
           tag="personal-data", query=AccessQuery, response=AccessList, roles=LOG_READERS,
           errors=(404, 422))
def browse_accesses(query: AccessQuery) -> AccessList:
    """The log within the supervisor's units, by item and/or by user, newest first."""
    page = query_accesses(current_user, query.item, query.user,
                          query.limit, query.offset)
    return AccessList(accesses=[access_out(row) for row in page.rows], total=page.total,
                      limit=query.limit, offset=query.offset)


@operation(bp, "/export", "GET", summary="A citizen's personal data on request (JSON)",
           tag="personal-data", query=ExportQuery, response=CitizenExportOut, roles=EXPORT_ROLES,
           errors=(404, 422))
def export_citizen_data(query: ExportQuery) -> CitizenExportOut:
    """One item, or every item of a phone number, within the caller's unit; logged."""
    return CitizenExportOut.model_validate(
        citizen_export(current_user, query.item, query.phone))
