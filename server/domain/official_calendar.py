"""The State's published working-day decisions of 2025 and 2026 (Labour Code 2019 Art.112).

The `holidays` package computes the statutory holidays and Tết; it cannot know the swaps the
Government decides each year. These are the official decisions for public servants (cán bộ,
công chức, viên chức), which set the post's and the agencies' working days. The migration
`0013_working_calendar` seeds the `calendar_decisions` table with the same rows; from then on
the administrator keeps that table (PUT /api/v1/calendar/<date>).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class CalendarDecision:
    """The State's decision about one day: working or not, why, and under which document."""

    day: date
    working: bool
    reason: str
    legal_basis: str


#: Văn phòng Chính phủ, công văn 8726/VPCP-KGVX ngày 26/11/2024: the Prime Minister's
#: decision on Tết Ất Tỵ and the holidays of 2025.
VPCP_8726_2024 = "Công văn 8726/VPCP-KGVX ngày 26/11/2024 (ý kiến Thủ tướng Chính phủ)"
#: Văn phòng Chính phủ, công văn 12729/VPCP-KGVX ngày 25/12/2025: New Year 2026, four days.
VPCP_12729_2025 = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 (ý kiến Phó Thủ tướng Chính phủ)"
#: Bộ Nội vụ, Thông báo 9441/TB-BNV ngày 16/10/2025: Tết Bính Ngọ and National Day 2026.
BNV_9441_2025 = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"
#: Bộ luật Lao động 2019, Điều 112: the statutory public holidays.
LABOUR_CODE_112 = "Bộ luật Lao động 2019, Điều 112"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _off(days: list[date], reason: str, basis: str) -> list[CalendarDecision]:
    return [CalendarDecision(day, False, reason, basis) for day in days if day.weekday() < 5]


OFFICIAL_DECISIONS: tuple[CalendarDecision, ...] = (
    *_off([date(2025, 1, 1)], "Tết Dương lịch", LABOUR_CODE_112),
    # 2025: Tết Ất Tỵ 25/1-2/2/2025 (Saturday to Sunday), its weekdays 27/1-31/1.
    *_off(_days(date(2025, 1, 27), date(2025, 1, 31)), "Tết Ất Tỵ (nghỉ 25/1-2/2/2025)",
          VPCP_8726_2024),
    *_off([date(2025, 4, 7)], "Giỗ Tổ Hùng Vương (10/3 âm lịch)", LABOUR_CODE_112),
    # 30/4-1/5/2025: five days 30/4-4/5, Friday 2/5 swapped with Saturday 26/4.
    CalendarDecision(date(2025, 4, 26), True, "Làm bù cho thứ Sáu 2/5/2025", VPCP_8726_2024),
    *_off([date(2025, 4, 30)], "Ngày Chiến thắng 30/4", LABOUR_CODE_112),
    *_off([date(2025, 5, 1)], "Ngày Quốc tế Lao động 1/5", LABOUR_CODE_112),
    CalendarDecision(date(2025, 5, 2), False,
                     "Nghỉ hoán đổi dịp 30/4-1/5 (làm bù thứ Bảy 26/4/2025)", VPCP_8726_2024),
    # National Day 2025: 2/9 and the day before, 1/9 (Monday).
    *_off([date(2025, 9, 1), date(2025, 9, 2)], "Quốc khánh 2/9", VPCP_8726_2024),
    # 2026: New Year four days 1/1-4/1, Friday 2/1 swapped with Saturday 10/1.
    *_off([date(2026, 1, 1)], "Tết Dương lịch", LABOUR_CODE_112),
    CalendarDecision(date(2026, 1, 2), False,
                     "Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/1/2026)", VPCP_12729_2025),
    CalendarDecision(date(2026, 1, 10), True, "Làm bù cho thứ Sáu 2/1/2026", VPCP_12729_2025),
    # Tết Bính Ngọ 14/2-22/2/2026 (Saturday to Sunday), its weekdays 16/2-20/2.
    *_off(_days(date(2026, 2, 16), date(2026, 2, 20)), "Tết Bính Ngọ (nghỉ 14/2-22/2/2026)",
          BNV_9441_2025),
    # Hùng Kings day 10/3 lunar = Sunday 26/4/2026, taken on Monday 27/4.
    *_off([date(2026, 4, 27)], "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch là Chủ nhật 26/4/2026)",
          "Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112"),
    *_off([date(2026, 4, 30)], "Ngày Chiến thắng 30/4", LABOUR_CODE_112),
    *_off([date(2026, 5, 1)], "Ngày Quốc tế Lao động 1/5", LABOUR_CODE_112),
    # National Day 2026: 29/8-2/9, Monday 31/8 swapped with Saturday 22/8.
    CalendarDecision(date(2026, 8, 22), True, "Làm bù cho thứ Hai 31/8/2026", BNV_9441_2025),
    CalendarDecision(date(2026, 8, 31), False,
                     "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8/2026)", BNV_9441_2025),
    *_off([date(2026, 9, 1), date(2026, 9, 2)], "Quốc khánh 2/9", BNV_9441_2025),
)
