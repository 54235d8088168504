"""Working days and service deadlines on the Vietnamese calendar (TT17 Art.7)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.service_time import (
    LOCAL_TZ,
    RouteClass,
    add_working_days,
    is_working_day,
    service_deadline,
    working_days_between,
)

days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


def _local(*args: int) -> datetime:
    """Return an aware Vietnamese local time."""
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_an_ordinary_monday_is_a_working_day() -> None:
    assert is_working_day(date(2026, 3, 9))


def test_saturday_is_not_a_working_day() -> None:
    assert not is_working_day(date(2026, 3, 7))


def test_lunar_new_year_2026_is_not_a_working_day() -> None:
    assert not is_working_day(date(2026, 2, 17))


def test_observed_hung_kings_day_2026_is_not_a_working_day() -> None:
    # 26 Apr 2026 is a Sunday, so the holiday moves to Monday 27 Apr.
    assert not is_working_day(date(2026, 4, 27))


def test_is_working_day_refuses_a_datetime() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 2, 17, 9, 0))


def test_add_zero_working_days_is_the_day_itself() -> None:
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_one_working_day_after_friday_is_monday() -> None:
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_one_working_day_after_the_friday_before_tet_2026_is_23_february() -> None:
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_add_working_days_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 6), -1)


def test_working_days_between_friday_and_tuesday_is_two() -> None:
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 10)) == 2


def test_working_days_between_the_same_day_is_zero() -> None:
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0


def test_invitations_either_side_of_tet_2026_are_one_working_day_apart() -> None:
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_working_days_between_refuses_reversed_dates() -> None:
    with pytest.raises(ValueError):
        working_days_between(date(2026, 3, 10), date(2026, 3, 6))


@settings(max_examples=200)
@given(start=days, n=st.integers(min_value=0, max_value=30))
def test_working_days_between_undoes_add_working_days(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@settings(max_examples=200)
@given(start=days, n=st.integers(min_value=1, max_value=30))
def test_j_plus_n_always_falls_on_a_working_day(start: date, n: int) -> None:
    assert is_working_day(add_working_days(start, n))


def test_deadline_from_a_friday_same_area_is_monday_17h_local() -> None:
    deadline = service_deadline(_local(2026, 3, 6, 10, 0), RouteClass.same_area, False)
    assert deadline == _local(2026, 3, 9, 17, 0)


def test_deadline_is_returned_in_utc() -> None:
    deadline = service_deadline(_local(2026, 3, 6, 10, 0), RouteClass.same_area, False)
    assert (deadline.tzinfo, deadline.hour) == (UTC, 10)


def test_deadline_counts_j_as_the_local_date() -> None:
    # 18:30 UTC on Thursday is 01:30 on Friday in Hà Nội, so J is Friday and J+1 is Monday.
    consigned = datetime(2026, 3, 5, 18, 30, tzinfo=UTC)
    assert service_deadline(consigned, RouteClass.same_area, False) == _local(2026, 3, 9, 17, 0)


def test_deadline_with_appointment_slip_uses_the_longer_time() -> None:
    deadline = service_deadline(_local(2026, 3, 2, 9, 0), RouteClass.inter_province, True)
    assert deadline == _local(2026, 3, 12, 17, 0)


def test_deadline_over_tet_2026_skips_the_whole_holiday() -> None:
    deadline = service_deadline(_local(2026, 2, 13, 15, 0), RouteClass.same_area, False)
    assert deadline == _local(2026, 2, 23, 17, 0)


def test_deadline_over_30_april_and_1_may_2026_skips_both() -> None:
    deadline = service_deadline(_local(2026, 4, 29, 9, 0), RouteClass.intra_province, False)
    assert deadline == _local(2026, 5, 5, 17, 0)


def test_deadline_over_national_day_2026_skips_1_and_2_september() -> None:
    deadline = service_deadline(_local(2026, 8, 31, 9, 0), RouteClass.same_area, True)
    assert deadline == _local(2026, 9, 4, 17, 0)


def test_deadline_over_national_day_2027_skips_2_and_3_september() -> None:
    deadline = service_deadline(_local(2027, 9, 1, 9, 0), RouteClass.major_cities, False)
    assert deadline == _local(2027, 9, 8, 17, 0)


def test_deadline_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        service_deadline(datetime(2026, 3, 6, 10, 0), RouteClass.same_area, False)


def test_deadline_accepts_any_aware_offset() -> None:
    # 12:00 in Tokyo (UTC+9) on Friday is 10:00 on Friday in Hà Nội.
    consigned = datetime(2026, 3, 6, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    assert service_deadline(consigned, RouteClass.same_area, False) == _local(2026, 3, 9, 17, 0)
