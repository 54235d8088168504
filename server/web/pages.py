"""Public pages and the PWA shell."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_from_directory, url_for

from server.api.serializers import track_out
from server.domain.errors import DomainError
from server.domain.lifecycle import STATUS_LABELS_VI, ItemStatus
from server.services.errors import NotFound
from server.services.tracking import public_tracking
from server.domain.service_time import LOCAL_TZ

bp = Blueprint("pages", __name__, template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.app_template_filter("local_time")
def local_time(moment) -> str:  # type: ignore[no-untyped-def]
    """Show a UTC time as Vietnamese local time (Asia/Ho_Chi_Minh)."""
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


@bp.get("/t/")
def tracking_search() -> Response | str:
    """The tracking form; `?tn=` jumps to the item's page."""
    number = request.args.get("tn", "").strip()
    if number:
        return redirect(url_for("pages.tracking_page", tn=number.upper().replace(" ", "")))
    return render_template("tracking.html", tracking=None, error=None, number="")


@bp.get("/t/<tn>")
def tracking_page(tn: str) -> tuple[str, int] | str:
    """Public tracking page in Vietnamese: status and steps, nothing personal."""
    try:
        item, events, unit_names = public_tracking(tn)
    except DomainError as error:
        return render_template("tracking.html", tracking=None, error=error.message, number=tn), 422
    except NotFound as error:
        return render_template("tracking.html", tracking=None, error=error.message, number=tn), 404
    tracking = track_out(item, events, unit_names)
    return render_template("tracking.html", tracking=tracking, error=None, number=tn,
                           status_label=STATUS_LABELS_VI[ItemStatus(item.status)])


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
