"""Cash remittances (nộp tiền / kết toán cuối ngày): a postman hands his day's cash to the clerk."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.state_machines import RemittanceStatus
from server.extensions import Model
from server.models.types import UtcDateTime, one_of, utc_now
from server.models.unit import Unit
from server.models.user import User


class CashRemittance(Model):
    """Cash a postman handed to the counter for one working day; both sign.

    The postman signs when he hands the cash over (the record is `open`), the clerk signs
    when she has counted it (`closed`). A closed remittance is never signed again.
    """

    __tablename__ = "cash_remittances"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        CheckConstraint(one_of("status", RemittanceStatus), name="status_known"),
        CheckConstraint("status = 'open' OR clerk_signature_sha256 IS NOT NULL",
                        name="closed_is_signed"),
        Index("ix_cash_remittances_postman_day", "postman_user_id", "business_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    postman_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The clerk who took the cash (and signs it closed).
    clerk_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The post office whose counter took the cash.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: The postman's working day (local date) the cash was collected on.
    business_day: Mapped[date] = mapped_column(Date)
    amount_vnd: Mapped[int]
    #: open: the postman has signed; closed: the clerk has signed too.
    status: Mapped[str] = mapped_column(String(10), default="open")
    postman_signature_sha256: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    clerk_signature_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    postman: Mapped[User] = relationship(foreign_keys=[postman_user_id])
    clerk: Mapped[User] = relationship(foreign_keys=[clerk_user_id])
    unit: Mapped[Unit] = relationship()
