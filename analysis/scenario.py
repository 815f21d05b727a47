"""A planning scenario: hypothetical units added to the existing ones, and what they change.

A unit sits at a public place: a district capital (6-digit UBIGEO) or an INEI populated
centre ("c" + its 10-digit code). Existing units are never moved or removed. Gains are rural
persons newly within the threshold anywhere in Peru (a unit near a border also serves the
neighbouring department), in the order the units were added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .coverage import CHAIN, CHAIN_MEMBERS, CoverageIndex
from .distance import haversine_km
from .limits import MAX_COVERAGE_PAIRS, MAX_UNITS, SUGGESTIONS, THRESHOLD_KM, check_range
from .mclp import TooManyPairs, coverage_sets, estimate_pairs, greedy_sites

PLANNABLE = ("upe", "fistrap", "pnp_trata", "cem", "sar")
MAX_SUGGESTIONS = SUGGESTIONS[1]


@dataclass(frozen=True)
class Unit:
    """A hypothetical unit. `place` is its location code; lat/lon in degrees."""

    service: str
    place: str
    lat: float
    lon: float
    name: str
    origin: str = "manual"  # or "suggested"


@dataclass(frozen=True)
class Candidates:
    """Candidate sites for suggestions."""

    place: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    name: np.ndarray
    department: np.ndarray  # 2-digit code

    def subset(self, mask: np.ndarray) -> "Candidates":
        return Candidates(self.place[mask], self.lat[mask], self.lon[mask], self.name[mask], self.department[mask])

    def __len__(self) -> int:
        return len(self.place)


def members_of(service: str) -> tuple[str, ...]:
    return CHAIN_MEMBERS if service == CHAIN else (service,)


def scenario_km(index: CoverageIndex, units: Sequence[Unit], service: str) -> np.ndarray | None:
    """Distances (km) for `service` with the scenario's units added; None when no unit of
    the service (or, for the chain, of its members) is in the scenario."""
    replaced: dict[str, np.ndarray] = {}
    for member in members_of(service):
        mine = [u for u in units if u.service == member]
        if mine and member in index.km:
            replaced[member] = index.with_extra_sites(
                member, np.array([u.lat for u in mine]), np.array([u.lon for u in mine])
            )
    if not replaced:
        return None
    if service == CHAIN:
        return index.chain_with(replaced)
    return replaced[service]


def unit_gains(index: CoverageIndex, units: Sequence[Unit], service: str, km: float) -> list[float]:
    """Marginal rural persons newly within `km` for each unit, in order (0 for units that do
    not serve `service`, i.e. neither the service nor, for the chain, one of its members)."""
    d = index.demand
    rural_weight = np.where(d.rural, d.weight, 0.0)
    current = {m: index.km[m] for m in members_of(service) if m in index.km}
    if service == CHAIN and len(current) < len(CHAIN_MEMBERS):
        return [0.0 for _ in units]

    def combined(distances: dict[str, np.ndarray]) -> np.ndarray:
        return np.max(np.vstack(list(distances.values())), axis=0) if service == CHAIN else distances[service]

    within = combined(current) <= km
    gains = []
    for unit in units:
        if unit.service not in current:
            gains.append(0.0)
            continue
        to_unit = haversine_km(d.lat, d.lon, unit.lat, unit.lon)
        current[unit.service] = np.minimum(current[unit.service], to_unit)
        now = combined(current) <= km
        gains.append(float(rural_weight[now & ~within].sum()))
        within = now
    return gains


@dataclass(frozen=True)
class Suggestion:
    """Suggested units, the marginal rural persons each brings within the threshold (exact,
    on every demand point), and `cell_km`: 0 when sites were chosen on the points themselves,
    else the size of the grid cells demand and candidates were grouped into to keep the
    computation bounded (the choice is then approximate; the gains stay exact)."""

    units: list[Unit]
    gains: list[float]
    cell_km: float = 0.0


KM_PER_DEGREE = 111.195
PERU_MID_LATITUDE = -9.2
MAX_CELL_KM = 2_500.0  # wider than Peru: one cell holds everything  # for grid cells of roughly equal size across Peru


def grid_cells(lat: np.ndarray, lon: np.ndarray, cell_km: float) -> np.ndarray:
    """A cell id per point for square cells of about `cell_km` (equirectangular at Peru's
    mid latitude; within 5 % in size from the equator to 18° S)."""
    x = np.floor(lon * np.cos(np.radians(PERU_MID_LATITUDE)) * KM_PER_DEGREE / cell_km).astype(np.int64)
    y = np.floor(lat * KM_PER_DEGREE / cell_km).astype(np.int64)
    return x * 1_000_003 + y


def _grouped(lat, lon, weights, cell_km):
    """Weighted centroid and summed weight of the points in each grid cell."""
    cells, inverse = np.unique(grid_cells(lat, lon, cell_km), return_inverse=True)
    total = np.bincount(inverse, weights=weights, minlength=len(cells))
    safe = np.where(total > 0, total, 1.0)
    glat = np.bincount(inverse, weights=weights * lat, minlength=len(cells)) / safe
    glon = np.bincount(inverse, weights=weights * lon, minlength=len(cells)) / safe
    return glat, glon, total


def _first_per_cell(lat, lon, cell_km) -> np.ndarray:
    """Index of the first candidate in each grid cell (candidates in their given order)."""
    _, first = np.unique(grid_cells(lat, lon, cell_km), return_index=True)
    return np.sort(first)


def validate_suggestion(index: CoverageIndex, service: str, km: object, departments: Iterable[str],
                        n: object) -> tuple[float, tuple[str, ...], int]:
    """The suggestion's arguments, checked at the analysis entry point (raises ValueError,
    `OutOfBounds` for numbers)."""
    if service not in PLANNABLE or service not in index.km:
        raise ValueError(f"suggestions are not available for {service!r}")
    km = check_range("km", km, THRESHOLD_KM)
    n = int(check_range("n", n, SUGGESTIONS, whole=True))
    departments = tuple(departments)[:27]
    if not 0 < len(departments) <= 26 or not all(isinstance(d, str) and len(d) == 2 and d.isdigit() for d in departments):
        raise ValueError(f"departments must be 1 to 26 two-digit codes (got {list(departments)[:5]!r})")
    departments = tuple(dict.fromkeys(departments))
    return km, departments, n


def suggest(
    index: CoverageIndex,
    service: str,
    km: float,
    departments: Iterable[str],
    candidates: Candidates,
    n: int,
    units: Sequence[Unit] = (),
    max_pairs: int = MAX_COVERAGE_PAIRS,
) -> Suggestion:
    """Greedy suggestion of up to `n` sites for `service` in `departments`.

    Demand is the rural population of the chosen departments; existing units and the
    scenario's units of the same service are kept fixed. Distances are great-circle km.

    The cost is bounded for any legal input: the coverage structure holds at most
    `max_pairs` candidate–demand pairs. When the candidates and the threshold would need
    more (e.g. every populated centre of Peru at 300 km), demand points and candidates are
    grouped into grid cells (demand by weighted centroid, one candidate per cell), the cell
    doubling from `km`/64 until the pairs fit; the chosen sites are then real candidates and
    their gains are recomputed exactly on every demand point.

    Raises ValueError (`OutOfBounds` for km and n) on an argument outside its bounds.
    """
    km, departments, n = validate_suggestion(index, service, km, departments, n)
    d = index.demand
    in_area = d.rural & np.isin(d.ubigeo.astype("U2"), departments)
    base = scenario_km(index, units, service)
    base = index.km[service] if base is None else base
    already = base[in_area] <= km
    pool = candidates.subset(np.isin(candidates.department, departments))
    if len(pool) == 0:
        return Suggestion([], [])
    lat, lon, weight = d.lat[in_area], d.lon[in_area], d.weight[in_area]
    open_ = ~already  # points already covered add nothing to any site
    cell_km = 0.0
    while True:
        if cell_km == 0.0:
            picked = np.arange(len(pool))
            dem_lat, dem_lon, dem_w = lat[open_], lon[open_], weight[open_]
        else:
            dem_lat, dem_lon, dem_w = _grouped(lat[open_], lon[open_], weight[open_], cell_km)
            picked = _first_per_cell(pool.lat, pool.lon, cell_km)
        # a cheap estimate picks the grouping; the count while building is the hard bound.
        # Cells wider than Peru hold one group each: nothing coarser exists, so build.
        last = cell_km > MAX_CELL_KM
        if last or estimate_pairs(pool.lat[picked], pool.lon[picked], dem_lat, dem_lon, km) <= max_pairs / 2:
            try:
                sets = coverage_sets(pool.lat[picked], pool.lon[picked], dem_lat, dem_lon, dem_w, km,
                                     max_pairs=None if last else max_pairs)
                break
            except TooManyPairs:
                pass
        cell_km = km / 64 if cell_km == 0.0 else cell_km * 2
    covered = np.zeros(len(dem_w), dtype=bool)
    chosen, gains = greedy_sites(sets, covered, n)
    chosen = [int(picked[i]) for i in chosen]
    if cell_km:  # exact marginal gains of the chosen sites, on every demand point
        gains, within = [], already.copy()
        for i in chosen:
            now = within | (haversine_km(lat, lon, pool.lat[i], pool.lon[i]) <= km)
            gains.append(float(weight[now & ~within].sum()))
            within = now
    suggested = [
        Unit(service, str(pool.place[i]), float(pool.lat[i]), float(pool.lon[i]), str(pool.name[i]), "suggested")
        for i in chosen
    ]
    return Suggestion(suggested, gains, cell_km)
