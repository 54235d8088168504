"""Cash: postmen's days, remittances at the counter (both sign), agency statements."""
from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask_login import current_user

from server.cash.schemas import (
    AgencyStatementOut,
    CashDayList,
    CashDayQuery,
    CashLineOut,
    PostmanCashOut,
    RemittanceCreate,
    RemittanceOut,
    RemittanceSign,
    StatementLineOut,
    StatementQuery,
)
from server.cash.service import (
    AgencyStatement,
    PostmanCash,
    agency_statement,
    cash_days,
    local_today,
    month_so_far,
    record_remittance,
    sign_remittance,
)
from server.core.spec import operation
from server.models import CashRemittance, Role

bp = Blueprint("cash", __name__, url_prefix="/api/v1/cash")

CASH_READERS = {Role.postman, Role.clerk, Role.supervisor, Role.admin}
STATEMENT_READERS = {Role.clerk, Role.supervisor, Role.admin, Role.agency}


def remittance_out(remittance: CashRemittance) -> RemittanceOut:
    """A remittance as the cash screens show it (signature images stay on the server)."""
    return RemittanceOut(
        id=remittance.id, postman=remittance.postman.username, clerk=remittance.clerk.username,
        unit=remittance.unit.code, day=remittance.business_day, amount_vnd=remittance.amount_vnd,
        status=remittance.status, postman_signed=bool(remittance.postman_signature_sha256),
        clerk_signed=bool(remittance.clerk_signature_sha256), created_at=remittance.created_at,
        closed_at=remittance.closed_at)


def postman_cash_out(found: PostmanCash) -> PostmanCashOut:
    """One postman's day."""
    totals = found.totals
    return PostmanCashOut(
        postman=found.postman.username, full_name=found.postman.full_name or found.postman.username,
        unit=found.postman.unit.name, day=found.day, expected_vnd=totals.expected_vnd,
        collected_vnd=totals.collected_vnd, remitted_vnd=totals.remitted_vnd,
        pending_vnd=totals.pending_vnd, difference_vnd=totals.difference_vnd,
        unremitted_vnd=totals.unremitted_vnd,
        lines=[CashLineOut.model_validate(line) for line in found.lines],
        remittances=[remittance_out(r) for r in found.remittances])


def statement_out(statement: AgencyStatement) -> AgencyStatementOut:
    """An agency statement."""
    return AgencyStatementOut(
        agency=statement.agency.code, agency_name=statement.agency.name,
        start=statement.first_day, end=statement.last_day,
        total_official_fee_vnd=statement.total_official_fee_vnd,
        total_collected_vnd=statement.total_collected_vnd,
        lines=[StatementLineOut.model_validate(line)
               for line in statement.lines])


@operation(bp, "/days", "GET", summary="Postmen's cash of a day: expected, collected, remitted",
           tag="cash", query=CashDayQuery, response=CashDayList, roles=CASH_READERS)
def list_cash_days(query: CashDayQuery) -> CashDayList:
    """A postman sees his own day; a clerk her office's postmen; a supervisor his units'."""
    day = query.day or local_today()
    found = cash_days(current_user, day, query.postman)
    return CashDayList(day=day, postmen=[postman_cash_out(p) for p in found])


@operation(bp, "/remittances", "POST", summary="Cash handed to the counter, signed by the postman",
           tag="cash", body=RemittanceCreate, response=RemittanceOut, status=201,
           roles={Role.clerk}, errors=(404,))
def open_remittance(body: RemittanceCreate) -> RemittanceOut:
    """Refused when larger than what the postman collected that day and has not remitted."""
    remittance = record_remittance(current_user, body.postman, body.day or local_today(),
                                   body.amount_vnd, body.postman_signature_sha256)
    return remittance_out(remittance)


@operation(bp, "/remittances/<int:remittance_id>/sign", "POST",
           summary="The clerk signs the remittance: it is closed", tag="cash",
           body=RemittanceSign, response=RemittanceOut, roles={Role.clerk}, errors=(404, 409))
def close_remittance(remittance_id: int, body: RemittanceSign) -> RemittanceOut:
    """A closed remittance is never signed again (409 `remittance_closed`)."""
    remittance = sign_remittance(current_user, remittance_id, body.clerk_signature_sha256)
    return remittance_out(remittance)


@operation(bp, "/agencies/<code>/statement", "GET",
           summary="Official fees collected on an agency's items in a period",
           tag="cash", query=StatementQuery, response=AgencyStatementOut,
           roles=STATEMENT_READERS, errors=(404,))
def read_agency_statement(code: str, query: StatementQuery) -> AgencyStatementOut:
    """TT17 Art.5(2)(g): remitted to the agency in full; by item, within the caller's scope."""
    first, last = statement_period(query)
    return statement_out(agency_statement(current_user, code, first, last))


def statement_period(query: StatementQuery) -> tuple[date, date]:
    """The asked period, this month so far by default."""
    default_first, default_last = month_so_far()
    return query.start or default_first, query.end or default_last
