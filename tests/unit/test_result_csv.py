"""Reading an agency's CSV of results: encoding, columns and line numbers, without a database."""
from __future__ import annotations

import pytest

from server.domain.errors import DomainError
from server.domain.result_csv import read_result_csv, registration_from_row

HEADER = "dossier_code,procedure_code,citizen_name,citizen_phone,province,commune,address_line"
ROW = "000.00.04.H51-260105-0001,CA-CCCD-DOI,Lý Thị Dòng,0912345678,Ninh Bình,Phường Hoa Lư,Số 1"


def test_a_semicolon_file_from_a_vietnamese_spreadsheet_is_read() -> None:
    rows, problems = read_result_csv((HEADER + "\n" + ROW).replace(",", ";").encode())
    assert problems == [] and rows[0].values["citizen_name"] == "Lý Thị Dòng"


def test_lines_are_counted_as_in_the_file_even_across_a_quoted_line_break() -> None:
    text = "\n".join([HEADER, ROW.replace("Số 1", '"Số 1\nngõ 2"'), "", ROW])
    rows, _ = read_result_csv(text.encode())
    assert [row.line for row in rows] == [2, 5]  # the blank line 4 is skipped, not renumbered
    assert rows[0].values["address_line"] == "Số 1\nngõ 2"


def test_a_bad_byte_names_its_line() -> None:
    with pytest.raises(DomainError) as refusal:
        read_result_csv((HEADER + "\n" + ROW + "\n").encode() + b"Nguy\xea\xden\n")
    assert (refusal.value.code, refusal.value.details["line"]) == ("csv_encoding", 3)


def test_header_names_are_matched_without_case_or_spaces() -> None:
    rows, _ = read_result_csv((" Dossier_Code ," + HEADER.split(",", 1)[1] + "\n" + ROW).encode())
    assert rows[0].values["dossier_code"] == "000.00.04.H51-260105-0001"


@pytest.mark.parametrize(("cell", "expected"), [("có", True), ("1", True), ("", False),
                                                ("không", False), ("maybe", "maybe")])
def test_the_appointment_slip_cell_reads_yes_and_no(cell: str, expected: object) -> None:
    values = dict(zip(HEADER.split(","), ROW.split(","), strict=True)) | {"with_appointment_slip": cell}
    assert registration_from_row(values)["with_appointment_slip"] == expected
