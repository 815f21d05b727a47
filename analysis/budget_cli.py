"""``python -m analysis budget``: spend a budget on the mix of new units that brings the most
rural children (est.) within reach, existing units fixed.

Example::

    python -m analysis budget --budget 2000000 --cost upe=250000 --cost fistrap=400000 \\
        --cost pnp_trata=300000 --goal chain --km 50 --departments 16,21 --format json
    python -m analysis budget --budget 1000000 --cost upe=250000 --goal service:upe --hours 6 \\
        --departments 16 --format json

With ``--hours`` the threshold is in modelled travel hours (analysis/travel, central speeds;
a model): the coverage sets come from one bounded search per candidate place.
"""

from __future__ import annotations

import csv
import json
import sys

from .budget import (
    DEFAULT_MAX_UNITS,
    DEFAULT_TIME_LIMIT_S,
    PLANNABLE,
    UNIT_LIMIT,
    check_budget,
    check_departments,
)
from .cli import add_format, add_threshold, checked_threshold, load_catalog
from .limits import check_range

UNIT_FIELDS = ["service", "ubigeo", "place", "name", "lat", "lon", "cost", "gain"]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "budget",
        help="spend a budget on the best mix of new units (greedy by gain per sol, or exact with --exact)",
        description="Candidate places: district capitals of the chosen departments. Gain: rural "
        "children 0-17 (est.) newly within --km (straight line) or --hours (modelled travel time) "
        "of the goal: one service "
        "(service:<type>) or the whole chain (UPE + FISTRAP + PNP).",
    )
    p.add_argument("--budget", required=True, help="total budget in soles (1 to 10,000,000,000)")
    p.add_argument("--cost", action="append", default=[], metavar="TYPE=SOLES",
                   help=f"unit cost per type, repeatable; types: {', '.join(PLANNABLE)}")
    p.add_argument("--goal", default="chain", help="chain (default) or service:<type>, e.g. service:upe")
    add_threshold(p, hours=True)
    p.add_argument("--departments", required=True, help="2-digit department codes, comma-separated (e.g. 16,21)")
    p.add_argument("--max-units", type=int, default=DEFAULT_MAX_UNITS,
                   help=f"most new units, {UNIT_LIMIT[0]}-{UNIT_LIMIT[1]} (default {DEFAULT_MAX_UNITS})")
    p.add_argument("--exact", action="store_true", help="solve the integer programme (HiGHS) instead of the greedy")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S,
                   help=f"time limit of the exact solver, s (default {DEFAULT_TIME_LIMIT_S:g})")
    add_format(p)
    p.set_defaults(func=run)


def parse_costs(items: list[str]) -> dict[str, str]:
    """``["upe=250000", ...]`` -> {"upe": "250000"}; amounts are checked by `check_budget`."""
    costs: dict[str, str] = {}
    for item in items:
        kind, sep, amount = item.partition("=")
        if not sep or not kind.strip():
            raise ValueError(f"--cost must look like TYPE=SOLES, e.g. upe=250000 (got {item[:40]!r})")
        costs[kind.strip()] = amount.strip()
    return costs


def result(args) -> dict:
    from .budget import build_problem, plan_records, solve_exact, solve_greedy
    from .cli import travel_hours
    from .index import coverage_index
    from .left_out import CHILDREN_SHARE_NOTE, child_shares_from_catalog
    from .places import build_places

    costs = parse_costs(args.cost)
    # every figure checked before any data is read
    budget, checked, types = check_budget(args.budget, costs, args.goal)
    km, hours = checked_threshold(args)
    check_range("--max-units", args.max_units, UNIT_LIMIT, whole=True)
    departments = check_departments([d.strip().zfill(2) for d in args.departments.split(",") if d.strip()])
    catalog = load_catalog()
    unknown = [d for d in departments if d not in set(catalog.geo.codes("department"))]
    if unknown:
        raise ValueError(f"unknown department code(s): {', '.join(unknown)}")
    index = coverage_index(catalog)
    if index is None:
        raise ValueError(f"coverage is unavailable: {catalog.errors}")
    travel = None if hours is None else travel_hours(catalog, types[0])[0]
    places = build_places(catalog.geo.districts, index.demand)
    setup = build_problem(index, places.candidates(), child_shares_from_catalog(catalog), budget, checked,
                          args.goal, km if hours is None else hours, departments, args.max_units, travel=travel)
    plan = solve_exact(setup.problem, args.time_limit) if args.exact else solve_greedy(setup.problem)
    return {
        "goal": args.goal,
        "budget": budget,
        "costs": checked,
        **({"km": km} if hours is None else {"hours": hours}),
        "departments": list(departments),
        "units": plan_records(setup, plan),
        "total_cost": plan.total_cost,
        "total_gain": round(plan.total_gain, 1),
        "rural_children": round(setup.rural_children, 1),
        "rural_children_within_before": round(setup.baseline_children, 1),
        "solver": plan.solver,
        "status": plan.status,
        "optimal": plan.optimal,
        "stopped_early": plan.stopped_early,
        "mip_gap": plan.mip_gap,
        "upper_bound": None if plan.upper_bound is None else round(plan.upper_bound, 1),
        "seconds": round(plan.seconds, 3),
        "notes": plan.notes,
        "children_estimated": True,
        "method": ("gain = rural children newly within the threshold of " +
                   ("each of UPE, FISTRAP and PNP (chain)" if args.goal == "chain" else args.goal.split(":", 1)[-1]) +
                   ", in the listed order; candidates: district capitals; existing units fixed; " +
                   ("straight-line km" if hours is None else HOURS_WORDS) + "; " +
                   ("exact integer programme (HiGHS, scipy.optimize.milp)" if args.exact else
                    "greedy by gain per sol (bundles at one place allowed)") + "; " + CHILDREN_SHARE_NOTE),
    }


HOURS_WORDS = "modelled travel hours (analysis/travel, central speeds; a model, not a measurement)"


def run(args) -> int:
    out = result(args)
    if args.format == "json":
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=UNIT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(out["units"])
    for key in ("total_cost", "total_gain", "solver", "status", "stopped_early", "children_estimated"):
        sys.stdout.write(f"# {key}: {out[key]}\n")
    return 0
