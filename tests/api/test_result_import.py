"""Results registered in bulk: the officer's CSV file, the agency system's JSON batch.

All or nothing: one bad line refuses the whole file, each bad line named with its number
and reason, and nothing of it is recorded (not even a tracking serial).
"""
from __future__ import annotations

import unicodedata

import pytest
from flask import Flask
from sqlalchemy import select

from server.core.security import issue_api_token
from server.extensions import db
from server.models import User
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import HOME
from tests.conftest import ApiClient

HEADER = ("dossier_code,procedure_code,citizen_name,citizen_phone,id_number,province,commune,"
          "address_line,document_name,postage_vnd")


def _row(code: str, procedure: str = "CA-CCCD-DOI", phone: str = "0912345678",
         id_number: str = "001234567890") -> str:
    return (f"{code},{procedure},Nguyễn Văn Kết,{phone},{id_number},{HOME['province']},"
            f"{HOME['commune']},\"Số 5, đường Trần Hưng Đạo\",Thẻ căn cước,26000")


def _csv(*rows: str, bom: bool = False) -> bytes:
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _windows_1258(text: str) -> bytes:
    """Vietnamese as a spreadsheet on Windows saves it: cp1258, tones as combining marks."""
    encoded = b""
    for character in text:
        try:
            encoded += character.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", character)
            try:
                encoded += parts.encode("cp1258")
            except UnicodeEncodeError:  # keep the base vowel's hat, add the tone
                encoded += unicodedata.normalize("NFC", parts[:2]).encode("cp1258")
                encoded += parts[2:].encode("cp1258")
    return encoded


def _upload(client: ApiClient, body: bytes):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/results/import", data=body, content_type="text/csv")


@pytest.fixture
def officer(world, new_api) -> ApiClient:  # type: ignore[no-untyped-def]
    return signed_in(new_api(), "agency")


def test_a_good_file_registers_every_line_as_a_result_held_by_the_agency(officer):
    answer = _upload(officer, _csv(_row("000.00.04.H51-260105-0001"),
                                   _row("000.00.04.H51-260105-0002")))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["imported"] == 2
    assert [r["line"] for r in body["results"]] == [2, 3]
    item = officer.get(f"/api/v1/items/{body['results'][0]['tracking_number']}").get_json()
    assert item["kind"] == "result" and item["status"] == "registered"
    assert item["holder"]["unit"] == "CA-TINH"
    assert item["dossier_code"] == "000.00.04.H51-260105-0001"
    assert item["citizen"]["address"]["line"] == "Số 5, đường Trần Hưng Đạo"
    assert item["citizen"]["id_last4"] == "7890"


def test_a_byte_order_mark_is_accepted(officer):
    answer = _upload(officer, _csv(_row("000.00.04.H51-260105-0001"), bom=True))
    assert answer.status_code == 201, answer.get_json()


def test_a_result_links_to_the_dossier_with_its_code(officer, new_api):
    clerk = signed_in(new_api(), "clerk")
    dossier = clerk.post("/api/v1/items", json={
        "kind": "dossier", "procedure_code": "CA-CCCD-DOI",
        "dossier_code": "000.00.04.H51-260105-0042",
        "citizen": {"name": "Đỗ Thị Hồ Sơ", "phone": "0987000222", "address": dict(HOME)},
        "documents": [{"name": "Tờ khai căn cước (mẫu CC01)", "original": True, "count": 1}]})
    assert dossier.status_code == 201, dossier.get_json()
    answer = _upload(officer, _csv(_row("000.00.04.H51-260105-0042"),
                                   _row("000.00.04.H51-260105-0043")))
    assert answer.status_code == 201, answer.get_json()
    linked = [r["linked_dossier"] for r in answer.get_json()["results"]]
    assert linked == [dossier.get_json()["tracking_number"], None]


def test_a_file_not_in_utf8_is_refused_naming_the_line(app, officer):
    body = _windows_1258("\r\n".join([HEADER, _row("000.00.04.H51-260105-0001")]))
    with nothing_written(app):
        error = assert_error(_upload(officer, body), 422, "csv_encoding")
    assert error["details"]["line"] == 2
    assert "UTF-8" in error["message"]


def test_missing_columns_are_named(app, officer):
    body = "dossier_code,procedure_code,citizen_name\n000.00.04.H51-260105-0001,CA-CCCD-DOI,A\n"
    with nothing_written(app):
        error = assert_error(_upload(officer, body.encode()), 422, "csv_missing_columns")
    assert error["details"]["missing"] == ["citizen_phone", "province", "commune", "address_line"]


def test_an_unknown_column_is_refused(app, officer):
    body = _csv(_row("000.00.04.H51-260105-0001")).replace(b"postage_vnd", b"postage")
    with nothing_written(app):
        error = assert_error(_upload(officer, body), 422, "csv_unknown_columns")
    assert error["details"]["unknown"] == ["postage"]


