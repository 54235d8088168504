"""Personal data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): every opening logged, the log
queried by a supervisor within his province, positions per role, a citizen's export."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event as sqlalchemy_events
from sqlalchemy import func, select

from server.extensions import db
from server.models import PersonalDataAccess
from tests.api.audit_world import add_people
from tests.api.checks import assert_error, signed_in
from tests.api.scenario import (
    HOME,
    event,
    hand_over,
    register_result,
    sync,
    upload_image,
)
from tests.conftest import ApiClient

#: A home located to the metre (six decimals), so rounding to ~100 m shows.
PRECISE_HOME = dict(HOME, lat=20.253912, lon=105.975087)
DOOR = {"lat": 20.254187, "lon": 105.975431, "accuracy_m": 8}
CITIZEN_PHONE = "0912345678"


def _log_count(app: Flask, **where: Any) -> int:
    with app.app_context():
        query = select(func.count(PersonalDataAccess.id))
        for column, value in where.items():
            query = query.where(getattr(PersonalDataAccess, column) == value)
        return db.session.execute(query).scalar_one()


def _register(clerk: ApiClient, phone: str = CITIZEN_PHONE) -> str:
    citizen = {"name": "Nguyễn Thị Mẫu", "phone": phone, "id_type": "cccd",
               "id_number": "001234567890", "address": dict(PRECISE_HOME)}
    return register_result(clerk, citizen=citizen)["tracking_number"]


def _accesses(client: ApiClient, **query: str) -> dict[str, Any]:
    answer = client.get("/api/v1/personal-data/accesses", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_opening_an_item_its_custody_record_and_a_proof_image_is_logged(app, world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    supervisor = signed_in(new_api(), "supervisor")
    number = _register(clerk)
    hand_over(clerk, postman, "postman", [number])
    sync(postman, event(number, "out_for_delivery"))
    signature = upload_image(postman, "door-signature")
    sync(postman, event(number, "delivered", position=DOOR,
                        recipient={"name": "Nguyễn Thị Mẫu", "relation": "self",
                                   "id_type": "cccd", "id_last4": "7890"},
                        signature_sha256=signature))
    before = _log_count(app)
    assert clerk.get(f"/api/v1/items/{number}").status_code == 200
    assert supervisor.get(f"/api/v1/items/{number}/custody-export.json").status_code == 200
    assert supervisor.get(f"/items/{number}/custody").status_code == 200
    assert supervisor.get(f"/api/v1/media/{signature}").status_code == 200
    assert _log_count(app) == before + 4
    kinds = [row["kind"] for row in _accesses(supervisor, item=number)["accesses"]]
    assert kinds[:4] == ["proof_image", "custody_record", "custody_record", "item_details"]
    rows = _accesses(supervisor, user="clerk")["accesses"]
    assert rows[0]["tracking_number"] == number and rows[0]["unit"] == "Bưu cục Trung tâm Ninh Bình"


def test_the_public_tracking_page_logs_nothing_and_shows_nothing_personal(app, world, new_api):
    number = _register(signed_in(new_api(), "clerk"))
    before = _log_count(app)
    public = new_api()
    page = public.get(f"/t/{number}")
    api = public.get(f"/api/v1/track/{number}")
    assert page.status_code == 200 and api.status_code == 200
    for text in (page.get_data(as_text=True), api.get_data(as_text=True)):
        assert "Nguyễn Thị Mẫu" not in text and CITIZEN_PHONE not in text
        assert "Lê Hồng Phong" not in text
    assert _log_count(app) == before


def test_a_failed_opening_is_not_logged(app, world, new_api):
    number = _register(signed_in(new_api(), "clerk"))
    before = _log_count(app)
    assert signed_in(new_api(), "clerk_nd").get(f"/api/v1/items/{number}").status_code == 404
    assert _log_count(app) == before


def test_a_supervisor_of_another_province_sees_nothing_of_this_provinces_log(app, world, new_api):
    add_people(app)
    clerk = signed_in(new_api(), "clerk")
    number = _register(clerk)
    clerk.get(f"/api/v1/items/{number}")
    outsider = signed_in(new_api(), "supervisor_lc")
    assert_error(outsider.get(f"/api/v1/personal-data/accesses?item={number}"), 404, "unknown_item")
    assert_error(outsider.get("/api/v1/personal-data/accesses?user=clerk"), 404, "unknown_user")
    assert _accesses(outsider) == {"accesses": [], "total": 0, "limit": 50, "offset": 0}
    # The home province's supervisor sees it.
    assert _accesses(signed_in(new_api(), "supervisor"), item=number)["total"] >= 1


def test_only_supervisors_read_the_log(world, new_api):
    for username in ("clerk", "postman", "agency", "admin"):
        assert_error(signed_in(new_api(), username).get("/api/v1/personal-data/accesses"), 403,
                     "forbidden")


def test_positions_at_full_precision_for_the_supervisor_only(app, world, new_api):
    clerk, postman = signed_in(new_api(), "clerk"), signed_in(new_api(), "postman")
    number = _register(clerk)
    hand_over(clerk, postman, "postman", [number])
    sync(postman, event(number, "out_for_delivery", position=DOOR))

    def seen(username: str) -> tuple[dict[str, Any], dict[str, Any]]:
        item = signed_in(new_api(), username).get(f"/api/v1/items/{number}").get_json()
        positioned = [e["position"] for e in item["events"] if e["position"]]
        return item["citizen"]["address"], positioned[-1]

    address, door = seen("supervisor")
    assert (address["lat"], address["lon"]) == (20.253912, 105.975087)
    assert (door["lat"], door["lon"]) == (20.254187, 105.975431)
    for username in ("clerk", "postman", "admin"):
        address, door = seen(username)
        assert (address["lat"], address["lon"]) == (20.254, 105.975), username
        assert (door["lat"], door["lon"]) == (20.254, 105.975), username
        assert door["accuracy_m"] == 8


def test_a_citizens_export_of_one_item_is_complete_and_logged(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = _register(clerk)
    before = _log_count(app, kind="citizen_export")
    answer = clerk.get(f"/api/v1/personal-data/export?item={number}")
    assert answer.status_code == 200, answer.get_json()
    export = answer.get_json()
    assert export["request"] == {"item": number, "phone": None}
    assert export["exported_by"]["username"] == "clerk"
    [item] = export["items"]
    assert item["tracking_number"] == number
    assert item["citizen"]["name"] == "Nguyễn Thị Mẫu" and item["citizen"]["phone"] == CITIZEN_PHONE
    assert item["citizen"]["id_last4"] == "7890" and "001234567890" not in answer.get_data(as_text=True)
    assert item["citizen"]["address"]["commune_code"] == "14329"
    assert item["citizen"]["address"]["lat"] == 20.254  # the clerk's view: rounded
    assert [e["type"] for e in item["events"]] == ["registered", "at_post"]
    assert export["purposes"] and "5 năm" in export["retention"]
    assert _log_count(app, kind="citizen_export") == before + 1


def test_a_phone_export_has_every_item_of_that_phone_in_the_unit_and_no_other(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    mine = {_register(clerk), _register(clerk)}
    other = _register(clerk, phone="0987000111")
    export = clerk.get(f"/api/v1/personal-data/export?phone={CITIZEN_PHONE}").get_json()
    numbers = {item["tracking_number"] for item in export["items"]}
    assert mine <= numbers and other not in numbers
    assert {item["citizen"]["phone"] for item in export["items"]} == {CITIZEN_PHONE}
    # Another post office's clerk gets none of them.
    assert_error(signed_in(new_api(), "clerk_nd").get(
        f"/api/v1/personal-data/export?phone={CITIZEN_PHONE}"), 404, "no_items_for_phone")


def test_an_export_needs_exactly_one_scope_and_an_allowed_role(world, new_api):
    clerk = signed_in(new_api(), "clerk")
    assert_error(clerk.get("/api/v1/personal-data/export"), 422, "export_scope_required")
    number = _register(clerk)
    assert_error(clerk.get(f"/api/v1/personal-data/export?item={number}&phone={CITIZEN_PHONE}"),
                 422, "export_scope_required")
    for username in ("postman", "agency", "admin"):
        assert_error(signed_in(new_api(), username).get(
            f"/api/v1/personal-data/export?item={number}"), 403, "forbidden")


def test_the_log_screen_lists_openings_and_refuses_other_roles(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = _register(clerk)
    clerk.get(f"/api/v1/items/{number}")
    page = signed_in(new_api(), "supervisor").get(f"/personal-data/accesses?item={number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert number in html and "Phạm Thu Giao" in html and "Xem chi tiết bưu gửi" in html
    assert clerk.get("/personal-data/accesses").status_code == 403
    add_people(app)
    outsider = signed_in(new_api(), "supervisor_lc").get(f"/personal-data/accesses?item={number}")
    assert outsider.status_code == 404 and "Phạm Thu Giao" not in outsider.get_data(as_text=True)


def test_the_printable_export_shows_the_citizens_data_and_is_logged(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    number = _register(clerk)
    before = _log_count(app, kind="citizen_export")
    page = clerk.get("/personal-data/export?phone=0912%20345%20678")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert number in html and "Nguyễn Thị Mẫu" in html and "4 số cuối 7890" in html
    assert "001234567890" not in html
    assert _log_count(app, kind="citizen_export") == before + 1
    assert signed_in(new_api(), "postman").get(f"/personal-data/export?item={number}").status_code == 403



@contextmanager
def _access_log_locked_by_another_writer(app: Flask) -> Iterator[None]:
    """Another writer holds the access log's lock, and the app gives up waiting after 0.2 s.

    SQLite: a second connection holds the database's write lock (BEGIN IMMEDIATE), as a
    backup or a migration would, and the app's busy timeout is cut short. PostgreSQL: a second
    connection holds the table's lock, and the app's lock_timeout is cut short.
    """
    with app.app_context():
        engine = db.engine
    postgres = engine.dialect.name == "postgresql"
    shorten = "SET lock_timeout = '200ms'" if postgres else "PRAGMA busy_timeout = 200"
    restore = "RESET lock_timeout" if postgres else (
        f"PRAGMA busy_timeout = {app.config['SQLITE_BUSY_TIMEOUT_MS']}")

    def run(statement: str) -> Any:
        def on_pool_event(dbapi_connection: Any, *_: Any) -> None:
            if dbapi_connection is None:  # invalidated on its way back: nothing to restore
                return
            cursor = dbapi_connection.cursor()
            cursor.execute(statement)
            cursor.close()
            dbapi_connection.commit()  # psycopg: the SET opened a transaction; SQLite: no-op
        return on_pool_event

    # Only while the lock is held: a connection back in the pool waits as long as before.
    on_checkout, on_checkin = run(shorten), run(restore)
    sqlalchemy_events.listen(engine, "checkout", on_checkout)
    sqlalchemy_events.listen(engine, "checkin", on_checkin)
    if postgres:
        holder = engine.connect()
        holder.exec_driver_sql("LOCK TABLE personal_data_accesses IN EXCLUSIVE MODE")
    else:  # another process's connection: outside the app's own queue of writers
        holder = sqlite3.connect(engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()
        sqlalchemy_events.remove(engine, "checkout", on_checkout)
        sqlalchemy_events.remove(engine, "checkin", on_checkin)


def test_personal_data_is_not_shown_while_its_opening_cannot_be_logged(app, world, new_api):
    clerk = signed_in(new_api(), "clerk")
    supervisor = signed_in(new_api(), "supervisor")
    number = _register(clerk)
    before = _log_count(app)
    with _access_log_locked_by_another_writer(app):
        for reader, path in ((clerk, f"/api/v1/items/{number}"),
                             (supervisor, f"/api/v1/items/{number}/custody-export.json"),
                             (supervisor, f"/items/{number}/custody")):
            answer = reader.get(path)
            assert answer.status_code >= 500, (path, answer.status_code)
            assert "Nguyễn Thị Mẫu" not in answer.get_data(as_text=True), path
            assert CITIZEN_PHONE not in answer.get_data(as_text=True), path
    assert _log_count(app) == before  # nothing was shown, so nothing is owed to the log
    assert clerk.get(f"/api/v1/items/{number}").status_code == 200
    assert _log_count(app) == before + 1  # no held-back rows of the refused reads turn up
