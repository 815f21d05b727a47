"""Spend a budget in the five focus departments: greedy (interactive path) vs the exact integer
programme (scipy.optimize.milp, HiGHS), same instance (python bench/bench_budget.py).

Budget S/ 5,000,000, at most 20 new units, UPE S/ 250,000, FISTRAP S/ 400,000, PNP S/ 300,000,
50 km, rural children (est.) of Lima, Cusco, Loreto, Puno and Madre de Dios, district capitals as
candidates, existing units fixed. Goals: each single service and the whole chain. Prints a
markdown table: covered children, the greedy's share of the exact optimum, times.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.budget import build_problem, solve_exact, solve_greedy  # noqa: E402
from analysis.index import coverage_index  # noqa: E402
from analysis.left_out import child_shares_from_catalog  # noqa: E402
from analysis.places import build_places  # noqa: E402
from bench.common import p50, p95, timings  # noqa: E402

FIVE = ("15", "08", "16", "21", "17")
COSTS = {"upe": 250_000, "fistrap": 400_000, "pnp_trata": 300_000}
BUDGET = 5_000_000
GOALS = ("service:upe", "service:fistrap", "service:pnp_trata", "chain")


def run(catalog, budget: float = BUDGET, km: float = 50.0, time_limit_s: float = 120.0) -> list[dict]:
    index = coverage_index(catalog)
    candidates = build_places(catalog.geo.districts, index.demand).candidates()
    shares = child_shares_from_catalog(catalog)
    rows = []
    for goal in GOALS:
        def interactive():
            setup = build_problem(index, candidates, shares, budget, COSTS, goal, km, FIVE, 20)
            return solve_greedy(setup.problem)

        t_greedy = timings(interactive, runs=7)
        setup = build_problem(index, candidates, shares, budget, COSTS, goal, km, FIVE, 20)
        greedy = solve_greedy(setup.problem)
        start = time.perf_counter()
        exact = solve_exact(setup.problem, time_limit_s)
        t_exact = time.perf_counter() - start
        base = setup.baseline_children
        rows.append({
            "goal": goal,
            "points": int(setup.problem.cover.shape[1]),
            "candidates": int(setup.problem.cover.shape[0]),
            "pairs": int(setup.problem.cover.nnz),
            "before": base,
            "greedy_gain": greedy.total_gain,
            "exact_gain": exact.total_gain,
            "greedy_units": len(greedy.units),
            "exact_units": len(exact.units),
            "greedy_cost": greedy.total_cost,
            "exact_cost": exact.total_cost,
            "ratio_covered": (base + greedy.total_gain) / (base + exact.total_gain),
            "ratio_gain": greedy.total_gain / exact.total_gain if exact.total_gain else 1.0,
            "greedy_p50_s": p50(t_greedy),
            "greedy_p95_s": p95(t_greedy),
            "exact_s": t_exact,
            "exact_optimal": exact.optimal,
            "exact_stopped_early": exact.stopped_early,
            "upper_bound": exact.upper_bound,
            "ratio_bound": greedy.total_gain / exact.upper_bound if exact.upper_bound else None,
        })
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        f"Budget S/ {BUDGET:,}, at most 20 units, UPE S/ 250,000, FISTRAP S/ 400,000, PNP S/ 300,000, 50 km, "
        "rural children (est.) of Lima, Cusco, Loreto, Puno and Madre de Dios; district capitals; existing units fixed.",
        "",
        "| goal | children within before | greedy gain | exact gain | greedy / exact (covered) | greedy / exact (gain) "
        "| greedy / bound on the optimum (gain) | greedy p50 (p95) | exact |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        flag = "" if r["exact_optimal"] else (" (stopped at time limit)" if r["exact_stopped_early"] else " (not proven)")
        lines.append(
            f"| {r['goal']} | {r['before']:,.0f} | {r['greedy_gain']:,.0f} ({r['greedy_units']} units) | "
            f"{r['exact_gain']:,.0f} ({r['exact_units']} units) | {100 * r['ratio_covered']:.2f} % | "
            f"{100 * r['ratio_gain']:.2f} % | "
            + (f"{100 * r['ratio_bound']:.2f} %" if r["ratio_bound"] else "") + " | "
            f"{r['greedy_p50_s'] * 1000:.0f} ms ({r['greedy_p95_s'] * 1000:.0f} ms) | "
            f"{r['exact_s']:.1f} s{flag} |"
        )
    return "\n".join(lines)


def main() -> None:
    from app import Settings
    from layers.catalog import Catalog

    catalog = Catalog.load(Settings().data())  # COBERTURA_DATA_DIR, as the app reads it
    print(markdown(run(catalog)))


if __name__ == "__main__":
    main()
