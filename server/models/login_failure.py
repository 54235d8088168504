"""Failed sign-ins of the last minutes, the counters of the login throttle.

Kept in the database so every worker process and every server counts the same failures
(a counter in each process let 19 failures through a limit of 10 with two workers).
Only keyed digests of the account and the address are stored: a username typed at a failed
sign-in is sometimes the password, and an address is personal data. Rows older than the
window are deleted as new failures come in.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import Model
from server.models.types import UtcDateTime, utc_now


class LoginFailure(Model):
    """One wrong password (or unknown or disabled account), at a time, from an address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_failed_at", "account_digest", "failed_at"),
        Index("ix_login_failures_address_failed_at", "address_digest", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC-SHA256 (SECRET_KEY) of the username as typed, trimmed and in lower case.
    account_digest: Mapped[str] = mapped_column(String(64))
    #: HMAC-SHA256 (SECRET_KEY) of the client's address (after TRUSTED_PROXY_HOPS).
    address_digest: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
