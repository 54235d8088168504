"""The office side end to end (issue 4), as the clerk, the postman and the agency officer live it.

A dossier goes from the counter to the agency: taken in at the counter (fees paid there),
carried by the postman, filed with the officer, whose signature on the handover record is the
dossier's legal filing time (QĐ45 Art.7). A result goes from the agency's CSV file to the
citizen's door: imported, handed to the post office, to the postman, delivered with cash, the
cash remitted at the counter (both sign), the agency told, and its official fee on the agency's
statement (TT17 Art.5(2)(g)). Both run on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from server.domain.service_time import LOCAL_TZ
from server.extensions import db
from server.models import Notification
from tests.api.checks import signed_in
from tests.api.scenario import HOME, event, hand_over, sync, upload_image
from tests.api.test_counter_intake import intake_body

NEAR_HOME = {"lat": HOME["lat"] + 0.0002, "lon": HOME["lon"], "accuracy_m": 12}
CSV_HEADER = ("dossier_code,procedure_code,citizen_name,citizen_phone,id_number,province,"
              "commune,address_line,document_name,postage_vnd")


def _sign_handover(sender, receiver, body: dict, scanned: list[str]) -> dict:  # type: ignore[no-untyped-def]
    """The sender lists and signs, the receiver scans and signs; answer the accepted record."""
    body = {**body, "signature_sha256": upload_image(sender, f"sender-{body}")}
    created = sender.post("/api/v1/handovers", json=body)
    assert created.status_code == 201, created.get_json()
    record = created.get_json()["id"]
    accepted = receiver.post(f"/api/v1/handovers/{record}/accept", json={
        "scanned": scanned, "signature_sha256": upload_image(receiver, f"receiver-{record}")})
    assert accepted.status_code == 200, accepted.get_json()
    return {"id": record, **accepted.get_json()}


def test_a_dossier_goes_from_the_counter_to_filing_at_the_signing_time(world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    officer = signed_in(new_api(), "agency")

    taken = clerk.post("/api/v1/intake/counter", json=intake_body(clerk))
    assert taken.status_code == 201, taken.get_json()
    number = taken.get_json()["tracking_number"]
    note = clerk.get(f"/items/{number}/consignment-note")
    assert note.status_code == 200 and number in note.get_data(as_text=True)

    hand_over(clerk, postman, "postman", [number])
    record = _sign_handover(postman, officer, {"to_unit": "CA-TINH", "items": [number]}, [number])
    assert record["filed"] == [number]

    item = officer.get(f"/api/v1/items/{number}").get_json()
    assert item["status"] == "filed" and item["holder"]["unit"] == "CA-TINH"
    assert [e["type"] for e in item["events"]] == ["collected", "at_post", "in_transit", "filed"]
    assert datetime.fromisoformat(item["filed_at"]) == datetime.fromisoformat(record["accepted_at"])
    printed = officer.get(f"/handovers/{record['id']}/record").get_data(as_text=True)
    assert number in printed
    local = datetime.fromisoformat(record["accepted_at"]).astimezone(LOCAL_TZ)
    assert local.strftime("%H:%M") in printed


def test_a_result_goes_from_the_agency_file_to_the_door_and_its_cash_to_the_counter(
        app, world, new_api):
    officer, clerk = signed_in(new_api(), "agency"), signed_in(new_api(), "clerk")
    postman = signed_in(new_api(), "postman")
    row = (f"000.00.04.H51-261124-0777,CA-CCCD-DOI,Nguyễn Văn Kết,0912345678,001234567890,"
           f"{HOME['province']},{HOME['commune']},\"{HOME['line']}\",Thẻ căn cước,26000")
    imported = officer.post("/api/v1/results/import", content_type="text/csv",
                            data=f"{CSV_HEADER}\r\n{row}\r\n".encode())
    assert imported.status_code == 201, imported.get_json()
    [number] = [line["tracking_number"] for line in imported.get_json()["results"]]

    _sign_handover(officer, clerk, {"to_unit": "BC-TRUNGTAM", "items": [number]}, [number])
    hand_over(clerk, postman, "postman", [number])
    due = postman.get(f"/api/v1/items/{number}").get_json()["cash_due_vnd"]
    assert due > 0
    delivered = event(number, "delivered", position=NEAR_HOME, cash_collected_vnd=due,
                      signature_sha256=upload_image(postman, "citizen-signs"),
                      recipient={"name": "Nguyễn Văn Kết", "relation": "self",
                                 "id_type": "cccd", "id_last4": "7890"})
    results = sync(postman, event(number, "out_for_delivery"), delivered)
    assert [r["status"] for r in results] == ["accepted", "accepted"], results

    day = _day_of(clerk, "postman")
    assert (day["expected_vnd"], day["collected_vnd"]) == (due, due)
    remittance = clerk.post("/api/v1/cash/remittances", json={
        "postman": "postman", "amount_vnd": due,
        "postman_signature_sha256": upload_image(postman, "postman-remits")})
    assert remittance.status_code == 201, remittance.get_json()
    signed = clerk.post(f"/api/v1/cash/remittances/{remittance.get_json()['id']}/sign",
                        json={"clerk_signature_sha256": upload_image(clerk, "clerk-takes")})
    assert signed.status_code == 200, signed.get_json()
    day = _day_of(clerk, "postman")
    assert (day["remitted_vnd"], day["difference_vnd"], day["unremitted_vnd"]) == (due, 0, 0)

    fee = officer.get(f"/api/v1/items/{number}").get_json()["fees"]["official_fee_vnd"]
    statement = officer.get("/api/v1/cash/agencies/CA-TINH/statement").get_json()
    [line] = [line for line in statement["lines"] if line["tracking_number"] == number]
    assert line["official_fee_vnd"] == fee
    with app.app_context():
        told = db.session.execute(select(Notification.template).where(
            Notification.payload["tracking_number"].as_string() == number)).scalars().all()
    assert told == ["result_delivered"]


def _day_of(client, username: str) -> dict:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/cash/days").get_json()
    return next(p for p in answer["postmen"] if p["postman"] == username)
