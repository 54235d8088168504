"""Public tracking (TT17 Art.12): free, with no account, and with nothing personal on it."""
from __future__ import annotations

import re

import pytest

from tests.api.checks import (
    CHECK_DIGIT_MESSAGE,
    UNKNOWN_NUMBER,
    assert_error,
    signed_in,
    with_wrong_check_digit,
)
from tests.api.scenario import (
    HOME,
    event,
    hand_over,
    register_result,
    result_body,
    sync,
    upload_image,
)

CITIZEN = {"name": "Lương Thị Riêng", "phone": "0987 654 321", "id_number": "036198004321",
           "address": {**HOME, "line": "Ngõ 77 phố Tuệ Tĩnh"}}
#: What must never appear on a public answer: name, phone (both forms), street line, ID digits.
PERSONAL = ("Lương Thị Riêng", "0987654321", "0987 654 321", "987654321", "Ngõ 77", "Tuệ Tĩnh",
            "036198004321")
STAFF = ("clerk", "postman", "Phạm Thu Giao", "Nguyễn Văn Phát")


@pytest.fixture
def delivered(world, new_api) -> str:  # type: ignore[no-untyped-def]
    """A result delivered to its citizen, with every kind of personal evidence on the way."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    citizen = {**result_body()["citizen"], **CITIZEN}
    number = register_result(clerk, citizen=citizen)["tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    signature = upload_image(postman, "signature")
    sync(postman, event(number, "out_for_delivery"),
         event(number, "delivered", position={"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 5},
               signature_sha256=signature, cash_collected_vnd=26000,
               recipient={"name": "Lương Thị Riêng", "relation": "self", "id_type": "cccd",
                          "id_last4": "4321"},
               papers_collected=["Giấy hẹn trả kết quả"]))
    return number


def _assert_nothing_personal(text: str) -> None:
    for personal in PERSONAL + STAFF:
        assert personal not in text, personal
    # The last four ID digits, unless inside a longer number (a timestamp's microseconds).
    assert not re.search(r"(?<!\d)4321(?!\d)", text)
    assert str(HOME["lat"]) not in text and str(HOME["lon"]) not in text


def test_public_tracking_answers_status_and_steps_without_an_account(app, delivered, new_api):
    response = new_api().get(f"/api/v1/track/{delivered}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "delivered" and body["kind"] == "result"
    assert [e["type"] for e in body["events"]] == [
        "registered", "at_post", "handed_over", "out_for_delivery", "delivered"]
    assert body["events"][0]["place"] == "Bưu cục Trung tâm Ninh Bình"


def test_public_tracking_json_holds_only_the_documented_fields(app, delivered, new_api):
    body = new_api().get(f"/api/v1/track/{delivered}").get_json()
    assert set(body) == {"tracking_number", "kind", "status", "status_label", "due_at", "events",
                         "notice"}
    assert body["notice"] is None  # delivered: nothing to explain
    assert all(set(step) == {"type", "label", "at", "place"} for step in body["events"])


def test_public_tracking_json_shows_no_personal_data(app, delivered, new_api):
    _assert_nothing_personal(new_api().get(f"/api/v1/track/{delivered}").get_data(as_text=True))


def test_public_tracking_page_shows_no_personal_data(app, delivered, new_api):
    response = new_api().get(f"/t/{delivered}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert delivered in page and "Phát thành công" in page
    _assert_nothing_personal(page)


def test_public_tracking_json_with_a_wrong_check_digit_answers_422(app, delivered, new_api):
    response = new_api().get(f"/api/v1/track/{with_wrong_check_digit(delivered)}")
    assert assert_error(response, 422, "wrong_check_digit")["message"] == CHECK_DIGIT_MESSAGE


def test_public_tracking_page_with_a_wrong_check_digit_says_so(app, delivered, new_api):
    response = new_api().get(f"/t/{with_wrong_check_digit(delivered)}")
    assert response.status_code == 422
    assert CHECK_DIGIT_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["KQ12", "1234567890123", "KQ00000001XVN"])
def test_public_tracking_of_a_malformed_number_answers_422(app, world, new_api, typed):
    assert_error(new_api().get(f"/api/v1/track/{typed}"), 422, "invalid_tracking_format")
    assert new_api().get(f"/t/{typed}").status_code == 422


def test_public_tracking_of_an_unknown_number_answers_404(app, world, new_api):
    assert_error(new_api().get(f"/api/v1/track/{UNKNOWN_NUMBER}"), 404, "unknown_item")
    page = new_api().get(f"/t/{UNKNOWN_NUMBER}")
    assert page.status_code == 404 and "Không tìm thấy" in page.get_data(as_text=True)


def test_public_tracking_is_never_cached_by_shared_caches(app, delivered, new_api):
    response = new_api().get(f"/api/v1/track/{delivered}")
    assert response.headers["Cache-Control"] == "no-store"
    assert new_api().get(f"/t/{delivered}").headers["X-Frame-Options"] == "DENY"


def test_public_tracking_is_rate_limited(app, delivered, new_api, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKING_RATE_LIMIT", "3 per minute")
    public = new_api()
    for _ in range(3):
        assert public.get(f"/api/v1/track/{delivered}").status_code == 200
    assert_error(public.get(f"/api/v1/track/{delivered}"), 429, "rate_limited")


# --- after a failed attempt (issue 12) ---------------------------------------------------------

def _failed(new_api, reason: str = "absent", action: str = "notice_left") -> str:  # type: ignore[no-untyped-def]
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = register_result(clerk, citizen={**result_body()["citizen"], **CITIZEN})["tracking_number"]
    hand_over(clerk, postman, "postman", [number])
    sync(postman, event(number, "out_for_delivery"),
         event(number, "attempt_failed", reason=reason, action=action,
               position={"lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 5}))
    return number


def test_after_a_failed_attempt_the_page_says_what_happened_what_next_and_where(
        app, world, new_api):
    number = _failed(new_api)
    notice = new_api().get(f"/api/v1/track/{number}").get_json()["notice"]
    assert notice["what_happened"] == "Bưu tá đến nhưng không có ai ở nhà để nhận."
    assert "phát lại lần sau từ ngày" in notice["what_next"] and "giấy mời lần 1/2" in notice["what_next"]
    assert "Bưu cục Trung tâm Ninh Bình" in notice["what_next"] and "đến hết ngày" in notice["what_next"]
    assert notice["held_at"] == "Bưu cục Trung tâm Ninh Bình"  # the office, never the postman
    page = new_api().get(f"/t/{number}").get_data(as_text=True)
    assert 'id="after-failure"' in page and "không có ai ở nhà" in page
    _assert_nothing_personal(page)
    for word in ("absent", "notice_left"):  # plain words, no codes
        assert word not in page


def test_a_refusal_says_the_result_goes_back_to_the_agency(app, world, new_api):
    number = _failed(new_api, reason="refused")
    notice = new_api().get(f"/api/v1/track/{number}").get_json()["notice"]
    assert notice["what_happened"] == "Người nhận đã từ chối nhận."
    assert notice["what_next"].startswith("Kết quả sẽ được chuyển hoàn về cơ quan")


def test_a_result_held_at_the_counter_says_where_to_collect_it_until_when(app, world, new_api):
    number = _failed(new_api)
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    back = postman.post("/api/v1/handovers", json={"to_unit": "BC-TRUNGTAM", "items": [number]})
    clerk.post(f"/api/v1/handovers/{back.get_json()['id']}/accept", json={
        "scanned": [number], "signature_sha256": upload_image(clerk, "back")})
    assert clerk.post(f"/api/v1/counter/items/{number}/hold", json={}).status_code == 200
    notice = new_api().get(f"/api/v1/track/{number}").get_json()["notice"]
    assert re.match(r"Kết quả đang chờ bạn đến nhận tại Bưu cục Trung tâm Ninh Bình đến hết "
                    r"ngày \d\d/\d\d/\d{4}\.", notice["what_next"]), notice
