"""The supervisors' dashboard page: a shell whose module signs in and draws /api/v1/dashboard."""
from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template

bp = Blueprint("dashboard", __name__,
               static_folder="../web/static/dashboard", static_url_path="/static/dashboard")


@bp.get("/supervisor")
def supervisor_dashboard() -> Response:
    """The shell in Vietnamese; the data comes from the API, so nothing here is personal."""
    response = make_response(render_template("dashboard.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
