"""The route of the day, as arithmetic: distances between stops and the length of a tour (DESIGN §6).

Points are (lat, lon) pairs in degrees; index 0 is where the postman sets out from. Matrices
are square lists of integer metres (or seconds), because that is what the VROOM optimiser
takes and a metre is finer than any doorstep needs.
"""
from __future__ import annotations

from collections.abc import Sequence

from geopy.distance import geodesic
from geopy.point import Point

#: A postman's average speed between doors on a motorbike in town traffic, km/h.
DEFAULT_SPEED_KMH = 20.0


def distance_matrix_m(points: Sequence[tuple[float, float]]) -> list[list[int]]:
    """Return the geodesic (WGS-84) distance in whole metres between every pair of points."""
    measure = geodesic()  # one ellipsoid for every pair: half the cost of geodesic(a, b) per pair
    parsed = [Point(lat, lon) for lat, lon in points]
    size = len(parsed)
    matrix = [[0] * size for _ in range(size)]
    # The distance is symmetric, so each pair is measured once and mirrored.
    for i in range(size):
        for j in range(i + 1, size):
            metres = round(measure.measure(parsed[i], parsed[j]) * 1000)
            matrix[i][j] = matrix[j][i] = metres
    return matrix


def duration_matrix_s(distances: Sequence[Sequence[int]],
                      speed_kmh: float = DEFAULT_SPEED_KMH) -> list[list[int]]:
    """Return the travel time in whole seconds for each distance at a steady `speed_kmh`."""
    if speed_kmh <= 0:
        raise ValueError("speed_kmh must be positive")
    metres_per_second = speed_kmh / 3.6
    return [[round(metres / metres_per_second) for metres in row] for row in distances]


def tour_length_m(order: Sequence[int], matrix: Sequence[Sequence[int]], closed: bool) -> int:
    """Return the length of visiting `order` in turn, plus the way back to its first point if closed."""
    if not order:
        return 0
    length = sum(matrix[a][b] for a, b in zip(order, order[1:]))
    if closed:
        length += matrix[order[-1]][order[0]]
    return length


def nearest_neighbour_order(matrix: Sequence[Sequence[int]], start: int = 0,
                            end: int | None = None) -> list[int]:
    """Return every index of `matrix`, from `start`, always going next to the nearest unvisited point.

    When `end` is given (the office, for a tour that set out from elsewhere) it is kept for
    last instead of being visited on the way.
    """
    if not matrix:
        return []
    unvisited = set(range(len(matrix))) - {start}
    if end is not None:
        unvisited.discard(end)
    order = [start]
    while unvisited:
        here = matrix[order[-1]]
        # Ties go to the lower index, so the same matrix always gives the same order.
        nearest = min(unvisited, key=lambda index: (here[index], index))
        order.append(nearest)
        unvisited.remove(nearest)
    if end is not None and end != start:
        order.append(end)
    return order
