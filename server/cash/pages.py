"""The printable statement of official fees owed to an agency (TT17 Art.5(2)(g)), in Vietnamese."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from server.cash.api import STATEMENT_READERS
from server.cash.service import agency_statement, local_today, month_so_far
from server.core.errors import ServiceError
from server.core.schemas import FIRST_RECORD_DATE, LAST_RECORD_DATE
from server.domain.cash import format_vnd
from server.domain.lifecycle import KIND_LABELS_VI, ItemKind

bp = Blueprint("statement_page", __name__)


def _date_arg(name: str, default: date) -> date:
    """A `YYYY-MM-DD` query value, or the default when absent."""
    text = request.args.get(name, "").strip()
    value = date.fromisoformat(text) if text else default
    if not FIRST_RECORD_DATE <= value <= LAST_RECORD_DATE:  # as `RecordDate` in the API
        raise ValueError(name)
    return value


@bp.get("/cash/agencies/<code>/statement")
def agency_statement_page(code: str) -> ResponseReturnValue:
    """Official fees collected on the agency's items, by item, with the total to remit."""
    if not current_user.is_authenticated:
        return redirect(url_for("pages.pwa_shell"))
    if current_user.role not in STATEMENT_READERS:
        return render_template("agency_statement.html", statement=None, code=code,
                               error="Vai trò của bạn không được xem bảng kê này."), 403
    first_default, last_default = month_so_far()
    try:
        first, last = _date_arg("start", first_default), _date_arg("end", last_default)
    except ValueError:
        return render_template("agency_statement.html", statement=None, code=code,
                               error="Ngày không hợp lệ: dùng dạng YYYY-MM-DD."), 422
    try:
        statement = agency_statement(current_user, code, first, last)
    except ServiceError as error:
        return render_template("agency_statement.html", statement=None, code=code,
                               error=error.message), error.status
    return render_template("agency_statement.html", statement=statement, code=code, error=None,
                           vnd=format_vnd, kind_label=lambda kind: KIND_LABELS_VI[ItemKind(kind)],
                           printed_on=local_today(), printed_by=current_user)
