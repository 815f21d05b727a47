"""Coverage gaps: how far every populated centre is from each service, summarised per area.

Distances are great-circle (straight line) in km, from each demand point to the nearest
unit of a service anywhere in Peru (a unit across a department border counts). They are
computed once per service with a KD-tree (`analysis.distance.nearest_km`) and kept; a new
threshold only re-aggregates (weighted sums with `np.bincount`), and a hypothetical unit
only needs the distances to that unit (`with_extra_sites`). Travel by road or river is
longer than these figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from layers.ubigeo import area_code

from .demand import Demand
from .distance import haversine_km, nearest_km

CHAIN = "chain"
CHAIN_MEMBERS = ("upe", "fistrap", "pnp_trata")
GAP_LEVELS = ("department", "region", "province", "district")
SUMMARY_COLUMNS = [
    "rural_population",
    "rural_beyond",
    "pct_rural_beyond",
    "median_km",
    "rural_centres",
    "rural_centres_beyond",
    "population",
    "pct_population_within",
]


@dataclass(frozen=True)
class Sites:
    """Locations of one service's units (degrees)."""

    lat: np.ndarray
    lon: np.ndarray
    ids: tuple[str, ...] = ()
    coverage: tuple[str, ...] | None = None  # departments the dataset covers; None = Peru

    @classmethod
    def from_points(cls, points: pd.DataFrame, coverage: tuple[str, ...] | None = None) -> "Sites":
        return cls(
            lat=points["lat"].to_numpy(float),
            lon=points["lon"].to_numpy(float),
            ids=tuple(points["id"]) if "id" in points else (),
            coverage=coverage,
        )


