"""What the map frame shows before the map is drawn: Peru's departments as a light outline
(an inline SVG, about 10 KB, 3 KB compressed), never a blank frame. `assets/js/map-placeholder.js` hides it
when MapLibre has painted the areas; CSS hides it after 20 s whatever happens."""

from __future__ import annotations

import math
from urllib.parse import quote

import numpy as np
import shapely

from atlas.model import Model

WIDTH = 400  # SVG user units; the image is scaled to the frame by CSS
TOLERANCE_DEG = 0.06  # about 6 km: an outline, not a map


def _path(geom, project) -> str:
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        ring = np.asarray(poly.exterior.coords)
        if len(ring) < 4:
            continue
        xs, ys = project(ring[:, 0], ring[:, 1])
        parts.append("M" + "L".join(f"{x:.0f} {y:.0f}" for x, y in zip(xs, ys)) + "Z")
    return "".join(parts)


def outline_svg(model: Model) -> str:
    """Departments of Peru as SVG paths (equirectangular, corrected for latitude)."""
    shapes = model.geo.shapes["department"]
    geoms = shapely.simplify(shapes.geometry.to_numpy(), TOLERANCE_DEG, preserve_topology=True)
    minx, miny, maxx, maxy = model.geo.bbox("department")
    kx = math.cos(math.radians((miny + maxy) / 2))
    scale = WIDTH / ((maxx - minx) * kx)
    height = (maxy - miny) * scale

    def project(lon, lat):
        return (lon - minx) * kx * scale, (maxy - lat) * scale

    paths = "".join(f'<path d="{_path(g, project)}"/>' for g in geoms)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 {WIDTH + 4} {height + 4:.0f}">'
        f'<g fill="#e9ecef" stroke="#fff" stroke-width="1.2" stroke-linejoin="round">{paths}</g></svg>'
    )


def outline_src(model: Model) -> str:
    """The outline as a data: URI (allowed by the page's img-src), built once per model."""
    return model.memo(("map-outline",), lambda: "data:image/svg+xml," + quote(outline_svg(model), safe=" /=:;,.-_()"))
