"""Who opened which citizen's personal data, and when (Law 91/2025/QH15; Decree 356/2025/NĐ-CP)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import Model
from server.models.item import Item
from server.models.types import UtcDateTime, utc_now
from server.models.unit import Unit
from server.models.user import User

#: What was opened; kept in step with the CHECK constraint below.
ACCESS_KINDS = ("item_details", "custody_record", "export", "proof_image", "citizen_export")


class PersonalDataAccess(Model):
    """One opening of one item's personal data by one user; written once, never changed.

    It names the item, never the citizen: the log itself holds no more personal data.
    """

    __tablename__ = "personal_data_accesses"
    __table_args__ = (
        CheckConstraint("kind IN ('item_details', 'custody_record', 'export', 'proof_image', "
                        "'citizen_export')", name="kind_known"),
        Index("ix_personal_data_accesses_item_at", "item_id", "accessed_at"),
        Index("ix_personal_data_accesses_user_at", "user_id", "accessed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    accessed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The user's unit at the time (a user may move later).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    kind: Mapped[str] = mapped_column(String(20))
    #: e.g. the export's format, or the first 12 hex digits of an image's hash.
    detail: Mapped[str | None] = mapped_column(String(80))

    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
    item: Mapped[Item] = relationship()
