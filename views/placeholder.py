"""What the map frame shows before the map is drawn, never a blank frame: Peru's departments
as an inline SVG (about 10 KB, 3 KB compressed), coloured as the first map colours them (a
picture of the default view, there at the first paint), or a light outline when there is
no figure to take the colours from. `assets/js/map-placeholder.js` hides it when MapLibre
has painted the areas; CSS hides it after 20 s whatever happens."""

from __future__ import annotations

import html
import math
from urllib.parse import quote

import numpy as np
import shapely

from atlas.colours import scale_colour
from atlas.i18n import t
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


OUTLINE_FILL = "#e9ecef"


def area_fills(figure: dict, no_data: str) -> dict[str, str]:
    """Each area's fill in a map figure (views.map_figure.build_figure): the "value" trace's z
    on its colour scale between zmin and zmax; an area without a value in `no_data`."""
    trace = next((t for t in figure.get("data", []) if t.get("name") == "value"), None)
    if trace is None:
        return {}
    lo, hi = trace.get("zmin"), trace.get("zmax")
    fills = {}
    for code, z in zip(trace.get("locations", []), trace.get("z", [])):
        if z is None or lo is None or hi is None or not math.isfinite(z):
            fills[code] = no_data
        else:
            fills[code] = scale_colour(trace["colorscale"], 0.5 if hi == lo else (z - lo) / (hi - lo))
    return fills


def outline_svg(model: Model, fills: dict[str, str] | None = None) -> str:
    """Departments of Peru as SVG paths (equirectangular, corrected for latitude), in the
    light outline's grey or, given `fills` (code -> colour), each in its colour."""
    shapes = model.geo.shapes["department"]
    geoms = shapely.simplify(shapes.geometry.to_numpy(), TOLERANCE_DEG, preserve_topology=True)
    minx, miny, maxx, maxy = model.geo.bbox("department")
    kx = math.cos(math.radians((miny + maxy) / 2))
    scale = WIDTH / ((maxx - minx) * kx)
    height = (maxy - miny) * scale

    def project(lon, lat):
        return (lon - minx) * kx * scale, (maxy - lat) * scale

    fills = fills or {}
    paths = "".join(
        f'<path d="{_path(g, project)}"' + (f' fill="{fills[code]}"' if code in fills else "") + "/>"
        for code, g in zip(shapes.index, geoms)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 {WIDTH + 4} {height + 4:.0f}">'
        f'<g fill="{OUTLINE_FILL}" stroke="#fff" stroke-width="1.2" stroke-linejoin="round">{paths}</g></svg>'
    )


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml," + quote(svg, safe=" /=:;,.-_()")


def outline_src(model: Model) -> str:
    """The outline as a data: URI (allowed by the page's img-src), built once per model."""
    return model.memo(("map-outline",), lambda: _data_uri(outline_svg(model)))


def picture_src(model: Model, figure: dict, no_data: str) -> str:
    """The first map as a picture (`outline_svg` with the figure's colours), a data: URI;
    built once per model (the first view is the same for everyone). Only a department
    figure colours it: any other falls back to the outline."""
    fills = area_fills(figure, no_data)
    if set(fills) != set(model.geo.shapes["department"].index):
        return outline_src(model)
    return model.memo(("map-picture",), lambda: _data_uri(outline_svg(model, fills)))


def first_paint_html(src: str, lang: str) -> str:
    """What the page shows before Dash has rendered anything (inside its react-entry-point,
    which the layout replaces): the header and the map frame with the first map's picture,
    laid out with the page's own classes so the picture stays where the layout puts it. Plain
    HTML: it paints with the page's first bytes, before any script has run."""
    tagline = html.escape(t(lang, "app.tagline"))
    loading = html.escape(t(lang, "map.loading"))
    return (
        '<div class="_dash-loading first-paint">'
        '<header class="app-header"><div class="container-fluid"><div class="brand-block">'
        f'<h1 class="brand">Cobertura</h1><span class="tagline">{tagline}</span></div></div></header>'
        '<div class="container"><div class="first-paint-tabs"></div><div class="row g-3">'
        '<div class="col-lg-3"></div><div class="col-lg-6 mb-3"><div class="card map-card">'
        f'<div class="map-placeholder" aria-hidden="true"><img src="{html.escape(src)}" alt="">'
        f'<small class="text-muted">{loading}</small></div><div class="map-graph"></div>'
        "</div></div></div></div></div>"
    )
