"""The deadline classes: overdue, due today, at risk (TT17 Art.7), one definition."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.deadlines import (
    DeadlineClass,
    deadline_bounds,
    deadline_class,
)
from server.domain.lifecycle import ItemStatus
from server.domain.service_time import LOCAL_TZ

# Tuesday 24 November 2026, 10:00 local.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LOCAL_TZ)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


def test_a_passed_deadline_is_overdue() -> None:
    bounds = deadline_bounds(NOW)
    assert deadline_class(local(24, 9, 59), ItemStatus.at_post, bounds) is DeadlineClass.overdue


def test_a_deadline_later_today_is_due_today_even_out_for_delivery() -> None:
    bounds = deadline_bounds(NOW)
    for status in (ItemStatus.at_post, ItemStatus.out_for_delivery):
        assert deadline_class(local(24, 17), status, bounds) is DeadlineClass.due_today


def test_due_by_the_next_working_days_close_and_not_in_hand_is_at_risk() -> None:
    bounds = deadline_bounds(NOW)
    assert deadline_class(local(25, 17), ItemStatus.at_post, bounds) is DeadlineClass.at_risk
    assert deadline_class(local(25, 17), ItemStatus.in_transit, bounds) is DeadlineClass.at_risk
    assert deadline_class(local(25, 17), ItemStatus.out_for_delivery, bounds) is None
    assert deadline_class(local(25, 17, 1), ItemStatus.at_post, bounds) is None


def test_at_risk_skips_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)
    bounds = deadline_bounds(friday)
    assert bounds.at_risk_until == local(30, 17).astimezone(UTC)  # Monday
    assert deadline_class(local(30, 17), ItemStatus.at_post, bounds) is DeadlineClass.at_risk


def test_the_setting_widens_or_closes_the_at_risk_window() -> None:
    assert deadline_class(local(26, 17), ItemStatus.at_post, deadline_bounds(NOW, 2)) is DeadlineClass.at_risk
    assert deadline_class(local(25, 17), ItemStatus.at_post, deadline_bounds(NOW, 0)) is None


def test_finished_items_have_no_class() -> None:
    bounds = deadline_bounds(NOW)
    for status in (ItemStatus.delivered, ItemStatus.filed, ItemStatus.returned, ItemStatus.cancelled):
        assert deadline_class(local(20, 17), status, bounds) is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        deadline_bounds(datetime(2026, 11, 24, 10))


@given(minutes=st.integers(min_value=-60 * 24 * 10, max_value=60 * 24 * 10),
       status=st.sampled_from(list(ItemStatus)), days=st.integers(min_value=0, max_value=5),
       now_minutes=st.integers(min_value=0, max_value=60 * 24 * 365))
def test_classes_follow_the_order_of_the_cutoffs(minutes: int, status: ItemStatus, days: int,
                                                 now_minutes: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=now_minutes)
    bounds = deadline_bounds(now, days)
    due = now + timedelta(minutes=minutes)
    found = deadline_class(due, status, bounds)
    assert bounds.now <= bounds.end_of_today <= bounds.at_risk_until
    if found is DeadlineClass.overdue:
        assert due < now
    elif found is DeadlineClass.due_today:
        assert now <= due < bounds.end_of_today
    elif found is DeadlineClass.at_risk:
        assert bounds.end_of_today <= due <= bounds.at_risk_until
        assert status is not ItemStatus.out_for_delivery
    if status not in (ItemStatus.delivered, ItemStatus.filed, ItemStatus.returned,
                      ItemStatus.cancelled) and due < now:
        assert found is DeadlineClass.overdue
