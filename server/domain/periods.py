"""Reporting periods and the arithmetic of rates (TT17 Art.13: quarterly, half-yearly, yearly).

A period is a half-open range of local dates `[start, end)` in Asia/Ho_Chi_Minh, and the UTC
instants of those local midnights, so a report counts an event exactly once whichever period
boundary it lies near.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from server.domain.errors import DomainError
from server.domain.local_time import day_text, local_midnight


class PeriodKind(StrEnum):
    """How long a reporting period lasts."""

    #: ngày
    day = "day"
    #: tháng
    month = "month"
    #: quý — TT17 Art.13
    quarter = "quarter"
    #: 6 tháng — TT17 Art.13
    half_year = "half_year"
    #: năm — TT17 Art.13
    year = "year"
    #: khoảng tùy chọn — from `start` to `end`, both included
    custom = "custom"


#: No record of the service predates this (QĐ45 is of 2016); an earlier date is a typo.
EARLIEST_DAY = date(2000, 1, 1)
#: A date given may lie at most this far after today (a plan, not a typo).
FUTURE_LIMIT_YEARS = 1
#: A custom range may last at most this long; records are kept 5 years (TT17 Art.14).
LONGEST_RANGE_YEARS = 5

#: Months a period of each kind lasts, and the months it may start in.
_MONTHS: dict[PeriodKind, tuple[int, frozenset[int]]] = {
    PeriodKind.month: (1, frozenset(range(1, 13))),
    PeriodKind.quarter: (3, frozenset({1, 4, 7, 10})),
    PeriodKind.half_year: (6, frozenset({1, 7})),
    PeriodKind.year: (12, frozenset({1})),
}
_ALIGNMENT_VI = {
    PeriodKind.month: "ngày đầu tháng (ngày 01)",
    PeriodKind.quarter: "ngày đầu quý: 01/01, 01/04, 01/07 hoặc 01/10",
    PeriodKind.half_year: "ngày đầu kỳ 6 tháng: 01/01 hoặc 01/07",
    PeriodKind.year: "ngày 01/01",
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    """A reporting period: local days `[start, end)` and the same bounds as UTC instants."""

    kind: PeriodKind
    start: date
    end: date

    @property
    def last_day(self) -> date:
        """The last local day included."""
        return self.end - timedelta(days=1)

    @property
    def starts_at(self) -> datetime:
        """Local midnight of the first day, in UTC."""
        return local_midnight(self.start)

    @property
    def ends_before(self) -> datetime:
        """Local midnight after the last day, in UTC: the first instant not included."""
        return local_midnight(self.end)

    @property
    def label(self) -> str:
        """How the period is named on a Vietnamese report."""
        start = self.start
        match self.kind:
            case PeriodKind.day:
                return f"Ngày {day_text(start)}"
            case PeriodKind.month:
                return f"Tháng {start.month:02d}/{start.year}"
            case PeriodKind.quarter:
                return f"Quý {_ROMAN[(start.month - 1) // 3 + 1]} năm {start.year}"
            case PeriodKind.half_year:
                half = "đầu" if start.month == 1 else "cuối"
                return f"6 tháng {half} năm {start.year}"
            case PeriodKind.year:
                return f"Năm {start.year}"
        return f"Từ ngày {day_text(start)} đến ngày {day_text(self.last_day)}"


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month (day must be a 1st)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def parse_day(value: str, name: str) -> date:
    """A `YYYY-MM-DD` date from the query, or a DomainError naming the parameter."""
    text = value.strip()
    if _ISO_DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError(
        "invalid_date",
        f"Ngày “{value}” ({name}) không hợp lệ: hãy nhập theo dạng năm-tháng-ngày, "
        "ví dụ 2026-10-01.",
        {"parameter": name, "value": value},
    )


def current_period(kind: PeriodKind, today: date) -> Period:
    """The period of `kind` that contains `today`."""
    if kind is PeriodKind.day:
        return Period(kind, today, today + timedelta(days=1))
    if kind is PeriodKind.custom:
        raise ValueError("a custom range has no current period")
    months, starts = _MONTHS[kind]
    first_month = max(m for m in starts if m <= today.month)
    start = date(today.year, first_month, 1)
    return Period(kind, start, add_months(start, months))


def _kind(value: str) -> PeriodKind:
    """The period kind named in the query, or a DomainError listing the accepted ones."""
    try:
        return PeriodKind(value.strip())
    except ValueError:
        accepted = ", ".join(kind.value for kind in PeriodKind)
        raise DomainError(
            "unknown_period",
            f"Loại kỳ báo cáo “{value}” không có. Hãy chọn một trong: {accepted}.",
            {"parameter": "period", "value": value, "accepted": [k.value for k in PeriodKind]},
        ) from None


def _check_bounds(day: date, name: str, today: date) -> None:
    """Refuse a date before 2000 or more than a year after today: a typo, not a report."""
    latest = _add_years(today, FUTURE_LIMIT_YEARS)
    if day < EARLIEST_DAY:
        raise DomainError(
            "date_too_early",
            f"Ngày {day_text(day)} ({name}) quá sớm: báo cáo chỉ tính từ ngày "
            f"{day_text(EARLIEST_DAY)}.",
            {"parameter": name, "value": day.isoformat(), "earliest": EARLIEST_DAY.isoformat()},
        )
    if day > latest:
        raise DomainError(
            "date_too_late",
            f"Ngày {day_text(day)} ({name}) quá xa trong tương lai: chỉ chọn được đến ngày "
            f"{day_text(latest)}.",
            {"parameter": name, "value": day.isoformat(), "latest": latest.isoformat()},
        )


def parse_period(kind: str | None, start: str | None, end: str | None, today: date) -> Period:
    """The period a report asks for, checked; DomainError (422) with a Vietnamese message.

    - nothing given: the current month;
    - `kind` alone: the current period of that kind;
    - `kind` and `start`: the period beginning on `start`, which must be its first day;
    - `start` and `end` (with `kind` custom or omitted): both days included, at most 5 years.
    """
    if kind is None and start is None and end is None:
        return current_period(PeriodKind.month, today)
    period_kind = _kind(kind) if kind is not None else (
        PeriodKind.custom if end is not None else None)
    if period_kind is None:
        raise DomainError(
            "period_required",
            "Hãy chọn loại kỳ báo cáo (period: day, month, quarter, half_year, year) "
            "hoặc nhập cả ngày bắt đầu (start) và ngày kết thúc (end).",
            {"parameter": "period"},
        )
    if period_kind is PeriodKind.custom:
        return _custom_range(start, end, today)
    if end is not None:
        raise DomainError(
            "end_not_allowed",
            "Ngày kết thúc (end) chỉ dùng cho khoảng tùy chọn; với kỳ "
            f"“{period_kind.value}” chỉ cần ngày đầu kỳ (start).",
            {"parameter": "end"},
        )
    if start is None:
        return current_period(period_kind, today)
    first = parse_day(start, "start")
    _check_bounds(first, "start", today)
    if period_kind is PeriodKind.day:
        return Period(period_kind, first, first + timedelta(days=1))
    months, starts = _MONTHS[period_kind]
    if first.day != 1 or first.month not in starts:
        raise DomainError(
            "period_misaligned",
            f"Kỳ “{period_kind.value}” phải bắt đầu vào {_ALIGNMENT_VI[period_kind]}; "
            f"ngày {day_text(first)} không phải ngày đầu kỳ.",
            {"parameter": "start", "value": first.isoformat(), "period": period_kind.value},
        )
    return Period(period_kind, first, add_months(first, months))


def _custom_range(start: str | None, end: str | None, today: date) -> Period:
    """A range of days from `start` to `end`, both included."""
    if start is None or end is None:
        raise DomainError(
            "range_incomplete",
            "Khoảng tùy chọn cần cả ngày bắt đầu (start) và ngày kết thúc (end).",
            {"parameter": "start" if start is None else "end"},
        )
    first, last = parse_day(start, "start"), parse_day(end, "end")
    _check_bounds(first, "start", today)
    _check_bounds(last, "end", today)
    if last < first:
        raise DomainError(
            "range_reversed",
            f"Ngày kết thúc {day_text(last)} đứng trước ngày bắt đầu {day_text(first)}.",
            {"start": first.isoformat(), "end": last.isoformat()},
        )
    after = last + timedelta(days=1)
    if after > _add_years(first, LONGEST_RANGE_YEARS):
        raise DomainError(
            "range_too_long",
            f"Khoảng báo cáo dài quá {LONGEST_RANGE_YEARS} năm; hãy chia thành các kỳ ngắn hơn.",
            {"start": first.isoformat(), "end": last.isoformat(),
             "longest_years": LONGEST_RANGE_YEARS},
        )
    return Period(PeriodKind.custom, first, after)


def rate(part: int, whole: int) -> float | None:
    """`part / whole` rounded to 4 decimals, or None when there is nothing to rate."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"a rate needs 0 <= part <= whole, got {part}/{whole}")
    if whole == 0:
        return None
    return round(part / whole, 4)
