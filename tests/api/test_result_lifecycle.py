"""The whole life of a result item through the API, as the users would live it."""
from __future__ import annotations

import re

from sqlalchemy import text

from server.extensions import db
from tests.api.checks import verify_in_background
from tests.api.scenario import (
    HOME,
    event,
    hand_over,
    register_result,
    sync,
    upload_image,
)


def test_result_travels_from_counter_to_citizen_and_tampering_is_named(app, world, new_api):
    clerk, postman, supervisor, public = new_api(), new_api(), new_api(), new_api()
    assert clerk.login("clerk").status_code == 200
    assert postman.login("postman").status_code == 200
    assert supervisor.login("supervisor").status_code == 200

    item = register_result(clerk)
    number = item["tracking_number"]
    assert item["status"] == "at_post"
    assert item["holder"]["unit"] == "BC-TRUNGTAM"
    assert item["citizen"]["id_last4"] == "7890"

    handed = hand_over(clerk, postman, "postman", [number])
    assert handed["received"] == [number] and handed["missing"] == [] == handed["unexpected"]
    assert postman.get(f"/api/v1/items/{number}").get_json()["holder"]["user"] == "postman"

    near_home = {"lat": HOME["lat"] + 0.0002, "lon": HOME["lon"], "accuracy_m": 12}
    results = sync(
        postman,
        event(number, "out_for_delivery"),
        event(number, "attempt_failed", reason="absent", action="notice_left", position=near_home),
        event(number, "out_for_delivery"),
    )
    assert [r["status"] for r in results] == ["accepted"] * 3

    signature = upload_image(postman, "citizen-signature")
    delivered = event(number, "delivered", position=near_home, signature_sha256=signature,
                      recipient={"name": "Nguyễn Thị Mẫu", "relation": "self", "id_type": "cccd",
                                 "id_last4": "7890"},
                      cash_collected_vnd=26000, papers_collected=["Giấy hẹn trả kết quả"])
    assert sync(postman, delivered)[0]["status"] == "accepted"

    read = postman.get(f"/api/v1/items/{number}").get_json()
    assert read["status"] == "delivered"
    assert [e["type"] for e in read["events"]] == [
        "registered", "at_post", "handed_over", "out_for_delivery", "attempt_failed",
        "out_for_delivery", "delivered"]
    assert read["events"][-1]["upu_code"] == "EMI"

    tracked = public.get(f"/api/v1/track/{number}")
    assert tracked.status_code == 200
    body = tracked.get_data(as_text=True)
    assert tracked.get_json()["status"] == "delivered"
    for personal in ("Nguyễn Thị Mẫu", "0912345678", "Lê Hồng Phong", "001234567890"):
        assert personal not in body
    assert not re.search(r"(?<!\d)7890(?!\d)", body)  # not even the ID's last four
    page = public.get(f"/t/{number}").get_data(as_text=True)
    assert "Phát thành công" in page and "Nguyễn Thị Mẫu" not in page and "0912345678" not in page

    verified = verify_in_background(supervisor)
    assert verified["ok"] is True and verified["first_broken"] is None
    assert verified["events_checked"] == 7

    with app.app_context():
        db.session.execute(text(
            "UPDATE custody_events SET evidence = :evidence WHERE type = 'delivered'"),
            {"evidence": '{"cash_collected_vnd": 0}'})
        db.session.commit()
    broken = verify_in_background(supervisor)
    assert broken["ok"] is False
    assert broken["first_broken"]["tracking_number"] == number
    assert broken["first_broken"]["event_id"] == delivered["id"]
    assert broken["first_broken"]["reason"] == "hash_mismatch"
