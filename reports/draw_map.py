"""A printable map figure drawn with Pillow, in this process: no browser, no network.

`draw_png(figure, scale)` takes a figure laid out for paper by `brief.print_figure` (the
geometry inlined, `layout.width`/`height` in CSS px, the map's centre, zoom and domain) and
draws what plotly.js and MapLibre would draw for it, in the figure's order:
- `choroplethmap` traces: each area of `locations` filled with its `z` on the trace's colour
  scale (between `zmin` and `zmax`); an area with no `z` is not drawn, as plotly leaves it
  out; `marker.opacity` and the outline (`marker.line`);
- `scattermap` traces: round markers of `marker.size` px across, one colour or one per point;
- the colour bar of a trace with `colorbar` (ticks from `tickvals`/`ticktext`, or round
  steps written with `tickformat` and the layout's `separators`);
- the layout's text annotations (the colour bar's title).
Web Mercator with 512-px tiles, as MapLibre and `atlas.model.map_view`. The image is drawn at
twice its size and reduced, so edges are smooth. A figure this module cannot read raises
`ValueError`; the caller turns it into the user's message.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from atlas.colours import parse_colour, scale_rgba

SUPERSAMPLE = 2  # drawn at twice the size, then reduced: smooth edges without antialiasing
TILE_PX = 512
MAX_PIXELS = 6000 * 6000
INK = "#1d2733"
FONT_FILES = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
DEFAULT_LINE = {"color": "#444444", "width": 1.0}  # plotly's default area outline
D3_FORMAT = re.compile(r"^(,)?(?:\.(\d+))?([fd%])?$")
TICK_GAP_PX = 60  # about one tick per this many px of colour bar, as plotly spaces them


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Position on the Web Mercator square, 0..1 both ways (y down)."""
    lat = min(max(lat, -85.05), 85.05)
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180.0) / 360.0, (1 - y / math.pi) / 2


class _View:
    """From lon/lat to pixels of the map's box (domain), at `k` device px per CSS px."""

    def __init__(self, layout: dict, k: float):
        width, height = float(layout["width"]), float(layout["height"])
        map_layout = layout.get("map") or {}
        domain = map_layout.get("domain") or {}
        x0, x1 = (domain.get("x") or [0, 1])[:2]
        y0, y1 = (domain.get("y") or [0, 1])[:2]
        self.box = (round(x0 * width * k), round((1 - y1) * height * k),
                    round(x1 * width * k), round((1 - y0) * height * k))
        centre = map_layout.get("center") or {"lat": 0.0, "lon": 0.0}
        self.cx, self.cy = _mercator(float(centre["lon"]), float(centre["lat"]))
        self.world = TILE_PX * 2 ** float(map_layout.get("zoom", 1)) * k
        self.k = k

    @property
    def size(self) -> tuple[int, int]:
        return self.box[2] - self.box[0], self.box[3] - self.box[1]

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        mx, my = _mercator(lon, lat)
        w, h = self.size
        return w / 2 + (mx - self.cx) * self.world, h / 2 + (my - self.cy) * self.world

    def ring(self, coords: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        xy = np.asarray(coords, dtype=float).reshape(-1, 2)
        lat = np.radians(np.clip(xy[:, 1], -85.05, 85.05))
        w, h = self.size
        xs = w / 2 + ((xy[:, 0] + 180.0) / 360.0 - self.cx) * self.world
        ys = h / 2 + ((1 - np.log(np.tan(np.pi / 4 + lat / 2)) / np.pi) / 2 - self.cy) * self.world
        return list(zip(xs.tolist(), ys.tolist()))


def _rgba(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    r, g, b, a = parse_colour(colour)
    return r, g, b, round(255 * min(max(a * opacity, 0.0), 1.0))


def _polygons(geometry: dict) -> Iterable[list]:
    kind = (geometry or {}).get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]


def _z_range(trace: dict) -> tuple[float, float]:
    values = [float(z) for z in trace.get("z") or [] if _finite(z)]
    lo = trace.get("zmin", min(values, default=0.0))
    hi = trace.get("zmax", max(values, default=1.0))
    return float(lo), float(hi)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _area_colours(trace: dict) -> dict[str, tuple[int, int, int, int]]:
    """Location -> RGBA fill of a choropleth trace, for the areas plotly draws."""
    scale = trace.get("colorscale") or [[0, "#d3d6db"], [1, "#d3d6db"]]
    if isinstance(scale, str):
        raise ValueError(f"named colour scales are not drawn here: {scale!r}")
    lo, hi = _z_range(trace)
    opacity = float((trace.get("marker") or {}).get("opacity", 1.0)) * float(trace.get("opacity", 1.0))
    fills = {}
    for code, z in zip(trace.get("locations") or [], trace.get("z") or []):
        if _finite(z):
            r, g, b, a = scale_rgba(scale, 0.5 if hi == lo else (float(z) - lo) / (hi - lo))
            fills[str(code)] = (r, g, b, round(255 * a * opacity))
    return fills


def _draw_areas(canvas: Image.Image, view: _View, trace: dict) -> None:
    geojson = trace.get("geojson")
    if not isinstance(geojson, dict):
        raise ValueError("a choroplethmap trace without inlined GeoJSON")
    fills = _area_colours(trace)
    if not fills:
        return
    key = trace.get("featureidkey", "id")
    features = []
    for feature in geojson.get("features", []):
        code = feature.get("id") if key == "id" else (feature.get("properties") or {}).get(key.split(".")[-1])
        if str(code) in fills and feature.get("geometry"):
            features.append((str(code), [[view.ring(r) for r in poly] for poly in _polygons(feature["geometry"])]))
    # an area with a hole is drawn before the areas that may sit in its hole, so that
    # clearing the hole never erases a neighbour
    features.sort(key=lambda f: not any(len(p) > 1 for p in f[1]))
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for code, polygons in features:
        for rings in polygons:
            if len(rings[0]) >= 3:
                draw.polygon(rings[0], fill=fills[code])
                for hole in rings[1:]:
                    if len(hole) >= 3:
                        draw.polygon(hole, fill=(0, 0, 0, 0))
    line = {**DEFAULT_LINE, **((trace.get("marker") or {}).get("line") or {})}
    width = float(line.get("width") or 0) * view.k
    if width > 0:
        colour = _rgba(line["color"])
        for _, polygons in features:
            for rings in polygons:
                for ring in rings:
                    if len(ring) >= 2:
                        draw.line(ring + ring[:1], fill=colour, width=max(round(width), 1), joint="curve")
    _composite(canvas, layer)


def _composite(canvas: Image.Image, layer: Image.Image) -> None:
    """A trace's layer over what is drawn, blended by its alpha; only where it drew."""
    box = layer.getbbox()
    if box is not None:
        canvas.alpha_composite(layer.crop(box), dest=box[:2])


def _per_point(value, n: int) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


def _draw_markers(canvas: Image.Image, view: _View, trace: dict) -> None:
    lats, lons = trace.get("lat") or [], trace.get("lon") or []
    if "markers" not in str(trace.get("mode", "markers")) or not lats:
        return
    marker = trace.get("marker") or {}
    n = len(lats)
    sizes = _per_point(marker.get("size", 6), n)
    colours = _per_point(marker.get("color", "#1f77b4"), n)
    opacities = _per_point(marker.get("opacity", 1.0), n)
    trace_opacity = float(trace.get("opacity", 1.0))
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = canvas.size
    for lat, lon, size, colour, opacity in zip(lats, lons, sizes, colours, opacities):
        if not (_finite(lat) and _finite(lon) and _finite(size)) or colour is None:
            continue
        x, y = view.point(float(lon), float(lat))
        r = float(size) * view.k / 2
        if -r <= x <= w + r and -r <= y <= h + r:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=_rgba(colour, float(opacity) * trace_opacity))
    _composite(canvas, layer)


