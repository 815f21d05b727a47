"""Nearest distances for all populated centres and all service types; one threshold change."""

from __future__ import annotations

import numpy as np

from analysis.coverage import CoverageIndex
from analysis.distance import nearest_km
from analysis.index import demand_from_catalog, sites_from_catalog

from .common import ms, p50, p95, timings


def run(catalog) -> dict:
    demand = demand_from_catalog(catalog)
    sites = sites_from_catalog(catalog)
    results: dict = {"demand_points": len(demand), "services": {}}
    for service, s in sites.items():
        t = timings(lambda: nearest_km(demand.lat, demand.lon, s.lat, s.lon), runs=5)
        results["services"][service] = {"sites": len(s.lat), "p50_ms": p50(t) * 1000}
    build = timings(lambda: CoverageIndex(demand, sites), runs=3)
    results["index_build_p50_ms"] = p50(build) * 1000
    index = CoverageIndex(demand, sites)
    thresholds = iter(np.tile(np.arange(5, 305, 5), 10))
    for level in ("department", "district"):
        index.summary("chain", 50, level)  # weighted medians are cached once per service/level
        t = timings(lambda: index.summary("chain", float(next(thresholds)), level), runs=60)
        results[f"threshold_change_{level}"] = {"p50_ms": p50(t) * 1000, "p95_ms": p95(t) * 1000}
    return results


def markdown(r: dict) -> str:
    lines = [
        f"Demand points (populated centres + district stand-ins): {r['demand_points']:,}",
        "",
        "| service | units | nearest distance, all points (p50) |",
        "|---|---:|---:|",
    ]
    for service, v in r["services"].items():
        lines.append(f"| {service} | {v['sites']} | {v['p50_ms']:.1f} ms |")
    lines += [
        "",
        f"Whole index (all services + chain), built once at start-up: {r['index_build_p50_ms']:.0f} ms (p50).",
        "",
        "| threshold change, whole country, chain | p50 | p95 |",
        "|---|---:|---:|",
    ]
    for level in ("department", "district"):
        v = r[f"threshold_change_{level}"]
        lines.append(f"| {level} | {ms(v['p50_ms'] / 1000)} | {ms(v['p95_ms'] / 1000)} |")
    return "\n".join(lines)
