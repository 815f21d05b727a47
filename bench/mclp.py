"""Suggest 10 sites for the five focus departments: greedy (interactive path) vs the exact
MCLP (spopt + HiGHS), same instance, existing units fixed."""

from __future__ import annotations

import time

import numpy as np

from analysis.index import coverage_index
from analysis.mclp import coverage_sets, covered_by, exact_sites, greedy_sites
from analysis.places import build_places
from analysis.scenario import suggest

from .common import p50, timings

FIVE = ("15", "08", "16", "21", "17")


def run(catalog, service: str = "upe", km: float = 50.0, n: int = 10) -> dict:
    index = coverage_index(catalog)
    places = build_places(catalog.geo.districts, index.demand)
    candidates = places.candidates("capitals")
    d = index.demand
    in_area = d.rural & np.isin(d.ubigeo.astype("U2"), FIVE)
    pool = candidates.subset(np.isin(candidates.department, FIVE))
    sites = index.sites[service]

    # the interactive path, end to end (coverage sets + greedy), as the UI and CLI run it
    t_greedy = timings(lambda: suggest(index, service, km, FIVE, candidates, n), runs=7)
    # the same instance for both solvers
    demand = (d.lat[in_area], d.lon[in_area], d.weight[in_area])
    existing = coverage_sets(sites.lat, sites.lon, *demand, km)
    cands = coverage_sets(pool.lat, pool.lon, *demand, km)
    already = covered_by(existing)
    _, gains = greedy_sites(cands, already, n)
    base = float(demand[2][already].sum())
    greedy_total = base + sum(gains)
    start = time.perf_counter()
    chosen, exact_total = exact_sites(existing, cands, n)
    t_exact = time.perf_counter() - start
    return {
        "service": service,
        "km": km,
        "n": n,
        "demand_points": int(in_area.sum()),
        "candidates": len(pool),
        "rural_population": float(demand[2].sum()),
        "covered_before": base,
        "greedy_covered": greedy_total,
        "exact_covered": exact_total,
        "ratio_covered": greedy_total / exact_total,
        "ratio_gain": (greedy_total - base) / (exact_total - base),
        "greedy_p50_s": p50(t_greedy),
        "exact_s": t_exact,
        "speedup": t_exact / p50(t_greedy),
    }


def markdown(r: dict) -> str:
    return "\n".join(
        [
            f"Instance: {r['service'].upper()}, {r['km']:g} km, {r['n']} new sites, rural population of Lima, Cusco, "
            f"Loreto, Puno and Madre de Dios ({r['demand_points']:,} populated centres, {r['rural_population']:,.0f} people), "
            f"{r['candidates']} district capitals as candidates, the 26 existing UPEs fixed.",
            "",
            "| | covered rural people | time |",
            "|---|---:|---:|",
            f"| existing units only | {r['covered_before']:,.0f} | |",
            f"| greedy (interactive path, p50 of 7) | {r['greedy_covered']:,.0f} | {r['greedy_p50_s'] * 1000:.0f} ms |",
            f"| exact MCLP (spopt + HiGHS) | {r['exact_covered']:,.0f} | {r['exact_s']:.1f} s |",
            "",
            f"Greedy / exact: {100 * r['ratio_covered']:.2f} % of the covered population "
            f"({100 * r['ratio_gain']:.2f} % of the optimal gain), {r['speedup']:.0f}x faster.",
        ]
    )
