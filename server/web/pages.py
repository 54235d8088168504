"""Public pages, the printable custody of an item, and the PWA shell."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from server.audit.export import (
    EXPORT_ROLES,
    configured_signing_key,
    custody_export,
    public_key_pem,
)
from server.core.access_log import commit_read_log, log_access
from server.core.errors import NotFound
from server.custody.pages import IMAGE_ROLES, custody_steps
from server.custody.record import custody_names
from server.domain.errors import DomainError
from server.domain.lifecycle import (
    KIND_LABELS_VI,
    STATUS_LABELS_VI,
    ItemKind,
    ItemStatus,
)
from server.domain.local_time import day_text, local_time_text
from server.extensions import limiter
from server.items.consignment_note import note_context
from server.items.intake import consignment_note
from server.items.serializers import track_out
from server.items.tracking import failure_notice, public_tracking

bp = Blueprint("pages", __name__, template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.app_template_filter("local_time")
def local_time(moment: datetime) -> str:
    """Show a UTC time as Vietnamese local time (Asia/Ho_Chi_Minh)."""
    return local_time_text(moment)


@bp.app_template_filter("day")
def day(value: date) -> str:
    """Show a day as written: 03/12/2026."""
    return day_text(value)


@bp.get("/t/")
def tracking_search() -> ResponseReturnValue:
    """The tracking form; `?tn=` jumps to the item's page."""
    number = request.args.get("tn", "").strip()
    if number:
        return redirect(url_for("pages.tracking_page", tn=number.upper().replace(" ", "")))
    return render_template("tracking.html", tracking=None, error=None, number="")


@bp.get("/t/<tn>")
@limiter.limit(lambda: current_app.config["TRACKING_RATE_LIMIT"])  # as the API: no enumeration
def tracking_page(tn: str) -> tuple[str, int] | str:
    """Public tracking page in Vietnamese: status and steps, nothing personal."""
    try:
        item, events, unit_names = public_tracking(tn)
    except DomainError as error:
        return render_template("tracking.html", tracking=None, error=error.message, number=tn), 422
    except NotFound as error:
        return render_template("tracking.html", tracking=None, error=error.message, number=tn), 404
    tracking = track_out(item, events, unit_names, failure_notice(item, events))
    return render_template("tracking.html", tracking=tracking, error=None, number=tn,
                           status_label=STATUS_LABELS_VI[ItemStatus(item.status)])


@bp.get("/items/<tn>/custody")
def custody_page(tn: str) -> ResponseReturnValue:
    """The custody of an item as a Vietnamese timeline, printable; the hashes and the
    export's signature under "Chi tiết kỹ thuật"."""
    if not current_user.is_authenticated:
        return redirect(url_for("pages.pwa_shell"))
    if current_user.role not in EXPORT_ROLES:
        return render_template("custody.html", document=None, number=tn,
                               error="Vai trò của bạn không được xem hồ sơ lưu vết này."), 403
    key = configured_signing_key()
    try:
        document = custody_export(current_user, tn, key)
    except DomainError as error:
        return render_template("custody.html", document=None, number=tn, error=error.message), 422
    except NotFound as error:
        return render_template("custody.html", document=None, number=tn, error=error.message), 404
    body = document["body"]
    names = custody_names(current_user, body)
    steps = custody_steps(body, names, current_user.role)
    commit_read_log()  # the opening is logged (personal data, issue 16)
    return render_template(
        "custody.html", document=document, body=body, number=tn, error=None,
        steps=steps, names=names, shows_proof=current_user.role in IMAGE_ROLES,
        public_key_pem=public_key_pem(key),
        kind_label=KIND_LABELS_VI[ItemKind(body["item"]["kind"])],
        status_label=STATUS_LABELS_VI[ItemStatus(body["item"]["status"])],
        exported_at=local_time(datetime.fromisoformat(body["exported_at"])),
        filed_at=(local_time_text(datetime.fromisoformat(body["item"]["filed_at"]), seconds=True)
                  if body["item"].get("filed_at") else None),
    )


@bp.get("/items/<tn>/consignment-note")
def consignment_note_page(tn: str) -> ResponseReturnValue:
    """The printable consignment note (phiếu gửi, TT17 Art.9) of a dossier, A5, one page."""
    if not current_user.is_authenticated:
        return redirect(url_for("pages.pwa_shell"))
    try:
        note = consignment_note(current_user, tn)
    except DomainError as error:
        return render_template("consignment_note.html", number=tn, error=error.message), 422
    except NotFound as error:
        return render_template("consignment_note.html", number=tn, error=error.message), 404
    log_access(current_user, note.item, "item_details", "consignment_note")
    commit_read_log()
    return render_template("consignment_note.html", number=tn, error=None,
                           **note_context(note, current_app.config["BASE_URL"]))


def _pwa_dist() -> Path:
    """The built field app."""
    return Path(current_app.config["PWA_DIST"])


@bp.get("/")
def pwa_shell() -> Response:
    """The field app's shell."""
    if not (_pwa_dist() / "index.html").exists():
        abort(503, "The field app is not built: run `make run` (npm run build in pwa/).")
    response = send_from_directory(_pwa_dist(), "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<path:filename>")
def pwa_file(filename: str) -> Response:
    """Files of the built field app (the service worker must sit at the root for its scope)."""
    response = send_from_directory(_pwa_dist(), filename)
    if filename in {"sw.js", "manifest.webmanifest"}:
        response.headers["Cache-Control"] = "no-cache"
    return response
