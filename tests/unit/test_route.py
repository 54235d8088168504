"""The arithmetic of the route of the day, and the solver that orders it (no database)."""
from __future__ import annotations

import random

import pytest

from server.domain.route import (
    distance_matrix_m,
    duration_matrix_s,
    nearest_neighbour_order,
    polish_tour,
    tour_length_m,
)
from server.items import route as route_service
from server.items.route import Solver, solve_tour

#: Four corners of a 1 km-ish square and its centre, near the central post office.
SQUARE = [(20.2539, 105.9750), (20.2629, 105.9750), (20.2629, 105.9846), (20.2539, 105.9846),
          (20.2584, 105.9798)]

#: A line of points at growing distance along the equator: the best tour is obvious.
LINE = [(0.0, 0.0), (0.0, 0.03), (0.0, 0.01), (0.0, 0.04), (0.0, 0.02)]


def random_points(count: int, seed: int) -> list[tuple[float, float]]:
    """`count` points scattered over about 10 km around Ninh Bình."""
    rng = random.Random(seed)
    return [(20.26 + rng.uniform(-0.045, 0.045), 105.98 + rng.uniform(-0.048, 0.048))
            for _ in range(count)]


def brute_force_best_closed(matrix: list[list[int]]) -> int:
    """The shortest closed tour from 0, by trying every order (small matrices only)."""
    from itertools import permutations

    return min(tour_length_m([0, *rest], matrix, closed=True)
               for rest in permutations(range(1, len(matrix))))


# --- distance and duration matrices -----------------------------------------------------------

def test_distance_matrix_is_square_symmetric_with_zero_diagonal() -> None:
    matrix = distance_matrix_m(SQUARE)
    assert len(matrix) == len(SQUARE) and all(len(row) == len(SQUARE) for row in matrix)
    for i in range(len(SQUARE)):
        assert matrix[i][i] == 0
        for j in range(len(SQUARE)):
            assert matrix[i][j] == matrix[j][i]
            assert isinstance(matrix[i][j], int)
            if i != j:
                assert matrix[i][j] > 0


def test_distance_matrix_gives_known_geodesic_metres() -> None:
    # On WGS-84 one degree of longitude along the equator is 111 319.49 m, one degree of
    # latitude from the equator 110 574.39 m.
    matrix = distance_matrix_m([(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)])
    assert matrix[0][1] == 111_319
    assert matrix[0][2] == 110_574


def test_distance_matrix_between_ninh_binh_offices_is_about_thirty_km() -> None:
    # Bưu cục Trung tâm Ninh Bình to Bưu cục Nam Định: about 29.3 km as the crow flies.
    matrix = distance_matrix_m([(20.2539, 105.9750), (20.4338, 106.1770)])
    assert 29_000 < matrix[0][1] < 29_700


def test_distance_matrix_of_no_point_or_one_point() -> None:
    assert distance_matrix_m([]) == []
    assert distance_matrix_m([(20.26, 105.98)]) == [[0]]


def test_duration_matrix_at_twenty_kmh_takes_180_seconds_per_km() -> None:
    assert duration_matrix_s([[0, 1000], [1000, 0]]) == [[0, 180], [180, 0]]
    assert duration_matrix_s([[0, 1000], [1000, 0]], speed_kmh=36) == [[0, 100], [100, 0]]


def test_duration_matrix_refuses_a_speed_that_is_not_positive() -> None:
    with pytest.raises(ValueError):
        duration_matrix_s([[0]], speed_kmh=0)


# --- tour length ------------------------------------------------------------------------------

MATRIX = [
    [0, 10, 20, 30],
    [10, 0, 15, 25],
    [20, 15, 0, 5],
    [30, 25, 5, 0],
]


def test_open_tour_length_is_the_sum_of_its_legs() -> None:
    assert tour_length_m([0, 1, 2, 3], MATRIX, closed=False) == 10 + 15 + 5


def test_closed_tour_length_adds_the_way_back_to_the_first_point() -> None:
    assert tour_length_m([0, 1, 2, 3], MATRIX, closed=True) == 10 + 15 + 5 + 30


