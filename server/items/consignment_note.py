"""What the printed consignment note (phiếu gửi, TT17 Art.9) shows, from the intake event."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from server.domain.cash import format_vnd
from server.domain.service_time import ROUTE_CLASS_LABELS_VI, SERVICE_DAYS, RouteClass
from server.items.intake import ConsignmentNote
from server.items.labels import label_svg, tracking_url
from server.workdays.service import printed_due_at

ID_TYPE_LABELS_VI = {"cccd": "CCCD", "can_cuoc": "Thẻ căn cước", "passport": "Hộ chiếu",
                     "cmnd": "CMND", "vneid": "VNeID"}


@dataclass(frozen=True)
class FeeLine:
    """One fee as printed: before, taken off, paid."""

    label: str
    base_vnd: int
    discount_vnd: int
    paid_vnd: int


def fee_lines(note: ConsignmentNote) -> list[FeeLine]:
    """Postage and official fee; from the recorded quote, else the item's fees."""
    fees: dict[str, Any] = note.quoted_fees or {
        "postage_base_vnd": note.item.postage_vnd, "postage_discount_vnd": 0,
        "official_fee_base_vnd": note.item.official_fee_vnd, "official_fee_discount_vnd": 0}
    return [
        FeeLine("Cước phí bưu chính", fees["postage_base_vnd"], fees["postage_discount_vnd"],
                fees["postage_base_vnd"] - fees["postage_discount_vnd"]),
        FeeLine("Phí, lệ phí thu hộ cơ quan", fees["official_fee_base_vnd"],
                fees["official_fee_discount_vnd"],
                fees["official_fee_base_vnd"] - fees["official_fee_discount_vnd"]),
    ]


def note_context(note: ConsignmentNote, base_url: str) -> dict[str, Any]:
    """The template's values; the QR label is inline SVG (escaped by `label_svg`)."""
    item, evidence = note.item, note.intake.evidence
    route = RouteClass(item.route_class)
    return {
        "item": item, "intake": note.intake, "reduction": note.reduction,
        "qr": Markup(label_svg(tracking_url(base_url, item.tracking_number), item.tracking_number)),
        "tracking_url": tracking_url(base_url, item.tracking_number),
        "id_label": ID_TYPE_LABELS_VI.get(item.id_type or "", ""),
        "fees": fee_lines(note),
        "cash_vnd": evidence.get("cash_collected_vnd", 0),
        "route_label": ROUTE_CLASS_LABELS_VI[route],
        "printed_due_at": printed_due_at(item),
        "service_days": SERVICE_DAYS[route][1 if item.with_appointment_slip else 0],
        "counter": evidence.get("channel") == "counter",
        "citizen_signature": evidence.get("signature_sha256"),
        "staff_signature": evidence.get("clerk_signature_sha256") or evidence.get("postman_signature_sha256"),
        "staff_title": "Giao dịch viên" if evidence.get("channel") == "counter" else "Bưu tá",
        "vnd": format_vnd,
    }
