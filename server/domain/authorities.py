"""Which authority receives the post's reports on the public postal service (TT17 Art.13).

TT17/2017/TT-BTTTT Art.13 sends the periodic report of the dossier-and-result service to the
provincial Department of Information and Communications. In 2025 the Ministry of Information
and Communications was merged into the Ministry of Science and Technology, which now manages
the postal sector (Nghị định 55/2025/NĐ-CP, Điều 1), and the provinces' Departments of
Information and Communications were merged into their Departments of Science and Technology:
the report now goes to the provincial Sở Khoa học và Công nghệ.
"""
from __future__ import annotations

from dataclasses import dataclass

#: The ministry that manages the postal sector since 1 March 2025.
POSTAL_MINISTRY_VI = "Bộ Khoa học và Công nghệ"
REPORT_RECIPIENT_BASIS_VI = ("Thông tư 17/2017/TT-BTTTT, Điều 13; Nghị định 55/2025/NĐ-CP "
                             "(Bộ Khoa học và Công nghệ quản lý nhà nước về bưu chính)")
_PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ", "TP. ", "TP ")


@dataclass(frozen=True)
class ReportRecipient:
    """The authority a report is addressed to, and why."""

    name: str
    legal_basis: str


def report_recipient(province: str) -> ReportRecipient:
    """The provincial Department of Science and Technology of `province` (TT17 Art.13).

    A unit without a recorded province still gets the right kind of authority, unnamed.
    """
    name = province.strip()
    for prefix in _PROVINCE_PREFIXES:
        name = name.removeprefix(prefix)
    department = f"Sở Khoa học và Công nghệ {name}" if name else "Sở Khoa học và Công nghệ"
    return ReportRecipient(department, REPORT_RECIPIENT_BASIS_VI)
