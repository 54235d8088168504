"""The supervisors' workspace API (issue 12): a flag with its proof of delivery, and the
custody verification run as a background job limited to the caller's scope (issue 13)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from server.custody.flags import raise_flag
from server.extensions import db
from server.models import Item, VerificationJob
from server.models.types import utc_now
from tests.api.audit_world import add_people
from tests.api.checks import assert_error, signed_in, verify_in_background
from tests.api.scenario import HOME
from tests.api.test_flags_at_ingest import desk, fix, out_and_deliver  # noqa: F401 (fixture)


def _far_delivery_flag(desk) -> tuple[dict, dict]:  # type: ignore[no-untyped-def,type-arg]
    """A delivery 2 km from the address, and the open flag it raised."""
    delivered = out_and_deliver(desk, desk.result(), fix(HOME, north_m=2_000), photo_sha256=None)
    [flag] = [f for f in desk.flags(delivered["tracking_number"]) if f["code"] == "far_from_address"]
    return delivered, flag


def test_a_flag_opens_with_the_proof_of_its_delivery(desk):
    delivered, flag = _far_delivery_flag(desk)
    answer = desk.supervisor.get(f"/api/v1/audit/flags/{flag['id']}")
    assert answer.status_code == 200, answer.get_json()
    detail = answer.get_json()
    assert detail["label"] and detail["summary"] and detail["status"] == "open"
    proof = detail["proof"]
    assert proof["event_id"] == delivered["id"] and proof["event_label"] == "Phát thành công"
    assert 1_990 < proof["distance_m"] < 2_010
    assert proof["address_position"] == {"lat": HOME["lat"], "lon": HOME["lon"]}
    assert proof["id_type_label"] == "Căn cước công dân" and proof["id_last4"] == "7890"
    assert proof["cash_collected_vnd"] == delivered["cash_collected_vnd"]
    assert proof["images"] == {"signature_sha256": delivered["signature_sha256"]}
    assert proof["actor"]  # the postman, by name
    # The image the proof names is served to the supervisor under the existing rules.
    image = desk.supervisor.get(f"/api/v1/media/{delivered['signature_sha256']}")
    assert image.status_code == 200 and image.mimetype == "image/png"
    # The citizen's full name, phone and address line stay out of the flag's answer.
    body = answer.get_data(as_text=True)
    assert "Nguyễn Thị Mẫu" not in body and "0912" not in body and HOME["line"] not in body


def test_another_provinces_supervisor_cannot_open_the_flag(desk, app, new_api):
    _delivered, flag = _far_delivery_flag(desk)
    add_people(app)
    outsider = signed_in(new_api(), "supervisor_lc")
    assert_error(outsider.get(f"/api/v1/audit/flags/{flag['id']}"), 404, "unknown_flag")
    assert_error(desk.clerk.get(f"/api/v1/audit/flags/{flag['id']}"), 403, "forbidden")


def test_verification_runs_in_the_background_over_the_callers_province(desk, app, new_api):
    delivered = out_and_deliver(desk, desk.result(), fix(HOME, north_m=10))
    job = verify_in_background(desk.supervisor)
    assert job["status"] == "done" and job["ok"] is True
    assert job["scope"] == "Tỉnh Ninh Bình"
    assert job["items_total"] == job["items_checked"] == 1 and job["events_checked"] >= 3
    # The handover's and the recipient's signatures; sealed days are the country's job.
    assert job["media_checked"] == 2 and job["days_checked"] == 0
    assert "nguyên vẹn" in job["message"]

    with app.app_context():
        db.session.execute(text("UPDATE custody_events SET evidence = :e WHERE id = :id"),
                           {"e": '{"cash_collected_vnd": 0}', "id": delivered["id"]})
        db.session.commit()
    broken = verify_in_background(desk.supervisor)
    assert broken["ok"] is False and broken["first_broken"]["reason"] == "hash_mismatch"
    assert broken["message"] == (f"Mắt xích hỏng đầu tiên: bưu gửi {delivered['tracking_number']}, "
                                 f"sự kiện {delivered['id'][:8]}… — nội dung sự kiện đã bị sửa sau khi ghi.")

    # Another province's supervisor walks only his own items, and cannot read this job.
    add_people(app)
    outsider = signed_in(new_api(), "supervisor_lc")
    own = verify_in_background(outsider)
    assert own["ok"] is True and own["items_checked"] == 0 and own["scope"] == "Tỉnh Lào Cai"
    assert_error(outsider.get(f"/api/v1/audit/verify/{broken['id']}"), 404, "unknown_verification")
    # The admin's job covers the whole country and finds the break too.
    admin = verify_in_background(signed_in(new_api(), "admin"))
    assert admin["scope"] == "Toàn quốc" and admin["ok"] is False


def test_asking_again_while_a_job_runs_answers_that_job(desk, app):
    with app.app_context():
        supervisor_id, unit_id = db.session.execute(text(
            "SELECT id, unit_id FROM users WHERE username = 'supervisor'")).one()
        running = VerificationJob(requested_by_id=supervisor_id, scope_unit_id=unit_id,
                                  status="running")
        db.session.add(running)
        db.session.commit()
        running_id = running.id
    again = desk.supervisor.post("/api/v1/audit/verify")
    assert again.status_code == 202 and again.get_json()["id"] == running_id
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM verification_jobs")).scalar_one() == 1


def test_a_job_whose_worker_died_is_reported_interrupted_and_a_new_one_starts(desk, app):
    with app.app_context():
        supervisor_id, unit_id = db.session.execute(text(
            "SELECT id, unit_id FROM users WHERE username = 'supervisor'")).one()
        dead = VerificationJob(requested_by_id=supervisor_id, scope_unit_id=unit_id,
                               status="running", updated_at=utc_now() - timedelta(hours=1))
        db.session.add(dead)
        db.session.commit()
        dead_id = dead.id
    polled = desk.supervisor.get(f"/api/v1/audit/verify/{dead_id}").get_json()
    assert polled["status"] == "failed" and "gián đoạn" in polled["message"]
    fresh = verify_in_background(desk.supervisor)
    assert fresh["id"] != dead_id and fresh["status"] == "done"


def test_a_flag_naming_a_time_at_the_calendars_edge_does_not_break_the_dashboard(desk, app):
    item = desk.result()
    with app.app_context():
        found = db.session.execute(select(Item).where(
            Item.tracking_number == item["tracking_number"])).scalar_one()
        for edge in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"):
            raise_flag(found, "clock_skew", None, {"sent_at": edge})
        db.session.commit()
    answer = desk.supervisor.get("/api/v1/dashboard")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    summaries = " ".join(row["summary"] for row in answer.get_json()["flags"]["rows"])
    assert "9999-12-31T23:59:59+00:00" in summaries and summaries.count("Giờ máy gửi") == 2
