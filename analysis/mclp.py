"""Where the next units should go: the maximal covering location problem (MCLP).

Given demand points with weights (rural persons), existing units that stay where they are,
candidate sites and a coverage distance, choose `n` new sites that bring the most
still-uncovered weight within the distance.

- `greedy_sites` is the interactive path: coverage sets from a KD-tree (great-circle km via
  chord length on unit vectors), then the classic greedy that adds the site with the largest
  marginal gain. Greedy reaches at least (1 - 1/e) ≈ 63 % of the optimum for this
  (submodular) objective; on real instances it is usually within a few percent.
- `exact_sites` solves the integer programme with PySAL `spopt` (`MCLP.from_cost_matrix`,
  existing units as `predefined_facilities_arr`) and HiGHS or CBC, for checks and benchmarks.
  Demand points with the same set of covering sites are merged first: the optimum is
  unchanged and the programme is much smaller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from .distance import km_to_chord, unit_vectors


@dataclass(frozen=True)
class CoverageSets:
    """Which demand points each site covers (sparse sites x demand, boolean)."""

    matrix: sparse.csr_matrix
    weights: np.ndarray  # persons per demand point


class TooManyPairs(Exception):
    """Building a coverage structure would hold more pairs than allowed."""


def coverage_sets(
    site_lat: np.ndarray,
    site_lon: np.ndarray,
    demand_lat: np.ndarray,
    demand_lon: np.ndarray,
    weights: np.ndarray,
    km: float,
    max_pairs: int | None = None,
) -> CoverageSets:
    """Sites x demand matrix: True where the great-circle distance is at most `km`.

    Built in chunks of sites from a KD-tree on unit vectors, so memory grows with the pairs
    actually within reach. With `max_pairs`, raises `TooManyPairs` as soon as the count
    would pass it (before the structure is complete), never allocating much more.
    """
    weights = np.asarray(weights, float)
    n_sites, n_demand = len(site_lat), len(demand_lat)
    if n_sites == 0 or n_demand == 0:
        return CoverageSets(sparse.csr_matrix((n_sites, n_demand), dtype=bool), weights)
    tree = cKDTree(unit_vectors(demand_lat, demand_lon))
    # a hair over the chord so that a point exactly at `km` counts as covered
    radius = float(km_to_chord(km)) * (1 + 1e-12)
    sites = unit_vectors(site_lat, site_lon)
    counts = np.zeros(n_sites, dtype=np.int64)
    chunks: list[np.ndarray] = []
    step = 256
    for start in range(0, n_sites, step):
        block = sites[start : start + step]
        counts[start : start + step] = tree.query_ball_point(block, r=radius, return_length=True)
        if max_pairs is not None and counts.sum() > max_pairs:  # counted before anything is held
            raise TooManyPairs(int(counts.sum()))
        chunks.extend(np.asarray(ix, dtype=np.int32) for ix in tree.query_ball_point(block, r=radius))
    indptr = np.zeros(n_sites + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(counts)
    indices = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
    data = np.ones(len(indices), dtype=bool)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(n_sites, n_demand))
    matrix.sort_indices()
    return CoverageSets(matrix, weights)


def estimate_pairs(
    site_lat: np.ndarray, site_lon: np.ndarray, demand_lat: np.ndarray, demand_lon: np.ndarray,
    km: float, sample: int = 256, seed: int = 0,
) -> float:
    """Expected number of site–demand pairs within `km`, from a random sample of sites."""
    n_sites = len(site_lat)
    if n_sites == 0 or len(demand_lat) == 0:
        return 0.0
    pick = np.random.default_rng(seed).choice(n_sites, min(sample, n_sites), replace=False)
    tree = cKDTree(unit_vectors(demand_lat, demand_lon))
    counts = tree.query_ball_point(unit_vectors(site_lat[pick], site_lon[pick]), r=float(km_to_chord(km)),
                                   return_length=True)
    return float(np.mean(counts)) * n_sites


def nbytes(sets: CoverageSets) -> int:
    """Bytes held by a coverage structure (its sparse matrix and weights)."""
    m = sets.matrix
    return int(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes + sets.weights.nbytes)


def covered_by(sets: CoverageSets) -> np.ndarray:
    """Demand points covered by at least one of the sites."""
    return np.asarray(sets.matrix.sum(axis=0)).ravel() > 0


def greedy_sites(candidates: CoverageSets, already: np.ndarray, n: int) -> tuple[list[int], list[float]]:
    """Greedy MCLP: up to `n` candidate indices and the marginal gain (persons) of each.

    Parameters
    ----------
    candidates
        Candidate sites x demand coverage.
    already
        Demand points already covered by existing units (kept fixed).
    n
        Number of new sites wanted; fewer are returned when no candidate adds anything.
    """
    weights = np.where(already, 0.0, candidates.weights)
    matrix = candidates.matrix.astype(np.float64)
    by_demand = matrix.tocsc()
    gains = matrix @ weights
    chosen: list[int] = []
    marginal: list[float] = []
    for _ in range(max(0, int(n))):
        best = int(np.argmax(gains)) if len(gains) else -1
        if best < 0 or gains[best] <= 0:
            break
        chosen.append(best)
        marginal.append(float(gains[best]))
        newly = matrix.indices[matrix.indptr[best] : matrix.indptr[best + 1]]
        newly = newly[weights[newly] > 0]
        if len(newly):
            # every candidate that covers a newly covered point loses that point's weight
            gains -= by_demand[:, newly] @ weights[newly]
            weights[newly] = 0.0
        gains[best] = 0.0
    return chosen, marginal


def merge_demand(columns: sparse.csc_matrix, weights: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Merge demand points covered by exactly the same sites (summing their weights).

    Returns (groups x sites coverage matrix, group weights); points no site covers are
    dropped, since no choice of sites changes them.
    """
    groups: dict[tuple[int, ...], float] = {}
    for j in range(columns.shape[1]):
        signature = tuple(columns.indices[columns.indptr[j] : columns.indptr[j + 1]].tolist())
        if signature:
            groups[signature] = groups.get(signature, 0.0) + float(weights[j])
    rows, cols = [], []
    for g, signature in enumerate(groups):
        rows += [g] * len(signature)
        cols += list(signature)
    matrix = sparse.csr_matrix((np.ones(len(rows), bool), (rows, cols)), shape=(len(groups), columns.shape[0]))
    return matrix, np.array(list(groups.values()), dtype=float)


