"""Counter intake, home pickup requests, the fee catalogue and the consignment note (QĐ45
Art.6, 11-12; TT17 Art.5(1), 7, 9), through the API as the clerk uses it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from server.domain.service_time import LOCAL_TZ
from tests.api.checks import assert_error, nothing_written, signed_in
from tests.api.scenario import HOME, event, sync, upload_image
from tests.conftest import ApiClient

CHECKLIST = [{"name": "Đơn đề nghị đổi giấy phép lái xe", "original": True, "count": 1},
             {"name": "Giấy khám sức khỏe", "original": True, "count": 1},
             {"name": "Bản sao giấy phép lái xe", "original": False, "count": 2}]


def intake_body(clerk: ApiClient, **overrides: Any) -> dict[str, Any]:
    """A complete driving-licence renewal taken at the counter, both signatures uploaded."""
    body: dict[str, Any] = {
        "procedure_code": "CA-GPLX-DOI",
        "citizen": {"name": "Trần Văn Thử", "phone": "0987 654 321", "id_type": "cccd",
                    "id_number": "037098001234", "address": dict(HOME)},
        "documents": [dict(line) for line in CHECKLIST],
        "citizen_signature_sha256": upload_image(clerk, "citizen-signature"),
        "clerk_signature_sha256": upload_image(clerk, "clerk-signature"),
    }
    body.update(overrides)
    return body


@pytest.fixture
def clerk(world, new_api) -> ApiClient:  # type: ignore[no-untyped-def]
    """The demo clerk of the central post office, signed in."""
    return signed_in(new_api(), "clerk")


def test_fee_catalogue_lists_postage_of_every_route_class_and_the_reductions(clerk):
    answer = clerk.get("/api/v1/fees").get_json()
    assert [row["route_class"] for row in answer["postage"]] == [
        "same_area", "intra_province", "major_cities", "inter_province"]
    assert answer["postage"][0] == {"route_class": "same_area", "postage_vnd": 26000,
                                    "service_days": 1}
    assert {"NGUOI_CO_CONG", "HO_NGHEO", "KHUYET_TAT"} <= {r["code"] for r in answer["reductions"]}


def test_admin_sets_the_postage_and_the_quote_follows(clerk, new_api):
    admin = signed_in(new_api(), "admin")
    changed = admin.put("/api/v1/fees/postage/same_area", json={"postage_vnd": 27000})
    assert changed.status_code == 200, changed.get_json()
    quote = clerk.get("/api/v1/intake/quote?procedure_code=CA-GPLX-DOI&route_class=same_area")
    assert quote.get_json()["postage_vnd"] == 27000


def test_an_unknown_route_class_cannot_be_priced(new_api, world):
    admin = signed_in(new_api(), "admin")
    assert_error(admin.put("/api/v1/fees/postage/moon", json={"postage_vnd": 1}), 422,
                 "unknown_route_class")


def test_quote_applies_a_fifty_percent_reduction_to_postage_and_fee(clerk):
    answer = clerk.get("/api/v1/intake/quote?procedure_code=CA-GPLX-DOI"
                       "&reduction_code=NGUOI_CO_CONG").get_json()
    # Office and police are both in Phường Hoa Lư: same area, 26,000 đ; fee 135,000 đ.
    assert answer["route_class"] == "same_area"
    assert (answer["postage_base_vnd"], answer["postage_vnd"]) == (26000, 13000)
    assert (answer["official_fee_base_vnd"], answer["official_fee_vnd"]) == (135000, 67500)
    assert answer["total_vnd"] == 80500
    assert answer["reduction_name"] == "Người có công với cách mạng"
    due = datetime.fromisoformat(answer["due_at"]).astimezone(LOCAL_TZ)
    assert due.hour == 17


def test_quote_refuses_an_unknown_reduction(clerk):
    error = assert_error(clerk.get("/api/v1/intake/quote?procedure_code=CA-GPLX-DOI"
                                   "&reduction_code=VIP"), 422, "unknown_reduction")
    assert "VIP" in error["message"]


def test_counter_intake_creates_the_dossier_at_post_with_the_cash_in_its_first_event(clerk):
    body = intake_body(clerk, reduction_code="HO_NGHEO", route_class="intra_province")
    response = clerk.post("/api/v1/intake/counter", json=body)
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert (item["kind"], item["status"], item["holder"]["unit"]) == ("dossier", "at_post",
                                                                     "BC-TRUNGTAM")
    assert item["citizen"]["phone"] == "0987654321"
    assert item["citizen"]["id_last4"] == "1234"
    assert item["fees"] == {"postage_vnd": 15000, "official_fee_vnd": 135000}
    assert item["cash_due_vnd"] == 0
    events = clerk.get(f"/api/v1/items/{item['tracking_number']}").get_json()["events"]
    assert [e["type"] for e in events] == ["collected", "at_post"]
    first = events[0]["evidence"]
    assert first["channel"] == "counter"
    assert first["cash_collected_vnd"] == 150000
    assert first["reduction_code"] == "HO_NGHEO"
    assert first["fees"]["postage_discount_vnd"] == 15000
    assert first["signature_sha256"] == body["citizen_signature_sha256"]
    assert first["clerk_signature_sha256"] == body["clerk_signature_sha256"]
    assert first["documents"][2] == {"name": "Bản sao giấy phép lái xe", "original": False,
                                     "count": 2}


def test_counter_intake_with_the_right_cash_raises_no_cash_flag(clerk, new_api):
    number = clerk.post("/api/v1/intake/counter", json=intake_body(clerk)).get_json()[
        "tracking_number"]
    supervisor = signed_in(new_api(), "supervisor")
    flags = supervisor.get("/api/v1/audit/flags?status=open").get_json()["flags"]
    assert [f for f in flags if f["tracking_number"] == number] == []


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"procedure_code": "CA-HOCHIEU"}, 422, "procedure_not_eligible"),
    ({"procedure_code": "KHONG-CO"}, 422, "unknown_procedure"),
    ({"documents": [*CHECKLIST, {"name": "Sổ hộ khẩu", "original": True, "count": 1}]}, 422,
     "document_not_in_checklist"),
    ({"documents": [{**CHECKLIST[0], "count": 0}, *CHECKLIST[1:]]}, 422,
     "document_count_invalid"),
    ({"documents": CHECKLIST[:2]}, 422, "documents_missing"),
    ({"citizen_signature_sha256": None}, 422, "signature_missing"),
    ({"clerk_signature_sha256": None}, 422, "signature_missing"),
    ({"clerk_signature_sha256": "ab" * 32}, 422, "missing_media"),
    ({"reduction_code": "VIP"}, 422, "unknown_reduction"),
])
def test_bad_intake_is_refused_with_its_reason_and_nothing_is_created(app, clerk, change,
                                                                      status, code):
    body = intake_body(clerk, **change)
    with nothing_written(app):
        error = assert_error(clerk.post("/api/v1/intake/counter", json=body), status, code)
    assert error["message"][0].isupper()  # a sentence for the clerk, in Vietnamese


@pytest.mark.parametrize(("citizen", "code"), [
    ({"phone": "0123"}, "invalid_phone"),
    ({"id_number": "12345"}, "invalid_id_number"),
    ({"id_number": None}, "id_number_required"),
])
def test_bad_citizen_data_is_refused_and_nothing_is_created(app, clerk, citizen, code):
    body = intake_body(clerk)
    body["citizen"].update(citizen)
    with nothing_written(app):
        response = clerk.post("/api/v1/intake/counter", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    codes = {error["code"]} | {f["type"] for f in error["details"].get("fields", [])}
    assert code in codes, error


def test_only_the_clerk_takes_dossiers_in_at_the_counter(world, new_api):
    postman = signed_in(new_api(), "postman")
    assert_error(postman.post("/api/v1/intake/counter", json={}), 403, "forbidden")


def test_pickup_request_creates_a_requested_dossier_held_by_the_assigned_postman(clerk, new_api):
    response = clerk.post("/api/v1/pickups", json={
        "procedure_code": "TP-LLTP", "postman": "postman", "note": "Sau 17 giờ",
        "citizen": {"name": "Lê Thị Gọi", "phone": "0912000111", "address": dict(HOME)}})
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert (item["status"], item["holder"]["user"]) == ("requested", "postman")
    # Postage is collected at the door with the official fee (200,000 đ), no reduction.
    assert item["cash_due_vnd"] == 26000 + 200000
    postman = signed_in(new_api(), "postman")
    mine = postman.get("/api/v1/items?holder=me&status=requested").get_json()["items"]
    assert item["tracking_number"] in {i["tracking_number"] for i in mine}
    events = clerk.get(f"/api/v1/items/{item['tracking_number']}").get_json()["events"]
    assert events[0]["evidence"]["assigned_to"] == "postman"


def test_pickup_request_refuses_a_postman_of_another_office(app, clerk):
    with nothing_written(app):
        assert_error(clerk.post("/api/v1/pickups", json={
            "procedure_code": "TP-LLTP", "postman": "postman_nd",
            "citizen": {"name": "Lê Thị Gọi", "phone": "0912000111", "address": dict(HOME)}}),
            422, "unknown_postman")


def test_consignment_note_prints_the_contract_of_the_intake(clerk):
    item = clerk.post("/api/v1/intake/counter",
                      json=intake_body(clerk, reduction_code="NGUOI_CO_CONG")).get_json()
    page = clerk.get(f"/items/{item['tracking_number']}/consignment-note")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (item["tracking_number"], "PHIẾU GỬI", "Trần Văn Thử", "Đổi giấy phép lái xe",
                 "Bản sao giấy phép lái xe", "Người có công với cách mạng", "80.500 đ",
                 "Điều khoản", "/t/" + item["tracking_number"], "<svg"):
        assert text in html, text
    assert "037098001234" not in html  # never the full ID number


def test_consignment_note_is_not_shown_outside_the_clerks_post_office(clerk, new_api):
    number = clerk.post("/api/v1/intake/counter", json=intake_body(clerk)).get_json()[
        "tracking_number"]
    other = signed_in(new_api(), "clerk_nd")
    assert other.get(f"/items/{number}/consignment-note").status_code == 404


def test_a_requested_pickup_has_no_consignment_note_yet(clerk):
    number = clerk.post("/api/v1/pickups", json={
        "procedure_code": "TP-LLTP",
        "citizen": {"name": "Lê Thị Gọi", "phone": "0912000111", "address": dict(HOME)}},
    ).get_json()["tracking_number"]
    page = clerk.get(f"/items/{number}/consignment-note")
    assert page.status_code == 404
    assert "chưa có phiếu gửi" in page.get_data(as_text=True)


def test_the_clerk_sees_the_postmen_of_their_own_office_only(clerk):
    postmen = clerk.get("/api/v1/intake/postmen").get_json()["postmen"]
    assert [p["username"] for p in postmen] == ["postman", "postman2"]


def test_the_assigned_postman_collects_the_requested_dossier_with_its_fees(clerk, new_api):
    number = clerk.post("/api/v1/pickups", json={
        "procedure_code": "CA-CCCD-DOI", "postman": "postman2", "reduction_code": "HO_NGHEO",
        "citizen": {"name": "Lê Thị Gọi", "phone": "0912000111", "address": dict(HOME)}},
    ).get_json()["tracking_number"]
    postman = signed_in(new_api(), "postman2")
    due = postman.get(f"/api/v1/items/{number}").get_json()["cash_due_vnd"]
    assert due == 13000 + 50000  # half the same-area postage, the full official fee
    collected = sync(postman, event(number, "collected", position={
        "lat": HOME["lat"], "lon": HOME["lon"], "accuracy_m": 10},
        signature_sha256=upload_image(postman, "door-signature"), cash_collected_vnd=due,
        documents=[{"name": "Tờ khai căn cước (mẫu CC01)", "original": True, "count": 1}]))
    assert collected[0]["status"] == "accepted", collected
    item = postman.get(f"/api/v1/items/{number}").get_json()
    assert (item["status"], item["holder"]["user"]) == ("collected", "postman2")
    supervisor = signed_in(new_api(), "supervisor")
    flags = supervisor.get("/api/v1/audit/flags?status=open").get_json()["flags"]
    assert "cash_mismatch" not in {f["code"] for f in flags if f["tracking_number"] == number}
    # The note printed after the pickup shows the reduction quoted when it was requested.
    note = clerk.get(f"/items/{number}/consignment-note").get_data(as_text=True)
    assert "13.000 đ" in note and "Hộ nghèo" in note, note


def _pickup_number(clerk: ApiClient, **extra: Any) -> str:
    return clerk.post("/api/v1/pickups", json={
        "procedure_code": "TP-LLTP", **extra,
        "citizen": {"name": "Lê Thị Gọi", "phone": "0912000111", "address": dict(HOME)}},
    ).get_json()["tracking_number"]


def test_a_pickup_is_reassigned_to_another_postman_in_the_chain(clerk):
    number = _pickup_number(clerk, postman="postman")
    answer = clerk.post(f"/api/v1/pickups/{number}/assign", json={"postman": "postman2"})
    assert answer.status_code == 200, answer.get_json()
    item = clerk.get(f"/api/v1/items/{number}").get_json()
    assert (item["status"], item["holder"]["user"]) == ("requested", "postman2")
    assert item["events"][-1]["type"] == "handed_over"
    assert item["events"][-1]["evidence"]["assigned_to"] == "postman2"


def test_only_a_waiting_pickup_can_be_assigned(app, clerk):
    number = clerk.post("/api/v1/intake/counter", json=intake_body(clerk)).get_json()[
        "tracking_number"]
    with nothing_written(app):
        assert_error(clerk.post(f"/api/v1/pickups/{number}/assign",
                                json={"postman": "postman"}), 409, "not_a_pickup_request")


def test_a_route_class_without_postage_in_the_catalogue_cannot_be_quoted(app, clerk):
    from server.extensions import db
    from server.models import PostageTariff

    with app.app_context():
        db.session.delete(db.session.get(PostageTariff, "major_cities"))
        db.session.commit()
    error = assert_error(clerk.get("/api/v1/intake/quote?procedure_code=CA-GPLX-DOI"
                                   "&route_class=major_cities"), 422, "postage_not_set")
    assert "Giữa các thành phố lớn" in error["message"]


# --- the 2025 administrative map (issue 16) -----------------------------------------------

def test_an_address_whose_commune_is_in_another_province_is_refused(app, clerk):
    wrong = dict(HOME, province="Ninh Bình", commune="Phường Ba Đình")  # a Hà Nội ward
    body = intake_body(clerk, citizen={"name": "Trần Văn Thử", "phone": "0987654321",
                                       "id_type": "cccd", "id_number": "037098001234",
                                       "address": wrong})
    with nothing_written(app):
        answer = assert_error(clerk.post("/api/v1/intake/counter", json=body), 422,
                              "commune_not_in_province")
    assert "không thuộc Ninh Bình" in answer["message"]
    assert answer["details"]["field"] == "citizen.address.commune"


def test_an_address_is_stored_by_its_official_names_and_codes_with_the_legacy_one_as_written(clerk):
    legacy = "Số 4 phố Lê Lợi, phường Quang Trung, thành phố Phủ Lý, tỉnh Hà Nam"
    address = dict(HOME, province="ninh binh", commune="phuong phu ly", legacy=legacy)
    body = intake_body(clerk, citizen={"name": "Trần Văn Thử", "phone": "0987654321",
                                       "id_type": "cccd", "id_number": "037098001234",
                                       "address": address})
    answer = clerk.post("/api/v1/intake/counter", json=body)
    assert answer.status_code == 201, answer.get_json()
    stored = answer.get_json()["citizen"]["address"]
    assert (stored["province"], stored["province_code"]) == ("Ninh Bình", "37")
    assert (stored["commune"], stored["commune_code"]) == ("Phường Phủ Lý", "13291")
    assert stored["legacy"] == legacy


def test_address_suggestions_ignore_accents(clerk):
    provinces = clerk.get("/api/v1/places/provinces?q=ninh%20binh").get_json()
    assert [p["name"] for p in provinces["provinces"]] == ["Ninh Bình"]
    assert "19/2025" in provinces["source"]
    communes = clerk.get("/api/v1/places/communes?province=ninh%20binh&q=hoa%20lu").get_json()
    assert communes["communes"][0] == {"code": "14329", "name": "Phường Hoa Lư", "kind": "phường",
                                       "province_code": "37", "province_name": "Ninh Bình"}
    assert_error(clerk.get("/api/v1/places/communes?province=Hà%20Nam&q=phu"), 422,
                 "unknown_province")


def test_address_suggestions_need_a_signed_in_user(new_api, world):
    assert new_api().get("/api/v1/places/provinces?q=ninh").status_code == 401
