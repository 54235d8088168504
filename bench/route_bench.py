"""How fast the route of the day is built, and how much shorter VROOM's tour is than the greedy one.

For 50, 100 and 150 random doors in a 10 km square around Ninh Bình, it times the geodesic
matrix plus VROOM (median of 5 runs, each on a fresh set of doors) and compares the closed
tour's length with the nearest-neighbour tour over the same matrix. Prints figures only.

    .venv/bin/python bench/route_bench.py
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.domain.route import distance_matrix_m, nearest_neighbour_order, tour_length_m  # noqa: E402
from server.services.route import EXPLORATION_LEVEL, SOLVER_TIMEOUT, solve_tour  # noqa: E402

#: The central post office of the demo province; the doors lie within ±5 km of it.
OFFICE = (20.2539, 105.9750)
HALF_SIDE_LAT = 5_000 / 110_574  # degrees of latitude in 5 km
HALF_SIDE_LON = 5_000 / 104_400  # degrees of longitude in 5 km at 20° N
SIZES = (50, 100, 150)
RUNS = 5


def random_doors(count: int, rng: random.Random) -> list[tuple[float, float]]:
    """`count` points spread evenly over the 10 km square centred on the office."""
    return [(OFFICE[0] + rng.uniform(-HALF_SIDE_LAT, HALF_SIDE_LAT),
             OFFICE[1] + rng.uniform(-HALF_SIDE_LON, HALF_SIDE_LON)) for _ in range(count)]


def main() -> None:
    """Print one line of figures per number of stops."""
    rng = random.Random(2026)
    print(f"VROOM exploration level {EXPLORATION_LEVEL}, timeout {SOLVER_TIMEOUT.total_seconds():g} s;"
          f" p50 of {RUNS} runs, closed tour from the office")
    print(f"{'stops':>5}  {'matrix s':>8}  {'vroom s':>7}  {'total s':>7}  "
          f"{'vroom km':>8}  {'greedy km':>9}  {'ratio':>5}  solver")
    for size in SIZES:
        matrix_s, solve_s, total_s, vroom_m, greedy_m, ratios, solvers = [], [], [], [], [], [], set()
        for _ in range(RUNS):
            points = [OFFICE, *random_doors(size, rng)]
            began = time.perf_counter()
            matrix = distance_matrix_m(points)
            built = time.perf_counter()
            order, solver = solve_tour(matrix, closed=True)
            solved = time.perf_counter()
            tour = tour_length_m(order, matrix, closed=True)
            greedy = tour_length_m(nearest_neighbour_order(matrix), matrix, closed=True)
            matrix_s.append(built - began)
            solve_s.append(solved - built)
            total_s.append(solved - began)
            vroom_m.append(tour)
            greedy_m.append(greedy)
            ratios.append(tour / greedy)
            solvers.add(solver.value)
        median = statistics.median
        print(f"{size:>5}  {median(matrix_s):>8.3f}  {median(solve_s):>7.3f}  {median(total_s):>7.3f}  "
              f"{median(vroom_m) / 1000:>8.1f}  {median(greedy_m) / 1000:>9.1f}  "
              f"{median(ratios):>5.3f}  {','.join(sorted(solvers))}")


if __name__ == "__main__":
    main()
