"""Registering items and reading them within one's scope."""
from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from server.domain.s10 import parse_tracking_number
from server.extensions import db
from tests.api.checks import assert_error, field_names, nothing_written, signed_in
from tests.api.scenario import hand_over, register_result, result_body

FULL_ID = "001234567890"


def _dossier_body(**overrides):  # type: ignore[no-untyped-def]
    """A dossier taken at the counter: a driving-licence renewal with its three documents."""
    body = result_body(
        kind="dossier", procedure_code="CA-GPLX-DOI", dossier_code=None,
        documents=[{"name": "Đơn đề nghị đổi giấy phép lái xe", "original": True, "count": 1},
                   {"name": "Giấy khám sức khỏe", "original": True, "count": 1},
                   {"name": "Bản sao giấy phép lái xe", "original": False, "count": 1}])
    body.update(overrides)
    return body


def _serial(number: str) -> int:
    return int(number[2:10])


# --- who registers what -----------------------------------------------------------------

def test_clerk_registers_a_result_at_the_counter(app, world, new_api):
    item = register_result(signed_in(new_api(), "clerk"))
    assert item["kind"] == "result" and item["status"] == "at_post"
    assert item["tracking_number"].startswith("KQ") and item["tracking_number"].endswith("VN")
    assert item["holder"] == {"user": None, "unit": "BC-TRUNGTAM",
                              "unit_name": "Bưu cục Trung tâm Ninh Bình"}
    assert item["agency_unit"] == "CA-TINH" and item["post_office_unit"] == "BC-TRUNGTAM"