def test_tour_length_of_no_stop_is_zero() -> None:
    assert tour_length_m([], MATRIX, closed=True) == 0
    assert tour_length_m([0], MATRIX, closed=True) == 0


# --- nearest neighbour ------------------------------------------------------------------------

def test_nearest_neighbour_always_goes_to_the_closest_unvisited_point() -> None:
    assert nearest_neighbour_order(MATRIX) == [0, 1, 2, 3]
    assert nearest_neighbour_order(MATRIX, start=3) == [3, 2, 1, 0]


def test_nearest_neighbour_keeps_the_end_for_last() -> None:
    assert nearest_neighbour_order(MATRIX, start=0, end=1) == [0, 2, 3, 1]


def test_nearest_neighbour_walks_a_line_in_order() -> None:
    assert nearest_neighbour_order(distance_matrix_m(LINE)) == [0, 2, 4, 1, 3]


def test_nearest_neighbour_of_an_empty_matrix_is_empty() -> None:
    assert nearest_neighbour_order([]) == []


# --- the solver (VROOM, with its fallback) ----------------------------------------------------

def test_solver_visits_every_stop_once_starting_at_zero() -> None:
    matrix = distance_matrix_m(random_points(30, seed=1))
    order, solver = solve_tour(matrix, closed=True)
    assert solver is Solver.vroom
    assert order[0] == 0 and sorted(order) == list(range(30))


def test_solver_finds_the_best_closed_tour_of_a_small_round() -> None:
    matrix = distance_matrix_m(random_points(8, seed=2))
    order, _ = solve_tour(matrix, closed=True)
    assert tour_length_m(order, matrix, closed=True) == brute_force_best_closed(matrix)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_solver_tour_is_never_longer_than_nearest_neighbour(seed: int) -> None:
    matrix = distance_matrix_m(random_points(60, seed=seed))
    order, solver = solve_tour(matrix, closed=True)
    assert solver is Solver.vroom
    assert (tour_length_m(order, matrix, closed=True)
            <= tour_length_m(nearest_neighbour_order(matrix), matrix, closed=True))


def test_open_tour_along_a_line_walks_outwards() -> None:
    order, _ = solve_tour(distance_matrix_m(LINE), closed=False)
    assert order == [0, 2, 4, 1, 3]


def test_tour_to_a_separate_end_finishes_there() -> None:
    # From the far end of the line back to the origin (index 0 is where it starts).
    points = [(0.0, 0.04), (0.0, 0.01), (0.0, 0.03), (0.0, 0.02), (0.0, 0.0)]
    order, solver = solve_tour(distance_matrix_m(points), closed=False, end=4)
    assert solver is Solver.vroom
    assert order == [0, 2, 3, 1, 4]


def test_one_stop_needs_no_solver() -> None:
    assert solve_tour([[0, 7], [7, 0]], closed=True) == ([0, 1], Solver.trivial)
    assert solve_tour([[0]], closed=True) == ([0], Solver.trivial)


def test_solver_falls_back_to_nearest_neighbour_when_vroom_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> list[int]:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(route_service, "_solve_with_vroom", broken)
    matrix = distance_matrix_m(random_points(12, seed=6))
    order, solver = solve_tour(matrix, closed=True)
    assert solver is Solver.nearest_neighbour
    assert order == nearest_neighbour_order(matrix)


def test_solver_falls_back_when_vroom_refuses_the_matrix() -> None:
    # A distance beyond VROOM's 32-bit range makes the library itself raise.
    matrix = [[0, 5, 2**40], [5, 0, 4], [2**40, 4, 0]]
    order, solver = solve_tour(matrix, closed=False)
    assert solver is Solver.nearest_neighbour
    assert order == [0, 1, 2]


def test_closed_tour_with_a_separate_end_is_refused() -> None:
    with pytest.raises(ValueError):
        solve_tour(MATRIX, closed=True, end=3)


# --- the vectorised matrix against geopy ------------------------------------------------------

def _geopy_metres(points: list[tuple[float, float]]) -> list[list[int]]:
    """The matrix as geopy's exact geodesic gives it, pair by pair."""
    from geopy.distance import geodesic

    return [[round(geodesic(a, b).meters) for b in points] for a in points]


