"""Modelled travel time for the whole country: hours from every populated centre to the
nearest unit of each service, for the low / central / high variants, cached on disk.

The cache (``~/.cache/cobertura/travel`` by default, env ``COBERTURA_CACHE_DIR`` or the
`cache_dir` argument) is keyed by the sha256 of everything the figures depend on: the
network files, the parameters and authored links tables, the demand points and the
service locations, and this module's `VERSION`. A changed input is a different key, so a
stale cache is never read.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from layers.datadir import AUTHORED_DIR, DataDir
from layers.network import PATHS as NETWORK_PATHS
from layers.network import load_network

from ..coverage import CHAIN, CHAIN_MEMBERS, GAP_LEVELS, CoverageIndex, Sites
from ..limits import HOURS, check_range
from .engine import Points, TravelModel, to_public
from .graph import RegionLookup, build_graph
from .params import BOATS, LINKS_FILE, PARAMS_FILE, VARIANTS, load_params

VERSION = "travel-1"
DEFAULT_BOAT = "lancha"  # the public riverboat most rural families use


def cache_dir(path: str | Path | None = None) -> Path:
    """`path`, else ~/.cache/cobertura/travel (the commands pass <COBERTURA_CACHE_DIR>/travel
    when that setting is given)."""
    if path is not None:
        return Path(path)
    return Path.home() / ".cache" / "cobertura" / "travel"


def read_links() -> list[dict]:
    with open(AUTHORED_DIR / LINKS_FILE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if not (row.get("source_url") or "").startswith("http"):
            raise ValueError(f"{LINKS_FILE}: link {row.get('id')} needs a source_url")
        try:
            float(row["km"]), float(row["from_lat"]), float(row["to_lat"]), float(row["from_lon"]), float(row["to_lon"])
        except (KeyError, ValueError):
            raise ValueError(f"{LINKS_FILE}: link {row.get('id')} needs numeric km and coordinates") from None
    return rows


def region_lookup(centres: pd.DataFrame, districts: pd.DataFrame) -> RegionLookup:
    """Natural region of any point: that of the nearest INEI populated centre's district."""
    names = centres["ubigeo"].map(districts["region_natural"]).fillna("Selva").to_numpy(str)
    return RegionLookup.from_names(centres["lat"].to_numpy(float), centres["lon"].to_numpy(float), names)


