"""The postman's route of the day (docs/design.md §5)."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from server.core.spec import operation
from server.items.route import RoutePlan, plan_route
from server.items.route_schemas import (
    PointOut,
    RouteOut,
    RouteQuery,
    RouteStopOut,
    StopAddressOut,
)
from server.models import Role

bp = Blueprint("route", __name__, url_prefix="/api/v1/route")


def route_out(plan: RoutePlan) -> RouteOut:
    """The plan as the field app stores it for the day: no name, phone or ID."""
    return RouteOut(
        stops=[
            RouteStopOut(
                tracking_number=stop.item.tracking_number, kind=stop.item.kind,  # type: ignore[arg-type]
                status=stop.item.status, lat=stop.item.address_lat,  # type: ignore[arg-type]
                lon=stop.item.address_lon,  # type: ignore[arg-type]
                order=stop.order, leg_m=stop.leg_m,
                address=StopAddressOut(commune=stop.item.address_commune,
                                       line=stop.item.address_line),
            )
            for stop in plan.stops
        ],
        distance_m=plan.distance_m,
        solver=plan.solver.value,
        start=PointOut(lat=plan.start[0], lon=plan.start[1]),
        end=PointOut(lat=plan.end[0], lon=plan.end[1]) if plan.end else None,
        unplaced=plan.unplaced,
    )


@operation(bp, "", "GET", summary="The postman's stops of the day, ordered into a tour",
           tag="route", query=RouteQuery, response=RouteOut, roles={Role.postman})
def route_of_the_day(query: RouteQuery) -> RouteOut:
    """Held results and owed pickups, in the order VROOM finds shortest."""
    start = (query.start_lat, query.start_lon) if query.start_lat is not None else None
    plan = plan_route(current_user, start, query.return_to_office)  # type: ignore[arg-type]
    return route_out(plan)