def test_clerk_registers_a_dossier_with_its_documents(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    response = clerk.post("/api/v1/items", json=_dossier_body())
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["kind"] == "dossier" and item["tracking_number"].startswith("HS")
    assert item["status"] == "at_post"
    assert [(d["name"], d["original"]) for d in item["documents"]] == [
        ("Đơn đề nghị đổi giấy phép lái xe", True), ("Giấy khám sức khỏe", True),
        ("Bản sao giấy phép lái xe", False)]
    events = clerk.get(f"/api/v1/items/{item['tracking_number']}").get_json()["events"]
    assert [e["type"] for e in events] == ["collected", "at_post"]


def test_a_dossier_without_documents_is_refused(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    with nothing_written(app):
        error = assert_error(clerk.post("/api/v1/items", json=_dossier_body(documents=[])), 422,
                             "validation_failed")
    assert "giấy tờ" in error["details"]["fields"][0]["message"]


def test_agency_registers_a_result_of_its_own_agency(app, world, new_api):
    agency = signed_in(new_api(), "agency")
    item = register_result(agency)
    assert item["status"] == "registered" and item["holder"]["unit"] == "CA-TINH"
    assert item["post_office_unit"] == "BC-TRUNGTAM"  # nearest office to the address


@pytest.mark.parametrize("overrides", [
    {"procedure_code": "BHXH-SO-CAPLAI"},
    {"procedure_code": "BHXH-SO-CAPLAI", "agency_unit": "BHXH-TINH"},
])
def test_agency_cannot_register_a_result_of_another_agency(app, world, new_api, overrides):
    agency = signed_in(new_api(), "agency")
    with nothing_written(app):
        assert_error(agency.post("/api/v1/items", json=result_body(**overrides)), 403, "other_unit")


def test_agency_cannot_register_a_dossier(app, world, new_api):
    agency = signed_in(new_api(), "agency")
    with nothing_written(app):
        assert_error(agency.post("/api/v1/items", json=_dossier_body()), 403, "kind_not_allowed")


def test_clerk_cannot_register_for_another_post_office(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    with nothing_written(app):
        response = clerk.post("/api/v1/items", json=result_body(post_office_unit="BC-NAMDINH"))
        assert_error(response, 403, "other_unit")


def test_a_procedure_of_another_agency_than_named_is_refused(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    with nothing_written(app):
        error = assert_error(clerk.post("/api/v1/items", json=result_body(agency_unit="SO-TP")),
                             422, "agency_mismatch")
    assert error["details"]["field"] == "agency_unit"


@pytest.mark.parametrize("procedure", ["CA-HOCHIEU", "TP-KETHON"])
def test_an_ineligible_procedure_is_refused(app, world, new_api, procedure):
    clerk = signed_in(new_api(), "clerk")
    with nothing_written(app):
        error = assert_error(clerk.post("/api/v1/items", json=result_body(procedure_code=procedure)),
                             422, "procedure_not_eligible")
    assert error["details"]["field"] == "procedure_code"
    assert "bưu chính" in error["message"]


def test_an_unknown_procedure_is_refused(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    with nothing_written(app):
        assert_error(clerk.post("/api/v1/items", json=result_body(procedure_code="XX-NONE")), 422,
                     "unknown_procedure")


# --- what is stored ---------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["+84 912 345 678", "84912345678", "+84912345678",
                                   "0912.345.678", "0912-345-678"])
def test_a_phone_number_is_normalised(app, world, new_api, typed):
    clerk = signed_in(new_api(), "clerk")
    body = result_body()
    body["citizen"]["phone"] = typed
    item = register_result(clerk, citizen=body["citizen"])
    assert item["citizen"]["phone"] == "0912345678"


@pytest.mark.parametrize("typed", ["0212345678", "091234567", "+1 912 345 678", "phone"])
def test_an_invalid_phone_number_is_refused_naming_the_field(app, world, new_api, typed):
    clerk = signed_in(new_api(), "clerk")
    body = result_body()
    body["citizen"]["phone"] = typed
    with nothing_written(app):
        error = assert_error(clerk.post("/api/v1/items", json=body), 422, "validation_failed")
    assert field_names(error) == ["citizen.phone"]


def test_the_id_number_is_kept_only_as_last_four_and_a_keyed_hash(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    response = clerk.post("/api/v1/items", json=result_body())
    assert FULL_ID not in response.get_data(as_text=True)
    with app.app_context():
        [row] = db.session.execute(text("SELECT * FROM items")).mappings().all()
        every_table = {table.name: db.session.execute(table.select()).all()
                       for table in db.metadata.sorted_tables}
    assert row["id_last4"] == "7890" and row["id_type"] == "cccd"
    assert len(row["id_keyed_hash"]) == 64
    # Keyed: the plain hash of the number (guessable from the 10^12 numbers) is not stored.
    assert row["id_keyed_hash"] != hashlib.sha256(FULL_ID.encode()).hexdigest()
    for column, value in row.items():
        assert FULL_ID not in str(value), column
    for name, rows in every_table.items():
        assert FULL_ID not in repr(rows), name


def test_a_malformed_id_number_is_refused(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    body = result_body()
    body["citizen"]["id_number"] = "12345"
    with nothing_written(app):
        assert_error(clerk.post("/api/v1/items", json=body), 422, "invalid_id_number")


def test_the_service_deadline_follows_the_consignment(app, world, new_api):
    item = register_result(signed_in(new_api(), "clerk"))
    consigned = datetime.fromisoformat(item["consigned_at"])
    due = datetime.fromisoformat(item["due_at"])
    assert consigned.utcoffset() is not None and due.utcoffset() is not None
    # J+n counts whole working days after the consignment's local date (TT17 Art.7): the due
    # date is a later day in Vietnam, whatever the hour of the consignment.
    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    assert due > consigned
    assert due.astimezone(vietnam).date() > consigned.astimezone(vietnam).date()


def test_serials_are_allocated_without_gaps_per_prefix(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    results, dossiers = [], []
    for _ in range(5):
        results.append(register_result(clerk)["tracking_number"])
        dossiers.append(clerk.post("/api/v1/items", json=_dossier_body()).get_json()["tracking_number"])
    for numbers, prefix in ((results, "KQ"), (dossiers, "HS")):
        assert [parse_tracking_number(n) for n in numbers] == numbers  # check digits hold
        assert {n[:2] for n in numbers} == {prefix}
        assert [_serial(n) for n in numbers] == list(range(1, 6))


def test_a_refused_registration_spends_no_serial(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    first = register_result(clerk)["tracking_number"]
    clerk.post("/api/v1/items", json=result_body(procedure_code="CA-HOCHIEU"))
    clerk.post("/api/v1/items", json=result_body(post_office_unit="BC-NAMDINH"))
    assert _serial(register_result(clerk)["tracking_number"]) == _serial(first) + 1


# --- reading and listing ----------------------------------------------------------------

def test_read_item_answers_its_custody_events_in_order(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = register_result(clerk)["tracking_number"]
    events = clerk.get(f"/api/v1/items/{number}").get_json()["events"]
    assert [(e["seq"], e["type"]) for e in events] == [(1, "registered"), (2, "at_post")]
    assert events[1]["previous_hash"] == events[0]["hash"]


def test_a_tracking_number_is_read_whatever_its_case_and_spacing(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = register_result(clerk)["tracking_number"]
    typed = f"{number[:2].lower()} {number[2:6]} {number[6:]}"
    assert clerk.get(f"/api/v1/items/{typed}").get_json()["tracking_number"] == number


@pytest.fixture
def three_results(world, new_api):  # type: ignore[no-untyped-def]
    """Three results at the counter, the second handed to `postman`."""
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    numbers = [register_result(clerk, dossier_code=f"000.00.04.H51-260105-000{i}")["tracking_number"]
               for i in range(1, 4)]
    hand_over(clerk, postman, "postman", [numbers[1]])
    return clerk, postman, numbers


def _listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/items{query}")
    assert response.status_code == 200, response.get_json()
    return [item["tracking_number"] for item in response.get_json()["items"]]


def test_list_filters_by_status(app, three_results):
    clerk, _, numbers = three_results
    assert sorted(_listed(clerk, "?status=at_post")) == sorted(numbers)
    assert _listed(clerk, "?status=delivered") == []


def test_list_filters_to_what_i_hold(app, three_results):
    clerk, postman, numbers = three_results
    assert _listed(postman, "?holder=me") == [numbers[1]]
    assert _listed(clerk, "?holder=me") == []


def test_list_finds_by_tracking_number_or_dossier_code_prefix(app, three_results):
    clerk, _, numbers = three_results
    assert _listed(clerk, f"?q={numbers[2]}") == [numbers[2]]
    assert _listed(clerk, f"?q={numbers[2].lower()}") == [numbers[2]]
    assert _listed(clerk, "?q=000.00.04.H51-260105-0001") == [numbers[0]]
    assert sorted(_listed(clerk, "?q=000.00.04.h51")) == sorted(numbers)


def test_list_pages_newest_first_with_the_total(app, three_results):
    clerk, _, numbers = three_results
    page = clerk.get("/api/v1/items?limit=2&offset=0").get_json()
    assert page["total"] == 3 and [i["tracking_number"] for i in page["items"]] == numbers[::-1][:2]


def test_a_postman_sees_only_what_he_holds_not_his_whole_office(app, three_results, new_api):
    # Law 91/2025/QH15: the least personal data; the office's other results are not his.
    _, postman, numbers = three_results
    assert _listed(postman) == [numbers[1]]
    assert _listed(signed_in(new_api(), "postman2")) == []
    assert _listed(signed_in(new_api(), "postman_nd")) == []


def test_an_agency_sees_only_its_own_results(app, three_results, new_api):
    _, _, numbers = three_results
    assert sorted(_listed(signed_in(new_api(), "agency"))) == sorted(numbers)
    assert _listed(signed_in(new_api(), "agency_bhxh")) == []


def test_agency_of_another_field_cannot_read_a_police_result(app, three_results, new_api):
    _, _, numbers = three_results
    assert_error(signed_in(new_api(), "agency_bhxh").get(f"/api/v1/items/{numbers[0]}"), 404,
                 "unknown_item")


def test_an_agency_cannot_send_a_result_to_another_provinces_post_office(app, world, new_api):
    from server.models import Unit, UnitKind

    with app.app_context():  # a second province with its own post office
        province = Unit(code="PHUTHO-TEST", name="Tỉnh Phú Thọ", kind=UnitKind.province.value,
                        province="Phú Thọ")
        db.session.add(province)
        db.session.flush()
        province.path = f"/{province.id}/"
        office = Unit(code="BC-THU", name="Bưu cục Thử", kind=UnitKind.post_office.value,
                      parent=province, province="Phú Thọ", commune="Phường Việt Trì")
        db.session.add(office)
        db.session.flush()
        office.path = f"{province.path}{office.id}/"
        db.session.commit()
    agency = signed_in(new_api(), "agency")
    with nothing_written(app):
        assert_error(agency.post("/api/v1/items", json=result_body(post_office_unit="BC-THU")),
                     403, "other_unit")
