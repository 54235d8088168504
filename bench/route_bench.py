"""Route of the day: time and tour length for 50, 100 and 150 stops in a 10 km square (issue 6).

For each size, on fresh random doors around the central post office of the demo province
(seeded, so every run sees the same doors), it measures the median of RUNS runs of:

- the route as the app builds it (`solve_tour` over `distance_matrix_m`): seconds including
  the distance matrix, against the issue's target of 1 s;
- its closed tour's length against the best tour LKH-3 finds on the same matrix (the `elkai`
  package, 10 runs; benchmark only, never in the app), target within 3 %;
- the same length against the nearest-neighbour tour;
- the route as it was built before issue 6 (geopy matrix pair by pair, VROOM at exploration
  level 3 with a 2 s timeout, no polish), so the before/after stands in one run.

Stops by itself: every solver call is bounded (VROOM's timeout, the polish's budget, LKH-3's
run count); about 1 minute in full, 20 s with --quick (one run per size). Asserts nothing.

    .venv/bin/python bench/route_bench.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geopy.distance import geodesic
from geopy.point import Point

from bench.table import print_rows
from server.domain.route import (
    distance_matrix_m,
    nearest_neighbour_order,
    tour_length_m,
)
from server.items.route import solve_tour

BENCHMARK = "route of the day"
#: The central post office of the demo province; the doors lie within ±5 km of it.
OFFICE = (20.2539, 105.9750)
HALF_SIDE_LAT = 5_000 / 110_574  # degrees of latitude in 5 km
HALF_SIDE_LON = 5_000 / 104_400  # degrees of longitude in 5 km at 20° N
SIZES = (50, 100, 150)
RUNS = 5
QUICK_RUNS = 1
LKH_RUNS = 10
TARGET_S = 1.0
TARGET_GAP = 0.03


def random_doors(count: int, rng: random.Random) -> list[tuple[float, float]]:
    """`count` points spread evenly over the 10 km square centred on the office."""
    return [(OFFICE[0] + rng.uniform(-HALF_SIDE_LAT, HALF_SIDE_LAT),
             OFFICE[1] + rng.uniform(-HALF_SIDE_LON, HALF_SIDE_LON)) for _ in range(count)]


def lkh_tour(matrix: list[list[int]]) -> list[int]:
    """LKH-3's best closed tour from index 0 (without the repeated start)."""
    import elkai

    tour = elkai.DistanceMatrix(matrix).solve_tsp(runs=LKH_RUNS)
    return tour[:-1] if len(tour) > 1 and tour[-1] == tour[0] else tour


def legacy_route(points: list[tuple[float, float]]) -> tuple[list[list[int]], list[int]]:
    """The route as built before issue 6: geopy pair by pair, then VROOM level 3 for up to 2 s."""
    import vroom

    measure = geodesic()
    parsed = [Point(lat, lon) for lat, lon in points]
    size = len(parsed)
    matrix = [[0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            matrix[i][j] = matrix[j][i] = round(measure.measure(parsed[i], parsed[j]) * 1000)
    problem = vroom.Input()
    problem.set_durations_matrix("car", matrix)
    problem.add_vehicle(vroom.Vehicle(1, start=0, end=0))
    problem.add_job([vroom.Job(index, location=index) for index in range(1, size)])
    solution = problem.solve(exploration_level=3, nb_threads=min(4, os.cpu_count() or 1),
                             timeout=timedelta(seconds=2))
    steps = solution.routes
    return matrix, [0, *(int(i) for i in steps.loc[steps["type"] == "job", "location_index"])]


def _row(figure: str, value: float, unit: str, baseline: str, baseline_value: float | None,
         target: str = "", meets_target: bool | None = None) -> dict[str, Any]:
    """One row of the benchmark contract."""
    ratio = value / baseline_value if baseline_value else None
    return {"benchmark": BENCHMARK, "figure": figure, "value": value, "unit": unit,
            "baseline": baseline, "baseline_value": baseline_value, "ratio": ratio,
            "target": target, "meets_target": meets_target}


def measure_size(size: int, runs: int, rng: random.Random) -> list[dict[str, Any]]:
    """The rows of one number of stops: medians over `runs` fresh sets of doors."""
    seconds, matrix_seconds, lkh_seconds, legacy_seconds = [], [], [], []
    lengths, lkh_lengths, greedy_lengths, legacy_lengths = [], [], [], []
    for _ in range(runs):
        points = [OFFICE, *random_doors(size, rng)]
        began = time.perf_counter()
        matrix = distance_matrix_m(points)
        built = time.perf_counter()
        order, _solver = solve_tour(matrix, closed=True)
        seconds.append(time.perf_counter() - began)
        matrix_seconds.append(built - began)
        lengths.append(tour_length_m(order, matrix, closed=True))
        greedy_lengths.append(tour_length_m(nearest_neighbour_order(matrix), matrix, closed=True))
        began = time.perf_counter()
        best = lkh_tour(matrix)
        lkh_seconds.append(time.perf_counter() - began)
        lkh_lengths.append(tour_length_m(best, matrix, closed=True))
        began = time.perf_counter()
        old_matrix, old_order = legacy_route(points)
        legacy_seconds.append(time.perf_counter() - began)
        legacy_lengths.append(tour_length_m(old_order, old_matrix, closed=True))
    median = statistics.median
    km = [median(values) / 1000 for values in (lengths, lkh_lengths, greedy_lengths, legacy_lengths)]
    tour_km, lkh_km, greedy_km, legacy_km = km
    total_s = median(seconds)
    return [
        _row(f"seconds incl. distance matrix, {size} stops", total_s, "s",
             "before issue 6: geopy matrix + VROOM level 3", median(legacy_seconds),
             f"≤ {TARGET_S:g} s", total_s <= TARGET_S),
        _row(f"distance matrix, {size} stops", median(matrix_seconds) * 1000, "ms", "", None),
        _row(f"tour length vs LKH-3, {size} stops", tour_km, "km",
             f"LKH-3 (elkai, {LKH_RUNS} runs; took {median(lkh_seconds):.2f} s)", lkh_km,
             f"within {TARGET_GAP:.0%} of LKH-3", tour_km <= lkh_km * (1 + TARGET_GAP)),
        _row(f"tour length vs nearest neighbour, {size} stops", tour_km, "km",
             "nearest-neighbour tour", greedy_km),
        _row(f"tour length before issue 6 vs LKH-3, {size} stops", legacy_km, "km",
             "LKH-3 (elkai)", lkh_km, f"within {TARGET_GAP:.0%} of LKH-3",
             legacy_km <= lkh_km * (1 + TARGET_GAP)),
    ]


def measure(args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Every row of this benchmark (fewer runs with `args.quick`)."""
    runs = QUICK_RUNS if args is not None and getattr(args, "quick", False) else RUNS
    rng = random.Random(2026)
    rows: list[dict[str, Any]] = []
    for size in SIZES:
        rows.extend(measure_size(size, runs, rng))
    return rows


def main() -> None:
    """Run standalone: `--quick` for one run per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per size instead of 5")
    print_rows(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
