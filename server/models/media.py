"""Images (signatures, photos, authorisations), stored by their SHA-256."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import Model
from server.models.types import UtcDateTime, utc_now


class Media(Model):
    """One uploaded image; the bytes live in MEDIA_DIR under their hash."""

    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    #: The one hand-over a signature or authorisation was first cited for
    #: (`server.domain.evidence_images.handover_key`: a digest of the parties, nothing
    #: personal), and when it happened; None while no event cites it so.
    bound_key: Mapped[str | None] = mapped_column(String(64))
    bound_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
