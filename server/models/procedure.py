"""The catalogue of administrative procedures (thủ tục hành chính)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import Model
from server.models.unit import Unit


class Procedure(Model):
    """One procedure, the agency handling it, and whether it may go by post (QĐ45 Art.1(2))."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    #: Lĩnh vực: social_insurance, police, transport, justice, land, …
    field: Mapped[str] = mapped_column(String(40), index=True)
    agency_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    postal_eligible: Mapped[bool] = mapped_column(default=True)
    #: The document checklist: [{"name": str, "original": bool, "count": int}].
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    official_fee_vnd: Mapped[int] = mapped_column(default=0)

    agency_unit: Mapped[Unit] = relationship()
