"""Reporting periods (TT17 Art.13) and rates, without a database."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.errors import DomainError
from server.domain.periods import Period, PeriodKind, current_period, parse_period, rate
from server.domain.service_time import LOCAL_TZ

TODAY = date(2026, 11, 24)


def _error(kind: str | None, start: str | None = None, end: str | None = None) -> DomainError:
    """The error parse_period raises for these parameters."""
    with pytest.raises(DomainError) as caught:
        parse_period(kind, start, end, TODAY)
    return caught.value


def test_fourth_quarter_runs_from_1_october_to_1_january() -> None:
    period = parse_period("quarter", "2026-10-01", None, TODAY)
    assert (period.start, period.end, period.last_day) == (
        date(2026, 10, 1), date(2027, 1, 1), date(2026, 12, 31))
    assert period.label == "Quý IV năm 2026"


def test_bounds_are_local_midnights_in_utc() -> None:
    period = parse_period("day", "2026-10-01", None, TODAY)
    assert period.starts_at == datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    assert period.ends_before == datetime(2026, 10, 1, 17, 0, tzinfo=UTC)
    assert period.starts_at.astimezone(LOCAL_TZ).hour == 0


def test_an_event_at_local_midnight_belongs_to_the_new_day() -> None:
    midnight = datetime(2026, 10, 2, 0, 0, tzinfo=LOCAL_TZ)
    first = parse_period("day", "2026-10-01", None, TODAY)
    second = parse_period("day", "2026-10-02", None, TODAY)
    assert not first.starts_at <= midnight < first.ends_before
    assert second.starts_at <= midnight < second.ends_before


@pytest.mark.parametrize(("kind", "start", "end", "label"), [
    ("day", "2026-02-17", "2026-02-18", "Ngày 17/02/2026"),
    ("month", "2024-02-01", "2024-03-01", "Tháng 02/2024"),
    ("month", "2026-12-01", "2027-01-01", "Tháng 12/2026"),
    ("half_year", "2026-01-01", "2026-07-01", "6 tháng đầu năm 2026"),
    ("half_year", "2026-07-01", "2027-01-01", "6 tháng cuối năm 2026"),
    ("year", "2025-01-01", "2026-01-01", "Năm 2025"),
])
def test_each_kind_lasts_its_length_and_is_named_in_vietnamese(
        kind: str, start: str, end: str, label: str) -> None:
    period = parse_period(kind, start, None, TODAY)
    assert period.end == date.fromisoformat(end)
    assert period.label == label


def test_a_custom_range_includes_both_days() -> None:
    period = parse_period(None, "2026-10-05", "2026-10-20", TODAY)
    assert period.kind is PeriodKind.custom
    assert (period.start, period.end, period.last_day) == (
        date(2026, 10, 5), date(2026, 10, 21), date(2026, 10, 20))
    assert period.label == "Từ ngày 05/10/2026 đến ngày 20/10/2026"


def test_a_custom_range_of_one_day_is_allowed() -> None:
    period = parse_period("custom", "2026-10-05", "2026-10-05", TODAY)
    assert period.end - period.start == timedelta(days=1)


def test_nothing_given_means_the_current_month() -> None:
    assert parse_period(None, None, None, TODAY) == Period(
        PeriodKind.month, date(2026, 11, 1), date(2026, 12, 1))


@pytest.mark.parametrize(("kind", "start"), [
    ("day", date(2026, 11, 24)), ("month", date(2026, 11, 1)), ("quarter", date(2026, 10, 1)),
    ("half_year", date(2026, 7, 1)), ("year", date(2026, 1, 1)),
])
def test_a_kind_without_start_means_the_period_containing_today(kind: str, start: date) -> None:
    assert parse_period(kind, None, None, TODAY).start == start


@pytest.mark.parametrize(("kind", "start"), [
    ("quarter", "2026-02-01"), ("quarter", "2026-04-02"), ("month", "2026-11-15"),
    ("half_year", "2026-04-01"), ("year", "2026-07-01"),
])
def test_a_period_not_starting_on_its_first_day_is_refused(kind: str, start: str) -> None:
    error = _error(kind, start)
    assert error.code == "period_misaligned"
    assert "ngày đầu" in error.message


def test_an_unknown_kind_is_refused_with_the_accepted_ones() -> None:
    error = _error("week", "2026-10-01")
    assert error.code == "unknown_period"
    assert "quarter" in error.message and "half_year" in error.message


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "01/10/2026", "20261001",
                                   "2026-1-1", "", "hôm nay"])
def test_a_malformed_date_is_refused(value: str) -> None:
    error = _error("day", value)
    assert error.code == "invalid_date"
    assert error.details["parameter"] == "start"


def test_a_reversed_range_is_refused() -> None:
    error = _error(None, "2026-10-20", "2026-10-05")
    assert error.code == "range_reversed"
    assert "trước" in error.message


def test_a_range_longer_than_five_years_is_refused() -> None:
    assert _error(None, "2020-01-01", "2025-01-01").code == "range_too_long"


def test_a_range_of_exactly_five_years_is_allowed() -> None:
    period = parse_period(None, "2020-01-01", "2024-12-31", TODAY)
    assert period.end == date(2025, 1, 1)


def test_a_date_before_2000_is_refused() -> None:
    assert _error("year", "1999-01-01").code == "date_too_early"
    assert _error(None, "1999-12-31", "2000-01-31").code == "date_too_early"


def test_a_date_beyond_a_year_from_today_is_refused() -> None:
    assert _error("year", "2028-01-01").code == "date_too_late"
    assert _error(None, "2026-11-01", "2027-11-25").code == "date_too_late"


def test_a_date_exactly_a_year_from_today_is_allowed() -> None:
    assert parse_period(None, "2026-11-01", "2027-11-24", TODAY).last_day == date(2027, 11, 24)


def test_end_with_a_named_kind_is_refused() -> None:
    assert _error("quarter", "2026-10-01", "2026-12-31").code == "end_not_allowed"


def test_a_start_without_kind_or_end_is_refused() -> None:
    assert _error(None, "2026-10-01").code == "period_required"


def test_a_custom_range_needs_both_days() -> None:
    assert _error("custom", "2026-10-01").code == "range_incomplete"
    assert _error("custom", None, "2026-10-01").code == "range_incomplete"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
       st.sampled_from([PeriodKind.month, PeriodKind.quarter, PeriodKind.half_year,
                        PeriodKind.year]))
def test_consecutive_periods_tile_time_without_gap_or_overlap(day: date, kind: PeriodKind) -> None:
    period = current_period(kind, day)
    following = current_period(kind, period.end)
    assert period.start <= day < period.end
    assert following.start == period.end
    assert following.starts_at == period.ends_before


def test_rate_is_rounded_to_four_decimals() -> None:
    assert rate(1, 3) == 0.3333
    assert rate(2, 3) == 0.6667
    assert rate(5, 5) == 1.0
    assert rate(0, 4) == 0.0


def test_rate_of_nothing_is_none() -> None:
    assert rate(0, 0) is None


@pytest.mark.parametrize(("part", "whole"), [(3, 2), (-1, 2), (1, -1)])
def test_rate_refuses_impossible_counts(part: int, whole: int) -> None:
    with pytest.raises(ValueError):
        rate(part, whole)
