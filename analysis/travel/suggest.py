"""Where the next units should go when coverage is measured in modelled hours.

Same problem as `analysis.mclp` (maximal covering location, existing units fixed), with
coverage sets from travel time: a candidate covers a rural demand point when the modelled
trip from the point to the candidate takes at most the threshold. The sets come from one
bounded shortest-path search per candidate (batched: one scipy `dijkstra` call holds up to
`BATCH` virtual sources). `greedy_sites` (from `analysis.mclp`) chooses; `exact_sites_milp`
solves the integer programme with `scipy.optimize.milp` (HiGHS) on the same matrix, for the
benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ..distance import haversine_km, km_to_chord, unit_vectors
from ..limits import HOURS, SUGGESTIONS, check_range
from ..mclp import CoverageSets, greedy_sites, merge_demand
from ..scenario import PLANNABLE, Candidates, Unit
from .engine import Points, TravelModel
from .index import TravelIndex
from .params import REGIONS

BATCH = 64


@dataclass(frozen=True)
class HoursSuggestion:
    """Suggested units and the marginal rural persons each brings within the hour threshold."""

    units: list[Unit]
    gains: list[float]
    hours: float
    variant: str = "central"


def coverage_sets_hours(model: TravelModel, cand: Points, demand_idx: np.ndarray, weights: np.ndarray,
                        threshold: float) -> CoverageSets:
    """Candidates x demand (the points `demand_idx` of the model's demand): True where the
    modelled hours from the point to the candidate are at most `threshold`."""
    g = model.graph
    n = g.n
    p = model.params
    nodes, hours, _ = g.walk_links(cand.lat, cand.lon, cand.region)
    # inverse of the demand's walking legs: node -> (demand point, walking hours)
    links_node = model.links_node[demand_idx]
    links_h = model.links_hours[demand_idx]
    ok = links_node >= 0
    owner = np.broadcast_to(np.arange(len(demand_idx))[:, None], links_node.shape)[ok]
    inverse = sparse.csr_matrix((links_h[ok] + 1e-9, (links_node[ok], owner)), shape=(n, len(demand_idx)))
    # direct walking: demand points within max_walk_km of each candidate (KD-tree)
    dem_lat, dem_lon = model.demand.lat[demand_idx], model.demand.lon[demand_idx]
    speed = np.array([p.walk_kmh(r) for r in REGIONS])[model.demand.region[demand_idx]]
    tree = cKDTree(unit_vectors(dem_lat, dem_lon))
    near = tree.query_ball_point(unit_vectors(cand.lat, cand.lon), r=float(km_to_chord(p["max_walk_km"])))
    rows, cols = [], []
    reverse = g.reverse
    for start in range(0, len(cand), BATCH):
        stop = min(start + BATCH, len(cand))
        b = stop - start
        # b virtual nodes (n .. n+b-1), each with edges to its candidate's walking-leg nodes
        extra_ptr = [reverse.indptr[-1]]
        extra_idx, extra_h = [], []
        for i in range(start, stop):
            good = (nodes[i] >= 0) & np.isfinite(hours[i])
            extra_idx.append(nodes[i][good]); extra_h.append(np.maximum(hours[i][good], 1e-6))
            extra_ptr.append(extra_ptr[-1] + int(good.sum()))
        indptr = np.concatenate([reverse.indptr, np.array(extra_ptr[1:])])
        aug = sparse.csr_matrix(
            (np.concatenate([reverse.data, *extra_h]), np.concatenate([reverse.indices, *extra_idx]), indptr),
            shape=(n + b, n + b),
        )
        field = dijkstra(aug, directed=True, indices=np.arange(n, n + b), limit=threshold)[:, :n]
        for k in range(b):
            i = start + k
            reached = np.flatnonzero(field[k] <= threshold)
            sub = inverse[reached]
            total = sub.data + np.repeat(field[k][reached], np.diff(sub.indptr))
            hit = sub.indices[total <= threshold]
            close = np.asarray(near[i], dtype=np.int64)
            if len(close):
                km = haversine_km(dem_lat[close], dem_lon[close], cand.lat[i], cand.lon[i])
                hit = np.concatenate([hit, close[km * p["walk_detour"] / speed[close] <= threshold]])
            hit = np.unique(hit)
            rows.append(np.full(len(hit), i)); cols.append(hit)
    r = np.concatenate(rows) if rows else np.zeros(0, int)
    c = np.concatenate(cols) if cols else np.zeros(0, int)
    matrix = sparse.csr_matrix((np.ones(len(r), bool), (r, c)), shape=(len(cand), len(demand_idx)))
    return CoverageSets(matrix, np.asarray(weights, float))


def exact_sites_milp(sets: CoverageSets, n: int) -> tuple[list[int], float]:
    """Exact MCLP on `sets` (demand already covered removed beforehand): the best `n`
    candidates and the weight they cover, with scipy.optimize.milp (HiGHS)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    groups, w = merge_demand(sets.matrix.tocsc(), sets.weights)  # groups x candidates
    n_cand, n_groups = sets.matrix.shape[0], groups.shape[0]
    if n_groups == 0:
        return [], 0.0
    # variables: x (candidates) then y (groups); maximise w.y
    c = np.concatenate([np.zeros(n_cand), -w])
    # y_g - sum_{i covers g} x_i <= 0
    cover = sparse.hstack([-groups.astype(float), sparse.identity(n_groups, format="csr")]).tocsr()
    count = sparse.csr_matrix(np.concatenate([np.ones(n_cand), np.zeros(n_groups)])[None, :])
    constraints = [LinearConstraint(cover, -np.inf, 0.0), LinearConstraint(count, 0, n)]
    integrality = np.concatenate([np.ones(n_cand), np.zeros(n_groups)])
    result = milp(c, constraints=constraints, integrality=integrality, bounds=Bounds(0, 1),
                  options={"time_limit": 120})
    if result.x is None:
        raise RuntimeError(f"milp failed: {result.message}")
    chosen = sorted(int(i) for i in np.flatnonzero(result.x[:n_cand] > 0.5))
    return chosen, float(-result.fun)


def suggest_hours(travel: TravelIndex, service: str, hours: object, departments: Iterable[str],
                  candidates: Candidates, n: object, variant: str = "central",
                  return_sets: bool = False, current: np.ndarray | None = None):
    """Greedy suggestion of up to `n` sites maximising the rural population of
    `departments` newly within `hours` of modelled travel (existing units fixed;
    `current`: raw hours with other fixed units too, e.g. a scenario's, inf = no access).

    Raises ValueError (`OutOfBounds` for hours and n) on an argument outside its bounds.
    """
    if service not in PLANNABLE or (variant, service) not in travel.hours:
        raise ValueError(f"suggestions are not available for {service!r}")
    hours = check_range("hours", hours, HOURS)
    n = int(check_range("n", n, SUGGESTIONS, whole=True))
    departments = tuple(dict.fromkeys(str(d) for d in departments))
    if not 0 < len(departments) <= 26 or not all(len(d) == 2 and d.isdigit() for d in departments):
        raise ValueError("departments must be 1 to 26 two-digit codes")
    d = travel.coverage.demand
    model = travel.model(variant)
    in_area = d.rural & np.isin(d.ubigeo.astype("U2"), departments)
    already = (travel.raw(service, variant) if current is None else current) <= hours
    open_idx = np.flatnonzero(in_area & ~already)
    pool = candidates.subset(np.isin(candidates.department, departments))
    if len(pool) == 0 or len(open_idx) == 0:
        return HoursSuggestion([], [], hours, variant)
    cand = travel.points_of(pool.lat, pool.lon)
    sets = coverage_sets_hours(model, cand, open_idx, d.weight[open_idx], hours)
    chosen, gains = greedy_sites(sets, np.zeros(len(open_idx), bool), n)
    units = [Unit(service, str(pool.place[i]), float(pool.lat[i]), float(pool.lon[i]), str(pool.name[i]), "suggested")
             for i in chosen]
    found = HoursSuggestion(units, gains, hours, variant)
    return (found, sets, pool) if return_sets else found
