"""The postman's route of the day: which stops, in which order, and for whom."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from demo.seed import DEMO_UNITS
from server.custody.events import Holder, append_event
from server.domain.lifecycle import EventType
from server.domain.route import (
    distance_matrix_m,
    nearest_neighbour_order,
    tour_length_m,
)
from server.extensions import db
from server.items.service import allocate_tracking_number
from server.models import Item, Procedure, Unit, User
from server.models.types import utc_now
from tests.api.scenario import HOME, event, hand_over, register_result, sync
from tests.conftest import ApiClient

#: The central post office, where `postman` and `postman2` work.
OFFICE = next((lat, lon) for code, *_, lat, lon in DEMO_UNITS if code == "BC-TRUNGTAM")

#: Doors scattered over a few kilometres around the office.
DOORS = [(20.2600, 105.9800), (20.2715, 105.9652), (20.2432, 105.9911), (20.2811, 105.9903),
         (20.2480, 105.9605), (20.2655, 105.9950), (20.2350, 105.9744), (20.2550, 106.0050)]


def signed_in(new_api, username: str) -> ApiClient:  # type: ignore[no-untyped-def]
    """A client signed in as `username`."""
    client = new_api()
    assert client.login(username).status_code == 200
    return client


def result_at(clerk: ApiClient, lat: float | None, lon: float | None, line: str) -> str:
    """Register a result for a door (no coordinates when lat is None); answer its number."""
    address: dict[str, Any] = {**HOME, "line": line}
    if lat is None:
        del address["lat"], address["lon"]
    else:
        address.update(lat=lat, lon=lon)
    item = register_result(clerk, citizen={"name": "Trần Văn Nhận", "phone": "0987654321",
                                           "address": address})
    return item["tracking_number"]


def load_bag(clerk: ApiClient, postman: ApiClient, username: str,
             doors: list[tuple[float, float]]) -> list[str]:
    """Register one result per door and hand them all to the postman (the morning load)."""
    numbers = [result_at(clerk, lat, lon, f"Số {n} đường Trần Hưng Đạo")
               for n, (lat, lon) in enumerate(doors, start=1)]
    hand_over(clerk, postman, username, numbers)
    return numbers


def request_pickup(app: Flask, lat: float | None, lon: float | None, office: str = "BC-TRUNGTAM") -> str:
    """A home pickup asked for by phone: a dossier `requested` at the office (no API makes these yet)."""
    with app.app_context():
        clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
        unit = db.session.execute(select(Unit).where(Unit.code == office)).scalar_one()
        procedure = db.session.execute(
            select(Procedure).where(Procedure.code == "TP-LLTP")).scalar_one()
        now = utc_now()
        item = Item(
            tracking_number=allocate_tracking_number(app.config["TRACKING_PREFIX_DOSSIER"]),
            kind="dossier", status="", procedure_id=procedure.id,
            agency_unit_id=procedure.agency_unit_id, post_office_unit_id=unit.id,
            citizen_name="Lê Thị Gửi", citizen_phone="0911222333", address_province="Ninh Bình",
            address_commune="Phường Hoa Lư", address_line="Số 5 ngõ 20 đường Vân Giang",
            address_lat=lat, address_lon=lon, documents=[], route_class="same_area",
            consigned_at=now, due_at=now + timedelta(days=2), created_by_id=clerk.id,
        )
        db.session.add(item)
        db.session.flush()
        append_event(item, EventType.requested, clerk, evidence={"channel": "home_pickup"},
                     holder=Holder(None, unit.id))
        db.session.commit()
        return item.tracking_number


def matrix_of(start: tuple[float, float], stops: list[dict[str, Any]]) -> list[list[int]]:
    """The distance matrix of the start and the answered stops, in answered order."""
    return distance_matrix_m([start, *((stop["lat"], stop["lon"]) for stop in stops)])


def test_postman_gets_held_results_in_a_tour_no_longer_than_nearest_neighbour(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    numbers = load_bag(clerk, postman, "postman", DOORS)

    response = postman.get("/api/v1/route")
    assert response.status_code == 200
    route = response.get_json()
    stops = route["stops"]
    assert sorted(stop["tracking_number"] for stop in stops) == sorted(numbers)
    assert [stop["order"] for stop in stops] == list(range(1, len(DOORS) + 1))
    assert route["solver"] == "vroom"
    assert route["start"] == {"lat": OFFICE[0], "lon": OFFICE[1]}
    assert route["end"] == route["start"]
    assert route["unplaced"] == []

    # The answered order, walked over the answered positions, is the answered distance…
    matrix = matrix_of(OFFICE, stops)
    answered = list(range(len(stops) + 1))
    assert route["distance_m"] == tour_length_m(answered, matrix, closed=True)
    assert [stop["leg_m"] for stop in stops] == [matrix[i][i + 1] for i in range(len(stops))]
    # … and no longer than always riding to the nearest door.
    greedy = tour_length_m(nearest_neighbour_order(matrix), matrix, closed=True)
    assert route["distance_m"] <= greedy


def test_route_stop_tells_where_the_door_is_but_not_who_lives_there(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    [number] = load_bag(clerk, postman, "postman", DOORS[:1])

    response = postman.get("/api/v1/route")
    [stop] = response.get_json()["stops"]
    assert stop == {"tracking_number": number, "kind": "result", "status": "at_post",
                    "lat": DOORS[0][0], "lon": DOORS[0][1], "order": 1,
                    "address": {"commune": "Phường Hoa Lư", "line": "Số 1 đường Trần Hưng Đạo"},
                    "leg_m": matrix_of(OFFICE, [stop])[0][1]}
    body = response.get_data(as_text=True)
    for personal in ("Trần Văn Nhận", "0987654321", "Nguyễn Thị Mẫu", "7890"):
        assert personal not in body


def test_statuses_on_the_road_stay_on_the_route_and_delivered_leaves_it(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    out, failed, loaded = load_bag(clerk, postman, "postman", DOORS[:3])
    results = sync(postman, event(out, "out_for_delivery"), event(failed, "out_for_delivery"),
                   event(failed, "attempt_failed", reason="absent", action="notice_left"))
    assert [r["status"] for r in results] == ["accepted"] * 3

    statuses = {stop["tracking_number"]: stop["status"]
                for stop in postman.get("/api/v1/route").get_json()["stops"]}
    assert statuses == {out: "out_for_delivery", failed: "attempt_failed", loaded: "at_post"}


def test_clerk_may_not_ask_for_a_route(world, new_api):
    clerk = signed_in(new_api, "clerk")
    response = clerk.get("/api/v1/route")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_anonymous_caller_must_sign_in(world, new_api):
    assert new_api().get("/api/v1/route").status_code == 401


def test_items_held_by_postman2_never_appear_on_postmans_route(world, new_api):
    clerk = signed_in(new_api, "clerk")
    postman, postman2 = signed_in(new_api, "postman"), signed_in(new_api, "postman2")
    mine = load_bag(clerk, postman, "postman", DOORS[:3])
    theirs = load_bag(clerk, postman2, "postman2", DOORS[3:6])

    on_mine = {stop["tracking_number"] for stop in postman.get("/api/v1/route").get_json()["stops"]}
    on_theirs = {stop["tracking_number"]
                 for stop in postman2.get("/api/v1/route").get_json()["stops"]}
    assert on_mine == set(mine)
    assert on_theirs == set(theirs)


def test_results_still_at_the_counter_are_not_on_the_route(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    result_at(clerk, *DOORS[0], "Số 1 đường Lê Lợi")  # registered, never handed over

    assert postman.get("/api/v1/route").get_json()["stops"] == []


def test_dossiers_the_postman_carries_to_the_agency_are_not_doorstep_stops(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    dossier = register_result(clerk, kind="dossier", procedure_code="TP-LLTP",
                              documents=[{"name": "Tờ khai", "original": True, "count": 1}])
    assert dossier["status"] == "at_post"
    hand_over(clerk, postman, "postman", [dossier["tracking_number"]])

    route = postman.get("/api/v1/route").get_json()
    assert route["stops"] == [] and route["unplaced"] == []


def test_items_without_coordinates_are_listed_as_unplaced(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    placed = result_at(clerk, *DOORS[0], "Số 1 đường Lê Lợi")
    lost = result_at(clerk, None, None, "Xóm 3, thôn Đông")
    hand_over(clerk, postman, "postman", [placed, lost])

    route = postman.get("/api/v1/route").get_json()
    assert [stop["tracking_number"] for stop in route["stops"]] == [placed]
    assert route["unplaced"] == [lost]


def test_home_pickups_owed_by_the_office_are_stops_for_its_postmen(app, world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    [result] = load_bag(clerk, postman, "postman", DOORS[:1])
    pickup = request_pickup(app, *DOORS[1])
    no_position = request_pickup(app, None, None)
    elsewhere = request_pickup(app, *DOORS[2], office="BC-NAMDINH")

    route = postman.get("/api/v1/route").get_json()
    kinds = {stop["tracking_number"]: (stop["kind"], stop["status"]) for stop in route["stops"]}
    assert kinds == {result: ("result", "at_post"), pickup: ("dossier", "requested")}
    assert route["unplaced"] == [no_position]
    assert elsewhere not in kinds


def test_a_pickup_assigned_to_a_colleague_is_on_his_route_only(app, world, new_api):
    clerk = signed_in(new_api, "clerk")
    postman, postman2 = signed_in(new_api, "postman"), signed_in(new_api, "postman2")
    answer = clerk.post("/api/v1/pickups", json={
        "procedure_code": "TP-LLTP", "postman": "postman2",
        "citizen": {"name": "Lê Thị Gọi", "phone": "0912000111", "address": dict(HOME)}})
    assert answer.status_code == 201, answer.get_json()
    assigned = answer.get_json()["tracking_number"]
    unassigned = request_pickup(app, *DOORS[1])

    def stops(client: ApiClient) -> set[str]:
        route = client.get("/api/v1/route").get_json()
        return {stop["tracking_number"] for stop in route["stops"]} | set(route["unplaced"])

    assert assigned in stops(postman2) and unassigned in stops(postman2)
    # Not on his colleague's route: his phone could not even open it (404 outside his scope).
    assert assigned not in stops(postman) and unassigned in stops(postman)
    assert postman.get(f"/api/v1/items/{assigned}").status_code == 404


def test_route_starts_from_the_phone_and_ends_at_the_office(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    load_bag(clerk, postman, "postman", DOORS[:4])
    phone = DOORS[4]

    route = postman.get(f"/api/v1/route?start_lat={phone[0]}&start_lon={phone[1]}").get_json()
    assert route["start"] == {"lat": phone[0], "lon": phone[1]}
    assert route["end"] == {"lat": OFFICE[0], "lon": OFFICE[1]}
    stops = route["stops"]
    points = [phone, *((stop["lat"], stop["lon"]) for stop in stops), OFFICE]
    matrix = distance_matrix_m(points)
    assert stops[0]["leg_m"] == matrix[0][1]
    assert route["distance_m"] == tour_length_m(list(range(len(points))), matrix, closed=False)


def test_route_without_return_ends_at_the_last_door(world, new_api):
    clerk, postman = signed_in(new_api, "clerk"), signed_in(new_api, "postman")
    load_bag(clerk, postman, "postman", DOORS[:5])

    route = postman.get("/api/v1/route?return_to_office=false").get_json()
    assert route["end"] is None
    matrix = matrix_of(OFFICE, route["stops"])
    assert route["distance_m"] == sum(stop["leg_m"] for stop in route["stops"])
    assert route["distance_m"] == tour_length_m(list(range(len(matrix))), matrix, closed=False)


def test_start_latitude_without_longitude_is_refused(world, new_api):
    postman = signed_in(new_api, "postman")
    response = postman.get("/api/v1/route?start_lat=20.26")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_failed"
    assert response.get_json()["error"]["details"]["fields"][0]["type"] == "start_incomplete"


def test_start_outside_the_globe_is_refused(world, new_api):
    postman = signed_in(new_api, "postman")
    assert postman.get("/api/v1/route?start_lat=91&start_lon=105.98").status_code == 422
    assert postman.get("/api/v1/route?start_lat=nan&start_lon=105.98").status_code == 422


def test_unknown_query_parameter_is_refused(world, new_api):
    postman = signed_in(new_api, "postman")
    assert postman.get("/api/v1/route?start=office").status_code == 422


def test_empty_route_is_an_empty_list_of_zero_metres(world, new_api):
    postman = signed_in(new_api, "postman")
    response = postman.get("/api/v1/route")
    assert response.status_code == 200
    assert response.get_json() == {
        "stops": [], "distance_m": 0, "solver": "trivial", "unplaced": [],
        "start": {"lat": OFFICE[0], "lon": OFFICE[1]}, "end": {"lat": OFFICE[0], "lon": OFFICE[1]},
    }


def test_route_is_described_in_the_openapi_document(world, new_api):
    document = new_api().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/route"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "start_lat", "start_lon", "return_to_office"}
    assert "RouteOut" in document["components"]["schemas"]
