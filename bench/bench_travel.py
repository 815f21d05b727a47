"""Speed of the travel-time model (issue 13), side by side with the naive way.

    python -m bench.bench_travel     # prints the figures, rewrites bench/TRAVEL_VALIDATION.md

- hours from all ~95,000 demand points to each service (one multi-source search each), and
  the disk-cache load that replaces them at start;
- a threshold change in hours, whole country, district level (re-aggregation only) vs the
  naive way (recompute every service's hours, then aggregate);
- adding a hypothetical unit: one bounded single-source search merged with the current
  minimum vs the naive full recomputation with the unit among the sites;
- suggesting 10 sites by hours in the five focus departments (greedy) and the exact MCLP on
  the same coverage matrix (scipy.optimize.milp, HiGHS): time and share of the optimum.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from .common import p50, p95, timings

FOCUS = ("15", "08", "16", "21", "17")
BUDGETS = {
    "hours_per_service_s": 2.0,
    "cache_load_s": 0.5,
    "threshold_p95_ms": 150.0,
    "add_unit_p95_ms": 150.0,
    "suggest_10_s": 2.0,
    "suggest_10_ratio": 0.97,
}


def run(catalog, quick: bool = False) -> dict:
    from analysis.places import build_places
    from analysis.travel.engine import Points
    from analysis.travel.index import TravelIndex, from_catalog
    from analysis.travel.suggest import exact_sites_milp, suggest_hours

    out: dict = {}
    cache = Path(tempfile.mkdtemp(prefix="cobertura-travel-bench-"))
    start = time.perf_counter()
    travel = from_catalog(catalog, cache=cache, use_cache=False)
    out["compute_all_s"] = time.perf_counter() - start  # 3 variants x 6 services, graphs included
    travel.save(cache)

    start = time.perf_counter()
    model = travel.model("central")
    out["graph_build_s"] = 0.0 if model is None else time.perf_counter() - start
    per_service = {}
    for service in travel.coverage.sites:
        sites = travel.sites(service)
        per_service[service] = p50(timings(lambda sites=sites: model.raw_hours(sites), runs=3))
    out["hours_per_service_s"] = max(per_service.values())
    out["hours_by_service_s"] = per_service

    again = TravelIndex(travel.coverage, travel.region_at, travel.data, travel.boat)
    out["cache_load_s"] = p50(timings(lambda: again.load(cache), runs=5))

    rng = np.random.default_rng(13)
    hours_values = list(rng.uniform(1, 72, 40))
    it = iter(hours_values * 3)
    out["threshold_p95_ms"] = 1000 * p95(timings(lambda: travel.summary("upe", float(next(it)), "district"), runs=40))

    def naive_threshold():
        raw = model.raw_hours(travel.sites("upe"))
        travel.summary("upe", float(rng.uniform(1, 72)), "district", hours=np.where(np.isinf(raw), np.nan, raw))

    out["threshold_naive_p50_ms"] = 1000 * p50(timings(naive_threshold, runs=3 if quick else 5))

    places = build_places(catalog.geo.districts, travel.coverage.demand)
    capitals = places.candidates()
    pick = rng.choice(len(capitals), 30, replace=False)
    raw = travel.raw("upe")
    units = iter(list(pick) * 3)

    def add_unit():
        i = int(next(units))
        model.with_unit(raw, capitals.lat[i], capitals.lon[i], limit=6.0)

    out["add_unit_p95_ms"] = 1000 * p95(timings(add_unit, runs=30))
    out["add_unit_unbounded_p95_ms"] = 1000 * p95(timings(
        lambda: model.with_unit(raw, capitals.lat[int(pick[0])], capitals.lon[int(pick[0])]), runs=10))
    sites = travel.sites("upe")

    def naive_add():
        i = int(pick[1])
        extra = model.points(capitals.lat[i], capitals.lon[i])
        model.raw_hours(Points(np.r_[sites.lat, extra.lat], np.r_[sites.lon, extra.lon], np.r_[sites.region, extra.region]))

    out["add_unit_naive_p50_ms"] = 1000 * p50(timings(naive_add, runs=5))

    times = []
    found = sets = None
    for _ in range(1 if quick else 3):
        t0 = time.perf_counter()
        found, sets, _ = suggest_hours(travel, "upe", 6, FOCUS, capitals, 10, return_sets=True)
        times.append(time.perf_counter() - t0)
    out["suggest_10_s"] = p50(times)
    out["suggest_10_covered"] = float(sum(found.gains))
    t0 = time.perf_counter()
    _, optimum = exact_sites_milp(sets, 10)
    out["exact_10_s"] = time.perf_counter() - t0
    out["exact_10_covered"] = optimum
    out["suggest_10_ratio"] = out["suggest_10_covered"] / optimum if optimum else 1.0
    out["candidates"], out["open_demand_points"] = sets.matrix.shape
    return out


def table(r: dict) -> list[tuple[str, str, str]]:
    def holds(key, value, op="<="):
        limit = BUDGETS[key]
        return "yes" if (value <= limit if op == "<=" else value >= limit) else "**no**"

    return [
        ("Hours from all demand points to one service (slowest service, central)", f"{r['hours_per_service_s']:.2f} s",
         f"≤ 2 s ({holds('hours_per_service_s', r['hours_per_service_s'])})"),
        ("All services x 3 speed variants, graphs included (cold start, no cache)", f"{r['compute_all_s']:.1f} s", "—"),
        ("Cache load (npz, all services and variants)", f"{1000 * r['cache_load_s']:.0f} ms",
         f"≤ 500 ms ({holds('cache_load_s', r['cache_load_s'])})"),
        ("Threshold change in hours, whole country, district level, p95", f"{r['threshold_p95_ms']:.1f} ms",
         f"≤ 150 ms ({holds('threshold_p95_ms', r['threshold_p95_ms'])})"),
        ("— naive: recompute the hours, then aggregate (p50)", f"{r['threshold_naive_p50_ms']:.0f} ms", "—"),
        ("Add a hypothetical unit (bounded at 6 h), p95", f"{r['add_unit_p95_ms']:.1f} ms",
         f"≤ 150 ms ({holds('add_unit_p95_ms', r['add_unit_p95_ms'])})"),
        ("— bounded at the cutoff (168 h: some places have no access), p95", f"{r['add_unit_unbounded_p95_ms']:.1f} ms", "—"),
        ("— naive: full multi-source recomputation with the unit (p50)", f"{r['add_unit_naive_p50_ms']:.0f} ms", "—"),
        (f"Suggest 10 sites by hours (6 h), five focus departments, greedy ({r['candidates']} capitals x "
         f"{r['open_demand_points']:,} open rural points)", f"{r['suggest_10_s']:.2f} s",
         f"≤ 2 s ({holds('suggest_10_s', r['suggest_10_s'])})"),
        ("— exact MCLP on the same matrix (scipy.optimize.milp, HiGHS)", f"{r['exact_10_s']:.2f} s", "—"),
        ("Greedy / exact covered rural population", f"{100 * r['suggest_10_ratio']:.2f} % "
         f"({r['suggest_10_covered']:,.0f} / {r['exact_10_covered']:,.0f})",
         f"≥ 97 % ({holds('suggest_10_ratio', r['suggest_10_ratio'], '>=')})"),
    ]


def markdown(r: dict) -> str:
    lines = ["| figure | measured | budget |", "|---|---:|---:|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in table(r)]
    return "\n".join(lines)


def main() -> int:
    from app import Settings
    from layers.catalog import Catalog

    from . import travel_validation

    catalog = Catalog.load(Settings().data())  # COBERTURA_DATA_DIR, as the app reads it
    results = run(catalog)
    print(markdown(results))
    travel_validation.main({"table": table(results)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
