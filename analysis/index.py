"""Build the coverage index from the loaded layers (once, at start-up)."""

from __future__ import annotations

import pandas as pd
import shapely

from layers.catalog import Catalog

from .coverage import CoverageIndex, Sites
from .demand import Demand, build_demand

# Services whose distances are computed, and the statuses that count as a location.
# Claimed PNP units (no known seat) are not locations.
GAP_SERVICES = ("upe", "fistrap", "pnp_trata", "cem", "sar", "care")
LOCATED_STATUSES = ("verified", "weak")


def district_centroids(catalog: Catalog) -> pd.DataFrame:
    """A point inside each district polygon (lat, lon), indexed by ubigeo."""
    shapes = catalog.geo.shapes["district_exact"]
    points = shapely.point_on_surface(shapes.geometry.to_numpy())
    return pd.DataFrame({"lat": shapely.get_y(points), "lon": shapely.get_x(points)}, index=shapes.index)


def demand_from_catalog(catalog: Catalog) -> Demand:
    centres = catalog.frame("centros_poblados")
    population = catalog.loaded["population"].source
    return build_demand(centres, population, district_centroids(catalog))


def sites_from_catalog(catalog: Catalog) -> dict[str, Sites]:
    sites: dict[str, Sites] = {}
    for service in GAP_SERVICES:
        if not catalog.available(service):
            continue
        layer = catalog.layer(service)
        frame = catalog.frame(service)
        if layer.kind == "counts":  # CARE: the capital of each province holding one
            sites[service] = Sites(
                lat=frame["proxy_lat"].to_numpy(float),
                lon=frame["proxy_lon"].to_numpy(float),
                ids=tuple(frame["ubigeo_prov"]),
            )
            continue
        located = frame[frame["status"].isin(LOCATED_STATUSES) & frame["lat"].notna()]
        sites[service] = Sites.from_points(located, coverage=layer.coverage)
    return sites


def coverage_index(catalog: Catalog) -> CoverageIndex | None:
    """None when the populated centres or the population layer are unavailable."""
    if not (catalog.available("centros_poblados") and catalog.available("population")):
        return None
    return CoverageIndex(demand_from_catalog(catalog), sites_from_catalog(catalog))


