"""A dossier taken at the counter travels to the agency and is filed at its officer's signature."""
from __future__ import annotations

from tests.api.scenario import HOME, upload_image


def _counter_dossier(clerk) -> str:  # type: ignore[no-untyped-def]
    body = {"kind": "dossier", "procedure_code": "CA-GPLX-DOI",
            "citizen": {"name": "Trần Văn Hồ Sơ", "phone": "0987654321", "address": dict(HOME)},
            "documents": [{"name": "Đơn đề nghị đổi giấy phép lái xe", "original": True, "count": 1}],
            "fees": {"postage_vnd": 26000}}
    answer = clerk.post("/api/v1/items", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["tracking_number"]


def _hand(sender, receiver, numbers, **to):  # type: ignore[no-untyped-def]
    # Each signs on their own screen: the same bytes would be the first uploader's image.
    sender_signature = upload_image(sender, f"sender-{numbers[0]}-{to}")
    created = sender.post("/api/v1/handovers", json={**to, "items": numbers,
                                                     "signature_sha256": sender_signature})
    assert created.status_code == 201, created.get_json()
    signature = upload_image(receiver, f"sig-{created.get_json()['id']}")
    accepted = receiver.post(f"/api/v1/handovers/{created.get_json()['id']}/accept",
                             json={"scanned": numbers, "signature_sha256": signature})
    assert accepted.status_code == 200, accepted.get_json()
    return accepted.get_json()


def test_dossier_goes_in_transit_with_the_postman_and_is_filed_at_the_agency_signature(world, new_api):
    clerk, postman, officer = new_api(), new_api(), new_api()
    for client, name in ((clerk, "clerk"), (postman, "postman"), (officer, "agency")):
        assert client.login(name).status_code == 200
    number = _counter_dossier(clerk)

    _hand(clerk, postman, [number], to_user="postman")
    assert postman.get(f"/api/v1/items/{number}").get_json()["status"] == "in_transit"

    signed = _hand(postman, officer, [number], to_unit="CA-TINH")
    item = officer.get(f"/api/v1/items/{number}").get_json()
    assert item["status"] == "filed"
    filing = item["events"][-1]
    assert filing["type"] == "filed"
    assert filing["occurred_at"] == signed["accepted_at"]  # the legal filing time (QĐ45 Art.7)
    assert item["holder"]["unit"] == "CA-TINH"


def test_a_results_service_time_starts_when_the_post_picks_it_up(world, new_api):
    """QĐ45 Art.9: the consignment note of a result is made at pickup from the agency."""
    officer, clerk = new_api(), new_api()
    assert officer.login("agency").status_code == 200 and clerk.login("clerk").status_code == 200
    body = {"kind": "result", "procedure_code": "CA-CCCD-DOI", "post_office_unit": "BC-TRUNGTAM",
            "citizen": {"name": "Lê Văn Kết Quả", "phone": "0901234567", "address": dict(HOME)},
            "documents": [{"name": "Thẻ căn cước", "original": True, "count": 1}]}
    created = officer.post("/api/v1/items", json=body)
    assert created.status_code == 201, created.get_json()
    number = created.get_json()["tracking_number"]
    assert created.get_json()["status"] == "registered"

    picked_up = _hand(officer, clerk, [number], to_unit="BC-TRUNGTAM")
    item = clerk.get(f"/api/v1/items/{number}").get_json()
    assert item["status"] == "at_post"
    assert item["consigned_at"] == picked_up["accepted_at"]
    assert item["due_at"] > picked_up["accepted_at"]
