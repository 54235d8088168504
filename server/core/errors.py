"""Errors a use case raises; the API turns each into the envelope with its status."""
from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A use case refused: stable `code`, Vietnamese `message`, machine-readable `details`."""

    status = 400

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class NotFound(ServiceError):
    """The thing does not exist, or lies outside the caller's scope (never say which)."""

    status = 404


class Forbidden(ServiceError):
    """The caller's role may not do this."""

    status = 403


class Conflict(ServiceError):
    """The request clashes with what is recorded (closed record, item not held…)."""

    status = 409


class Invalid(ServiceError):
    """The values are well-formed but not acceptable."""

    status = 422
