"""Spend a budget on the best mix of new units: greedy by gain per sol, checked by an exact
integer programme.

Given a budget (soles), a unit cost per service type, departments, a distance threshold and
a goal, choose new units at candidate places (district capitals) that bring the most rural
children 0–17 (est.) within reach, existing units fixed. Goals:

- ``service:<type>`` (e.g. ``service:upe``): a child counts when within the threshold of a unit
  of that type;
- ``chain``: a child counts when within the threshold of *each* of UPE, FISTRAP and PNP
  (existing or new): the protection chain.

Both solvers work on the same coverage sets: place j covers point i when the great-circle
distance is at most the threshold (KD-tree on unit vectors, `analysis.mclp.coverage_sets`);
every type placed at j covers the same points. A point's *missing* set holds the goal types
no existing unit brings within reach; it counts once its missing set is empty.

**Greedy** (interactive): at each step, among every place j and every non-empty set S of
goal types (a single unit, or a bundle of units at the same place: the chain needs
bundles, since one unit alone often completes nobody's chain), take the option with the
largest gain per sol that still fits the budget and the unit limit; stop when nothing
affordable adds anyone. It is run twice, plainly and starting from the single affordable
option of largest gain (Khuller, Moss & Naor 1999: the better of the two is within a
constant factor of the optimum for one type), and the better plan is kept.

**Exact**: ``scipy.optimize.milp`` (HiGHS). Binary x_tj (a unit of type t at place j);
points with the same missing set and the same covering places are merged into groups g of
weight w_g; z_g ∈ [0, 1]. Maximise Σ w_g z_g subject to z_g ≤ Σ_{j covers g} x_tj for every
type t missing in g, Σ cost_t x_tj ≤ budget, Σ x_tj ≤ max units. With a time limit: the
result says whether it stopped early; it then holds the better of the solver's best plan and
the greedy's (scipy's ``milp`` takes no starting plan) and ``upper_bound``, the solver's
bound on the optimum, so the shortfall stays known.

Demand is the rural population of the chosen departments (a unit near a border also serves
the neighbour, not counted here), spread over populated centres as everywhere
(`analysis.demand`); children = people x the department's 2020 share aged 0–17 (est.).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse

from .coverage import CHAIN, CHAIN_MEMBERS
from .limits import (
    HOURS,
    MAX_COVERAGE_PAIRS,
    MAX_UNITS,
    SUGGESTIONS,
    THRESHOLD_KM,
    OutOfBounds,
    check_range,
)
from .mclp import TooManyPairs, coverage_sets

PLANNABLE = ("upe", "fistrap", "pnp_trata", "cem", "sar")
SOLES = (1.0, 1e10)  # a budget or a unit cost, soles: above ten billion is not a unit budget
UNIT_LIMIT = (1, MAX_UNITS)
DEFAULT_MAX_UNITS = SUGGESTIONS[1]
TIME_LIMIT_S = (0.1, 600.0)
DEFAULT_TIME_LIMIT_S = 30.0


# ---------------------------------------------------------------- arguments, checked once

def check_soles(name: str, value: object) -> float:
    """An amount in soles, 1 to 10^10; raises OutOfBounds (a ValueError) with a clear message
    for a negative, zero, NaN, infinite, absurdly large or non-numeric value."""
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").replace("_", "").strip())
        except ValueError:
            raise OutOfBounds(f"{name} (soles)", value, *SOLES) from None
    return check_range(f"{name} (soles)", value, SOLES)


def parse_goal(goal: object) -> tuple[str, ...]:
    """``chain`` -> (upe, fistrap, pnp_trata); ``service:<type>`` -> (type,)."""
    if goal == CHAIN:
        return CHAIN_MEMBERS
    if isinstance(goal, str) and goal.startswith("service:") and goal[len("service:"):] in PLANNABLE:
        return (goal[len("service:"):],)
    raise ValueError(f"goal must be 'chain' or 'service:<type>' with a type among {', '.join(PLANNABLE)} "
                     f"(got {str(goal)[:40]!r})")


def check_costs(costs: Mapping[str, object], types: Sequence[str]) -> dict[str, float]:
    """Cost per type of the goal, in soles, each checked; other types are ignored."""
    if not isinstance(costs, Mapping):
        raise ValueError("costs must map a service type to soles, e.g. upe=250000")
    unknown = [t for t in costs if t not in PLANNABLE]
    if unknown:
        raise ValueError(f"unknown service type in costs: {', '.join(map(str, unknown))[:60]} "
                         f"(types: {', '.join(PLANNABLE)})")
    missing = [t for t in types if t not in costs]
    if missing:
        raise ValueError(f"give a unit cost for {', '.join(missing)} (e.g. --cost {missing[0]}=250000)")
    return {t: check_soles(f"cost of {t}", costs[t]) for t in types}


def check_departments(departments: Iterable[str]) -> tuple[str, ...]:
    departments = tuple(departments)[:27]
    if not 0 < len(departments) <= 26 or not all(isinstance(d, str) and len(d) == 2 and d.isdigit() for d in departments):
        raise ValueError(f"departments must be 1 to 26 two-digit codes (got {list(departments)[:5]!r})")
    return tuple(dict.fromkeys(departments))


def check_budget(budget: object, costs: Mapping[str, object], goal: object) -> tuple[float, dict[str, float], tuple[str, ...]]:
    """Budget (soles), costs per goal type and the goal types, checked; a budget below the
    cheapest unit is refused (it buys nothing)."""
    types = parse_goal(goal)
    budget = check_soles("budget", budget)
    checked = check_costs(costs, types)
    cheapest = min(checked, key=checked.get)
    if budget < checked[cheapest]:
        raise ValueError(f"a budget of S/ {budget:,.0f} buys no unit: the cheapest ({cheapest}) costs "
                         f"S/ {checked[cheapest]:,.0f}")
    return budget, checked, types


# ---------------------------------------------------------------- the problem on arrays

@dataclass(frozen=True)
class BudgetProblem:
    """Arrays of one budget problem.

    Attributes
    ----------
    cover : places x points, boolean (place j brings point i within the threshold)
    missing : per point, bit k set when goal type ``types[k]`` is not yet within reach
    weights : per point, rural children 0–17 (est., persons)
    types : goal types, in bit order
    costs : soles per unit of each type (same order)
    budget : soles
    max_units : most new units
    """

    cover: sparse.csr_matrix
    missing: np.ndarray
    weights: np.ndarray
    types: tuple[str, ...]
    costs: np.ndarray
    budget: float
    max_units: int = DEFAULT_MAX_UNITS

    def __post_init__(self) -> None:
        n_places, n_points = self.cover.shape
        if len(self.missing) != n_points or len(self.weights) != n_points:
            raise ValueError("missing and weights need one entry per point")
        if len(self.costs) != len(self.types) or not 1 <= len(self.types) <= 3:
            raise ValueError("one cost per goal type (1 to 3 types)")
        if (np.asarray(self.weights) < 0).any() or not np.isfinite(self.weights).all():
            raise ValueError("weights must be finite and non-negative")


@dataclass
class Plan:
    """A chosen set of new units.

    units : (type, place index) in the order they are listed
    gains : marginal rural children (est.) newly within reach of the goal, in that order
    total_cost : soles (never above the budget); total_gain : children (est.)
    solver : "greedy" or "exact"; status : solver message; optimal : proven optimal
    stopped_early : the exact solver hit its time limit; mip_gap : its relative gap
    seconds : wall time
    """

    units: list[tuple[str, int]]
    gains: list[float]
    total_cost: float
    total_gain: float
    solver: str
    status: str = ""
    optimal: bool = False
    stopped_early: bool = False
    mip_gap: float | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    upper_bound: float | None = None  # exact solver: no plan can gain more (children)


def _options(n_types: int) -> list[int]:
    """Every non-empty set of goal types, as bit masks."""
    return [sum(1 << k for k in combo) for r in range(1, n_types + 1) for combo in combinations(range(n_types), r)]


def marginal_gains(problem: BudgetProblem, units: Sequence[tuple[int, int]]) -> list[float]:
    """Children newly counted as each (type bit index, place) is added in order."""
    missing = problem.missing.copy()
    cover = problem.cover
    gains = []
    for k, j in units:
        ball = cover.indices[cover.indptr[j]: cover.indptr[j + 1]]
        before = missing[ball] != 0
        missing[ball] &= ~np.int64(1 << k)
        gains.append(float(problem.weights[ball][before & (missing[ball] == 0)].sum()))
    return gains


def _greedy_run(problem: BudgetProblem, first: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """One greedy pass by gain per sol; `first` = (place, option mask) forced first."""
    n_types = len(problem.types)
    n_codes = 1 << n_types
    options = _options(n_types)
    option_cost = np.array([sum(problem.costs[k] for k in range(n_types) if m >> k & 1) for m in options])
    option_size = np.array([bin(m).count("1") for m in options])
    # subset sums: gain of option S at place j = Σ table[j, m] over non-empty m ⊆ S
    takes = np.array([[1.0 if (m != 0 and m & ~s == 0) else 0.0 for s in options] for m in range(n_codes)])
    cover = problem.cover
    n_places = cover.shape[0]
    rows = np.repeat(np.arange(n_places), np.diff(cover.indptr))
    cols = cover.indices
    missing = problem.missing.astype(np.int64).copy()
    placed = np.zeros((n_places, n_codes), dtype=bool)  # placed[j, 1<<k]: a new unit of type k at j
    remaining, units_left = problem.budget, problem.max_units
    chosen: list[tuple[int, int]] = []

    def apply(j: int, mask: int) -> None:
        nonlocal remaining, units_left
        ball = cols[cover.indptr[j]: cover.indptr[j + 1]]
        missing[ball] &= ~np.int64(mask)
        for k in range(n_types):
            if mask >> k & 1:
                chosen.append((k, j))
                placed[j, 1 << k] = True
                remaining -= problem.costs[k]
                units_left -= 1

    if first is not None:
        apply(*first)
    while units_left > 0:
        open_pairs = missing[cols] != 0
        if not open_pairs.any():
            break
        table = np.bincount(rows[open_pairs] * n_codes + missing[cols[open_pairs]],
                            weights=problem.weights[cols[open_pairs]], minlength=n_places * n_codes)
        gain = table.reshape(n_places, n_codes) @ takes  # places x options
        already = np.zeros_like(gain, dtype=bool)
        for o, m in enumerate(options):
            for k in range(n_types):
                if m >> k & 1:
                    already[:, o] |= placed[:, 1 << k]
        feasible = (option_cost <= remaining + 1e-6) & (option_size <= units_left)
        ok = feasible[None, :] & ~already & (gain > 0)
        if not ok.any():
            break
        ratio = np.where(ok, gain / option_cost[None, :], -np.inf)
        best = np.flatnonzero(ratio == ratio.max())
        pick = best[np.argmax(gain.ravel()[best])]  # ties: the larger gain, then the first
        j, o = divmod(int(pick), len(options))
        apply(j, options[o])
    return chosen


def _plan(problem: BudgetProblem, units: list[tuple[int, int]], solver: str, **extra) -> Plan:
    gains = marginal_gains(problem, units)
    cost = float(sum(problem.costs[k] for k, _ in units))
    return Plan([(problem.types[k], j) for k, j in units], gains, cost, float(sum(gains)), solver, **extra)


def solve_greedy(problem: BudgetProblem) -> Plan:
    """Greedy by gain per sol (bundles at one place allowed), the better of a plain run and a
    run started from the affordable option of largest gain."""
    start = time.perf_counter()
    plain = _greedy_run(problem)
    # the single affordable option of largest gain
    n_types = len(problem.types)
    options = _options(n_types)
    best_first, best_gain = None, 0.0
    cover = problem.cover
    rows = np.repeat(np.arange(cover.shape[0]), np.diff(cover.indptr))
    w, m = problem.weights[cover.indices], problem.missing[cover.indices]
    for mask in options:
        cost = sum(problem.costs[k] for k in range(n_types) if mask >> k & 1)
        if cost > problem.budget + 1e-6 or bin(mask).count("1") > problem.max_units:
            continue
        done = (m != 0) & ((m & ~mask) == 0)
        g = np.bincount(rows[done], weights=w[done], minlength=cover.shape[0])
        if len(g) and g.max() > best_gain:
            best_first, best_gain = (int(np.argmax(g)), mask), float(g.max())
    candidates = [plain]
    if best_first is not None:
        candidates.append(_greedy_run(problem, best_first))
    plans = [_plan(problem, c, "greedy") for c in candidates]
    plan = max(plans, key=lambda p: (p.total_gain, -p.total_cost))
    plan.status = "greedy by gain per sol"
    plan.seconds = time.perf_counter() - start
    return plan


def group_points(problem: BudgetProblem) -> tuple[list[int], list[np.ndarray], np.ndarray]:
    """Merge points with the same missing set and covering places.

    Returns (missing mask per group, covering places per group, weight per group); points
    already counted (nothing missing) or that no place covers are left out: no choice
    changes them.
    """
    by_point = problem.cover.tocsc()
    groups: dict[tuple, float] = {}
    for i in np.flatnonzero((problem.missing != 0) & (problem.weights > 0)):
        places = by_point.indices[by_point.indptr[i]: by_point.indptr[i + 1]]
        if len(places):
            key = (int(problem.missing[i]), *sorted(places.tolist()))
            groups[key] = groups.get(key, 0.0) + float(problem.weights[i])
    masks = [k[0] for k in groups]
    places = [np.array(k[1:], dtype=np.int64) for k in groups]
    return masks, places, np.array(list(groups.values()), dtype=float)


def solve_exact(problem: BudgetProblem, time_limit_s: float = DEFAULT_TIME_LIMIT_S, mip_rel_gap: float = 1e-7) -> Plan:
    """The integer programme with HiGHS (`scipy.optimize.milp`), stopped at `time_limit_s`."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    time_limit_s = check_range("time limit (s)", time_limit_s, TIME_LIMIT_S)
    start = time.perf_counter()
    n_types = len(problem.types)
    n_places = problem.cover.shape[0]
    masks, places, weights = group_points(problem)
    n_x, n_g = n_types * n_places, len(weights)
    if n_g == 0:
        return Plan([], [], 0.0, 0.0, "exact", "nothing to gain", True, seconds=time.perf_counter() - start)
    rows, cols, vals = [], [], []
    r = 0
    for g, (mask, covering) in enumerate(zip(masks, places)):
        for k in range(n_types):
            if mask >> k & 1:  # z_g - Σ_j x_kj <= 0
                rows += [r] * (len(covering) + 1)
                cols += [n_x + g] + (k * n_places + covering).tolist()
                vals += [1.0] + [-1.0] * len(covering)
                r += 1
    cover_rows = sparse.csr_matrix((vals, (rows, cols)), shape=(r, n_x + n_g))
    cost_row = np.concatenate([np.repeat(problem.costs, n_places), np.zeros(n_g)])
    count_row = np.concatenate([np.ones(n_x), np.zeros(n_g)])
    a = sparse.vstack([cover_rows, sparse.csr_matrix(cost_row), sparse.csr_matrix(count_row)]).tocsr()
    ub = np.concatenate([np.zeros(r), [problem.budget, problem.max_units]])
    objective = np.concatenate([np.zeros(n_x), -weights])
    integrality = np.concatenate([np.ones(n_x), np.zeros(n_g)])
    result = milp(
        objective,
        integrality=integrality,
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(a, -np.inf, ub),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": float(mip_rel_gap), "disp": False},
    )
    seconds = time.perf_counter() - start
    stopped = result.status == 1  # time or iteration limit
    gap = getattr(result, "mip_gap", None)
    dual = getattr(result, "mip_dual_bound", None)
    bound = None if dual is None or not np.isfinite(dual) else float(-dual)
    if result.x is None:
        plan = solve_greedy(problem)
        plan.solver, plan.stopped_early, plan.seconds = "exact", stopped, seconds + plan.seconds
        plan.status = f"HiGHS found no plan ({result.message}); the greedy plan is shown"
        plan.notes.append(f"the exact solver stopped (time limit {time_limit_s:g} s) before any integer plan: "
                          "the greedy plan is shown")
        plan.upper_bound = bound
        return plan
    x = np.round(result.x[:n_x]).astype(int)
    units = [(k, j) for k in range(n_types) for j in range(n_places) if x[k * n_places + j] == 1]
    # list the units in a useful order: by marginal contribution, greedily
    ordered = _order_by_gain(problem, units)
    plan = _plan(problem, ordered, "exact", status=str(result.message), optimal=result.status == 0,
                 stopped_early=stopped, mip_gap=None if gap is None else float(gap), seconds=seconds)
    plan.upper_bound = plan.total_gain if plan.optimal else bound
    if stopped:
        plan.notes.append(f"the exact solver stopped at its time limit of {time_limit_s:g} s: best plan so far, "
                          f"gap {100 * (gap or 0):.2f} %"
                          + (f"; no plan can gain more than {bound:,.0f}" if bound is not None else ""))
        # scipy's milp takes no starting plan: never return less than the greedy's
        greedy = solve_greedy(problem)
        if greedy.total_gain > plan.total_gain:
            greedy.solver, greedy.status, greedy.stopped_early = "exact", plan.status, True
            greedy.mip_gap, greedy.upper_bound, greedy.seconds = gap, bound, seconds + greedy.seconds
            greedy.notes = plan.notes + [f"its best plan ({plan.total_gain:,.0f}) was below the greedy's "
                                         f"({greedy.total_gain:,.0f}): the greedy plan is shown"]
            return greedy
    return plan


