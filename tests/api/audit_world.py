"""People and items of the audit tests: a second supervisor, a second province, a custody round."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from server.accounts.service import create_user
from server.extensions import db
from server.models import AuditFlag, Item, Unit, UnitKind
from tests.api.checks import signed_in
from tests.api.scenario import event, hand_over, register_result, sync
from tests.conftest import ApiClient

PASSWORD = "tantay-demo"


def add_people(app: Flask) -> None:
    """A second supervisor of the demo province, and a province of its own with a supervisor."""
    with app.app_context():
        home = db.session.execute(select(Unit).where(Unit.code == "TINH")).scalar_one()
        create_user("supervisor2", PASSWORD, "supervisor", home.id, "Trần Thị Soát")
        province = Unit(code="LC-TINH", name="Tỉnh Lào Cai", kind=UnitKind.province.value,
                        province="Lào Cai", commune="Phường Lào Cai", address_line="")
        db.session.add(province)
        db.session.flush()
        province.path = f"/{province.id}/"
        office = Unit(code="LC-BC", name="Bưu cục Trung tâm Lào Cai", parent=province,
                      kind=UnitKind.post_office.value, province="Lào Cai",
                      commune="Phường Lào Cai", address_line="")
        db.session.add(office)
        db.session.flush()
        office.path = f"{province.path}{office.id}/"
        create_user("supervisor_lc", PASSWORD, "supervisor", province.id, "Hoàng Văn Xa")
        create_user("clerk_lc", PASSWORD, "clerk", office.id, "Lý Thị Quầy")
        db.session.commit()


@dataclass
class Round:
    """Two results handed to the postman, one missed at the scan (so flagged); the people."""

    delivered: str
    flagged: str
    flag_id: int
    clerk: ApiClient
    postman: ApiClient
    supervisor: ApiClient
    supervisor2: ApiClient
    outsider: ApiClient
    agency: ApiClient


def custody_round(app: Flask, new_api: Any) -> Round:
    """Register two results, hand both over but scan one, send the scanned one out."""
    add_people(app)
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    numbers = [register_result(clerk)["tracking_number"] for _ in range(2)]
    hand_over(clerk, postman, "postman", numbers, scanned=numbers[:1])
    sync(postman, event(numbers[0], "out_for_delivery"))
    with app.app_context():
        flag_id = db.session.execute(
            select(AuditFlag.id).join(Item).where(Item.tracking_number == numbers[1],
                                                  AuditFlag.code == "handover_discrepancy")
        ).scalar_one()
    return Round(delivered=numbers[0], flagged=numbers[1], flag_id=flag_id, clerk=clerk,
                 postman=postman, supervisor=signed_in(new_api(), "supervisor"),
                 supervisor2=signed_in(new_api(), "supervisor2"),
                 outsider=signed_in(new_api(), "supervisor_lc"),
                 agency=signed_in(new_api(), "agency"))


def events_of(client: ApiClient, number: str) -> list[dict[str, Any]]:
    """The item's custody events as the API shows them."""
    response = client.get(f"/api/v1/items/{number}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["events"]
