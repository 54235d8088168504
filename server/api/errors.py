"""The error envelope `{"error": {"code", "message", "details"}}` and the errors that use it."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from server.domain.errors import DomainError
from server.extensions import db
from server.services.errors import ServiceError

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


def _rolled_back(response: Response) -> Response:
    """Roll the request's transaction back so an error never leaves a partial write."""
    db.session.rollback()
    return response


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

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code, message = HTTP_ERROR_CODES.get(status, ("http_error", error.description or ""))
        response = _rolled_back(error_response(status, code, message))
        if status == 429 and error.get_response().headers.get("Retry-After"):
            response.headers["Retry-After"] = error.get_response().headers["Retry-After"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error")
        return _rolled_back(
            error_response(500, "internal_error", "Lỗi hệ thống, vui lòng thử lại sau.")
        )
