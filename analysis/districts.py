"""Which district holds a point, and how far a point lies outside a district (great-circle km).

Built once from the boundaries (`layers.boundaries.Geography`); read-only afterwards. The
registry upload (`ingest/registry.py`) checks every uploaded point with it.
"""

from __future__ import annotations

import math

import shapely

from analysis.distance import haversine_km
from ingest.registry import TOLERANCE_KM
from layers.boundaries import Geography


class DistrictIndex:
    """District polygons and capitals, for point-in-district checks. Read-only once built."""

    def __init__(self, geo: Geography):
        shapes = geo.shapes["district_exact"]
        self.codes = shapes.index.astype(str)
        self.polygons = shapes.geometry.to_numpy()
        self.position = {code: i for i, code in enumerate(self.codes)}
        self.tree = shapely.STRtree(self.polygons)
        districts = geo.districts
        self.names = {
            code: f"{dist} ({prov}, {dep})"
            for code, dist, prov, dep in zip(
                districts.index, districts["distrito"], districts["provincia"], districts["departamento"]
            )
        }
        self.capital = {
            code: (float(lat), float(lon))
            for code, lat, lon in zip(districts.index, districts["capital_lat"], districts["capital_lon"])
        }
        bounds = shapely.bounds(self.polygons)
        pad = TOLERANCE_KM / 100.0  # degrees, generous (1 degree >= 105 km in Peru)
        self.bbox = {code: (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad) for code, b in zip(self.codes, bounds)}

    def known(self, code: str) -> bool:
        return code in self.capital

    def km_outside(self, code: str, lat: float, lon: float) -> float:
        """Distance in km from the point to the district (0 inside); inf without a polygon."""
        i = self.position.get(code)
        if i is None:
            return math.inf
        polygon = self.polygons[i]
        point = shapely.Point(lon, lat)
        if polygon.covers(point):
            return 0.0
        nearest = shapely.shortest_line(polygon, point).coords[0]
        return float(haversine_km(lat, lon, nearest[1], nearest[0]))

    def district_of(self, lat: float, lon: float) -> tuple[str | None, float]:
        """The district holding the point, or the nearest one and its distance in km."""
        point = shapely.Point(lon, lat)
        hits = self.tree.query(point, predicate="covered_by")
        if len(hits):
            return str(self.codes[int(sorted(hits)[0])]), 0.0
        near = self.tree.query_nearest(point, max_distance=0.1)
        if not len(near):
            return None, math.inf
        best = min(((self.km_outside(self.codes[int(i)], lat, lon), self.codes[int(i)]) for i in near))
        return str(best[1]), best[0]
