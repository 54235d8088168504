"""Cash: a postman's day, the remittance at the counter (both sign), the agency's statement.

QĐ45 Art.11-12: postage and official fees are collected from the citizen; TT17 Art.5(2)(g):
the official fees are remitted to the agency in full.
"""
from __future__ import annotations

from server.media.service import MISSING_MEDIA_MESSAGE
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import (
    HOME,
    event,
    hand_over,
    register_result,
    sync,
    upload_image,
)

NEAR_HOME = {"lat": HOME["lat"] + 0.0002, "lon": HOME["lon"], "accuracy_m": 12}
RECIPIENT = {"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd", "id_last4": "7890"}
FEES = {"postage_vnd": 26000, "official_fee_vnd": 50000}


def delivered_with(new_api, *cash: int):  # type: ignore[no-untyped-def]
    """The postman delivers one result per amount, collecting that amount on each."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    numbers = [register_result(clerk, fees=FEES)["tracking_number"] for _ in cash]
    hand_over(clerk, postman, "postman", numbers)
    signature = upload_image(postman, "citizen")
    for number, amount in zip(numbers, cash, strict=True):
        results = sync(postman, event(number, "out_for_delivery"),
                       event(number, "delivered", position=NEAR_HOME, recipient=RECIPIENT,
                             signature_sha256=signature, cash_collected_vnd=amount))
        assert [r["status"] for r in results] == ["accepted", "accepted"], results
    return clerk, postman, numbers


def day_of(client, username: str = "postman") -> dict:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/cash/days").get_json()
    return next(p for p in answer["postmen"] if p["postman"] == username)


def remit(clerk, postman, amount: int):  # type: ignore[no-untyped-def]
    return clerk.post("/api/v1/cash/remittances", json={
        "postman": "postman", "amount_vnd": amount,
        "postman_signature_sha256": upload_image(postman, f"postman-signs-{amount}")})


def test_a_remittance_signed_with_an_image_never_uploaded_is_refused(app, world, new_api):
    clerk, _postman, _numbers = delivered_with(new_api, 76000)
    with nothing_written(app):
        error = assert_error(clerk.post("/api/v1/cash/remittances", json={
            "postman": "postman", "amount_vnd": 76000, "postman_signature_sha256": "cd" * 32}),
            422, "missing_media")
    assert error["details"] == {"missing": ["cd" * 32], "field": "postman_signature_sha256"}
    assert error["message"] == MISSING_MEDIA_MESSAGE


def test_the_postman_sees_what_he_should_have_collected_and_did(app, world, new_api):
    _, postman, numbers = delivered_with(new_api, 76000)
    answer = postman.get("/api/v1/cash/days").get_json()
    assert [p["postman"] for p in answer["postmen"]] == ["postman"]
    day = answer["postmen"][0]
    assert (day["expected_vnd"], day["collected_vnd"], day["difference_vnd"]) == (76000, 76000, 0)
    assert (day["remitted_vnd"], day["unremitted_vnd"]) == (0, 76000)
    assert [(line["tracking_number"], line["due_vnd"]) for line in day["lines"]] == [(numbers[0], 76000)]


def test_the_supervisor_sees_a_postman_who_collected_less_than_due(app, world, new_api):
    delivered_with(new_api, 76000, 26000)
    day = day_of(signed_in(new_api(), "supervisor"))
    assert (day["expected_vnd"], day["collected_vnd"], day["difference_vnd"]) == (152000, 102000, -50000)
    assert day_of(signed_in(new_api(), "supervisor"), "postman2")["difference_vnd"] == 0


def test_the_postman_remits_to_the_clerk_and_both_sign(app, world, new_api):
    clerk, postman, _ = delivered_with(new_api, 76000)
    opened = remit(clerk, postman, 76000)
    assert opened.status_code == 201, opened.get_json()
    remittance = opened.get_json()
    assert remittance["status"] == "open" and remittance["postman_signed"] and not remittance["clerk_signed"]
    assert day_of(clerk)["pending_vnd"] == 76000 and day_of(clerk)["unremitted_vnd"] == 0

    closed = clerk.post(f"/api/v1/cash/remittances/{remittance['id']}/sign",
                        json={"clerk_signature_sha256": upload_image(clerk, "clerk-signs")})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed" and closed.get_json()["clerk_signed"]
    day = day_of(postman)
    assert (day["remitted_vnd"], day["pending_vnd"], day["unremitted_vnd"]) == (76000, 0, 0)
    assert [r["status"] for r in day["remittances"]] == ["closed"]


def test_a_second_signature_on_a_closed_remittance_is_refused(app, world, new_api):
    clerk, postman, _ = delivered_with(new_api, 76000)
    remittance = remit(clerk, postman, 76000).get_json()
    signature = upload_image(clerk, "clerk-signs")
    clerk.post(f"/api/v1/cash/remittances/{remittance['id']}/sign",
               json={"clerk_signature_sha256": signature})
    with nothing_written(app):
        error = assert_error(clerk.post(f"/api/v1/cash/remittances/{remittance['id']}/sign",
                                        json={"clerk_signature_sha256": signature}),
                             409, "remittance_closed")
    assert "không thể ký lại" in error["message"]


def test_a_remittance_larger_than_collected_and_not_remitted_is_refused(app, world, new_api):
    clerk, postman, _ = delivered_with(new_api, 76000)
    assert remit(clerk, postman, 50000).status_code == 201
    signature = upload_image(postman, "too-much")
    with nothing_written(app):
        error = assert_error(clerk.post("/api/v1/cash/remittances", json={
            "postman": "postman", "amount_vnd": 26001, "postman_signature_sha256": signature}),
            422, "remittance_exceeds_collected")
    assert "26.000 đ" in error["message"] and error["details"]["unremitted_vnd"] == 26000


def test_a_clerk_of_another_office_cannot_take_the_cash(app, world, new_api):
    clerk, postman, _ = delivered_with(new_api, 76000)
    other = signed_in(new_api(), "clerk_nd")
    signature = upload_image(postman, "elsewhere")
    with nothing_written(app):
        assert_error(other.post("/api/v1/cash/remittances", json={
            "postman": "postman", "amount_vnd": 1000, "postman_signature_sha256": signature}),
            404, "unknown_postman")
    remittance = remit(clerk, postman, 1000).get_json()
    other_signature = upload_image(other, "x")
    with nothing_written(app):
        assert_error(other.post(f"/api/v1/cash/remittances/{remittance['id']}/sign", json={
            "clerk_signature_sha256": other_signature}), 404, "unknown_remittance")


def test_a_postman_sees_only_his_own_day(app, world, new_api):
    delivered_with(new_api, 76000)
    answer = signed_in(new_api(), "postman2").get("/api/v1/cash/days").get_json()
    assert [p["postman"] for p in answer["postmen"]] == ["postman2"]
    assert answer["postmen"][0]["collected_vnd"] == 0


def test_the_agency_statement_lists_the_official_fee_of_each_item(app, world, new_api):
    _, _, numbers = delivered_with(new_api, 76000, 30000)
    agency = signed_in(new_api(), "agency")
    statement = agency.get("/api/v1/cash/agencies/CA-TINH/statement").get_json()
    assert [line["tracking_number"] for line in statement["lines"]] == numbers
    assert [line["official_fee_vnd"] for line in statement["lines"]] == [50000, 30000]
    assert statement["total_official_fee_vnd"] == 80000
    other = signed_in(new_api(), "agency_bhxh").get("/api/v1/cash/agencies/CA-TINH/statement")
    assert other.status_code == 200 and other.get_json()["lines"] == []


def test_the_printable_statement_is_in_vietnamese_with_the_total(app, world, new_api):
    _, _, numbers = delivered_with(new_api, 76000)
    page = signed_in(new_api(), "supervisor").get("/cash/agencies/CA-TINH/statement")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "BẢNG KÊ PHÍ, LỆ PHÍ THU HỘ" in html and numbers[0] in html
    assert "50.000 đ" in html and "Nguyễn Thị Mẫu" not in html


def test_a_reversed_period_is_refused(app, world, new_api):
    agency = signed_in(new_api(), "agency")
    assert_error(agency.get("/api/v1/cash/agencies/CA-TINH/statement?start=2026-11-20&end=2026-11-01"),
                 422, "period_reversed")
    assert_error(agency.get("/api/v1/cash/agencies/NO-SUCH/statement"), 404, "unknown_agency")


def test_the_printable_statement_is_for_signed_in_office_staff_only(app, world, new_api):
    anonymous = new_api().get("/cash/agencies/CA-TINH/statement")
    assert anonymous.status_code == 302
    refused = signed_in(new_api(), "postman").get("/cash/agencies/CA-TINH/statement")
    assert refused.status_code == 403 and "không được xem" in refused.get_data(as_text=True)
    bad_date = signed_in(new_api(), "agency").get("/cash/agencies/CA-TINH/statement?start=2026-13-01")
    assert bad_date.status_code == 422


def test_a_date_outside_the_records_is_refused_not_a_crash(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    for day in ("0001-01-01", "9999-12-31"):
        assert_error(clerk.get(f"/api/v1/cash/days?day={day}"), 422, "validation_failed")
        assert_error(clerk.get(f"/api/v1/cash/agencies/CA-TINH/statement?start={day}&end={day}"),
                     422, "validation_failed")
        page = clerk.get(f"/cash/agencies/CA-TINH/statement?start={day}&end={day}")
        assert page.status_code == 422
