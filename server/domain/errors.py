"""The one error type the domain raises when input breaks a business rule."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A broken business rule, with a stable code and a Vietnamese message a user can act on."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        """Keep the code for machines, the message for people and the details for both."""
        super().__init__(message)
        self.code = code
        self.message = message
        # Copied so a caller mutating its dict later cannot change an error already raised.
        self.details: dict[str, Any] = dict(details) if details else {}

    def __str__(self) -> str:
        """Return the Vietnamese message."""
        return self.message

    def __repr__(self) -> str:
        """Return a debugging form that shows the code and the details."""
        return f"DomainError({self.code!r}, {self.message!r}, {self.details!r})"
