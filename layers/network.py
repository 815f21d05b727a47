"""The transport network for modelled travel time: national roads and rivers (no Dash).

Two public line files (see data/README.md, section network/):

- roads: the Red Vial Nacional as traced by the Travel Mapping project (straight segments
  between waypoints, so lengths are understated; no departmental or local roads);
- rivers: GSHHG 2.3.7 WDB II rivers, with a size `class` 0–4 (0 double-lined, 1 permanent
  major, 2 additional major, 3 additional, 4 minor) and no flow direction.

`load_network` reads and validates both (GeoJSON in WGS84 longitude/latitude, LineStrings
only, every vertex inside Peru's box, classes 0–4) and returns plain coordinate arrays for
`analysis.travel.graph`. A bad file raises `DataFileError` naming the file and the problem.
This is not a map layer (nothing is drawn), so it is not in the layer registry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from .base import Provenance, text
from .datadir import DataDir, DataFileError

ROADS_PATH = "network/red_vial_nacional_travelmapping.geojson"
RIVERS_PATH = "network/rios_gshhg_wdb2_peru.geojson"
PATHS = (ROADS_PATH, RIVERS_PATH)
# Peru's box as the files were clipped to it (degrees), with a hair of tolerance
BOX = (-81.6, -18.6, -68.4, 0.2)  # lon min, lat min, lon max, lat max
RIVER_CLASSES = (0, 1, 2, 3, 4)
WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326")

PROVENANCE = Provenance(
    source=text(
        "Red Vial Nacional (MTC) trazada por el proyecto Travel Mapping; ríos GSHHG 2.3.7 (WDB II)",
        "Red Vial Nacional (MTC) as traced by the Travel Mapping project; GSHHG 2.3.7 rivers (WDB II)",
    ),
    year="2024",
    licence=text(
        "Ríos: LGPL-3+ (GSHHG, Wessel & Smith). Vías: sin licencia declarada; "
        "Travel Mapping project; © colaboradores de OpenStreetMap",
        "Rivers: LGPL-3+ (GSHHG, Wessel & Smith). Roads: no licence file; "
        "Travel Mapping project; © OpenStreetMap contributors",
    ),
    url="https://travelmapping.net/ ; https://www.soest.hawaii.edu/pwessel/gshhg/",
    level=text("líneas (vías nacionales, ríos)", "lines (national roads, rivers)"),
    files=PATHS,
    caveats=text(
        "Solo vías nacionales (faltan departamentales y vecinales); tramos rectos entre puntos de "
        "paso. Los ríos no indican navegabilidad ni sentido de la corriente: se infieren.",
        "National roads only (no departmental or local roads); straight segments between "
        "waypoints. Rivers carry no navigability or flow direction: both are inferred.",
    ),
)


@dataclass(frozen=True)
class Lines:
    """Polylines: `coords[k]` is an (m, 2) array of (lon, lat) degrees; `attrs` per line."""

    coords: tuple[np.ndarray, ...]
    attrs: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.coords)


@dataclass(frozen=True)
class Network:
    roads: Lines  # attrs: route (text)
    rivers: Lines  # attrs: class (int 0-4)


def _read_lines(data: DataDir, relative: str) -> tuple[list[np.ndarray], list[dict]]:
    path = data.path(relative)
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as err:
        raise DataFileError(relative, f"cannot be read as GeoJSON ({err})") from err
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataFileError(relative, "is not a GeoJSON FeatureCollection")
    crs = doc.get("crs")
    if crs is not None:  # RFC 7946 GeoJSON has no crs member and is WGS84; accept only that
        name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
        if name not in WGS84_NAMES:
            raise DataFileError(relative, f"CRS must be WGS84 longitude/latitude, found {name or crs!r}")
    coords, props = [], []
    for i, feature in enumerate(doc.get("features") or []):
        geom = (feature or {}).get("geometry") or {}
        if geom.get("type") != "LineString":
            raise DataFileError(relative, f"feature {i} is a {geom.get('type')!r}, expected LineString")
        try:
            xy = np.asarray(geom.get("coordinates"), dtype=float)
        except (TypeError, ValueError) as err:
            raise DataFileError(relative, f"feature {i} has malformed coordinates") from err
        if xy.ndim != 2 or xy.shape[0] < 2 or xy.shape[1] < 2 or not np.isfinite(xy).all():
            raise DataFileError(relative, f"feature {i} is not a line of at least 2 finite points")
        xy = xy[:, :2]
        lon, lat = xy[:, 0], xy[:, 1]
        if (lon < BOX[0]).any() or (lon > BOX[2]).any() or (lat < BOX[1]).any() or (lat > BOX[3]).any():
            raise DataFileError(relative, f"feature {i} leaves Peru's box (is it longitude, latitude in degrees?)")
        coords.append(xy)
        props.append(feature.get("properties") or {})
    if not coords:
        raise DataFileError(relative, "holds no lines")
    return coords, props


def load_network(data: DataDir | None = None) -> Network:
    """Roads and rivers, validated. Raises DataFileError naming the file."""
    data = data if data is not None else DataDir()
    road_xy, road_props = _read_lines(data, ROADS_PATH)
    routes = np.array([str(p.get("route", "")) for p in road_props])
    if (routes == "").any():
        raise DataFileError(ROADS_PATH, f"{int((routes == '').sum())} lines without a route code")
    river_xy, river_props = _read_lines(data, RIVERS_PATH)
    try:
        classes = np.array([int(p["class"]) for p in river_props])
    except (KeyError, TypeError, ValueError) as err:
        raise DataFileError(RIVERS_PATH, "every line needs an integer `class`") from err
    bad = ~np.isin(classes, RIVER_CLASSES)
    if bad.any():
        raise DataFileError(RIVERS_PATH, f"river class outside 0-4: {sorted(set(classes[bad].tolist()))}")
    return Network(
        roads=Lines(tuple(road_xy), {"route": routes}),
        rivers=Lines(tuple(river_xy), {"class": classes}),
    )
