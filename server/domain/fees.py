"""Fees of an item (QĐ45 Art.11-12): what a citizen pays, and what is still due."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.domain.errors import DomainError
from server.domain.lifecycle import ItemKind, ItemStatus

#: Statuses in which the post still has money to collect from the citizen.
CASH_DUE_STATUSES: frozenset[ItemStatus] = frozenset({
    ItemStatus.requested, ItemStatus.registered, ItemStatus.at_post,
    ItemStatus.out_for_delivery, ItemStatus.attempt_failed, ItemStatus.held_for_pickup,
})


def cash_due_vnd(kind: str, status: str | None, postage_vnd: int, official_fee_vnd: int) -> int:
    """Return the postage and official fee still to be collected in an item's status.

    QĐ45 Art.11-12: the citizen pays the postage, and the official fee the post collects on
    the agency's behalf, once. Counter intake is paid at the counter (the dossier is created
    at_post with its fees), so a dossier owes nothing once collected; a result owes its fees
    until delivered. A dossier not yet taken in (status None: the counter's first event is
    being judged) owes everything.
    """
    if kind == ItemKind.dossier:
        return postage_vnd + official_fee_vnd if status in (None, ItemStatus.requested) else 0
    if status not in CASH_DUE_STATUSES:
        return 0
    return postage_vnd + official_fee_vnd


@dataclass(frozen=True)
class Reduction:
    """An exemption or reduction of TT22/2017 (e.g. people with meritorious service: 50 %)."""

    code: str
    name: str
    postage_percent_off: int
    official_fee_percent_off: int

    def __post_init__(self) -> None:
        for percent in (self.postage_percent_off, self.official_fee_percent_off):
            if not 0 <= percent <= 100:
                raise ValueError(f"a reduction is 0 to 100 %, got {percent}")


@dataclass(frozen=True)
class FeeQuote:
    """What the citizen pays for one item: each fee before and after its reduction."""

    postage_base_vnd: int
    postage_discount_vnd: int
    official_fee_base_vnd: int
    official_fee_discount_vnd: int
    reduction_code: str | None

    @property
    def postage_vnd(self) -> int:
        """Postage after the reduction."""
        return self.postage_base_vnd - self.postage_discount_vnd

    @property
    def official_fee_vnd(self) -> int:
        """Official fee (phí, lệ phí) after the reduction."""
        return self.official_fee_base_vnd - self.official_fee_discount_vnd

    @property
    def total_vnd(self) -> int:
        """What the citizen pays at the counter or the door."""
        return self.postage_vnd + self.official_fee_vnd

    def as_evidence(self) -> dict[str, Any]:
        """The quote as recorded in the intake's custody event (JSON values only)."""
        return {
            "postage_base_vnd": self.postage_base_vnd,
            "postage_discount_vnd": self.postage_discount_vnd,
            "postage_vnd": self.postage_vnd,
            "official_fee_base_vnd": self.official_fee_base_vnd,
            "official_fee_discount_vnd": self.official_fee_discount_vnd,
            "official_fee_vnd": self.official_fee_vnd,
            "total_vnd": self.total_vnd,
            "reduction_code": self.reduction_code,
        }


def _discount(amount_vnd: int, percent_off: int) -> int:
    """The part of an amount taken off; whole đồng, rounded down (the citizen never pays
    less than the rule says, the post never charges a fraction)."""
    return amount_vnd * percent_off // 100


def quote_fees(postage_vnd: int, official_fee_vnd: int,
               reduction: Reduction | None = None) -> FeeQuote:
    """Price one item: postage by route class and the procedure's official fee, less the
    citizen's exemption or reduction (QĐ45 Art.11-12; TT22/2017)."""
    if postage_vnd < 0 or official_fee_vnd < 0:
        raise ValueError("fees are never negative")
    return FeeQuote(
        postage_base_vnd=postage_vnd,
        postage_discount_vnd=_discount(postage_vnd, reduction.postage_percent_off) if reduction else 0,
        official_fee_base_vnd=official_fee_vnd,
        official_fee_discount_vnd=(
            _discount(official_fee_vnd, reduction.official_fee_percent_off) if reduction else 0),
        reduction_code=reduction.code if reduction else None,
    )


@dataclass(frozen=True)
class CountedDocument:
    """One line counted at intake: a document of the checklist, original or copy, how many."""

    name: str
    original: bool
    count: int


def check_counted_documents(checklist: Sequence[Mapping[str, Any]],
                            counted: Sequence[CountedDocument]) -> None:
    """Refuse a count that does not match the procedure's checklist (QĐ45 Art.6(1)).

    Every line must name a document of the checklist, once, with a count of at least one;
    every document the checklist requires (all of them unless marked `"required": false`)
    must be there.
    """
    listed = {str(entry["name"]) for entry in checklist}
    seen: set[str] = set()
    for index, line in enumerate(counted):
        if line.name not in listed:
            raise DomainError("document_not_in_checklist",
                              f"Giấy tờ “{line.name}” không có trong danh mục giấy tờ của thủ tục.",
                              {"field": f"documents.{index}.name"})
        if line.name in seen:
            raise DomainError("document_listed_twice",
                              f"Giấy tờ “{line.name}” được ghi hai lần; gộp số lượng vào một dòng.",
                              {"field": f"documents.{index}.name"})
        seen.add(line.name)
        if line.count < 1:
            raise DomainError("document_count_invalid",
                              f"Số lượng “{line.name}” phải từ 1 trở lên.",
                              {"field": f"documents.{index}.count"})
    required = [str(entry["name"]) for entry in checklist if entry.get("required", True)]
    missing = [name for name in required if name not in seen]
    if missing:
        raise DomainError("documents_missing",
                          "Hồ sơ còn thiếu giấy tờ bắt buộc: " + "; ".join(missing) + ".",
                          {"missing": missing})
