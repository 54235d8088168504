"""The summary report as files: one row per figure, in CSV and XLSX (TT17 Art.13)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from server.domain.lifecycle import FAILURE_ACTION_LABELS_VI, FAILURE_REASON_LABELS_VI
from server.domain.local_time import day_text, local_time_text
from server.reporting.reports import (
    CASH_LABELS_VI,
    COUNT_LABELS_VI,
    EXPORT_HEADERS_VI,
    INCIDENT_LABELS_VI,
    ON_TIME_GROUP_LABELS_VI,
    ON_TIME_LABELS_VI,
)
from server.reporting.schemas import DirectionCounts, ReportSummary


@dataclass(frozen=True)
class FigureRow:
    """One line of an export: section, key, value (None when not recorded), Vietnamese label."""

    section: str
    key: str
    value: Any
    label: str


def _direction_rows(section: str, prefix: str, counts: DirectionCounts,
                    label_prefix: str = "") -> list[FigureRow]:
    """The seven direction counts of one group."""
    rows = []
    for direction in ("dossiers", "results"):
        for name, value in getattr(counts, direction).model_dump().items():
            key = f"{direction}.{name}"
            rows.append(FigureRow(section, prefix + key, value,
                                  label_prefix + COUNT_LABELS_VI[key]))
    return rows


def figure_rows(summary: ReportSummary) -> list[FigureRow]:
    """Every figure of the report as rows, for CSV and XLSX alike."""
    rows = [
        FigureRow("report", "unit", summary.unit.code, f"Đơn vị: {summary.unit.name}"),
        FigureRow("report", "submitted_to", summary.submitted_to.name,
                  f"Kính gửi: {summary.submitted_to.name} ({summary.submitted_to.legal_basis})"),
        FigureRow("report", "period", summary.period.kind.value,
                  f"Kỳ báo cáo: {summary.period.label}"),
        FigureRow("report", "start", summary.period.start.isoformat(), "Từ ngày"),
        FigureRow("report", "end", summary.period.end.isoformat(), "Đến ngày (tính cả ngày này)"),
        FigureRow("report", "generated_at", summary.generated_at.isoformat(),
                  "Thời điểm lập báo cáo (UTC)"),
    ]
    rows += _direction_rows("items", "", summary.items)
    for field in summary.by_field:
        rows += _direction_rows("by_field", f"{field.field}.", field, f"{field.label} — ")
    for group, label in ON_TIME_GROUP_LABELS_VI.items():
        for name, value in getattr(summary.on_time, group).model_dump().items():
            rows.append(FigureRow("on_time", f"{group}.{name}", value,
                                  f"{label}: {ON_TIME_LABELS_VI[name]}"))
    failures = summary.failures
    rows.append(FigureRow("failures", "attempts", failures.attempts,
                          "Số lần phát không thành công"))
    for reason, count in failures.by_reason.items():
        label = FAILURE_REASON_LABELS_VI.get(reason, reason)
        rows.append(FigureRow("failures", f"reason.{reason}", count, f"Lý do: {label}"))
    for action, count in failures.by_action.items():
        label = FAILURE_ACTION_LABELS_VI.get(action, action)
        rows.append(FigureRow("failures", f"action.{action}", count, f"Xử lý: {label}"))
    for name, value in summary.incidents.model_dump().items():
        rows.append(FigureRow("incidents", name, value, INCIDENT_LABELS_VI[name]))
    for name, value in summary.cash.model_dump().items():
        rows.append(FigureRow("cash", name, value, CASH_LABELS_VI[name]))
    return rows


def _csv_value(value: Any) -> str:
    """A cell of the CSV: empty for a figure not recorded."""
    return "" if value is None else str(value)


def summary_csv(summary: ReportSummary) -> bytes:
    """The report as CSV, UTF-8 with a BOM so that Excel shows the Vietnamese."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(EXPORT_HEADERS_VI)
    for row in figure_rows(summary):
        writer.writerow((row.section, row.key, _csv_value(row.value), row.label))
    return text.getvalue().encode("utf-8-sig")


