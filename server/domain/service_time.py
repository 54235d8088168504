"""Working days and service deadlines on the Vietnamese calendar (TT17 Art.7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: A deadline falls due at the close of the last working day, local time.
END_OF_WORKING_DAY = time(17, 0)


class RouteClass(StrEnum):
    """How far an item travels, which sets its service time (TT17 Art.7)."""

    #: cùng khu vực — sender and recipient in the same area
    same_area = "same_area"
    #: nội tỉnh — within one province
    intra_province = "intra_province"
    #: giữa các thành phố lớn — between major cities
    major_cities = "major_cities"
    #: liên tỉnh khác — other inter-provincial routes
    inter_province = "inter_province"


#: Words of the screens and the printed consignment note for each route class.
ROUTE_CLASS_LABELS_VI: dict[RouteClass, str] = {
    RouteClass.same_area: "Cùng khu vực",
    RouteClass.intra_province: "Nội tỉnh",
    RouteClass.major_cities: "Giữa các thành phố lớn",
    RouteClass.inter_province: "Liên tỉnh",
}

#: TT17 Art.7: working days after J, (without, with) an appointment slip to collect back.
SERVICE_DAYS: dict[RouteClass, tuple[int, int]] = {
    RouteClass.same_area: (1, 2),
    RouteClass.intra_province: (2, 4),
    RouteClass.major_cities: (3, 6),
    RouteClass.inter_province: (4, 8),
}


@cache
def _public_holidays(year: int) -> frozenset[date]:
    """Return the Vietnamese public holidays of a year, observed days included."""
    # Building the calendar computes the lunar dates (Tết, Hùng Kings), so once a year is enough.
    return frozenset(holidays.VN(years=year))


def is_working_day(day: date) -> bool:
    """Return whether day is Monday to Friday and not a Vietnamese public holiday."""
    if isinstance(day, datetime):
        # A datetime never equals a date, so it would miss every holiday silently.
        raise TypeError("is_working_day takes a date, not a datetime")
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """Return J+n: the n-th working day after start (start itself when n is 0)."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(earlier: date, later: date) -> int:
    """Return the number of working days after earlier, up to and including later."""
    if later < earlier:
        raise ValueError(f"{later} is before {earlier}")
    return sum(
        is_working_day(earlier + timedelta(days=offset))
        for offset in range(1, (later - earlier).days + 1)
    )


def service_deadline(
    consigned_at: datetime, route_class: RouteClass, with_appointment_slip: bool
) -> datetime:
    """Return the UTC moment an item falls due: 17:00 local on working day J+n (TT17 Art.7)."""
    if consigned_at.tzinfo is None or consigned_at.utcoffset() is None:
        raise ValueError("consigned_at must be timezone-aware")
    # TT17 Art.7: J is the date on the consignment note, which is written in local time.
    day_j = consigned_at.astimezone(LOCAL_TZ).date()
    without_slip, with_slip = SERVICE_DAYS[RouteClass(route_class)]
    due_day = add_working_days(day_j, with_slip if with_appointment_slip else without_slip)
    return datetime.combine(due_day, END_OF_WORKING_DAY, tzinfo=LOCAL_TZ).astimezone(UTC)


def route_class_between(from_province: str, from_commune: str,
                        to_province: str, to_commune: str) -> RouteClass:
    """The default route class of a journey: same commune, same province, or another one.

    Whether two cities are "major" (TT17 Art.7) is not in the address: the clerk picks
    `major_cities` by hand when it applies.
    """
    if from_province.casefold() != to_province.casefold():
        return RouteClass.inter_province
    if from_commune.casefold() == to_commune.casefold():
        return RouteClass.same_area
    return RouteClass.intra_province
