"""Items (bưu gửi): one sealed envelope, a dossier or a result, and its tracking serials."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.lifecycle import ItemStatus
from server.extensions import Model
from server.models.procedure import Procedure
from server.models.types import UtcDateTime, one_of, utc_now
from server.models.unit import Unit
from server.models.user import User

GENESIS_HASH = "0" * 64

#: The status of an item between its insert and its first custody event, both in the one
#: transaction that registers it (the event needs the item's id): never seen committed.
UNPLACED = ""
#: The values `items.status` may hold: the lifecycle's statuses (server/domain/lifecycle.py).
ITEM_STATUS_VALUES: tuple[str, ...] = (UNPLACED, *ItemStatus)


class TrackingSerial(Model):
    """The last S10 serial handed out per prefix: one row, bumped in the item's transaction.

    Because the bump commits or rolls back with the item, serials have no gaps and are
    never reused (docs/design.md §9).
    """

    __tablename__ = "tracking_serials"

    prefix: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


class Item(Model):
    """One item; its `status` and holder are only ever moved by custody events."""

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("kind IN ('dossier', 'result')", name="kind_known"),
        CheckConstraint("postage_vnd >= 0 AND official_fee_vnd >= 0", name="fees_not_negative"),
        CheckConstraint("event_count >= 0", name="event_count_not_negative"),
        CheckConstraint(one_of("status", ITEM_STATUS_VALUES), name="status_known"),
        Index("ix_items_holder_user_status", "holder_user_id", "status"),
        Index("ix_items_post_office_status", "post_office_unit_id", "status"),
        Index("ix_items_agency_status", "agency_unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(13), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    dossier_code: Mapped[str | None] = mapped_column(String(60), index=True)
    agency_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    post_office_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    #: The dossier a result answers, where known.
    linked_dossier_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))

    citizen_name: Mapped[str] = mapped_column(String(200))
    citizen_phone: Mapped[str] = mapped_column(String(10))
    #: The ID number is never kept in full (Law 91/2025): type, last four, keyed hash.
    id_type: Mapped[str | None] = mapped_column(String(10))
    id_last4: Mapped[str | None] = mapped_column(String(4))
    id_keyed_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    address_province: Mapped[str] = mapped_column(String(100))
    address_commune: Mapped[str] = mapped_column(String(100))
    #: Official codes (Decision 19/2025/QĐ-TTg) of the checked province and commune; None on
    #: records made before the two-level map was checked.
    address_province_code: Mapped[str | None] = mapped_column(String(2))
    address_commune_code: Mapped[str | None] = mapped_column(String(5))
    #: The pre-2025 three-level address as written on the citizen's papers, kept verbatim.
    address_legacy: Mapped[str | None] = mapped_column(String(300))
    #: Quận/huyện of records made before the two-level reform of 1 July 2025.
    address_district: Mapped[str | None] = mapped_column(String(100))
    address_line: Mapped[str] = mapped_column(String(300))
    address_lat: Mapped[float | None]
    address_lon: Mapped[float | None]

    #: The counted documents: [{"name": str, "original": bool, "count": int}].
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    postage_vnd: Mapped[int] = mapped_column(default=0)
    official_fee_vnd: Mapped[int] = mapped_column(default=0)
    route_class: Mapped[str] = mapped_column(String(20))
    with_appointment_slip: Mapped[bool] = mapped_column(default=False)
    #: J: when the consignment note was made (TT17 Art.7).
    consigned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    #: The legal filing time of a dossier: the officer's signature on the handover record that
    #: received it complete (QĐ45 Art.7; Art.7(4) for a supplement). Set by custody events only.
    filed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: Hash of the newest custody event: deleting the last event is detectable.
    head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    event_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    procedure: Mapped[Procedure] = relationship()
    agency_unit: Mapped[Unit] = relationship(foreign_keys=[agency_unit_id])
    post_office_unit: Mapped[Unit | None] = relationship(foreign_keys=[post_office_unit_id])
    holder_user: Mapped[User | None] = relationship(foreign_keys=[holder_user_id])
    holder_unit: Mapped[Unit | None] = relationship(foreign_keys=[holder_unit_id])
    linked_dossier: Mapped[Item | None] = relationship(remote_side=[id])
