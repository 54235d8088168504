"""The supervisor's access log screen and the printable copy of a citizen's data (issue 16)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from server.core.access_log import commit_read_log
from server.core.errors import ServiceError
from server.domain.errors import DomainError
from server.domain.identity import normalize_phone
from server.privacy.service import (
    EXPORT_ROLES,
    LOG_READERS,
    citizen_export,
    query_accesses,
)

bp = Blueprint("personal_data_pages", __name__)

KIND_LABELS_VI = {
    "item_details": "Xem chi tiết bưu gửi",
    "custody_record": "Xem/xuất hồ sơ lưu vết",
    "export": "Xuất dữ liệu",
    "proof_image": "Xem ảnh bằng chứng",
    "citizen_export": "Trích xuất dữ liệu cho người dân",
}
PAGE_SIZE = 100


def _arg(name: str, longest: int) -> str:
    """A query-string value, trimmed and cut to what the field holds."""
    return request.args.get(name, "").strip()[:longest]


@bp.get("/personal-data/accesses")
def access_log_page() -> ResponseReturnValue:
    """Who opened which citizen's data: by item and/or by user, within the supervisor's units."""
    if not current_user.is_authenticated:
        return redirect(url_for("pages.pwa_shell"))
    item, username = _arg("item", 20), _arg("user", 80)
    context: dict[str, Any] = {"item": item, "user": username, "rows": None, "total": 0,
                               "error": None, "labels": KIND_LABELS_VI}
    if current_user.role not in LOG_READERS:
        context["error"] = "Chỉ kiểm soát viên được xem nhật ký truy cập dữ liệu cá nhân."
        return render_template("access_log.html", **context), 403
    try:
        page = query_accesses(current_user, item or None, username or None, PAGE_SIZE, 0)
    except (ServiceError, DomainError) as error:
        context["error"] = error.message
        return render_template("access_log.html", **context), getattr(error, "status", 422)
    context.update(rows=page.rows, total=page.total)
    return render_template("access_log.html", **context)


@bp.get("/personal-data/export")
def citizen_export_page() -> ResponseReturnValue:
    """A printable copy of a citizen's data on request: one item or every item of a phone."""
    if not current_user.is_authenticated:
        return redirect(url_for("pages.pwa_shell"))
    item, phone = _arg("item", 20), _arg("phone", 20)
    context: dict[str, Any] = {"item": item, "phone": phone, "export": None, "error": None}
    if current_user.role not in EXPORT_ROLES:
        context["error"] = ("Chỉ giao dịch viên hoặc kiểm soát viên được trích xuất dữ liệu cá "
                            "nhân theo yêu cầu của người dân.")
        return render_template("citizen_export.html", **context), 403
    if not item and not phone:
        return render_template("citizen_export.html", **context)
    try:
        export = citizen_export(current_user, item or None, normalize_phone(phone) if phone else None)
    except (ServiceError, DomainError) as error:
        context["error"] = error.message
        return render_template("citizen_export.html", **context), getattr(error, "status", 422)
    commit_read_log()  # the export is logged
    context["export"] = export
    return render_template("citizen_export.html", **context)
