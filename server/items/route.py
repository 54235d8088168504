"""The route of the day: the postman's stops put in the order that walks the fewest metres
(docs/design.md §5).

The stops are the results the postman carries and the home pickups their post office owes.
The order comes from VROOM (through `pyvroom`) over a geodesic distance matrix, polished by
2-opt and Or-opt moves iterated with random kicks (`server.domain.route.polish_tour`); when
VROOM fails, the nearest-neighbour order is used instead and the answer says so, because a
route that is merely good is better than none on the doorstep.

Why VROOM only builds the first tour (measured with bench/route_bench.py against LKH-3): on a
single vehicle with no time windows VROOM's local search is slow for what it gains: 150 stops
take about 1 s at exploration level 0 and 3 s at level 3 and still end 3-4 % above LKH-3, and
pyvroom holds the GIL meanwhile, stalling the worker's other threads. Cut short by a 0.1 s
timeout it answers its constructed tour (about nearest-neighbour quality), and the polish
brings that to 0-2 % above LKH-3 for 50 and 100 stops and 1-4 % for 150 within its budget
(2 cores shared and loaded while measured; more kicks fit on a quiet machine).
"""
from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import vroom
from sqlalchemy import and_, or_, select

from server.core.errors import Invalid
from server.domain.lifecycle import ItemKind, ItemStatus
from server.domain.route import (
    distance_matrix_m,
    nearest_neighbour_order,
    polish_tour,
    tour_length_m,
)
from server.extensions import db
from server.models import Item, User

log = logging.getLogger(__name__)

#: Results in the postman's bag that still have to reach the citizen's door.
DELIVERY_STATUSES = (ItemStatus.at_post, ItemStatus.out_for_delivery, ItemStatus.attempt_failed)
#: How hard VROOM searches (0-5). Only its first tour is used (see above), so the lowest.
EXPLORATION_LEVEL = 0
#: VROOM answers its best tour so far when this runs out; it holds the GIL until then.
SOLVER_TIMEOUT = timedelta(seconds=0.1)
#: Rounds of iterated local search after VROOM, and the time they may take at most.
POLISH_KICKS = 300
POLISH_BUDGET_S = 0.7


class Solver(StrEnum):
    """What put the stops in order."""

    #: VROOM optimised the tour.
    vroom = "vroom"
    #: VROOM failed; the nearest unvisited stop was always taken next.
    nearest_neighbour = "nearest_neighbour"
    #: No stop or a single one: there is only one order, nothing was solved.
    trivial = "trivial"


@dataclass(frozen=True)
class RouteStop:
    """One item to visit, its place in the tour and the metres from the previous point."""

    item: Item
    order: int
    leg_m: int


@dataclass(frozen=True)
class RoutePlan:
    """The ordered stops, where the tour begins and ends, its length and how it was found."""

    stops: list[RouteStop]
    start: tuple[float, float]
    #: Where the tour ends when it returns to the office; None for an open tour.
    end: tuple[float, float] | None
    distance_m: int
    solver: Solver
    unplaced: list[str]


def _solve_with_vroom(matrix: list[list[int]], closed: bool, end: int | None) -> list[int]:
    """VROOM's order of every index (0 first, `end` last when given); raises when it has none."""
    jobs = [index for index in range(1, len(matrix)) if index != end]
    problem = vroom.Input()
    # Metres used as the duration: with no time windows VROOM then minimises the distance.
    problem.set_durations_matrix("car", matrix)
    problem.add_vehicle(vroom.Vehicle(1, start=0, end=0 if closed else end))
    problem.add_job([vroom.Job(index, location=index) for index in jobs])
    solution = problem.solve(exploration_level=EXPLORATION_LEVEL,
                             nb_threads=min(2, os.cpu_count() or 1), timeout=SOLVER_TIMEOUT)
    steps = solution.routes
    visited = [int(index) for index in steps.loc[steps["type"] == "job", "location_index"]]
    if sorted(visited) != jobs:
        raise RuntimeError(f"VROOM left stops out: {sorted(set(jobs) - set(visited))}")
    return [0, *visited, *([end] if end is not None else [])]