def weighted_median_by_group(
    values: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Lower weighted median of `values` in each group (NaN where a group has no weight).

    The median is the smallest value whose cumulative weight, in ascending order within the
    group, reaches half of the group's total weight.
    """
    medians = np.full(n_groups, np.nan)
    if len(values) == 0:
        return medians
    order = np.lexsort((values, groups))
    v, w = values[order], weights[order]
    cumulative = np.cumsum(w)
    totals = np.bincount(groups, weights=weights, minlength=n_groups)
    starts = np.concatenate([[0.0], np.cumsum(totals)[:-1]])
    half = starts + totals / 2
    index = np.minimum(np.searchsorted(cumulative, half, side="left"), len(v) - 1)
    has = totals > 0
    medians[has] = v[index[has]]
    return medians


@dataclass
class CoverageIndex:
    """Distances from every demand point to the nearest unit of each service.

    Parameters
    ----------
    demand
        Weighted demand points.
    sites
        Service id -> Sites. The chain ("upe" + "fistrap" + "pnp_trata") is derived: a
        point is within a threshold of the chain when it is within it of all three.
    """

    demand: Demand
    sites: Mapping[str, Sites]
    km: dict[str, np.ndarray] = field(init=False)
    groups: dict[str, tuple[np.ndarray, np.ndarray]] = field(init=False)
    _medians: dict[tuple[str, str], np.ndarray] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        d = self.demand
        self.km = {}
        for service, sites in self.sites.items():
            km, _ = nearest_km(d.lat, d.lon, sites.lat, sites.lon)
            self.km[service] = km
        if all(m in self.km for m in CHAIN_MEMBERS):
            self.km[CHAIN] = np.max(np.vstack([self.km[m] for m in CHAIN_MEMBERS]), axis=0)
        codes = pd.Series(d.ubigeo, dtype="string")
        self.groups = {}
        for level in GAP_LEVELS:
            uniques, inverse = np.unique(area_code(codes, level).to_numpy(str), return_inverse=True)
            # at most 1,891 groups: int32 labels (bincount, lexsort) take half of int64's 0.7 MB
            self.groups[level] = (uniques, inverse.astype(np.int32))

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(self.km)

    def coverage_of(self, service: str) -> tuple[str, ...] | None:
        if service == CHAIN:
            return None
        return self.sites[service].coverage

    def with_extra_sites(self, service: str, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Distances once hypothetical units are added (existing units kept)."""
        base = self.km[service]
        lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        if len(lat) == 0:
            return base
        if service == CHAIN:
            raise ValueError("add units to one service of the chain, not to the chain")
        extra, _ = nearest_km(self.demand.lat, self.demand.lon, lat, lon)
        return np.minimum(base, extra)

    def chain_with(self, replaced: Mapping[str, np.ndarray]) -> np.ndarray:
        """Chain distances when some members' distances are replaced (scenarios)."""
        return np.max(np.vstack([replaced.get(m, self.km[m]) for m in CHAIN_MEMBERS]), axis=0)

    def summary(
        self,
        service: str,
        threshold_km: float,
        level: str,
        km: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Per-area coverage figures for one service and threshold.

        Parameters
        ----------
        service
            A service id or "chain".
        threshold_km
            Distance threshold, km (straight line).
        level
            department, region, province or district.
        km
            Distances to use instead of the cached ones (a scenario with added units).

        Returns
        -------
        DataFrame indexed by area code with SUMMARY_COLUMNS: rural_population (persons),
        rural_beyond (persons beyond the threshold), pct_rural_beyond (% of the rural
        population), median_km (rural-population-weighted median distance, km),
        rural_centres and rural_centres_beyond (real INEI centres, not centroid
        stand-ins), population (total) and pct_population_within (% of all people within
        the threshold). Areas outside a dataset's coverage are NaN (sin dato).
        """
        d = self.demand
        distances = self.km[service] if km is None else km
        uniques, inverse = self.groups[level]
        n = len(uniques)
        rural = d.rural
        beyond = distances > threshold_km
        w_rural = np.where(rural, d.weight, 0.0)
        rural_population = np.bincount(inverse, weights=w_rural, minlength=n)
        rural_beyond = np.bincount(inverse, weights=np.where(beyond, w_rural, 0.0), minlength=n)
        population = np.bincount(inverse, weights=d.weight, minlength=n)
        within = np.bincount(inverse, weights=np.where(beyond, 0.0, d.weight), minlength=n)
        real_rural = rural & ~d.synthetic
        centres = np.bincount(inverse, weights=real_rural.astype(float), minlength=n)
        centres_beyond = np.bincount(inverse, weights=(real_rural & beyond).astype(float), minlength=n)
        if km is None:
            key = (service, level)
            if key not in self._medians:
                self._medians[key] = weighted_median_by_group(distances, w_rural, inverse, n)
            median = self._medians[key]
        else:
            median = weighted_median_by_group(distances, w_rural, inverse, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            pct_beyond = np.where(rural_population > 0, 100.0 * rural_beyond / rural_population, np.nan)
            pct_within = np.where(population > 0, 100.0 * within / population, np.nan)
        out = pd.DataFrame(
            {
                "rural_population": rural_population,
                "rural_beyond": rural_beyond,
                "pct_rural_beyond": pct_beyond,
                "median_km": median,
                "rural_centres": centres.astype(int),
                "rural_centres_beyond": centres_beyond.astype(int),
                "population": population,
                "pct_population_within": pct_within,
            },
            index=pd.Index(uniques, name="code"),
        )
        coverage = self.coverage_of(service)
        if coverage is not None:
            outside = ~out.index.str[:2].isin(coverage)
            out.loc[outside, ["rural_beyond", "pct_rural_beyond", "median_km", "rural_centres_beyond", "pct_population_within"]] = np.nan
        return out

    def gain(self, service: str, threshold_km: float, km_after: np.ndarray, rural_only: bool = True) -> float:
        """People newly within the threshold when distances become `km_after` (persons)."""
        before = self.km[service] <= threshold_km
        after = km_after <= threshold_km
        weights = np.where(self.demand.rural, self.demand.weight, 0.0) if rural_only else self.demand.weight
        return float(weights[after & ~before].sum())


def point_distance_km(lat: float, lon: float, sites: Sites) -> float:
    """Straight-line km from one point to the nearest of `sites` (inf if none)."""
    if len(sites.lat) == 0:
        return float("inf")
    return float(np.min(haversine_km(lat, lon, sites.lat, sites.lon)))