@dataclass
class TravelIndex:
    """Hours (NaN = sin acceso modelado) per (variant, service) for every demand point of
    `coverage.demand`, and the models that produced them (built on first use when the hours
    came from the cache)."""

    coverage: CoverageIndex
    region_at: RegionLookup
    data: DataDir
    boat: str = DEFAULT_BOAT
    hours: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    models: dict[tuple[str, str], TravelModel] = field(default_factory=dict)
    from_cache: bool = False
    _views: dict = field(default_factory=dict, repr=False)
    land: object | None = None  # Peru's land (array of shapely polygons) for checking route ends

    def points_of(self, lat, lon) -> Points:
        lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        return Points(lat, lon, self.region_at(lat, lon))

    def check_on_land(self, lat: object, lon: object, what: str = "point") -> tuple[float, float]:
        """(lat, lon) as floats inside Peru's land; ValueError with a clear message otherwise."""
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            raise ValueError(f"{what}: latitude and longitude must be numbers") from None
        if not (np.isfinite(lat) and np.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"{what}: ({lat}, {lon}) is not a latitude, longitude pair in degrees")
        if self.land is not None:
            import shapely

            if not shapely.contains_xy(self.land, lon, lat).any():
                near = float(shapely.distance(self.land, shapely.Point(lon, lat)).min()) * 111.2
                where = "at sea off Peru's coast" if lon < -70 and -18.5 < lat < -3.3 and near < 400 and lon < -75 + (lat + 5) * -0.45 else "outside Peru"
                raise ValueError(f"{what} ({lat:g}, {lon:g}) is {where} (about {near:,.0f} km from Peru's land): "
                                 "travel time is modelled only between points in Peru")
        return lat, lon

    def route(self, from_lat, from_lon, to_lat, to_lon, variant: str = "central", boat: str | None = None,
              roads: bool = True):
        """Fastest modelled route between two points in Peru (engine.Route); ValueError
        (NoRoute) when a point is outside Peru or at sea, or no route exists within 7 days."""
        a = self.check_on_land(from_lat, from_lon, "origin")
        b = self.check_on_land(to_lat, to_lon, "destination")
        return self.model(variant, boat).route(*a, *b, roads=roads)

    @property
    def demand_points(self) -> Points:
        d = self.coverage.demand
        return Points(d.lat, d.lon, self.region_at(d.lat, d.lon))

    def model(self, variant: str = "central", boat: str | None = None) -> TravelModel:
        boat = boat or self.boat
        key = (variant, boat)
        if key not in self.models:
            params = load_params(variant, boat)
            graph = build_graph(load_network(self.data), params, self.region_at, read_links())
            self.models[key] = TravelModel(graph, self.demand_points, self.region_at)
        return self.models[key]

    def sites(self, service: str) -> Points:
        s: Sites = self.coverage.sites[service]
        return Points(s.lat, s.lon, self.region_at(s.lat, s.lon) if len(s.lat) else np.zeros(0, np.int8))

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted({s for _, s in self.hours}))

    def of(self, service: str, variant: str = "central") -> np.ndarray:
        return self.hours[(variant, service)]

    def raw(self, service: str, variant: str = "central") -> np.ndarray:
        """Hours with inf for no access (for minimums and thresholds)."""
        if (variant, service) not in self.hours:
            raise ValueError(f"no modelled travel time for service {service!r}, variant {variant!r}")
        h = self.hours[(variant, service)]
        return np.where(np.isnan(h), np.inf, h)

    def compute(self, variants=VARIANTS) -> None:
        self._views = {}
        for variant in variants:
            model = self.model(variant)
            members = {}
            for service in self.coverage.sites:
                raw = model.raw_hours(self.sites(service))
                members[service] = raw
                self.hours[(variant, service)] = to_public(raw).astype(np.float32)
            if all(m in members for m in CHAIN_MEMBERS):
                chain = np.max(np.vstack([members[m] for m in CHAIN_MEMBERS]), axis=0)
                self.hours[(variant, CHAIN)] = to_public(chain).astype(np.float32)

    def key(self) -> str:
        digest = hashlib.sha256(VERSION.encode())
        digest.update(self.boat.encode())
        for relative in NETWORK_PATHS:
            digest.update(self.data.entry(relative).sha256.encode())
        digest.update((AUTHORED_DIR / PARAMS_FILE).read_bytes())
        digest.update((AUTHORED_DIR / LINKS_FILE).read_bytes())
        d = self.coverage.demand
        digest.update(np.ascontiguousarray(d.lat).tobytes()); digest.update(np.ascontiguousarray(d.lon).tobytes())
        for service in sorted(self.coverage.sites):
            s = self.coverage.sites[service]
            digest.update(service.encode())
            digest.update(np.ascontiguousarray(s.lat, dtype=float).tobytes()); digest.update(np.ascontiguousarray(s.lon, dtype=float).tobytes())
        return digest.hexdigest()[:32]

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"hours-{self.key()}.npz"
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **{f"{v}|{s}": h for (v, s), h in self.hours.items()})
        os.replace(tmp, path)
        return path

    def load(self, directory: Path) -> bool:
        path = directory / f"hours-{self.key()}.npz"
        if not path.is_file():
            return False
        try:
            with np.load(path) as saved:
                hours = {tuple(k.split("|", 1)): saved[k] for k in saved.files}
        except (OSError, ValueError):
            return False
        if any(len(h) != len(self.coverage.demand) for h in hours.values()):
            return False
        self.hours = hours
        self._views = {}
        self.from_cache = True
        return True

    # --- per-area figures -------------------------------------------------------------
    def _view(self, variant: str) -> CoverageIndex:
        """The coverage index with modelled hours (inf = no access) in place of km."""
        if variant not in self._views:
            view = copy.copy(self.coverage)
            view.km = {s: self.raw(s, v) for v, s in self.hours if v == variant}
            view._medians = {}
            self._views[variant] = view
        return self._views[variant]

    def coverage_view(self, variant: str = "central") -> CoverageIndex:
        """A CoverageIndex whose distances are the variant's modelled hours (inf = no access):
        `summary`, `gap_report` and the medians cache work on it unchanged."""
        return self._view(variant)

    def summary(self, service: str, threshold_hours: float, level: str, variant: str = "central",
                hours: np.ndarray | None = None) -> pd.DataFrame:
        """Per-area coverage figures for an hour threshold: the columns of
        `CoverageIndex.summary` computed on modelled hours, with `median_km` renamed
        `median_hours` (rural-population-weighted median hours; NaN when the median person
        has no modelled access). A place with no modelled access counts as beyond any threshold."""
        threshold_hours = check_range("hours", threshold_hours, HOURS)
        if level not in GAP_LEVELS:
            raise ValueError(f"level must be one of {', '.join(GAP_LEVELS)}")
        self.raw(service, variant)  # a clear error for an unknown service
        if hours is None:  # the medians do not depend on the threshold: cached per variant
            out = self._view(variant).summary(service, threshold_hours, level)
        else:
            out = self.coverage.summary(service, threshold_hours, level, km=np.where(np.isnan(hours), np.inf, hours))
        out = out.rename(columns={"median_km": "median_hours"})
        out.loc[~np.isfinite(out["median_hours"].astype(float)), "median_hours"] = np.nan
        return out


def travel_index(coverage: CoverageIndex, centres: pd.DataFrame, districts: pd.DataFrame,
                 data: DataDir | None = None, cache: str | Path | None = None, use_cache: bool = True,
                 variants=VARIANTS, boat: str = DEFAULT_BOAT) -> TravelIndex:
    """Hours for every service and variant: from the disk cache when present, else computed
    (and saved). `cache=None` uses the default directory."""
    if boat not in BOATS:
        raise ValueError(f"boat must be one of {', '.join(BOATS)}")
    index = TravelIndex(coverage, region_lookup(centres, districts), data or DataDir(), boat)
    directory = cache_dir(cache)
    if use_cache and index.load(directory) and all((v, s) in index.hours for v in variants for s in coverage.sites):
        return index
    index.compute(variants)
    if use_cache:
        try:
            index.save(directory)
        except OSError:
            pass  # a read-only home: figures are still right, only slower next time
    return index


def from_catalog(catalog, cache: str | Path | None = None, use_cache: bool = True, variants=VARIANTS) -> TravelIndex | None:
    """The travel index from a loaded Catalog (None when demand or boundaries are unavailable)."""
    from ..index import coverage_index

    coverage = coverage_index(catalog)
    if coverage is None:
        return None
    travel = travel_index(coverage, catalog.frame("centros_poblados"), catalog.geo.districts,
                          data=catalog.data_dir, cache=cache, use_cache=use_cache, variants=variants)
    travel.land = peru_land(catalog)
    return travel


def peru_land(catalog):
    """Peru's land: the department polygons (prepared shapely geometries)."""
    import shapely

    land = shapely.make_valid(catalog.geo.shapes["department"].geometry.to_numpy())
    shapely.prepare(land)
    return land
