"""Filing with the agency (QĐ45 Art.7): the handover record both sign, each dossier complete or
not, the signing time as the legal filing time, and supplement requests (Art.7(4))."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.media.service import MISSING_MEDIA_MESSAGE
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import HOME, event, sync, upload_image
from tests.conftest import ApiClient


@dataclass
class Filing:
    """The clerk, the postman carrying dossiers and the police agency's officer."""

    clerk: ApiClient
    postman: ApiClient
    officer: ApiClient
    numbers: list[str]


def _dossier(clerk: ApiClient, code: str) -> str:
    body = {"kind": "dossier", "procedure_code": "CA-GPLX-DOI", "dossier_code": code,
            "citizen": {"name": "Phạm Thị Nộp", "phone": "0987000111", "address": dict(HOME)},
            "documents": [{"name": "Đơn đề nghị đổi giấy phép lái xe", "original": True,
                           "count": 1}],
            "fees": {"postage_vnd": 26000}}
    answer = clerk.post("/api/v1/items", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["tracking_number"]


def _list(sender: ApiClient, numbers: list[str], sign: bool = True, **to: str) -> int:
    body = {**to, "items": numbers}
    if sign:
        body["signature_sha256"] = upload_image(sender, f"sender-{numbers}-{to}")
    created = sender.post("/api/v1/handovers", json=body)
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def _sign(receiver: ApiClient, record: int, scanned: list[str], **extra) -> dict:  # type: ignore[no-untyped-def]
    signature = upload_image(receiver, f"receiver-{record}")
    answer = receiver.post(f"/api/v1/handovers/{record}/accept",
                           json={"scanned": scanned, "signature_sha256": signature, **extra})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _item(client: ApiClient, number: str) -> dict:
    return client.get(f"/api/v1/items/{number}").get_json()


@pytest.fixture
def filing(world, new_api) -> Filing:  # type: ignore[no-untyped-def]
    """Two dossiers taken at the counter, carried by the postman toward the agency."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    officer = signed_in(new_api(), "agency")
    numbers = [_dossier(clerk, f"000.00.04.H51-260105-000{n}") for n in (1, 2)]
    _sign(postman, _list(clerk, numbers, to_user="postman"), numbers)
    return Filing(clerk, postman, officer, numbers)


@pytest.fixture
def signed(filing: Filing) -> tuple[int, dict]:
    """The officer signs, finding the second dossier incomplete."""
    record = _list(filing.postman, filing.numbers, to_unit="CA-TINH")
    answer = _sign(filing.officer, record, filing.numbers, incomplete=[
        {"tracking_number": filing.numbers[1], "missing": "Giấy khám sức khỏe của người lái xe"}])
    return record, answer


def test_the_signing_time_is_the_filing_time_of_each_complete_dossier(filing, signed):
    _, answer = signed
    complete, _ = filing.numbers
    assert answer["filed"] == [complete]
    item = _item(filing.officer, complete)
    assert item["status"] == "filed" and item["holder"]["unit"] == "CA-TINH"
    assert item["filed_at"] == answer["accepted_at"] == item["events"][-1]["occurred_at"]


def test_the_record_lists_every_number_with_both_signatures_and_completeness(filing, signed):
    record, answer = signed
    for reader in (filing.postman, filing.officer):
        shown = reader.get(f"/api/v1/handovers/{record}").get_json()
        assert shown["sender_signed"] and shown["receiver_signed"]
        assert shown["accepted_at"] == answer["accepted_at"]
        assert [(line["tracking_number"], line["outcome"], line["complete"],
                 line["missing_documents"]) for line in shown["lines"]] == [
            (filing.numbers[0], "received", True, None),
            (filing.numbers[1], "received", False, "Giấy khám sức khỏe của người lái xe")]


def test_an_incomplete_dossier_is_not_filed_and_goes_back_with_the_post(filing, signed):
    record, answer = signed
    incomplete = filing.numbers[1]
    assert answer["supplement_requested"] == [incomplete]
    item = _item(filing.postman, incomplete)
    assert item["status"] == "supplement_requested" and item["filed_at"] is None
    assert item["holder"]["user"] == "postman"  # the post carries it back toward the citizen
    request = item["events"][-1]
    assert request["type"] == "supplement_requested" and request["actor"] == "agency"
    assert request["evidence"]["missing"] == "Giấy khám sức khỏe của người lái xe"
    assert request["evidence"]["handover_id"] == record


def test_the_supplement_moves_the_filing_time_to_its_own_signature(filing, signed):
    """QĐ45 Art.7(4): the dossier counts as filed when the complete dossier is signed for."""
    _, first = signed
    incomplete = filing.numbers[1]
    citizen_signature = upload_image(filing.postman, "citizen-supplement")
    [result] = sync(filing.postman, event(incomplete, "collected",
                                          signature_sha256=citizen_signature))
    assert result["status"] == "accepted", result
    _sign(filing.clerk, _list(filing.postman, [incomplete], to_unit="BC-TRUNGTAM"), [incomplete])
    second = _sign(filing.officer, _list(filing.clerk, [incomplete], to_unit="CA-TINH"),
                   [incomplete])
    item = _item(filing.officer, incomplete)
    assert item["status"] == "filed"
    assert item["filed_at"] == second["accepted_at"] > first["accepted_at"]
    assert [e["type"] for e in item["events"]].count("filed") == 1
    # The complete dossier of the first record kept its own filing time.
    assert _item(filing.officer, filing.numbers[0])["filed_at"] == first["accepted_at"]


def test_a_second_signature_on_a_signed_record_is_refused_and_changes_nothing(app, filing, signed):
    record, _ = signed
    signature = upload_image(filing.officer, "second-signature")
    with nothing_written(app):
        refused = filing.officer.post(f"/api/v1/handovers/{record}/accept",
                                      json={"scanned": filing.numbers,
                                            "signature_sha256": signature})
    error = assert_error(refused, 409, "handover_closed")
    assert error["details"] == {"status": "accepted"}


def test_listing_an_item_the_sender_does_not_hold_is_refused_naming_it(app, filing):
    officer_signature = upload_image(filing.clerk, "clerk-signature")
    with nothing_written(app):
        refused = filing.clerk.post("/api/v1/handovers", json={
            "to_unit": "CA-TINH", "items": filing.numbers,
            "signature_sha256": officer_signature})
    error = assert_error(refused, 409, "not_holder")
    assert error["details"]["items"] == filing.numbers
    assert filing.numbers[0] in error["message"]


def test_filing_without_the_senders_signature_is_refused(app, filing):
    with nothing_written(app):
        refused = filing.postman.post("/api/v1/handovers",
                                      json={"to_unit": "CA-TINH", "items": filing.numbers})
    assert_error(refused, 422, "sender_signature_required")


def test_a_signature_that_was_never_uploaded_is_refused(app, filing):
    with nothing_written(app):
        refused = filing.postman.post("/api/v1/handovers", json={
            "to_unit": "CA-TINH", "items": filing.numbers, "signature_sha256": "a" * 64})
    assert assert_error(refused, 422, "missing_media")["message"] == MISSING_MEDIA_MESSAGE


def test_marking_incomplete_outside_a_filing_is_refused_and_changes_nothing(app, filing, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = _dossier(clerk, "000.00.04.H51-260105-0009")
    record = _list(clerk, [number], to_user="postman")
    signature = upload_image(filing.postman, "postman-load")
    with nothing_written(app):
        refused = filing.postman.post(f"/api/v1/handovers/{record}/accept", json={
            "scanned": [number], "signature_sha256": signature,
            "incomplete": [{"tracking_number": number, "missing": "Ảnh 3x4"}]})
    error = assert_error(refused, 422, "not_a_filing_line")
    assert error["details"]["items"] == [number]


def test_a_filed_dossier_cannot_be_listed_again(app, filing, signed):
    complete = filing.numbers[0]
    with nothing_written(app):
        refused = filing.officer.post("/api/v1/handovers",
                                      json={"to_unit": "BC-TRUNGTAM", "items": [complete]})
    assert_error(refused, 409, "item_closed")


def test_the_printable_record_shows_every_number_and_the_signing_time(filing, signed):
    record, _ = signed
    page = filing.officer.get(f"/handovers/{record}/record")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "BIÊN BẢN GIAO NHẬN HỒ SƠ THỦ TỤC HÀNH CHÍNH" in html
    for number in filing.numbers:
        assert number in html
    assert "(thời điểm nộp hồ sơ)" in html
    assert "Chưa đầy đủ — cần bổ sung: Giấy khám sức khỏe của người lái xe" in html
    assert html.count("/api/v1/media/") == 2  # both signatures


def test_the_printable_record_escapes_what_the_officer_typed(filing):
    record = _list(filing.postman, filing.numbers[:1], to_unit="CA-TINH")
    _sign(filing.officer, record, filing.numbers[:1], incomplete=[
        {"tracking_number": filing.numbers[0], "missing": "<script>alert(1)</script>"}])
    html = filing.officer.get(f"/handovers/{record}/record").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_printable_record_is_for_the_parties_only(filing, signed, new_api):
    record, _ = signed
    other_agency = signed_in(new_api(), "agency_bhxh")
    assert other_agency.get(f"/handovers/{record}/record").status_code == 404
    anonymous = new_api()
    assert anonymous.get(f"/handovers/{record}/record").status_code == 302


def test_the_custody_page_shows_the_filing_time(filing, signed):
    page = filing.officer.get(f"/items/{filing.numbers[0]}/custody").get_data(as_text=True)
    assert "Thời điểm nộp hồ sơ" in page
    export = filing.officer.get(f"/api/v1/items/{filing.numbers[0]}/custody-export.json").get_json()
    assert export["body"]["item"]["filed_at"] is not None
    incomplete = filing.officer.get(f"/items/{filing.numbers[1]}/custody").get_data(as_text=True)
    assert "Thời điểm nộp hồ sơ" not in incomplete


def test_a_cancelled_record_cannot_be_signed(app, filing):
    from sqlalchemy import text

    from server.extensions import db

    record = _list(filing.postman, filing.numbers, to_unit="CA-TINH")
    with app.app_context():
        db.session.execute(text("UPDATE handover_records SET status = 'cancelled' WHERE id = :id"),
                           {"id": record})
        db.session.commit()
    signature = upload_image(filing.officer, "late-signature")
    with nothing_written(app):
        refused = filing.officer.post(f"/api/v1/handovers/{record}/accept",
                                      json={"scanned": filing.numbers, "signature_sha256": signature})
    assert assert_error(refused, 409, "handover_closed")["details"] == {"status": "cancelled"}


def test_a_dossier_cannot_be_filed_with_another_agency(app, filing):
    # The driving-licence dossiers are the police's: the social insurance agency may not
    # receive them (filing is final, and it would read the citizen's data).
    signature = upload_image(filing.postman, "sender-wrong-agency")
    with nothing_written(app):
        error = assert_error(filing.postman.post("/api/v1/handovers", json={
            "to_unit": "BHXH-TINH", "items": filing.numbers, "signature_sha256": signature}),
            409, "wrong_agency")
    assert error["details"]["items"] == filing.numbers



def test_both_parties_see_both_signatures_of_their_signed_filing_record(app, filing, signed):
    """The printable record shows the sender's and the receiver's signatures to each party,
    the incomplete dossier (kept by the post) included."""
    from server.extensions import db
    from server.models import HandoverRecord

    record, _ = signed
    with app.app_context():
        stored = db.session.get(HandoverRecord, record)
        shas = (stored.sender_signature_sha256, stored.receiver_signature_sha256)
    for party in (filing.officer, filing.postman):
        for sha in shas:
            assert party.get(f"/api/v1/media/{sha}").status_code == 200
