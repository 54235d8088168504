"""The route of the day, as arithmetic: distances between stops, tour lengths, tour polishing
(docs/design.md §5).

Points are (lat, lon) pairs in degrees; index 0 is where the postman sets out from. Matrices
are square lists of integer metres (or seconds), because that is what the VROOM optimiser
takes and a metre is finer than any doorstep needs.
"""
from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import numpy as np
from geopy.distance import geodesic
from geopy.point import Point

#: A postman's average speed between doors on a motorbike in town traffic, km/h.
DEFAULT_SPEED_KMH = 20.0
#: WGS-84, the ellipsoid of GPS fixes and of geopy's geodesic.
WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)
#: Pairs closer than this are measured on the ellipsoid's local plane (see `distance_matrix_m`);
#: farther pairs by geopy's exact geodesic.
LOCAL_PLANE_LIMIT_M = 50_000


def _local_plane_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distances in metres between all pairs, on the plane tangent to WGS-84 at each pair's middle.

    The meridian (M) and prime-vertical (N) radii of curvature at the mean latitude turn the
    differences in latitude and longitude into metres north and east. Against geopy's geodesic
    the error stays under 5 cm for pairs up to 50 km apart at Vietnam's latitudes (8-23° N;
    under 0.5 m at 60°), far below the whole metre the matrix keeps.
    """
    phi, lam = np.radians(lat), np.radians(lon)
    mean = (phi[:, None] + phi[None, :]) / 2
    sin2 = np.sin(mean) ** 2
    w = 1 - WGS84_E2 * sin2
    meridian = WGS84_A * (1 - WGS84_E2) / w ** 1.5
    prime_vertical = WGS84_A / np.sqrt(w)
    north = meridian * (phi[None, :] - phi[:, None])
    delta_lon = lam[None, :] - lam[:, None]
    # Across the antimeridian, the short way round.
    delta_lon = (delta_lon + np.pi) % (2 * np.pi) - np.pi
    east = prime_vertical * np.cos(mean) * delta_lon
    metres: np.ndarray = np.hypot(north, east)
    return metres


def distance_matrix_m(points: Sequence[tuple[float, float]]) -> list[list[int]]:
    """Return the geodesic (WGS-84) distance in whole metres between every pair of points.

    Vectorised with numpy: a postman's stops lie within a few kilometres, where the local
    plane of the ellipsoid gives the geodesic to the centimetre (`_local_plane_m`). Pairs
    farther apart than LOCAL_PLANE_LIMIT_M are measured exactly with geopy instead, so the
    answer is the geodesic for any spread of points.
    """
    size = len(points)
    if size == 0:
        return []
    coordinates = np.asarray(points, dtype=float).reshape(size, 2)
    metres = _local_plane_m(coordinates[:, 0], coordinates[:, 1])
    far_i, far_j = np.nonzero(np.triu(metres > LOCAL_PLANE_LIMIT_M, 1))
    if len(far_i):
        measure = geodesic()  # one ellipsoid for every pair
        parsed = [Point(lat, lon) for lat, lon in points]
        for i, j in zip(far_i.tolist(), far_j.tolist(), strict=True):
            metres[i, j] = metres[j, i] = measure.measure(parsed[i], parsed[j]) * 1000
    matrix = np.rint(metres).astype(np.int64)
    np.fill_diagonal(matrix, 0)
    rows: list[list[int]] = matrix.tolist()
    return rows


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
    length = sum(matrix[a][b] for a, b in itertools.pairwise(order))
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


# --- polishing a tour: 2-opt and Or-opt, iterated -----------------------------------------
#
# A tour is handled as a path whose first and last points stay where they are: a closed tour
# is [start, ..., start], a tour to a given end is [start, ..., end], and a tour that may end
# anywhere gets a virtual last point at distance 0 from every other.


def _path_length(path: np.ndarray, distances: np.ndarray) -> int:
    """Sum of the legs of `path`."""
    return int(distances[path[:-1], path[1:]].sum())


def _two_opt_step(path: np.ndarray, between: np.ndarray) -> bool:
    """Apply the best 2-opt move (reverse one stretch of the path) if it shortens it.

    `between[i, j]` is the distance from the path's i-th point to its j-th: with it every
    candidate is a slice, not a lookup.
    """
    legs = np.diagonal(between, 1)
    # Leg k is path[k] → path[k+1]. Replacing legs k < l by path[k] → path[l] and
    # path[k+1] → path[l+1] reverses path[k+1..l]; symmetric distances keep the rest.
    gain = between[:-1, :-1] + between[1:, 1:] - legs[:, None] - legs[None, :]
    gain = np.triu(gain, 2)
    k, l = np.unravel_index(int(np.argmin(gain)), gain.shape)  # noqa: E741 (the names of the comment)
    if gain[k, l] >= 0:
        return False
    path[k + 1:l + 1] = path[k + 1:l + 1][::-1].copy()
    return True


def _or_opt_step(path: np.ndarray, between: np.ndarray, longest: int = 3) -> bool:
    """Apply the best Or-opt move (1 to `longest` stops moved elsewhere, maybe reversed) if it shortens."""
    size = len(path)
    legs = np.diagonal(between, 1)
    leg_index = np.arange(size - 1)
    best_gain, best_move = 0, None
    for length in range(1, longest + 1):
        starts = np.arange(1, size - length)  # the stretch path[start .. start+length-1]
        if not len(starts):
            break
        ends = starts + length - 1
        saved = (between[starts - 1, starts] + between[ends, ends + 1]
                 - between[starts - 1, ends + 1])
        # Put between leg k's points: path[k] → first … last → path[k+1], or reversed.
        forward = between[:-1, 1:size - length].T + between[length:size - 1, 1:] - legs[None, :]
        backward = between[:-1, length:size - 1].T + between[1:size - length, 1:] - legs[None, :]
        cost = np.minimum(forward, backward) - saved[:, None]
        # The legs touching or inside the moved stretch are not places to put it.
        touching = ((leg_index[None, :] >= starts[:, None] - 1)
                    & (leg_index[None, :] <= ends[:, None]))
        cost[touching] = 0
        row, leg = np.unravel_index(int(np.argmin(cost)), cost.shape)
        if cost[row, leg] < best_gain:
            best_gain = cost[row, leg]
            best_move = (int(starts[row]), length, int(leg), bool(backward[row, leg] < forward[row, leg]))
    if best_move is None:
        return False
    start, length, best_leg, reverse = best_move
    stretch = path[start:start + length]
    if reverse:
        stretch = stretch[::-1]
    rest = np.concatenate([path[:start], path[start + length:]])
    at = best_leg if best_leg < start else best_leg - length
    path[:] = np.concatenate([rest[:at + 1], stretch, rest[at + 1:]])
    return True


def _local_search(path: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """2-opt, and Or-opt when 2-opt finds nothing, until neither shortens the path."""
    while True:
        between = distances[np.ix_(path, path)]
        if not (_two_opt_step(path, between) or _or_opt_step(path, between)):
            return path


def polish_tour(order: Sequence[int], matrix: Sequence[Sequence[int]], closed: bool,
                end: int | None = None, kicks: int = 0, budget_s: float | None = None,
                seed: int = 0) -> list[int]:
    """Shorten a tour with 2-opt and Or-opt moves; then `kicks` rounds of iterated local search.

    `order` starts at index 0 and, when `end` is given, finishes at `end`; the answer keeps
    both, visits every index once and is never longer. Each kick swaps two stretches of the
    best tour so far (a double bridge), searches again and keeps the result if no longer;
    kicks stop early when `budget_s` seconds have passed. The same arguments (and enough
    time) always give the same tour: the kicks draw from a generator seeded with `seed`.
    """
    size = len(order)
    if size <= 3:
        return list(order)
    distances = np.asarray(matrix, dtype=np.int64)
    if closed:
        path = np.array([*order, order[0]], dtype=np.int64)
    elif end is not None:
        path = np.array(order, dtype=np.int64)
    else:
        # A virtual last point, 0 m from everywhere: the path may then end at any stop.
        distances = np.pad(distances, ((0, 1), (0, 1)))
        path = np.array([*order, size], dtype=np.int64)
    began = time.perf_counter()
    path = _local_search(path, distances)
    best = _path_length(path, distances)
    rng = np.random.default_rng(seed)
    inner = np.arange(1, len(path) - 1)
    for _ in range(kicks if len(inner) >= 3 else 0):
        if budget_s is not None and time.perf_counter() - began > budget_s:
            break
        a, b, c = np.sort(rng.choice(inner, 3, replace=False))
        candidate = _local_search(np.concatenate([path[:a], path[b:c], path[a:b], path[c:]]),
                                  distances)
        length = _path_length(candidate, distances)
        if length <= best:
            path, best = candidate, length
    # Drop the repeated start of a closed tour or the virtual end of a free one.
    polished: list[int] = path[:-1].tolist() if closed or end is None else path.tolist()
    return polished
