"""Reading an agency's CSV of results to deliver: encoding, columns, one row per result.

Pure: bytes in, numbered rows (or a refusal naming the line) out. The service validates
each row as a registration and imports all of them or none.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from server.domain.errors import DomainError

#: Columns every file must have (names as in the template the agency downloads).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "dossier_code", "procedure_code", "citizen_name", "citizen_phone",
    "province", "commune", "address_line",
)
#: Columns a file may have; an empty cell means "not given".
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "id_type", "id_number", "document_name", "postage_vnd", "official_fee_vnd",
    "with_appointment_slip", "post_office_unit",
)
#: The largest file accepted, in data rows (a day's results of a busy agency).
MAX_ROWS = 2000
_TRUE_WORDS = frozenset({"1", "x", "true", "yes", "có", "co"})
_FALSE_WORDS = frozenset({"", "0", "false", "no", "không", "khong"})


#: Where each column lands in a registration: a refusal names the column the officer typed in.
FIELD_COLUMNS: dict[str, str] = {
    "dossier_code": "dossier_code", "procedure_code": "procedure_code",
    "citizen.name": "citizen_name", "citizen.phone": "citizen_phone",
    "citizen.id_type": "id_type", "citizen.id_number": "id_number",
    "citizen.address.province": "province", "citizen.address.commune": "commune",
    "citizen.address.line": "address_line", "documents.0.name": "document_name",
    "fees.postage_vnd": "postage_vnd", "fees.official_fee_vnd": "official_fee_vnd",
    "with_appointment_slip": "with_appointment_slip", "post_office_unit": "post_office_unit",
}


@dataclass(frozen=True)
class CsvRow:
    """One data row and the line of the file it starts on (the header is line 1)."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be read at all (wrong number of cells)."""

    line: int
    code: str
    message: str


def _decode(raw: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; else name the first bad line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DomainError(
            "csv_encoding",
            f"Tệp không phải mã UTF-8 (ký tự lỗi ở dòng {line}). Trong Excel hãy chọn "
            "“Lưu thành… CSV UTF-8 (phân cách bằng dấu phẩy)” rồi tải lên lại.",
            {"line": line},
        ) from None


def _delimiter(header_line: str) -> str:
    """Comma, or semicolon where a spreadsheet in a Vietnamese locale used it."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_result_csv(raw: bytes) -> tuple[list[CsvRow], list[RowProblem]]:
    """The file's data rows, numbered by line, and the rows that could not be read."""
    text = _decode(raw)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DomainError("csv_unreadable",
                          f"Tệp có ký tự NUL ở dòng {line}: đây không phải tệp CSV văn bản.", {"line": line})
    try:
        return _read_rows(text)
    except csv.Error as error:  # e.g. a cell longer than the csv module accepts
        raise DomainError("csv_unreadable", f"Không đọc được tệp CSV: {error}.") from None


def _read_rows(text: str) -> tuple[list[CsvRow], list[RowProblem]]:
    """Header checks, then one row per record; `text` is already decoded."""
    if not text.strip():
        raise DomainError("csv_empty", "Tệp trống: cần dòng tiêu đề và ít nhất một dòng kết quả.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise DomainError("csv_missing_columns", "Thiếu cột: " + ", ".join(missing) + ".",
                          {"line": 1, "missing": missing})
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise DomainError("csv_unknown_columns",
                          "Cột không có trong mẫu: " + ", ".join(unknown) + ". Kiểm tra chính tả tên cột.",
                          {"line": 1, "unknown": unknown})
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DomainError("csv_repeated_columns", "Cột bị lặp: " + ", ".join(repeated) + ".",
                          {"line": 1, "repeated": repeated})
    rows, problems = [], []
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            if len(cells) != len(header):
                problems.append(RowProblem(line, "csv_wrong_cell_count",
                                           f"Dòng có {len(cells)} ô, cần {len(header)} ô như dòng tiêu đề."))
            else:
                rows.append(CsvRow(line, dict(zip(header, (cell.strip() for cell in cells), strict=True))))
            if len(rows) + len(problems) > MAX_ROWS:
                raise DomainError("csv_too_many_rows",
                                  f"Tệp quá {MAX_ROWS} dòng kết quả; hãy chia thành nhiều tệp.",
                                  {"max_rows": MAX_ROWS})
        line = reader.line_num + 1
    if not rows and not problems:
        raise DomainError("csv_empty", "Tệp chỉ có dòng tiêu đề, chưa có dòng kết quả nào.")
    return rows, problems


def _flag(text: str) -> bool | str:
    """Yes/no cells as written in Vietnamese or English; anything else is left to refuse."""
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return text


def registration_from_row(values: dict[str, str]) -> dict[str, Any]:
    """The registration of one result, as the API's JSON body would carry it."""
    def given(name: str) -> str | None:
        return values.get(name) or None

    citizen: dict[str, Any] = {
        "name": values["citizen_name"], "phone": values["citizen_phone"],
        "address": {"province": values["province"], "commune": values["commune"],
                    "line": values["address_line"]},
    }
    if given("id_number"):
        citizen["id_number"] = values["id_number"]
        citizen["id_type"] = given("id_type") or "cccd"
    fees: dict[str, Any] = {"postage_vnd": given("postage_vnd") or 0}
    if given("official_fee_vnd"):
        fees["official_fee_vnd"] = values["official_fee_vnd"]
    registration: dict[str, Any] = {
        "dossier_code": values["dossier_code"], "procedure_code": values["procedure_code"],
        "citizen": citizen, "fees": fees,
        "with_appointment_slip": _flag(values.get("with_appointment_slip", "")),
        "documents": ([{"name": values["document_name"], "original": True, "count": 1}]
                      if given("document_name") else []),
    }
    if given("post_office_unit"):
        registration["post_office_unit"] = values["post_office_unit"]
    return registration