# ------------------------------------------------------------------------- text


def _font(size_px: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = max(round(size_px), 6)
    for path in FONT_FILES:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:  # a broken font file: try the next
                continue
    return ImageFont.load_default(size)


def nice_ticks(lo: float, hi: float, target: int) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) from `lo` to `hi`, about
    `target` intervals, as plotly's automatic ticks."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(target, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def format_tick(value: float, tickformat: str | None, separators: str | None) -> str:
    """A tick label as plotly writes it with a d3 format (",.1f", ",d", ".0%", or none) and the
    layout's separators (decimal point, then thousands: ",\u00a0" in Spanish)."""
    match = D3_FORMAT.match((tickformat or "").strip())
    if match is None:
        raise ValueError(f"tick format {tickformat!r} is not drawn here")
    comma, digits, kind = match.group(1) or "", match.group(2), match.group(3) or ""
    if kind == "%":
        text = format(value * 100, f"{comma}.{int(digits or 0)}f") + "%"
    elif kind == "d":
        text = format(round(value), comma)
    elif kind == "f":
        text = format(value, f"{comma}.{int(digits or 6)}f")
    else:
        text = format(value, ",g") if abs(value) >= 1000 else format(value, "g")
    seps = separators or ".,"
    decimal, thousands = seps[0], seps[1] if len(seps) > 1 else ","
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


def _text_lines(text: str) -> list[str]:
    plain = re.sub(r"<(?!br\s*/?>)[^>]*>", "", str(text))
    return [line for line in re.split(r"<br\s*/?>", plain)]


