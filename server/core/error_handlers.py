"""The error envelope `{"error": {"code", "message", "details"}}` and the errors that use it."""
from __future__ import annotations

import traceback
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from server.core.errors import ServiceError
from server.domain.errors import DomainError
from server.domain.state_machines import TransitionError
from server.extensions import db

#: Stable codes for the HTTP errors Flask or Werkzeug raise by themselves.
HTTP_ERROR_CODES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("auth_required", "Vui lòng đăng nhập."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn."),
    415: ("unsupported_media_type", "Định dạng không được hỗ trợ."),
    429: ("rate_limited", "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút."),
}


#: Seconds a client is asked to wait (Retry-After) when the database cannot be reached.
DATABASE_RETRY_AFTER_S = 5
#: PostgreSQL error classes that mean "the server is not there right now", not a fault of
#: the request: 08 connection exception, 57P01 admin shutdown, 57P02 crash shutdown,
#: 57P03 cannot connect now (starting up).
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


class ApiError(Exception):
    """An error answered with the envelope and the given HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    """Build the JSON error envelope."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def database_unavailable(error: DBAPIError) -> bool:
    """Whether a database error means it cannot be reached or locked right now.

    True for a connection lost mid-request, a connection that cannot be opened (PostgreSQL
    stopped: psycopg reports it without an SQLSTATE, and no statement was sent), PostgreSQL
    shutting down or starting, and SQLite's "database is locked" after the busy timeout.
    Anything else is a fault.
    """
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlite_name = getattr(original, "sqlite_errorname", None)
    if sqlite_name is not None:
        return bool(sqlite_name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")))
    if "database is locked" in str(original):  # pysqlite built without error names
        return True
    if type(original).__module__.startswith("psycopg"):
        sqlstate = getattr(original, "sqlstate", None)
        if sqlstate is None:  # raised by psycopg itself while connecting (refused, timed out)
            return isinstance(error, OperationalError) and error.statement is None
        return bool(sqlstate.startswith(UNAVAILABLE_SQLSTATES))
    return False


def database_fault(error: DBAPIError) -> str:
    """What a database error is, without the values it may quote.

    PostgreSQL's DETAIL ("Failing row contains (…)") holds a whole row, a citizen's name and
    phone included, so only its class, SQLSTATE and the names of the table, column and
    constraint are kept. SQLite's messages name columns, never values.
    """
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg
        return (f"{type(original).__name__} SQLSTATE {getattr(original, 'sqlstate', None)} "
                f"table={diag.table_name} column={diag.column_name} "
                f"constraint={diag.constraint_name}")
    return f"{type(original).__name__}: {original}"


def _rolled_back(response: Response) -> Response:
    """Roll the request's transaction back so an error never leaves a partial write."""
    db.session.rollback()
    return response


def _no_api_route(app: Flask, error: MethodNotAllowed) -> bool:
    """True when an /api/ path matched only a non-API rule (the field app's GET catch-all).

    `POST /api/v1/handovers/abc/accept` matches no API rule (the id is not an integer), but
    the PWA's `GET /<path:filename>` makes Werkzeug answer 405; the truth is 404.
    """
    if not request.path.startswith("/api/"):
        return False
    adapter = app.url_map.bind_to_environ(request.environ)
    for method in error.valid_methods or ():
        try:
            rule, _ = adapter.match(request.path, method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.rule.startswith("/api/"):
            return False
    return True


def register_error_handlers(app: Flask) -> None:
    """Answer every error, expected or not, with the envelope."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return _rolled_back(error_response(error.status, error.code, error.message, error.details))

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Response:
        return _rolled_back(error_response(error.status, error.code, error.message, error.details))

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return _rolled_back(error_response(422, error.code, error.message, error.details))

    @app.errorhandler(TransitionError)
    def _transition_error(error: TransitionError) -> Response:
        # A record someone else signed, cancelled or resolved meanwhile: a conflict.
        return _rolled_back(error_response(409, error.code, error.message, error.details))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        if isinstance(error, MethodNotAllowed) and _no_api_route(app, error):
            status = 404
        code, message = HTTP_ERROR_CODES.get(status, ("http_error", error.description or ""))
        response = _rolled_back(error_response(status, code, message))
        if status == 429 and error.get_response().headers.get("Retry-After"):
            response.headers["Retry-After"] = error.get_response().headers["Retry-After"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        app.logger.error("unhandled error", exc_info=error)
        return _rolled_back(
            error_response(500, "internal_error", "Lỗi hệ thống, vui lòng thử lại sau.")
        )

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError) -> Response:
        if not database_unavailable(error):
            # Not logged with str(error): its DETAIL may quote a citizen's row (database_fault).
            app.logger.error("unhandled database error: %s\n[SQL: %s]\n%s", database_fault(error),
                             error.statement, "".join(traceback.format_tb(error.__traceback__)))
            return _rolled_back(
                error_response(500, "internal_error", "Lỗi hệ thống, vui lòng thử lại sau.")
            )
        # Rolled back (or gone with its connection): nothing of the request is written, so the
        # client may send it again as it is. A commit cut off half-way may have landed; a
        # resent sync is still safe (idempotent by event UUID).
        app.logger.warning("database unavailable: %s", type(error.orig).__name__)
        return _database_unavailable_response()

    @app.errorhandler(PoolTimeout)
    def _pool_exhausted(_error: PoolTimeout) -> Response:
        # Every pooled connection stayed busy for DB_POOL_TIMEOUT_S: as for a database
        # that cannot be reached, nothing was written and the client may retry.
        app.logger.warning("database unavailable: connection pool exhausted")
        return _database_unavailable_response()

    def _database_unavailable_response() -> Response:
        response = _rolled_back(error_response(
            503, "database_unavailable",
            "Máy chủ tạm thời không truy cập được cơ sở dữ liệu; chưa có gì được ghi. "
            f"Vui lòng thử lại sau {DATABASE_RETRY_AFTER_S} giây.",
            {"retry_after_s": DATABASE_RETRY_AFTER_S}))
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
        return response
