"""A postman's cash of the day and the official fees owed to each agency (pure arithmetic).

QĐ45 Art.11-12: the citizen pays postage, and the official fee the post collects on the
agency's behalf. TT17 Art.5(2)(g): official fees collected are remitted to the agency in full.
Money is integer VND throughout.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.domain.errors import DomainError


@dataclass(frozen=True)
class CashLine:
    """One delivery or collection of the day: what was due on it and what was taken."""

    due_vnd: int
    collected_vnd: int


@dataclass(frozen=True)
class CashDay:
    """A postman's day: expected, collected, remitted at the counter, and what is left."""

    expected_vnd: int
    collected_vnd: int
    remitted_vnd: int
    #: Remittances the postman signed that wait for the clerk's signature.
    pending_vnd: int

    @property
    def difference_vnd(self) -> int:
        """Collected minus expected: negative when the postman took less than was due."""
        return self.collected_vnd - self.expected_vnd

    @property
    def unremitted_vnd(self) -> int:
        """Collected and not yet handed to the counter (a pending remittance counts as handed)."""
        return self.collected_vnd - self.remitted_vnd - self.pending_vnd


def cash_day(lines: Iterable[CashLine], remitted_vnd: int = 0, pending_vnd: int = 0) -> CashDay:
    """Add up a day's lines and the remittances already made."""
    lines = list(lines)
    return CashDay(expected_vnd=sum(line.due_vnd for line in lines),
                   collected_vnd=sum(line.collected_vnd for line in lines),
                   remitted_vnd=remitted_vnd, pending_vnd=pending_vnd)


def check_remittance(amount_vnd: int, day: CashDay) -> None:
    """Refuse a remittance of nothing, or of more than was collected and not yet remitted."""
    if amount_vnd <= 0:
        raise DomainError("remittance_not_positive", "Số tiền nộp phải lớn hơn 0 đồng.",
                          {"amount_vnd": amount_vnd})
    if amount_vnd > day.unremitted_vnd:
        raise DomainError(
            "remittance_exceeds_collected",
            f"Số tiền nộp {format_vnd(amount_vnd)} lớn hơn số tiền bưu tá đã thu mà chưa nộp "
            f"({format_vnd(max(day.unremitted_vnd, 0))}). Kiểm tra lại số tiền.",
            {"amount_vnd": amount_vnd, "unremitted_vnd": day.unremitted_vnd,
             "collected_vnd": day.collected_vnd, "remitted_vnd": day.remitted_vnd,
             "pending_vnd": day.pending_vnd})


def official_fee_share(collected_vnd: int, official_fee_vnd: int) -> int:
    """The part of what was collected on an item that is the agency's official fee.

    TT17 Art.5(2)(g): the official fee is remitted to the agency in full, so cash taken on an
    item pays the fee first and the post's postage after it.
    """
    if collected_vnd < 0 or official_fee_vnd < 0:
        raise ValueError("amounts are never negative")
    return min(collected_vnd, official_fee_vnd)


def group_thousands(number: float) -> str:
    """A number as Vietnamese write it, rounded to a whole: dots between thousands
    (1925 → "1.925", -1250000 → "-1.250.000")."""
    return f"{number:,.0f}".replace(",", ".")


def format_vnd(amount_vnd: int) -> str:
    """Vietnamese money: dots between thousands, then "đ" (e.g. 1.250.000 đ). The one way
    money is written on every screen, paper and message."""
    return f"{group_thousands(amount_vnd)} đ"
