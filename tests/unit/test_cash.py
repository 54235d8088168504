"""A postman's cash of the day and the agency's share (pure arithmetic)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.cash import (
    CashLine,
    cash_day,
    check_remittance,
    format_vnd,
    official_fee_share,
)
from server.domain.errors import DomainError

money = st.integers(min_value=0, max_value=10_000_000)


def test_the_day_adds_expected_and_collected_and_shows_the_difference() -> None:
    day = cash_day([CashLine(76_000, 76_000), CashLine(26_000, 20_000)], remitted_vnd=50_000)
    assert (day.expected_vnd, day.collected_vnd) == (102_000, 96_000)
    assert day.difference_vnd == -6_000
    assert day.unremitted_vnd == 46_000


def test_a_remittance_up_to_what_is_unremitted_is_accepted() -> None:
    check_remittance(46_000, cash_day([CashLine(96_000, 96_000)], remitted_vnd=50_000))


def test_a_remittance_larger_than_collected_and_not_remitted_is_refused() -> None:
    day = cash_day([CashLine(76_000, 76_000)], remitted_vnd=50_000, pending_vnd=20_000)
    with pytest.raises(DomainError) as refused:
        check_remittance(6_001, day)
    assert refused.value.code == "remittance_exceeds_collected"
    assert "6.000 đ" in refused.value.message and refused.value.details["unremitted_vnd"] == 6_000


def test_a_remittance_of_nothing_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        check_remittance(0, cash_day([CashLine(1, 1)]))
    assert refused.value.code == "remittance_not_positive"


def test_the_official_fee_is_paid_first() -> None:
    assert official_fee_share(76_000, 50_000) == 50_000
    assert official_fee_share(30_000, 50_000) == 30_000
    assert official_fee_share(0, 50_000) == 0


def test_money_is_written_the_vietnamese_way() -> None:
    assert format_vnd(1_250_000) == "1.250.000 đ"
    assert format_vnd(-6_000) == "-6.000 đ"


@given(lines=st.lists(st.tuples(money, money), max_size=30), remitted=money)
def test_remitting_everything_unremitted_is_allowed_and_one_more_dong_is_not(
        lines: list[tuple[int, int]], remitted: int) -> None:
    day = cash_day([CashLine(due, taken) for due, taken in lines])
    remitted = min(remitted, day.collected_vnd)
    day = cash_day([CashLine(due, taken) for due, taken in lines], remitted_vnd=remitted)
    assert day.difference_vnd == sum(t for _, t in lines) - sum(d for d, _ in lines)
    if day.unremitted_vnd > 0:
        check_remittance(day.unremitted_vnd, day)
    with pytest.raises(DomainError):
        check_remittance(day.unremitted_vnd + 1, day)


@given(collected=money, fee=money)
def test_the_agency_share_never_exceeds_the_fee_nor_the_cash(collected: int, fee: int) -> None:
    share = official_fee_share(collected, fee)
    assert 0 <= share <= min(collected, fee)
    assert share in (fee, collected)
