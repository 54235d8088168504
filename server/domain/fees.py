"""What the citizen still owes the post for an item (QĐ45 Art.11-12)."""
from __future__ import annotations

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
    until delivered.
    """
    if kind == ItemKind.dossier and status != ItemStatus.requested:
        return 0
    if status not in CASH_DUE_STATUSES:
        return 0
    return postage_vnd + official_fee_vnd
