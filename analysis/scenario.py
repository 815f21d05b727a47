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
from .mclp import coverage_sets, greedy_sites

PLANNABLE = ("upe", "fistrap", "pnp_trata", "cem", "sar")
MAX_UNITS = 40
MAX_SUGGESTIONS = 20


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


def suggest(
    index: CoverageIndex,
    service: str,
    km: float,
    departments: Iterable[str],
    candidates: Candidates,
    n: int,
    units: Sequence[Unit] = (),
) -> tuple[list[Unit], list[float]]:
    """Greedy suggestion of up to `n` sites for `service` in `departments`.

    Demand is the rural population of the chosen departments; existing units and the
    scenario's units of the same service are kept fixed. Returns the suggested units (origin
    "suggested") and the marginal rural persons each one brings within `km`.
    """
    if service not in PLANNABLE or service not in index.km:
        raise ValueError(f"suggestions are not available for {service!r}")
    n = int(np.clip(n, 0, MAX_SUGGESTIONS))
    departments = tuple(departments)
    d = index.demand
    in_area = d.rural & np.isin(d.ubigeo.astype("U2"), departments)
    base = scenario_km(index, units, service)
    base = index.km[service] if base is None else base
    already = base[in_area] <= km
    pool = candidates.subset(np.isin(candidates.department, departments))
    if len(pool) == 0 or n == 0:
        return [], []
    sets = coverage_sets(pool.lat, pool.lon, d.lat[in_area], d.lon[in_area], d.weight[in_area], km)
    chosen, gains = greedy_sites(sets, already, n)
    suggested = [
        Unit(service, str(pool.place[i]), float(pool.lat[i]), float(pool.lon[i]), str(pool.name[i]), "suggested")
        for i in chosen
    ]
    return suggested, gains
