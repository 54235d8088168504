"""Fee catalogue: postage by route class and the exemptions and reductions (TT22/2017)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import Model
from server.models.types import UtcDateTime, utc_now


class PostageTariff(Model):
    """Postage per dossier one way for a route class (QĐ45 Art.11), set by an admin."""

    __tablename__ = "postage_tariffs"
    __table_args__ = (
        CheckConstraint("postage_vnd >= 0", name="postage_not_negative"),
        CheckConstraint(
            "route_class IN ('same_area', 'intra_province', 'major_cities', 'inter_province')",
            name="route_class_known"),
    )

    #: One of `RouteClass`.
    route_class: Mapped[str] = mapped_column(String(20), primary_key=True)
    postage_vnd: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class FeeReduction(Model):
    """An exemption (100 %) or reduction (e.g. 50 %) of postage and/or the official fee."""

    __tablename__ = "fee_reductions"
    __table_args__ = (
        CheckConstraint("postage_percent_off BETWEEN 0 AND 100", name="postage_percent_range"),
        CheckConstraint("official_fee_percent_off BETWEEN 0 AND 100",
                        name="official_fee_percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: Who it is for, as the clerk reads it: "Người có công với cách mạng".
    name: Mapped[str] = mapped_column(String(200))
    #: Where the rule comes from, printed on the consignment note.
    legal_basis: Mapped[str] = mapped_column(String(200), default="")
    postage_percent_off: Mapped[int] = mapped_column(default=0)
    official_fee_percent_off: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