def test_every_bad_line_is_reported_and_nothing_of_the_file_is_imported(app, officer):
    assert _upload(officer, _csv(_row("000.00.04.H51-260105-0009"))).status_code == 201
    body = _csv(
        _row("000.00.04.H51-260105-0001"),                         # line 2: good
        _row("000.00.04.H51-260105-0001"),                         # 3: twice in the file
        _row("000.00.04.H51-260105-0009"),                         # 4: already registered
        _row("000.00.04.H51-260105-0004", procedure="CA-KHONGCO"),  # 5: unknown procedure
        _row("000.00.04.H51-260105-0005", procedure="CA-HOCHIEU"),  # 6: not by post
        _row("000.00.04.H51-260105-0006", phone="012345"),          # 7: bad phone
        _row("000.00.04.H51-260105-0007", id_number="12345"),       # 8: bad ID number
        "000.00.04.H51-260105-0008,CA-CCCD-DOI,thiếu ô",            # 9: cells missing
        _row("000.00.04.H51-260105-0010"),                         # 10: good
    )
    with nothing_written(app):
        error = assert_error(_upload(officer, body), 422, "import_rejected")
    assert error["details"]["imported"] == 0
    assert [(e["line"], e["code"]) for e in error["details"]["errors"]] == [
        (3, "duplicate_dossier_code"), (4, "dossier_code_registered"),
        (5, "unknown_procedure"), (6, "procedure_not_eligible"), (7, "invalid_phone"),
        (8, "invalid_id_number"), (9, "csv_wrong_cell_count")]
    assert "dòng 2" in error["details"]["errors"][0]["message"]
    assert error["details"]["errors"][4]["field"] == "citizen_phone"  # the file's own column
    assert error["details"]["errors"][4]["message"].startswith("Cột citizen_phone: ")
    assert "7 dòng lỗi" in error["message"]


def test_a_fixed_file_imports_after_a_refused_one(app, officer):
    bad = _csv(_row("000.00.04.H51-260105-0001"), _row("000.00.04.H51-260105-0002", phone="1"))
    assert_error(_upload(officer, bad), 422, "import_rejected")
    fixed = _csv(_row("000.00.04.H51-260105-0001"), _row("000.00.04.H51-260105-0002"))
    answer = _upload(officer, fixed)
    assert answer.status_code == 201, answer.get_json()
    # The refused file used no serial: the numbers continue from the first.
    assert [r["tracking_number"] for r in answer.get_json()["results"]] == [
        "KQ000000014VN", "KQ000000028VN"]


def test_another_agencys_procedure_is_refused_on_its_line(app, officer):
    body = _csv(_row("000.00.04.H51-260105-0001", procedure="BHXH-SO-CAPLAI"))
    with nothing_written(app):
        error = assert_error(_upload(officer, body), 422, "import_rejected")
    assert [(e["line"], e["code"]) for e in error["details"]["errors"]] == [(2, "other_unit")]


def _token(app: Flask, username: str = "agency") -> dict[str, str]:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        raw = issue_api_token(user, "one-stop system")
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _registration(code: str, **overrides) -> dict:  # type: ignore[no-untyped-def]
    body = {"dossier_code": code, "procedure_code": "CA-CCCD-DOI",
            "citizen": {"name": "Lê Thị Hệ Thống", "phone": "0901234567", "address": dict(HOME)},
            "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}],
            "with_appointment_slip": True}
    body.update(overrides)
    return body


def test_the_agency_system_registers_a_batch_with_its_token(app, world):
    client = app.test_client()
    answer = client.post("/api/v1/results/batch", headers=_token(app), json={"results": [
        _registration("000.00.04.H51-260105-0001"), _registration("000.00.04.H51-260105-0002")]})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["imported"] == 2
    assert [r["line"] for r in answer.get_json()["results"]] == [1, 2]


def test_a_batch_with_one_bad_result_registers_none(app, world):
    client = app.test_client()
    batch = {"results": [
        _registration("000.00.04.H51-260105-0001"),
        _registration("000.00.04.H51-260105-0002", citizen={"name": "X", "phone": "0123"}),
        _registration("000.00.04.H51-260105-0001"),
        _registration("000.00.04.H51-260105-0004", procedure_code="CA-HOCHIEU")]}
    token = _token(app)
    with nothing_written(app):
        error = assert_error(client.post("/api/v1/results/batch", headers=token, json=batch),
                             422, "import_rejected")
    errors = error["details"]["errors"]
    assert [(e["line"], e["code"]) for e in errors] == [
        (2, "invalid_phone"), (3, "duplicate_dossier_code"), (4, "procedure_not_eligible")]
    assert errors[0]["field"] == "citizen.phone"


def test_a_batch_result_needs_its_dossier_code(app, world):
    client = app.test_client()
    body = _registration("000.00.04.H51-260105-0001")
    del body["dossier_code"]
    token = _token(app)
    with nothing_written(app):
        error = assert_error(client.post("/api/v1/results/batch", headers=token,
                                         json={"results": [body]}), 422, "import_rejected")
    assert (error["details"]["errors"][0]["code"], error["details"]["errors"][0]["field"]) == (
        "missing", "dossier_code")


def test_a_batch_line_may_not_set_what_the_post_decides(app, world):
    # The route class sets the deadline: it is the post's, not the agency system's.
    body = {**_registration("000.00.04.H51-260105-0001"), "route_class": "inter_province"}
    token = _token(app)
    with nothing_written(app):
        error = assert_error(app.test_client().post(
            "/api/v1/results/batch", headers=token, json={"results": [body]}),
            422, "import_rejected")
    assert (error["details"]["errors"][0]["code"], error["details"]["errors"][0]["field"]) == (
        "extra_forbidden", "route_class")


def test_a_binary_file_is_refused_as_unreadable(app, officer):
    body = _csv(_row("000.00.04.H51-260105-0001")) + b"\x00\x01\x02"
    with nothing_written(app):
        error = assert_error(_upload(officer, body), 422, "csv_unreadable")
    assert error["details"]["line"] == 3


def test_an_empty_file_is_refused(app, officer):
    with nothing_written(app):
        assert_error(_upload(officer, b""), 422, "csv_empty")
        assert_error(_upload(officer, (HEADER + "\n").encode()), 422, "csv_empty")
