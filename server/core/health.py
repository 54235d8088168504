"""Health check for load balancers: is this server up and can it reach its database?"""
from __future__ import annotations

from typing import Literal

from flask import Blueprint
from sqlalchemy import text

from server.core.schemas import ResponseModel
from server.core.spec import operation
from server.extensions import db

bp = Blueprint("health", __name__)


class HealthOut(ResponseModel):
    """The server answers and its database answered `SELECT 1`."""

    status: Literal["ok"]
    database: Literal["ok"]


@operation(bp, "/healthz", "GET", summary="Health check: the server and its database answer",
           tag="health", response=HealthOut, public=True, errors=(503,))
def healthz() -> HealthOut:
    """200 when the database answers; an unreachable database answers 503 `database_unavailable`.

    The balancer takes a server out of rotation on 503 and back when it answers again: the
    pool's pre-ping replaces dead connections, so no restart is needed.
    """
    db.session.execute(text("SELECT 1"))
    return HealthOut(status="ok", database="ok")
