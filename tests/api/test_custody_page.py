"""The custody page as a person reads it: a Vietnamese timeline of who did what, where and
when, the evidence in words, the proof images to those who audit, the hashes folded away;
and the least personal data to each role that may open it."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.api.audit_world import add_people, events_of
from tests.api.checks import signed_in
from tests.api.scenario import (
    HOME,
    event,
    hand_over,
    register_result,
    sync,
    upload_image,
)
from tests.api.test_custody_export import instance_folder  # noqa: F401 — autouse: a private signing key

NEAR_HOME = {"lat": HOME["lat"] + 0.0002, "lon": HOME["lon"], "accuracy_m": 12}


@pytest.fixture
def delivered(app, world, new_api):  # type: ignore[no-untyped-def]
    """A result missed once at the door, then delivered to the citizen with signature and
    photo, and its cash put right by a countersigned correction. Answers its number, the
    images and the delivery's event."""
    add_people(app)
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk)["tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    signature, photo = upload_image(postman, "custody-signature"), upload_image(postman, "custody-photo")
    results = sync(
        postman, event(number, "out_for_delivery"),
        event(number, "attempt_failed", reason="absent", action="retry", position=NEAR_HOME),
        event(number, "out_for_delivery"),
        event(number, "delivered", position=NEAR_HOME, signature_sha256=signature,
              photo_sha256=photo, cash_collected_vnd=20000,
              recipient={"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                         "id_last4": "7890"}))
    assert [r["status"] for r in results] == ["accepted"] * 4, results
    supervisor = signed_in(new_api(), "supervisor")
    delivery = next(e for e in events_of(supervisor, number) if e["type"] == "delivered")
    asked = supervisor.post("/api/v1/audit/corrections", json={
        "event_id": delivery["id"], "reason": "Đối chiếu biên lai: thu đủ 76.000 đ",
        "correction": {"cash_collected_vnd": 76000}}).get_json()
    countersigned = signed_in(new_api(), "supervisor2").post(
        f"/api/v1/audit/corrections/{asked['id']}/countersign", json={})
    assert countersigned.status_code == 200, countersigned.get_json()
    return {"number": number, "signature": signature, "photo": photo, "delivery": delivery,
            "supervisor": supervisor}


def _text(html: str) -> str:
    """The page's words, tags taken out and spaces folded, as a reader sees them."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _outside_details(html: str) -> str:
    """The page without its technical disclosures (what is shown before anything is opened)."""
    return re.sub(r"<details.*?</details>", "", html, flags=re.DOTALL)


def test_the_supervisor_reads_each_step_in_words_with_the_images(delivered):
    response = delivered["supervisor"].get(f"/items/{delivered['number']}/custody")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = _text(_outside_details(html))
    # Who, which unit by name, what, where; evidence in words, not JSON.
    assert "Bưu cục Trung tâm" in shown and "(bưu tá, " in shown
    assert "Phát thành công" in shown and "Phát không thành công" in shown
    assert "Người nhận Nguyễn Thị Mẫu · chính chủ" in shown
    assert "Căn cước công dân · 4 số cuối 7890" in shown
    assert "Lý do Người nhận đi vắng" in shown and "Xử lý Phát lại" in shown
    assert "Phải thu 76.000 đ" in shown and "Tiền đã thu 20.000 đ" in shown, shown
    assert re.search(r"cách địa chỉ \d+ m \(±12 m\)", shown), shown
    assert re.search(r"Lúc \d\d:\d\d:\d\d \d\d/\d\d/\d{4}", shown)
    # The correction: which step, what, why, and both supervisors by name.
    assert re.search(r"Bước được điều chỉnh bước \d+ · Phát thành công", shown), shown
    assert "Số tiền đã thu thành 76.000 đ" in shown
    assert "Đồng ký bởi" in shown and "Đề nghị bởi" in shown
    assert "đã được điều chỉnh có kiểm soát" in shown
    # No raw evidence nor hash before the disclosure is opened.
    assert '"recipient"' not in _outside_details(html) and delivered["signature"] not in shown
    assert delivered["delivery"]["id"] not in _outside_details(html)
    # The images themselves, and the sketch's data; the technical part under its disclosure.
    for sha in (delivered["signature"], delivered["photo"]):
        assert f'src="/api/v1/media/{sha}"' in html
    assert "data-sketch=" in html
    assert "<summary>Chi tiết kỹ thuật</summary>" in html
    assert delivered["delivery"]["id"] in html  # …inside it


def test_the_agency_officer_reads_the_steps_without_images_or_coordinates(delivered, new_api):
    html = signed_in(new_api(), "agency").get(
        f"/items/{delivered['number']}/custody").get_data(as_text=True)
    shown = _text(html)
    assert "Phát thành công" in shown and "Căn cước công dân · 4 số cuối 7890" in shown
    assert "/api/v1/media/" not in html and delivered["signature"] not in html
    assert "ảnh chỉ kiểm soát viên xem" in shown
    assert "data-sketch=" not in html and f'{NEAR_HOME["lat"]:.6f}' not in html
    assert '"recipient"' not in html  # the evidence as recorded stays with the auditors


@pytest.mark.parametrize(("username", "status"), [
    ("supervisor_lc", 404),  # a supervisor of another province
    ("agency_bhxh", 404),  # another agency
    ("clerk_lc", 403),  # a clerk of another province's office
    ("clerk", 403),  # the item's own counter: not a role that opens custody records
    ("postman", 403),  # the postman who delivered it
])
def test_others_are_refused_and_read_nothing_of_the_item(delivered, new_api, username, status):
    response = signed_in(new_api(), username).get(f"/items/{delivered['number']}/custody")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "Nguyễn Thị Mẫu" not in page and "7890" not in page and "/api/v1/media/" not in page