#: The columns of the by-field table: (heading, direction, count).
FIELD_COLUMNS_VI = (
    ("Hồ sơ đã nhận", "dossiers", "accepted"), ("Hồ sơ đã nộp", "dossiers", "filed"),
    ("Kết quả đã tiếp nhận", "results", "registered"), ("Kết quả đã phát", "results", "delivered"),
    ("Kết quả chuyển hoàn", "results", "returned"),
)


def _report_sheet(sheet: Any, summary: ReportSummary) -> None:
    """The report as a person sends it: title, unit and period, tables with totals."""
    bold = Font(bold=True)
    period = summary.period
    sheet.append(("BÁO CÁO TÌNH HÌNH CUNG CẤP DỊCH VỤ BƯU CHÍNH CÔNG ÍCH",))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(("Theo Điều 13 Thông tư 17/2017/TT-BTTTT",))
    sheet.append((f"Đơn vị: {summary.unit.name}",))
    sheet.append((f"Kỳ báo cáo: {period.label} (từ {day_text(period.start)} đến {day_text(period.end)})",))
    sheet.append(())
    sheet.append(("Chỉ tiêu", "Số lượng"))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    items = summary.items
    for label, value in (("Hồ sơ đã nhận", items.dossiers.accepted),
                         ("Hồ sơ đã nộp cho cơ quan", items.dossiers.filed),
                         ("Kết quả đã tiếp nhận", items.results.registered),
                         ("Kết quả đã phát", items.results.delivered),
                         ("Kết quả chuyển hoàn", items.results.returned),
                         ("Số hoàn thành đúng hạn", summary.on_time.all.on_time),
                         ("Số hoàn thành trễ hạn", summary.on_time.all.late),
                         ("Số lần phát không thành công", summary.failures.attempts),
                         ("Tiền đã thu (đồng)", summary.cash.collected_vnd),
                         ("Tiền phải thu (đồng)", summary.cash.due_vnd)):
        sheet.append((label, value))
        sheet.cell(row=sheet.max_row, column=2).number_format = "#,##0"
    sheet.append(("Tỷ lệ đúng hạn", summary.on_time.all.rate))
    sheet.cell(row=sheet.max_row, column=2).number_format = "0.0%"
    sheet.append(())
    sheet.append(("Lĩnh vực", *(heading for heading, _d, _c in FIELD_COLUMNS_VI)))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for field in summary.by_field:
        sheet.append((field.label, *(getattr(getattr(field, direction), count)
                                     for _h, direction, count in FIELD_COLUMNS_VI)))
    sheet.append(("Tổng cộng", *(getattr(getattr(items, direction), count)
                                 for _h, direction, count in FIELD_COLUMNS_VI)))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append(())
    sheet.append((f"Lập lúc {local_time_text(summary.generated_at)}",))
    sheet.column_dimensions["A"].width = 44
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 18


def summary_xlsx(summary: ReportSummary) -> bytes:
    """The report as an Excel workbook: the first sheet to send (Vietnamese headings, units
    by name, totals, the period); the second, "Dữ liệu", the CSV's rows for machines."""
    workbook = Workbook()
    first = workbook.worksheets[0]
    _report_sheet(first, summary)
    first.title = "Báo cáo"
    sheet = workbook.create_sheet("Dữ liệu")
    sheet.append(EXPORT_HEADERS_VI)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in figure_rows(summary):
        sheet.append((row.section, row.key, row.value, row.label))
        if row.key.endswith(".rate") and row.value is not None:
            sheet.cell(row=sheet.max_row, column=3).number_format = "0.00%"
    for column, width in zip("ABCD", (12, 40, 16, 70), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_name(summary: ReportSummary, extension: str) -> str:
    """The file name of an export: unit and dates, ASCII only."""
    period = summary.period
    return f"bao-cao-{summary.unit.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"