def _order_by_gain(problem: BudgetProblem, units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The same units, listed place by place (a place's units together, in goal-type order),
    each next place the one whose units add the most: readable marginal gains."""
    by_place: dict[int, list[tuple[int, int]]] = {}
    for k, j in sorted(units):
        by_place.setdefault(j, []).append((k, j))
    ordered: list[tuple[int, int]] = []
    while by_place:
        def added(j: int) -> float:
            return float(sum(marginal_gains(problem, ordered + by_place[j])[len(ordered):]))

        best = max(sorted(by_place), key=added)
        ordered += sorted(by_place.pop(best))
    return ordered


# ---------------------------------------------------------------- from the real data

@dataclass(frozen=True)
class BudgetSetup:
    """A budget problem built from the coverage index, with what is needed to report it."""

    problem: BudgetProblem
    places: object  # Candidates of the departments (place codes, names, lat, lon)
    baseline_children: float  # rural children (est.) of the departments already counted
    rural_children: float  # all rural children (est.) of the departments
    km: float  # the threshold: km, or modelled hours when built with a travel index
    departments: tuple[str, ...]


def build_problem(
    index,
    candidates,
    shares,
    budget: object,
    costs: Mapping[str, object],
    goal: object,
    km: object,
    departments: Iterable[str],
    max_units: object = DEFAULT_MAX_UNITS,
    max_pairs: int = MAX_COVERAGE_PAIRS,
    travel=None,
) -> BudgetSetup:
    """Check every argument and build the arrays (existing units fixed).

    Parameters
    ----------
    index
        `CoverageIndex` (distances to the nearest existing unit, km).
    candidates
        `Candidates` (district capitals) of Peru; those of `departments` are used.
    shares
        Department -> 2020 share aged 0–17.
    budget, costs
        Soles; costs per type (``{"upe": 250000, ...}``).
    goal
        ``chain`` or ``service:<type>``.
    km
        Threshold, km (1–300).
    departments
        2-digit codes.
    max_units
        Most new units (1–40, default 20).
    travel
        A `TravelIndex`: then `km` is a threshold in modelled travel hours (1–72), a point
        is within reach of a type when its modelled hours to the nearest unit are at most
        it, and place j covers point i when the modelled trip from i to j takes at most it
        (one bounded single-source search per candidate place,
        `analysis.travel.suggest.coverage_sets_hours`, as the suggestions in hours).
    """
    from .left_out import point_children

    budget, checked, types = check_budget(budget, costs, goal)
    km = check_range("hours", km, HOURS) if travel is not None else check_range("km", km, THRESHOLD_KM)
    departments = check_departments(departments)
    max_units = int(check_range("max units", max_units, UNIT_LIMIT, whole=True))
    known = index.km if travel is None else {s for v, s in travel.hours if v == "central"}
    absent = [t for t in types if t not in known]
    if absent:
        raise ValueError(f"no {'modelled travel time' if travel is not None else 'data'} for {', '.join(absent)}")
    nearest = index.km if travel is None else {t: travel.raw(t) for t in types}
    d = index.demand
    in_area = d.rural & np.isin(d.ubigeo.astype("U2"), departments)
    children = point_children(d.weight[in_area], d.ubigeo[in_area], shares)
    children = np.nan_to_num(children, nan=0.0)
    missing = np.zeros(int(in_area.sum()), dtype=np.int64)
    for k, t in enumerate(types):
        missing |= np.where(nearest[t][in_area] > km, 1 << k, 0).astype(np.int64)
    pool = candidates.subset(np.isin(candidates.department, departments))
    if len(pool) == 0:
        raise ValueError("no candidate place in these departments")
    open_ = missing != 0
    lat, lon = d.lat[in_area][open_], d.lon[in_area][open_]
    try:
        if travel is None:
            sets = coverage_sets(pool.lat, pool.lon, lat, lon, children[open_], km, max_pairs=max_pairs)
        else:
            from .travel.suggest import coverage_sets_hours

            sets = coverage_sets_hours(travel.model(), travel.points_of(pool.lat, pool.lon),
                                       np.flatnonzero(in_area)[open_], children[open_], km)
    except TooManyPairs:
        raise ValueError("too many place-centre pairs for one budget proposal: choose fewer departments "
                         "or a shorter threshold") from None
    problem = BudgetProblem(
        cover=sets.matrix.tocsr(), missing=missing[open_], weights=children[open_], types=types,
        costs=np.array([checked[t] for t in types]), budget=budget, max_units=max_units,
    )
    return BudgetSetup(problem, pool, float(children[~open_].sum()), float(children.sum()), km, departments)


def plan_records(setup: BudgetSetup, plan: Plan, district_of=None) -> list[dict]:
    """One record per unit: service, place, name, lat, lon, cost (soles), gain (children)."""
    pool, costs = setup.places, dict(zip(setup.problem.types, setup.problem.costs))
    out = []
    for (service, j), gain in zip(plan.units, plan.gains):
        place = str(pool.place[j])
        out.append({
            "service": service,
            "ubigeo": district_of(place) if district_of else place,
            "place": place,
            "name": str(pool.name[j]),
            "lat": round(float(pool.lat[j]), 6),
            "lon": round(float(pool.lon[j]), 6),
            "cost": float(costs[service]),
            "gain": round(gain, 1),
        })
    return out


def budget_is_respected(plan: Plan, budget: float) -> bool:
    return plan.total_cost <= budget + 1e-6 and not math.isnan(plan.total_cost)
