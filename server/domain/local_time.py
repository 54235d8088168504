"""Local days and local times: the calendar day a moment falls on in Vietnam, and how it is written.

Every rule that counts in days counts in Vietnamese local days (Asia/Ho_Chi_Minh, UTC+7 all
year): the service deadline's working days (TT17 Art.7), the cash a postman remits for his
day (QĐ45 Art.11-12), the reporting periods (TT17 Art.13), the custody log's sealed day.
Moments are stored in UTC; this module is the one place that turns them into local days
and back, and into the words a person reads: hour first, then the date day/month/year, as
Vietnamese administrative papers write it (Decree 30/2020/NĐ-CP, Appendix I: "ngày ...
tháng ... năm ...").

Pure rules: no Flask, no database.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from server.domain.service_time import LOCAL_TZ

#: "14:05 03/12/2026": a time as the screens show it.
MINUTES_FORMAT = "%H:%M %d/%m/%Y"
#: "14:05:09 03/12/2026": a time as evidence, to the second.
SECONDS_FORMAT = "%H:%M:%S %d/%m/%Y"
#: "03/12/2026": a day.
DAY_FORMAT = "%d/%m/%Y"


def local_day(moment: datetime) -> date:
    """The day in Vietnam on which an aware moment falls."""
    return moment.astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    """The UTC instant at which a local day begins."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The UTC start (included) of local day `first` and end (excluded) of local day `last`
    (default: `first` alone)."""
    return local_midnight(first), local_midnight((last or first) + timedelta(days=1))


def local_time_text(moment: datetime, *, seconds: bool = False) -> str:
    """An aware moment as local time in words: "14:05 03/12/2026" (or "14:05:09 03/12/2026")."""
    return moment.astimezone(LOCAL_TZ).strftime(SECONDS_FORMAT if seconds else MINUTES_FORMAT)


def day_text(day: date) -> str:
    """A day as written: "03/12/2026"."""
    return day.strftime(DAY_FORMAT)
