"""Capacity-aware access: the two-step floating catchment area (2SFCA) and its enhanced,
distance-decayed form (E2SFCA), on sparse great-circle distance pairs.

Coverage says whether a unit is near; it says nothing about how many people share it. With
supply S_j at unit j, demand P_i at point i (children 0–17, est.), distance d_ij
(great-circle km) and a decay weight w(d) that is 0 beyond the catchment d0::

    load_j = Σ_i P_i · w(d_ij)              children in the unit's catchment (step 1)
    R_j    = S_j / load_j                   units per child at the unit
    A_i    = Σ_j R_j · w(d_ij)              units per child reachable from point i (step 2)

An area's figure is the children-weighted mean of A_i over its points, times 100,000: units
per 100,000 children. Whatever the decay, Σ_i P_i·A_i = Σ_j R_j·load_j equals the supply of
the units that have anyone in their catchment: the supply is shared out, never created.

Decays: ``step`` (w = 1 within d0: the classic 2SFCA of Luo & Wang 2003) and ``gaussian``
(Dai 2010: w = (exp(-½(d/d0)²) − exp(-½)) / (1 − exp(-½)) within d0, 1 at the unit, 0 at d0).

Why not PySAL ``access``: it is installable (``access`` 1.1.10, pure Python, needs
geopandas), and its ``fca_ratio`` / ``two_stage_fca`` compute the same figures, but it works
on a long pandas cost table with merges and a row-wise ``apply`` of the weight function. On
95,000 demand points that is seconds per request rather than milliseconds, it would add a
run-time dependency, and it does not bound the number of pairs. The formula is short; here
it runs on the KD-tree the coverage index already uses (chord length on unit vectors,
converted exactly to great-circle km), with sparse matrices, and the pairs are bounded: when
a long catchment would hold more than `MAX_COVERAGE_PAIRS` unit–point pairs, demand points
are grouped into grid cells (children-weighted centroids) that double in size until they fit
(``cell_km`` says so). A hand-made 3x3 grid in the tests checks the figures by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from .distance import chord_to_km, km_to_chord, unit_vectors
from .limits import MAX_COVERAGE_PAIRS, THRESHOLD_KM, check_range
from .mclp import TooManyPairs
from .scenario import MAX_CELL_KM, grid_cells

DECAYS = ("step", "gaussian")
PER_CHILDREN = 100_000.0
_HALF = np.exp(-0.5)


def decay_weight(km: np.ndarray, catchment_km: float, decay: str = "step") -> np.ndarray:
    """Decay weight (0–1) of each distance (km) within a catchment of `catchment_km` km."""
    km = np.asarray(km, float)
    inside = km <= catchment_km
    if decay == "step":
        return inside.astype(float)
    if decay == "gaussian":
        g = (np.exp(-0.5 * (km / catchment_km) ** 2) - _HALF) / (1.0 - _HALF)
        return np.where(inside, np.clip(g, 0.0, 1.0), 0.0)
    raise ValueError(f"decay must be one of {', '.join(DECAYS)} (got {str(decay)[:20]!r})")


def point_tree(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, cKDTree]:
    """Unit vectors of points (degrees) and their KD-tree, to reuse across requests."""
    xyz = unit_vectors(lat, lon)
    return xyz, cKDTree(xyz)


def distance_pairs(
    unit_lat: np.ndarray, unit_lon: np.ndarray, lat: np.ndarray, lon: np.ndarray, km: float,
    max_pairs: int | None = None, points: tuple[np.ndarray, cKDTree] | None = None,
) -> sparse.csr_matrix:
    """Units x points sparse matrix of great-circle km for every pair within `km`.

    A distance of exactly 0 is stored as a tiny positive number so that it is not dropped.
    Raises `TooManyPairs` before building when the pairs would pass `max_pairs`. `points`
    may hold the points' unit vectors and their KD-tree (`point_tree`), built once.
    """
    n_units, n_points = len(unit_lat), len(lat)
    if n_units == 0 or n_points == 0:
        return sparse.csr_matrix((n_units, n_points))
    xyz, tree = point_tree(lat, lon) if points is None else points
    units = unit_vectors(unit_lat, unit_lon)
    radius = float(km_to_chord(km)) * (1 + 1e-12)
    counts = tree.query_ball_point(units, r=radius, return_length=True)
    if max_pairs is not None and int(np.sum(counts)) > max_pairs:
        raise TooManyPairs(int(np.sum(counts)))
    neighbours = tree.query_ball_point(units, r=radius)
    indptr = np.zeros(n_units + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(counts)
    indices = np.concatenate([np.asarray(ix, dtype=np.int64) for ix in neighbours]) if indptr[-1] else np.zeros(0, np.int64)
    rows = np.repeat(np.arange(n_units), counts)
    chord = np.linalg.norm(units[rows] - xyz[indices], axis=1)
    km_pairs = np.maximum(chord_to_km(chord), 1e-9)
    matrix = sparse.csr_matrix((km_pairs, indices, indptr), shape=(n_units, n_points))
    matrix.sort_indices()
    return matrix


@dataclass(frozen=True)
class Access:
    """2SFCA results.

    Attributes
    ----------
    per_point : units per child reachable from each demand point (A_i; 0 where no unit is
        within the catchment)
    load : children (est.) in each unit's catchment, decay-weighted (persons)
    ratio : units per child at each unit (R_j = supply / load; NaN for a unit with nobody)
    catchment_km, decay : the parameters
    cell_km : 0 when computed on the points themselves, else the grid cell size used to
        bound the pairs
    """

    per_point: np.ndarray
    load: np.ndarray
    ratio: np.ndarray
    catchment_km: float
    decay: str
    cell_km: float = 0.0


def two_step_fca(
    lat: np.ndarray,
    lon: np.ndarray,
    demand: np.ndarray,
    unit_lat: np.ndarray,
    unit_lon: np.ndarray,
    catchment_km: float,
    supply: np.ndarray | None = None,
    decay: str = "step",
    max_pairs: int = MAX_COVERAGE_PAIRS,
    points: tuple[np.ndarray, cKDTree] | None = None,
) -> Access:
    """Two-step floating catchment area on great-circle km.

    Parameters
    ----------
    lat, lon
        Demand points, degrees.
    demand
        Persons at each point (children 0–17, est.); NaN counts as 0 (unknown is not served).
    unit_lat, unit_lon
        Units, degrees.
    catchment_km
        Catchment radius d0, km (1–300).
    supply
        Supply per unit (default 1 per unit: no registry gives staff).
    decay
        ``step`` (2SFCA) or ``gaussian`` (E2SFCA, Dai's Gaussian).
    max_pairs
        Most unit–point pairs held; beyond it demand is grouped into grid cells.
    points
        The demand points' `point_tree`, when already built (same points, same order).

    Returns
    -------
    Access
    """
    catchment_km = check_range("catchment km", catchment_km, THRESHOLD_KM)
    if decay not in DECAYS:
        raise ValueError(f"decay must be one of {', '.join(DECAYS)} (got {str(decay)[:20]!r})")
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    demand = np.nan_to_num(np.asarray(demand, float), nan=0.0)
    unit_lat, unit_lon = np.asarray(unit_lat, float), np.asarray(unit_lon, float)
    if not (len(lat) == len(lon) == len(demand)) or len(unit_lat) != len(unit_lon):
        raise ValueError("coordinates and demand must have the same length")
    if (demand < 0).any():
        raise ValueError("demand must not be negative")
    supply = np.ones(len(unit_lat)) if supply is None else np.asarray(supply, float)
    if len(supply) != len(unit_lat) or not np.isfinite(supply).all() or (supply < 0).any():
        raise ValueError("supply must be one finite, non-negative figure per unit")

    cell_km, inverse = 0.0, None
    g_lat, g_lon, g_demand = lat, lon, demand
    while True:
        try:
            pairs = distance_pairs(unit_lat, unit_lon, g_lat, g_lon, catchment_km,
                                   max_pairs=None if cell_km > MAX_CELL_KM else max_pairs,
                                   points=points if cell_km == 0.0 else None)
            break
        except TooManyPairs:
            cell_km = catchment_km / 64 if cell_km == 0.0 else cell_km * 2
            cells, inverse = np.unique(grid_cells(lat, lon, cell_km), return_inverse=True)
            g_demand = np.bincount(inverse, weights=demand, minlength=len(cells))
            safe = np.where(g_demand > 0, g_demand, 1.0)
            # children-weighted centroid; an empty cell keeps its first point's place
            first = np.zeros(len(cells), dtype=np.int64)
            first[inverse[::-1]] = np.arange(len(lat))[::-1]
            g_lat = np.where(g_demand > 0, np.bincount(inverse, weights=demand * lat, minlength=len(cells)) / safe, lat[first])
            g_lon = np.where(g_demand > 0, np.bincount(inverse, weights=demand * lon, minlength=len(cells)) / safe, lon[first])
    weights = pairs.copy()
    weights.data = decay_weight(pairs.data, catchment_km, decay)
    load, ratio, per_group = _two_steps(weights, g_demand, supply)
    per_point = per_group if inverse is None else per_group[inverse]
    return Access(per_point=per_point, load=load, ratio=ratio, catchment_km=catchment_km, decay=decay, cell_km=cell_km)


def _two_steps(weights: sparse.csr_matrix, demand: np.ndarray, supply: np.ndarray):
    """(load_j, R_j, A_i) of units x points decay `weights` (the module's formulas)."""
    load = np.asarray(weights @ demand).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(load > 0, supply / load, np.nan)
    return load, ratio, np.asarray(weights.T @ np.nan_to_num(ratio, nan=0.0)).ravel()


def two_step_fca_catchments(catchments: sparse.spmatrix, demand: np.ndarray, threshold: float) -> Access:
    """Classic (step) 2SFCA on given catchments: `catchments` is units x demand points, true
    (or 1) where the point is within the unit's catchment (e.g. modelled travel hours at most
    `threshold`: `analysis.travel.suggest.coverage_sets_hours`). Supply 1 per unit; demand
    persons per point (NaN counts as 0). ``catchment_km`` of the result holds `threshold`
    in the catchments' own unit."""
    weights = sparse.csr_matrix(catchments, dtype=float)
    demand = np.nan_to_num(np.asarray(demand, float), nan=0.0)
    if weights.shape[1] != len(demand):
        raise ValueError("the catchments and the demand must have the same points")
    load, ratio, per_point = _two_steps(weights, demand, np.ones(weights.shape[0]))
    return Access(per_point=per_point, load=load, ratio=ratio, catchment_km=float(threshold), decay="step")


def per_area(access: Access, demand: np.ndarray, groups: np.ndarray, n_groups: int) -> pd.DataFrame:
    """Children and units per 100,000 children for each area (group index 0..n_groups-1).

    Returns a DataFrame (one row per group) with ``children`` (est., persons) and
    ``units_per_100k_children`` (children-weighted mean of A_i x 100,000; NaN for an area
    with no children).
    """
    demand = np.nan_to_num(np.asarray(demand, float), nan=0.0)
    children = np.bincount(groups, weights=demand, minlength=n_groups)
    served = np.bincount(groups, weights=demand * access.per_point, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(children > 0, PER_CHILDREN * served / children, np.nan)
    return pd.DataFrame({"children": children, "units_per_100k_children": rate})


def access_from_index(index, service: str, catchment_km: float, level: str, shares, decay: str = "step",
                      points: tuple[np.ndarray, cKDTree] | None = None, catchments: sparse.spmatrix | None = None):
    """2SFCA for one service of a `CoverageIndex`, all children (urban and rural) as demand.

    Returns (areas, units): areas indexed by area code of `level` (``children``,
    ``units_per_100k_children``); units indexed by unit id (lat, lon,
    ``children_in_catchment``, ``units_per_100k_in_catchment``), most loaded first, and the
    `Access` itself as ``areas.attrs["access"]``. Areas outside the dataset's coverage are NaN.
    `points` is `point_tree(index.demand.lat, index.demand.lon)`, when kept between calls.
    `catchments` (units x demand points, true within reach, e.g. modelled hours at most
    `catchment_km` hours) replaces the straight-line catchments (step decay only).
    """
    from .left_out import point_children

    if service not in index.sites:
        raise ValueError(f"access is not available for {service!r}")
    if level not in index.groups:
        raise ValueError(f"level must be one of {', '.join(index.groups)} (got {str(level)[:20]!r})")
    d = index.demand
    sites = index.sites[service]
    children = point_children(d.weight, d.ubigeo, shares)
    if catchments is None:
        result = two_step_fca(d.lat, d.lon, children, sites.lat, sites.lon, catchment_km, decay=decay, points=points)
    elif decay != "step":
        raise ValueError("catchments in hours have a step decay only (use --km for the gaussian decay)")
    elif catchments.shape[0] != len(sites.lat):
        raise ValueError("one catchment per unit is needed")
    else:
        result = two_step_fca_catchments(catchments, children, catchment_km)
    uniques, inverse = index.groups[level]
    areas = per_area(result, children, inverse, len(uniques))
    areas.index = pd.Index(uniques, name="code")
    coverage = index.coverage_of(service)
    if coverage is not None:
        areas.loc[~areas.index.str[:2].isin(coverage), "units_per_100k_children"] = np.nan
    ids = list(sites.ids) if len(sites.ids) == len(sites.lat) else [f"{service}:{i}" for i in range(len(sites.lat))]
    units = pd.DataFrame(
        {
            "lat": sites.lat,
            "lon": sites.lon,
            "children_in_catchment": result.load,
            "units_per_100k_in_catchment": PER_CHILDREN * result.ratio,
        },
        index=pd.Index(ids, name="id"),
    ).sort_values("children_in_catchment", ascending=False, kind="stable")
    areas.attrs["access"] = result
    return areas, units