def _draw_colour_bar(canvas: Image.Image, layout: dict, trace: dict, k: float) -> None:
    bar = trace.get("colorbar") or {}
    scale = trace.get("colorscale")
    if not isinstance(scale, list) or trace.get("showscale", True) is False:
        return
    width, height = float(layout["width"]), float(layout["height"])
    font_size = float((layout.get("font") or {}).get("size", 12))
    thickness = float(bar.get("thickness", 30)) * k
    length = float(bar.get("len", 1)) * height * k if bar.get("lenmode", "fraction") == "fraction" else float(bar["len"]) * k
    x = float(bar.get("x", 1.02)) * width * k + float(bar.get("xpad", 10)) * k
    if bar.get("xanchor") not in (None, "left"):
        x -= thickness
    yc = (1 - float(bar.get("y", 0.5))) * height * k
    top, bottom = yc - length / 2, yc + length / 2
    draw = ImageDraw.Draw(canvas)
    steps = max(round(length), 2)
    for i in range(steps):  # top is the high end of the scale
        r, g, b, _ = scale_rgba(scale, 1 - i / (steps - 1))
        draw.line([(x, top + i), (x + thickness, top + i)], fill=(r, g, b, 255))
    lo, hi = _z_range(trace)
    if bar.get("tickvals") is not None:
        values = [float(v) for v in bar["tickvals"] if _finite(v)]
        labels = [str(s) for s in (bar.get("ticktext") or [])]
        if len(labels) != len(values):
            labels = [format_tick(v, bar.get("tickformat"), layout.get("separators")) for v in values]
    else:
        values = nice_ticks(lo, hi, max(round(length / k / TICK_GAP_PX), 2))
        labels = [format_tick(v, bar.get("tickformat"), layout.get("separators")) for v in values]
    font = _font(font_size * k)
    ink = _rgba((layout.get("font") or {}).get("color", INK))
    for value, label in zip(values, labels):
        if hi == lo or not lo <= value <= hi:
            continue
        y = bottom - (value - lo) / (hi - lo) * length
        draw.text((x + thickness + 4 * k, y), label, fill=ink, font=font, anchor="lm")


def _draw_annotations(canvas: Image.Image, layout: dict, k: float) -> None:
    width, height = float(layout["width"]), float(layout["height"])
    base = layout.get("font") or {}
    draw = ImageDraw.Draw(canvas)
    for note in layout.get("annotations") or []:
        if note.get("xref", "paper") != "paper" or note.get("yref", "paper") != "paper" or not note.get("text"):
            continue
        font_spec = {**base, **(note.get("font") or {})}
        size = float(font_spec.get("size", 12)) * k
        font = _font(size)
        lines = _text_lines(note["text"])
        leading = size * 1.3
        block = leading * len(lines)
        x = float(note.get("x", 0.5)) * width * k + float(note.get("xshift", 0)) * k
        y = (1 - float(note.get("y", 0.5))) * height * k - float(note.get("yshift", 0)) * k
        anchor_y = note.get("yanchor", "middle")
        top = y - block if anchor_y == "bottom" else y if anchor_y == "top" else y - block / 2
        side = note.get("xanchor", "center")
        anchor = {"left": "la", "right": "ra"}.get(side, "ma")
        inset = (float(note.get("borderpad", 1)) + 1) * k  # plotly's padding inside the text box
        x += inset if side == "left" else -inset if side == "right" else 0
        ink = _rgba(font_spec.get("color", INK))
        for i, line in enumerate(lines):
            draw.text((x, top + i * leading), line, fill=ink, font=font, anchor=anchor)


# ----------------------------------------------------------------------- entry


def draw_png(figure: dict, scale: float = 1.0) -> bytes:
    """The figure as a PNG of `layout.width * scale` x `layout.height * scale` px.

    `figure` is a print-ready map figure (`brief.print_figure`): geometry inlined, a white
    basemap (no tiles are drawn). Raises `ValueError` for a figure it cannot read.
    """
    layout = figure.get("layout") or {}
    try:
        width, height = float(layout["width"]), float(layout["height"])
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError("the figure has no width and height") from err
    out_w, out_h = round(width * scale), round(height * scale)
    if not (1 <= out_w and 1 <= out_h and out_w * out_h <= MAX_PIXELS):
        raise ValueError(f"image size {out_w} x {out_h} px is out of bounds")
    k = scale * SUPERSAMPLE
    background = _rgba(layout.get("paper_bgcolor", "#ffffff"))
    canvas = Image.new("RGBA", (out_w * SUPERSAMPLE, out_h * SUPERSAMPLE), background)
    view = _View(layout, k)
    map_canvas = Image.new("RGBA", view.size, _rgba(layout.get("plot_bgcolor", "#ffffff")))
    traces = [tr for tr in figure.get("data") or [] if tr.get("visible", True) is True]
    for trace in traces:
        kind = trace.get("type")
        if kind == "choroplethmap":
            _draw_areas(map_canvas, view, trace)
        elif kind == "scattermap":
            _draw_markers(map_canvas, view, trace)
        else:
            raise ValueError(f"a {kind!r} trace is not drawn here")
    canvas.alpha_composite(map_canvas, dest=view.box[:2])
    for trace in traces:
        if trace.get("type") == "choroplethmap" and isinstance(trace.get("colorbar"), dict):
            _draw_colour_bar(canvas, layout, trace, k)
    _draw_annotations(canvas, layout, k)
    image = canvas.convert("RGB").reduce(SUPERSAMPLE)  # each pixel the mean of its 2 x 2
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