def exact_sites(
    existing: CoverageSets, candidates: CoverageSets, n: int, solver: str = "highs"
) -> tuple[list[int], float]:
    """Exact MCLP with spopt: the best `n` candidates with the existing units fixed.

    Returns the chosen candidate indices and the total covered weight (existing + new).
    """
    import pulp
    from spopt.locate import MCLP

    stacked = sparse.vstack([existing.matrix, candidates.matrix]).tocsc()
    groups, weights = merge_demand(stacked, candidates.weights)
    n_existing = existing.matrix.shape[0]
    # spopt derives coverage from cost <= radius: 0 where covered, 1 where not
    cost = 1.0 - groups.toarray().astype(float)
    predefined = np.zeros(stacked.shape[0], dtype=int)
    predefined[:n_existing] = 1
    problem = MCLP.from_cost_matrix(
        cost,
        weights,
        service_radius=0.5,
        p_facilities=n_existing + int(n),
        predefined_facilities_arr=predefined if n_existing else None,
    )
    backend = pulp.HiGHS(msg=False) if solver == "highs" and pulp.HiGHS().available() else pulp.PULP_CBC_CMD(msg=False)
    problem.solve(backend, results=False)
    opened = [j for j, var in enumerate(problem.fac_vars) if var.value() and var.value() > 0.5]
    chosen = sorted(j - n_existing for j in opened if j >= n_existing)
    covered = float(pulp.value(problem.problem.objective))
    return chosen, covered
