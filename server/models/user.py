"""People who sign in, and the API tokens of machine clients."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import Model
from server.models.types import UtcDateTime, utc_now
from server.models.unit import Unit


class Role(StrEnum):
    """What a user may do; see docs/design.md §2."""

    #: Quản trị: units, users, catalogue, tokens.
    admin = "admin"
    #: Kiểm soát viên: audit, verification, reports.
    supervisor = "supervisor"
    #: Giao dịch viên: counter intake, handovers, cash.
    clerk = "clerk"
    #: Cán bộ một cửa: receives dossiers, registers results.
    agency = "agency"
    #: Bưu tá: collects and delivers in the field.
    postman = "postman"


class User(UserMixin, Model):
    """A signed-in person (or the service account behind an API token)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'supervisor', 'clerk', 'agency', 'postman')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Bumped on logout and password change: invalidates every session cookie of the user.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    unit: Mapped[Unit] = relationship()

    @property
    def is_active(self) -> bool:
        """Flask-Login: disabled accounts cannot sign in."""
        return self.active

    def get_id(self) -> str:
        """Flask-Login: the session remembers the user and the session version."""
        return f"{self.id}:{self.session_version}"


class ApiToken(Model):
    """A bearer token of a machine client (an agency's system); only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    #: Refused from then on (API_TOKEN_DAYS after it was issued, unless told otherwise).
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()
