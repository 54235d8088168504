"""Working days and service deadlines on the Vietnamese calendar (TT17 Art.7).

A day is a working day by the statutory rules (Labour Code 2019 Art.111-112: Monday to
Friday, public holidays and Tết computed by the `holidays` package) unless the State decided
otherwise for that year: each year the Prime Minister or the Ministry of Home Affairs swaps
working days around Tết, 30/4-1/5 and National Day (e.g. Friday 2/5/2025 off, Saturday
26/4/2025 worked). Those decisions are data the administrator keeps; the functions here are
pure and take them as a mapping `date -> working`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from types import MappingProxyType
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


#: The State's decisions on particular days: date -> whether it is a working day.
WorkingDecisions = Mapping[date, bool]
#: No decision at all: the statutory rules alone.
NO_DECISIONS: WorkingDecisions = MappingProxyType({})

_WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class CalendarDay:
    """One day of the working calendar and why it is (not) a working day."""

    day: date
    working: bool
    #: None for an ordinary working day.
    reason: str | None


@cache
def _public_holidays(year: int) -> Mapping[date, str]:
    """Return the Vietnamese public holidays of a year (observed days included), named in Vietnamese."""
    # Building the calendar computes the lunar dates (Tết, Hùng Kings), so once a year is enough.
    return MappingProxyType(dict(holidays.country_holidays("VN", years=year, language="vi")))


def _check_date(day: date) -> None:
    if isinstance(day, datetime):
        # A datetime never equals a date, so it would miss every holiday silently.
        raise TypeError("the working calendar takes dates, not datetimes")


def is_statutory_working_day(day: date) -> bool:
    """Whether day is Monday to Friday and not a public holiday (Labour Code 2019 Art.112)."""
    _check_date(day)
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def is_working_day(day: date, decisions: WorkingDecisions = NO_DECISIONS) -> bool:
    """Whether day is a working day: the State's decision for it if any, else the statutes."""
    _check_date(day)
    decided = decisions.get(day)
    return is_statutory_working_day(day) if decided is None else decided


def statutory_reason(day: date) -> str | None:
    """Why the statutes make day a day off (holiday name or weekend), None on a working day."""
    _check_date(day)
    holiday = _public_holidays(day.year).get(day)
    if holiday is not None:
        return holiday
    return _WEEKDAY_NAMES_VI[day.weekday()] if day.weekday() >= 5 else None


def calendar_day(day: date, decisions: WorkingDecisions,
                 reasons: Mapping[date, str] | None = None) -> CalendarDay:
    """One day of the calendar: the decision and its reason when there is one, else the statutes."""
    if day in decisions:
        return CalendarDay(day, decisions[day], (reasons or {}).get(day) or None)
    working = is_statutory_working_day(day)
    return CalendarDay(day, working, statutory_reason(day))


def add_working_days(start: date, n: int, decisions: WorkingDecisions = NO_DECISIONS) -> date:
    """Return J+n: the n-th working day after start (start itself when n is 0)."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, decisions):
            remaining -= 1
    return day


def working_days_between(earlier: date, later: date,
                         decisions: WorkingDecisions = NO_DECISIONS) -> int:
    """Return the number of working days after earlier, up to and including later."""
    if later < earlier:
        raise ValueError(f"{later} is before {earlier}")
    return sum(
        is_working_day(earlier + timedelta(days=offset), decisions)
        for offset in range(1, (later - earlier).days + 1)
    )


def service_deadline(
    consigned_at: datetime, route_class: RouteClass, with_appointment_slip: bool,
    decisions: WorkingDecisions = NO_DECISIONS,
) -> datetime:
    """Return the UTC moment an item falls due: 17:00 local on working day J+n (TT17 Art.7)."""
    if consigned_at.tzinfo is None or consigned_at.utcoffset() is None:
        raise ValueError("consigned_at must be timezone-aware")
    # TT17 Art.7: J is the date on the consignment note, which is written in local time.
    day_j = consigned_at.astimezone(LOCAL_TZ).date()
    without_slip, with_slip = SERVICE_DAYS[RouteClass(route_class)]
    due_day = add_working_days(day_j, with_slip if with_appointment_slip else without_slip,
                               decisions)
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
