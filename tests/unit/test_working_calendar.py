"""The official 2025 and 2026 swap days, and deadlines computed across each (issue #16)."""
from datetime import date, datetime

import pytest

from server.domain.official_calendar import OFFICIAL_DECISIONS
from server.domain.service_time import (
    LOCAL_TZ,
    NO_DECISIONS,
    RouteClass,
    add_working_days,
    calendar_day,
    is_working_day,
    service_deadline,
)

OFFICIAL = {decision.day: decision.working for decision in OFFICIAL_DECISIONS}


@pytest.mark.parametrize(("day", "working"), [
    (date(2025, 4, 26), True),    # Saturday worked for Friday 2/5/2025
    (date(2025, 5, 2), False),    # Friday off, 30/4-4/5/2025
    (date(2026, 1, 2), False),    # Friday off, New Year 1/1-4/1/2026
    (date(2026, 1, 10), True),    # Saturday worked for it
    (date(2026, 8, 22), True),    # Saturday worked for Monday 31/8/2026
    (date(2026, 8, 31), False),   # Monday off, National Day 29/8-2/9/2026
])
def test_each_official_swap_day_follows_the_decision_not_the_weekday(day, working):
    assert is_working_day(day, OFFICIAL) is working
    # Without the decisions the statutes say the opposite: that is what the table is for.
    assert is_working_day(day, NO_DECISIONS) is not working


@pytest.mark.parametrize(("start", "n", "due"), [
    # J+1 from Friday 25/4/2025 is the worked Saturday 26/4.
    (date(2025, 4, 25), 1, date(2025, 4, 26)),
    # J+1 from Tuesday 29/4/2025: 30/4, 1/5 and Friday 2/5 off, then the weekend: Monday 5/5.
    (date(2025, 4, 29), 1, date(2025, 5, 5)),
    # J+1 from Wednesday 31/12/2025: 1/1 and Friday 2/1/2026 off: Monday 5/1.
    (date(2025, 12, 31), 1, date(2026, 1, 5)),
    # J+5 from Monday 5/1/2026 counts the worked Saturday 10/1: 6,7,8,9,10 -> Saturday 10/1.
    (date(2026, 1, 5), 5, date(2026, 1, 10)),
    # J+1 from Friday 21/8/2026 is the worked Saturday 22/8.
    (date(2026, 8, 21), 1, date(2026, 8, 22)),
    # J+1 from Friday 28/8/2026: 31/8 swapped, 1/9 and 2/9 holidays: Thursday 3/9.
    (date(2026, 8, 28), 1, date(2026, 9, 3)),
    # Tết Bính Ngọ: J+1 from Friday 13/2/2026 is Monday 23/2.
    (date(2026, 2, 13), 1, date(2026, 2, 23)),
    # Tết Ất Tỵ: J+1 from Friday 24/1/2025 is Monday 3/2.
    (date(2025, 1, 24), 1, date(2025, 2, 3)),
    # National Day 2025: J+1 from Friday 29/8/2025 is Wednesday 3/9.
    (date(2025, 8, 29), 1, date(2025, 9, 3)),
])
def test_a_deadline_across_each_official_schedule(start, n, due):
    assert add_working_days(start, n, OFFICIAL) == due


def test_the_service_deadline_of_friday_28_8_2026_is_thursday_3_9_at_17h():
    consigned = datetime(2026, 8, 28, 10, 0, tzinfo=LOCAL_TZ)
    due = service_deadline(consigned, RouteClass.same_area, False, OFFICIAL)
    assert due.astimezone(LOCAL_TZ) == datetime(2026, 9, 3, 17, 0, tzinfo=LOCAL_TZ)
    # The statutes alone would say Monday 31/8: the wrong answer issue #16 reports.
    assert service_deadline(consigned, RouteClass.same_area, False).astimezone(LOCAL_TZ).date() \
        == date(2026, 8, 31)


def test_official_decisions_agree_with_the_statutory_holidays_they_restate():
    # Tết, 30/4, 1/5 and 2/9 are also statutory: the decisions restate them with their basis.
    for day in (date(2025, 1, 29), date(2026, 2, 17), date(2026, 9, 2), date(2025, 9, 2)):
        assert OFFICIAL[day] is False
        assert not is_working_day(day, NO_DECISIONS)


def test_a_calendar_day_names_the_reason():
    reasons = {decision.day: decision.reason for decision in OFFICIAL_DECISIONS}
    swapped = calendar_day(date(2026, 8, 31), OFFICIAL, reasons)
    assert (swapped.working, swapped.reason) == (False, reasons[date(2026, 8, 31)])
    assert calendar_day(date(2026, 8, 29), OFFICIAL, reasons).reason == "Thứ Bảy"
    assert calendar_day(date(2026, 8, 27), OFFICIAL, reasons).reason is None
    assert "Tết" in (calendar_day(date(2027, 2, 8), NO_DECISIONS).reason or "")


def test_datetimes_are_refused():
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 8, 31, tzinfo=LOCAL_TZ), OFFICIAL)