def solve_tour(matrix: list[list[int]], closed: bool,
               end: int | None = None) -> tuple[list[int], Solver]:
    """Order the points of `matrix` from index 0: every index once, `end` (if given) last.

    `closed` means the tour comes back to index 0 (which then is not repeated in the order);
    `end` is a different point the tour must finish at, such as the office when the postman
    sets out from elsewhere. VROOM's tour is then polished (`polish_tour`). Falls back to
    nearest neighbour if VROOM raises.
    """
    if closed and end is not None:
        raise ValueError("a closed tour ends at its start; give no separate end")
    stop_count = len(matrix) - 1 - (1 if end is not None else 0)
    if stop_count <= 1:
        return nearest_neighbour_order(matrix, 0, end), Solver.trivial
    try:
        first = _solve_with_vroom(matrix, closed, end)
    except Exception:
        log.exception("VROOM failed on %d stops; falling back to nearest neighbour", stop_count)
        return nearest_neighbour_order(matrix, 0, end), Solver.nearest_neighbour
    polished = polish_tour(first, matrix, closed, end, kicks=POLISH_KICKS, budget_s=POLISH_BUDGET_S)
    return polished, Solver.vroom


def _route_items(postman: User) -> list[Item]:
    """Results the postman carries and home pickups their office owes, by tracking number."""
    carried = and_(Item.holder_user_id == postman.id, Item.kind == ItemKind.result.value,
                   Item.status.in_([status.value for status in DELIVERY_STATUSES]))
    # An unassigned pickup is owed by the whole office: every postman of it sees it; one the
    # clerk assigned is his alone (the same rule as what a postman may read, scope.py).
    pickups = and_(Item.kind == ItemKind.dossier.value,
                   Item.status == ItemStatus.requested.value,
                   or_(Item.holder_user_id == postman.id,
                       and_(Item.holder_user_id.is_(None),
                            Item.post_office_unit_id == postman.unit_id)))
    statement = select(Item).where(or_(carried, pickups)).order_by(Item.tracking_number)
    return list(db.session.execute(statement).scalars())


def plan_route(postman: User, start: tuple[float, float] | None,
               return_to_office: bool = True) -> RoutePlan:
    """The postman's stops in tour order, from `start` (default: their post office).

    The tour ends at the office when `return_to_office` and the office's position is known.
    Items whose address has no coordinates cannot be placed and are listed apart.
    """
    office = postman.unit
    office_point = (office.lat, office.lon) if office.lat is not None and office.lon is not None else None
    origin = start or office_point
    if origin is None:
        raise Invalid("start_required",
                      "Bưu cục chưa có tọa độ: hãy bật định vị để gửi vị trí xuất phát "
                      "(start_lat, start_lon).", {"fields": ["start_lat", "start_lon"]})
    placed: list[Item] = []
    unplaced: list[str] = []
    for item in _route_items(postman):
        if item.address_lat is not None and item.address_lon is not None:
            placed.append(item)
        else:
            unplaced.append(item.tracking_number)
    returns = return_to_office and office_point is not None
    end_point = office_point if returns else None
    if not placed:
        return RoutePlan(stops=[], start=origin, end=end_point, distance_m=0,
                         solver=Solver.trivial, unplaced=unplaced)

    points = [origin, *((item.address_lat, item.address_lon) for item in placed)]
    closed = returns and start is None
    end_index: int | None = None
    if returns and not closed:
        points.append(office_point)  # type: ignore[arg-type]
        end_index = len(points) - 1
    matrix = distance_matrix_m(points)  # type: ignore[arg-type]
    order, solver = solve_tour(matrix, closed, end_index)

    stops = [
        RouteStop(item=placed[index - 1], order=position, leg_m=matrix[previous][index])
        for position, (previous, index) in enumerate(itertools.pairwise(order), start=1)
        if index != end_index
    ]
    return RoutePlan(stops=stops, start=origin, end=end_point,
                     distance_m=tour_length_m(order, matrix, closed), solver=solver,
                     unplaced=unplaced)
