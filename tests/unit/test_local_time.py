"""Local days and local times in Vietnam (UTC+7, no summer time): the one rule for all."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.domain.local_time import (
    day_bounds,
    day_text,
    local_day,
    local_midnight,
    local_time_text,
)

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.just(UTC))


def test_a_moment_after_17_utc_falls_on_the_next_local_day() -> None:
    assert local_day(datetime(2026, 12, 3, 16, 59, tzinfo=UTC)) == date(2026, 12, 3)
    assert local_day(datetime(2026, 12, 3, 17, 0, tzinfo=UTC)) == date(2026, 12, 4)


def test_a_local_day_runs_from_17_utc_the_day_before() -> None:
    assert day_bounds(date(2026, 12, 4)) == (datetime(2026, 12, 3, 17, tzinfo=UTC),
                                             datetime(2026, 12, 4, 17, tzinfo=UTC))
    assert local_midnight(date(2026, 12, 4)) == datetime(2026, 12, 3, 17, tzinfo=UTC)


def test_the_bounds_of_a_span_run_from_its_first_to_the_end_of_its_last_day() -> None:
    start, end = day_bounds(date(2026, 12, 1), date(2026, 12, 31))
    assert (start, end) == (datetime(2026, 11, 30, 17, tzinfo=UTC),
                            datetime(2026, 12, 31, 17, tzinfo=UTC))


@given(moments)
def test_every_moment_lies_within_the_bounds_of_its_local_day(moment: datetime) -> None:
    start, end = day_bounds(local_day(moment))
    assert start <= moment < end
    assert end - start == timedelta(days=1)


def test_times_are_written_hour_first_then_day_month_year_in_local_time() -> None:
    moment = datetime(2026, 12, 3, 17, 5, 9, tzinfo=UTC)
    assert local_time_text(moment) == "00:05 04/12/2026"
    assert local_time_text(moment, seconds=True) == "00:05:09 04/12/2026"
    assert day_text(date(2026, 1, 2)) == "02/01/2026"
