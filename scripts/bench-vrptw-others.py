#!/usr/bin/env python3
"""Runs PyVRP or VROOM on the Solomon instances under the DIMACS convention, for the side-by-side table in
docs/PERFORMANCE.md (knead's own figures come from `knead bench vrptw`).

DIMACS convention: each arc's distance and travel time is the Euclidean distance truncated to one decimal;
service times and time windows as given; capacity; minimise total distance, vehicles free up to the instance's
count. Both solvers get integers in tenths (distance, travel, service and windows all times 10), so nothing
is rounded differently from knead's run.

Usage (a virtual environment with `pip install pyvrp pyvroom vrplib`):
  python scripts/bench-vrptw-others.py pyvrp ../shared/bench/solomon --seconds 1
  python scripts/bench-vrptw-others.py vroom ../shared/bench/solomon --level 5
One thread each; one instance after the other.
"""

import argparse
import csv
import math
import pathlib
import statistics
import sys
import time

import numpy as np
import vrplib


def tenths_matrix(coords):
    n = len(coords)
    m = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(n):
            if i != j:
                d = math.hypot(coords[i][0] - coords[j][0], coords[i][1] - coords[j][1])
                m[i][j] = math.floor(10 * d)
    return m


def solve_pyvrp(path, seconds, seed):
    import pyvrp
    from pyvrp.stop import MaxRuntime

    data = pyvrp.read(str(path), round_func="dimacs")
    started = time.perf_counter()
    result = pyvrp.solve(data, stop=MaxRuntime(seconds), seed=seed, display=False)
    took = time.perf_counter() - started
    best = result.best
    if not best.is_feasible():
        return None, best.num_routes(), took
    return best.distance() / 10, best.num_routes(), took


def solve_vroom(path, level):
    import vroom

    inst = vrplib.read_instance(str(path))
    coords = inst["node_coord"]
    matrix = tenths_matrix(coords)
    windows = inst["time_window"]
    service = inst["service_time"]
    # A header's SERVICE_TIME is one value for every client (the depot has none).
    service_of = (lambda i: float(service)) if np.isscalar(service) else (lambda i: float(service[i]))
    demand = inst["demand"]
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=matrix)
    problem.set_costs_matrix(profile="car", matrix_input=matrix)
    depot_window = vroom.TimeWindow(int(windows[0][0]) * 10, int(windows[0][1]) * 10)
    capacity = int(inst["capacity"])
    for k in range(int(inst["vehicles"])):
        problem.add_vehicle(
            vroom.Vehicle(id=k + 1, start=0, end=0, capacity=[capacity], time_window=depot_window, profile="car")
        )
    for i in range(1, len(coords)):
        problem.add_job(
            vroom.Job(
                id=i,
                location=i,
                default_service=int(round(service_of(i) * 10)),
                delivery=[int(demand[i])],
                time_windows=[vroom.TimeWindow(int(windows[i][0]) * 10, int(windows[i][1]) * 10)],
            )
        )
    started = time.perf_counter()
    solution = problem.solve(exploration_level=level, nb_threads=1)
    took = time.perf_counter() - started
    if solution.summary.unassigned:
        return None, len(solution.routes["vehicle_id"].unique()), took
    routes = solution.routes
    vehicles = routes["vehicle_id"].nunique()
    return solution.summary.cost / 10, vehicles, took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("solver", choices=["pyvrp", "vroom"])
    parser.add_argument("solomon", help="the folder holding vrplib/ and bks.csv")
    parser.add_argument("--seconds", type=float, default=1.0, help="PyVRP's budget per instance")
    parser.add_argument("--level", type=int, default=5, help="VROOM's exploration level, 0 to 5")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    root = pathlib.Path(args.solomon)
    with open(root / "bks.csv") as f:
        bks = {row["instance"]: float(row["dimacs_distance"]) for row in csv.DictReader(f)}
    gaps, times, vehicles_total = [], [], 0
    for path in sorted((root / "vrplib").glob("*.vrp")):
        name = path.stem
        if args.solver == "pyvrp":
            distance, vehicles, took = solve_pyvrp(path, args.seconds, args.seed)
        else:
            distance, vehicles, took = solve_vroom(path, args.level)
        if distance is None:
            print(f"{name:8} infeasible ({took:.2f} s)")
            gaps.append(float("nan"))
            continue
        gap = 100 * (distance - bks[name]) / bks[name]
        gaps.append(gap)
        times.append(took)
        vehicles_total += vehicles
        print(f"{name:8} vehicles {vehicles:3}  distance {distance:9.1f}  best-known {bks[name]:8.1f}  "
              f"gap {gap:+.2f}%  {took:.2f} s", flush=True)
    solved = [g for g in gaps if not math.isnan(g)]
    print(f"overall  {len(solved)}/{len(gaps)} feasible  vehicles {vehicles_total}  "
          f"mean gap {statistics.mean(solved):+.2f}%  median time {statistics.median(times):.2f} s")
    return 0 if len(solved) == len(gaps) else 1


if __name__ == "__main__":
    sys.exit(main())