@pytest.mark.parametrize("seed", [11, 12])
def test_distance_matrix_matches_geopy_within_a_metre_over_ten_km(seed: int) -> None:
    points = random_points(40, seed=seed)
    fast, exact = distance_matrix_m(points), _geopy_metres(points)
    pairs = zip(fast, exact, strict=True)
    assert max(abs(f - e) for fr, er in pairs for f, e in zip(fr, er, strict=True)) <= 1


def test_distance_matrix_matches_geopy_within_a_metre_up_to_fifty_km_far_north_and_south() -> None:
    rng = random.Random(13)
    for lat0 in (8.6, 21.0, 23.3, 60.0):
        points = [(lat0 + rng.uniform(-0.2, 0.2), 105.0 + rng.uniform(-0.2, 0.2)) for _ in range(12)]
        fast, exact = distance_matrix_m(points), _geopy_metres(points)
        pairs = zip(fast, exact, strict=True)
        assert max(abs(f - e) for fr, er in pairs for f, e in zip(fr, er, strict=True)) <= 1


def test_distance_matrix_across_provinces_is_the_exact_geodesic() -> None:
    points = [(20.2539, 105.9750), (10.7769, 106.7009), (21.0285, 105.8542), (0.0, 0.0)]
    assert distance_matrix_m(points) == _geopy_metres(points)


# --- polishing a tour -------------------------------------------------------------------------

def _crossed_order(size: int) -> list[int]:
    """An order that zig-zags through the points: plenty of crossings to remove."""
    return [0, *range(1, size, 2), *range(2, size, 2)]


@pytest.mark.parametrize(("closed", "end"), [(True, None), (False, None), (False, 39)])
def test_polish_keeps_the_ends_visits_every_point_once_and_never_lengthens(
        closed: bool, end: int | None) -> None:
    matrix = distance_matrix_m(random_points(40, seed=21))
    order = nearest_neighbour_order(matrix, 0, end)
    polished = polish_tour(order, matrix, closed, end, kicks=20)
    assert polished[0] == 0 and sorted(polished) == list(range(40))
    if end is not None:
        assert polished[-1] == end
    assert tour_length_m(polished, matrix, closed) <= tour_length_m(order, matrix, closed)


def test_polish_untangles_a_zig_zag_tour() -> None:
    matrix = distance_matrix_m(random_points(30, seed=22))
    order = _crossed_order(30)
    polished = polish_tour(order, matrix, closed=True)
    assert tour_length_m(polished, matrix, True) < 0.8 * tour_length_m(order, matrix, True)


def test_polish_walks_a_line_outwards_when_the_end_is_free() -> None:
    assert polish_tour([0, 3, 1, 4, 2], distance_matrix_m(LINE), closed=False) == [0, 2, 4, 1, 3]


@pytest.mark.parametrize("seed", [23, 24])
def test_polish_with_kicks_finds_the_best_closed_tour_of_a_small_round(seed: int) -> None:
    matrix = distance_matrix_m(random_points(8, seed=seed))
    polished = polish_tour(_crossed_order(8), matrix, closed=True, kicks=30)
    assert tour_length_m(polished, matrix, True) == brute_force_best_closed(matrix)


def test_polish_kicks_do_no_worse_than_local_search_alone() -> None:
    matrix = distance_matrix_m(random_points(60, seed=25))
    order = nearest_neighbour_order(matrix)
    plain = polish_tour(order, matrix, closed=True)
    kicked = polish_tour(order, matrix, closed=True, kicks=50)
    assert tour_length_m(kicked, matrix, True) <= tour_length_m(plain, matrix, True)


def test_polish_is_repeatable_for_the_same_seed() -> None:
    matrix = distance_matrix_m(random_points(50, seed=26))
    order = nearest_neighbour_order(matrix)
    assert (polish_tour(order, matrix, closed=True, kicks=20, seed=7)
            == polish_tour(order, matrix, closed=True, kicks=20, seed=7))


def test_polish_leaves_tiny_tours_alone() -> None:
    assert polish_tour([0, 1, 2], MATRIX, closed=True, kicks=5) == [0, 1, 2]
    assert polish_tour([], MATRIX, closed=True) == []
