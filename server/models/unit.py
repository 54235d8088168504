"""Units: the province, its post offices and its agencies, as a tree."""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import Model


class UnitKind(StrEnum):
    """What a unit is."""

    #: Tỉnh / thành phố: the root of a tree.
    province = "province"
    #: Bưu cục.
    post_office = "post_office"
    #: Cơ quan (with its one-stop desk).
    agency = "agency"


class Unit(Model):
    """A post office, an agency or a province; `path` makes subtree queries one LIKE."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("kind IN ('province', 'post_office', 'agency')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: "/<root id>/…/<own id>/" — ancestors first, so a subtree is `path LIKE '<path>%'`.
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    province: Mapped[str] = mapped_column(String(100), default="")
    commune: Mapped[str] = mapped_column(String(100), default="")
    address_line: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
