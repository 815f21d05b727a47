"""The one-page brief: the map as a PNG (Pillow, in this process) and an A4 landscape PDF (reportlab).

Pure functions, no Dash callbacks, no file reads of the data directory. The caller gathers the
(already translated) texts and the figure; this module only turns them into images and paper.

- `inline_geometry` puts the GeoJSON behind each `/geo/...json` URL into a copy of a map
  figure from `map_figure.build_figure` (the drawing reads no URL), and drops what only
  serves hovering.
- `map_png` lays that figure out for paper (`print_figure`) and draws it with
  `reports.draw_map`: no browser, no network, a fraction of a second. Failure raises
  `ExportError`.
- `brief_pdf` lays out a `Brief` on exactly one page: fonts shrink and long lists are cut with
  "…" deterministically; nothing is ever drawn on a second page.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

# At start-up, not inside the first brief: that job imports it (through reportlab) on its
# own thread while plotly's serializer on the request threads checks `sys.modules` for it,
# and a half-imported PIL.Image there was an AttributeError, a 500 for the callback.
import PIL.Image  # noqa: F401

from atlas.i18n import safe_lang, t
from atlas.model import (
    BLANK_STYLE,
    MAP_HEIGHT_PX,
    MAP_WIDTH_PX,
    geometry_name,
    map_view,
)
from reports.draw_map import draw_png

HOVER_KEYS = ("customdata", "text", "hovertemplate", "hovertext", "hoverinfo", "hoverlabel")


class ExportError(RuntimeError):
    """An export could not be made. `key` is a locale key (`t(lang, err.key)` for the UI);
    the message holds both languages and the technical detail, for logs."""

    def __init__(self, key: str, detail: str = ""):
        self.key = key
        self.detail = detail
        message = f"{t('es', key)} / {t('en', key)}"
        super().__init__(f"{message}: {detail}" if detail else message)


# ------------------------------------------------------------------------ geometry


def model_geojson(model) -> Callable[[str], bytes]:
    """A `geojson_for(url)` backed by the model's geometry, reading the same URLs the app's
    `/geo/<name>.json` route serves (any path prefix and `?v=` are ignored)."""

    def geojson_for(url: str) -> bytes:
        name = geometry_name(url)
        body = None if name is None else model.geometry(name)
        if body is None:
            raise ValueError(f"not a geometry URL: {url!r}")
        return body

    return geojson_for


def _draws_nothing(trace: dict) -> bool:
    if trace.get("visible", True) in (False, "legendonly"):
        return True
    if trace.get("type") == "choroplethmap" and not trace.get("locations"):
        return True
    return trace.get("type") == "scattermap" and not trace.get("lat")


def inline_geometry(figure: dict, geojson_for: Callable[[str], bytes]) -> dict:
    """A copy of a map figure with each choropleth's geometry URL replaced by its GeoJSON.

    Traces that are hidden or empty are dropped, and so is hover-only data (customdata,
    text, hovertemplate...), so the render stays light. The input is not modified. Each URL
    is fetched and parsed once. Raises `ExportError` (key "brief.error.geometry") when a URL
    cannot be resolved or does not hold GeoJSON.
    """
    parsed: dict[str, dict] = {}
    traces = []
    for trace in figure.get("data", []):
        if _draws_nothing(trace):
            continue
        out = {key: copy.deepcopy(value) for key, value in trace.items() if key not in HOVER_KEYS}
        geojson = out.get("geojson")
        if isinstance(geojson, str):
            if geojson not in parsed:
                try:
                    body = json.loads(geojson_for(geojson))
                except Exception as err:  # noqa: BLE001 - any failure is the same to the user
                    raise ExportError("brief.error.geometry", f"{geojson}: {err}") from err
                if not isinstance(body, dict) or body.get("type") != "FeatureCollection":
                    raise ExportError("brief.error.geometry", f"{geojson}: not a FeatureCollection")
                parsed[geojson] = body
            out["geojson"] = parsed[geojson]
        out["hoverinfo"] = "skip"
        traces.append(out)
    layout = copy.deepcopy(figure.get("layout", {}))
    for key in ("uirevision", "hoverlabel"):
        layout.pop(key, None)
    return {"data": traces, "layout": layout}


# --------------------------------------------------------------------- rendering


LEGEND_FRACTION = 0.2  # left strip of the image kept for the colour bar
COLORBAR_LEN = 0.55  # share of the image height
SEPARATORS = {"es": ",\u00a0", "en": ".,"}  # decimal then thousands, as `fmt_number` writes


def print_figure(figure: dict, width: int, height: int, lang: str | None = None) -> dict:
    """A copy of an inlined map figure laid out for paper at `width` x `height` px.

    No title, legend or hover; white background and no tiles (the OpenStreetMap basemap
    would need the internet); the colour bar stays, in a strip of its own on the left so it
    never hides an area. The figure's zoom was chosen for the
    app's map box (MAP_WIDTH_PX x MAP_HEIGHT_PX): the view is fitted again to the areas of
    the "base"/"value" traces in the image's own box (or the zoom raised by the size ratio
    when there are none), and markers, outlines and fonts grow with the image so the
    picture reads as on screen.
    With `lang`, numbers on the colour bar are written as in that language (27,6 / 27.6).
    """
    fig = copy.deepcopy(figure)
    for trace in fig.get("data", []):
        geojson = trace.get("geojson")
        if isinstance(geojson, str):
            raise ExportError("brief.error.geometry", f"{geojson} is a URL; call inline_geometry first")
    text_factor = max(min(width / MAP_WIDTH_PX, height / MAP_HEIGHT_PX), 0.25)
    has_scale = any(isinstance(tr.get("colorbar"), dict) and tr.get("showscale", True) for tr in fig.get("data", []))
    legend = LEGEND_FRACTION if has_scale else 0.0
    map_factor = max(min(width * (1 - legend) / MAP_WIDTH_PX, height / MAP_HEIGHT_PX), 0.25)
    layout = fig.setdefault("layout", {})
    for key in ("title", "uirevision", "hoverlabel", "updatemenus", "sliders"):
        layout.pop(key, None)
    layout.update(
        width=width,
        height=height,
        showlegend=False,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0},
        hovermode=False,
    )
    if lang is not None:
        layout["separators"] = SEPARATORS[safe_lang(lang)]
    font = dict(layout.get("font") or {})
    font.update(family="Liberation Sans, Arial, Helvetica, sans-serif", size=round(14 * text_factor), color="#1d2733")
    layout["font"] = font
    map_layout = dict(layout.get("map") or {})
    map_layout["style"] = BLANK_STYLE
    map_layout["domain"] = {"x": [legend, 1], "y": [0, 1]}  # the colour bar gets its own strip
    bbox = _areas_bbox(fig.get("data", []))
    if bbox is not None:
        map_layout["center"], map_layout["zoom"] = fit_view(bbox, width * (1 - legend), height)
    elif "zoom" in map_layout:
        map_layout["zoom"] = round(float(map_layout["zoom"]) + math.log2(map_factor), 3)
    layout["map"] = map_layout
    for trace in fig.get("data", []):
        marker = trace.get("marker")
        if isinstance(marker, dict):
            if isinstance(marker.get("size"), (int, float)):
                marker["size"] = round(marker["size"] * map_factor, 2)
            line = marker.get("line")
            if isinstance(line, dict) and isinstance(line.get("width"), (int, float)):
                line["width"] = round(line["width"] * map_factor, 2)
        colorbar = trace.get("colorbar")
        if isinstance(colorbar, dict):
            # plotly sets the top tick label into a multi-line colour-bar title: the title
            # becomes an annotation standing clear above the bar, wrapped to the strip
            title = colorbar.pop("title", None)
            text = title.get("text") if isinstance(title, dict) else title
            if isinstance(text, str) and text.strip():
                lines = [_wrap_label(line) for line in text.split("<br>") if line.strip()]
                layout.setdefault("annotations", []).append(
                    {"text": "<br>".join(lines), "x": 0, "xref": "paper", "xanchor": "left", "align": "left",
                     "y": 0.5 + COLORBAR_LEN / 2, "yref": "paper", "yanchor": "bottom",
                     "yshift": round(font["size"] * 0.8), "showarrow": False}
                )
            colorbar.update(
                thickness=round(colorbar.get("thickness", 12) * text_factor),
                x=0.0,
                xanchor="left",
                xref="paper",
                len=COLORBAR_LEN,
                lenmode="fraction",
                y=0.5,
                yanchor="middle",
                ypad=0,
                xpad=2,
                bgcolor="rgba(255,255,255,0)",
            )
    return fig


def _wrap_label(text: str, width: int = 14) -> str:
    """A colour-bar title line broken at spaces into lines of about `width` characters, so
    that it stays in the colour bar's strip."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _areas_bbox(traces: list[dict]) -> tuple[float, float, float, float] | None:
    """lon/lat box of the areas drawn by the "base" and "value" traces (inlined GeoJSON)."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for trace in traces:
        geojson = trace.get("geojson")
        if trace.get("name") not in ("base", "value") or not isinstance(geojson, dict):
            continue
        wanted = set(map(str, trace.get("locations") or []))
        for feature in geojson.get("features", []):
            if str(feature.get("id")) in wanted and feature.get("geometry"):
                walk(feature["geometry"].get("coordinates") or [])
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def fit_view(bbox: tuple[float, float, float, float], width_px: float, height_px: float) -> tuple[dict, float]:
    """Centre and zoom that fit a lon/lat box in a map box of the given pixels, with a small
    margin (the colour bar has a strip of its own here, so nothing is left free for it)."""
    return map_view(bbox, width_px, height_px, left_px=0, margin=0.06, min_zoom=0.5)


# The brief's map box is about 468 pt wide and 370-420 pt high (less when the sources are
# many): an image of about this shape fills it. `brief_map_size` gives the exact one.
BRIEF_MAP_SIZE = (1400, 1100)


def map_png(
    figure: dict, width: int = 1400, height: int = 1000, scale: float = 1, *, lang: str | None = None
) -> bytes:
    """The map as a PNG of `width*scale` x `height*scale` px, drawn in this process
    (`reports.draw_map`: Pillow, no browser, no network).

    `figure` must hold its geometry (see `inline_geometry`); `lang` writes the colour bar's
    numbers as that language does. For the brief, `map_png(fig, *BRIEF_MAP_SIZE, lang=lang)`
    fills the map box. Raises `ExportError` if the figure cannot be drawn.
    """
    if not (16 <= width <= 6000 and 16 <= height <= 6000 and 0.1 <= scale <= 4):
        raise ValueError("width and height must be 16-6000 px and scale 0.1-4")
    # Large even sizes are laid out at half size, twice as dense, as on a screen with two
    # device pixels per CSS pixel: fonts, markers and outlines keep the app's proportions.
    k = 2 if width >= 1000 and height >= 500 and width % 2 == 0 and height % 2 == 0 else 1
    css_w, css_h = width // k, height // k
    try:
        return draw_png(print_figure(figure, css_w, css_h, lang), scale * k)
    except ExportError:
        raise
    except Exception as err:  # noqa: BLE001 - a malformed figure
        raise ExportError("brief.error.render", f"not a map figure: {type(err).__name__}: {err}") from err


# --------------------------------------------------------------------------- PDF


def figure_png(model, figure: dict, width: int, height: int, lang: str | None = None) -> bytes:
    """A map figure of the app (geometry behind `/geo/` URLs) as a PNG: the geometry is put
    in, then `map_png` draws it. The drawing is kept among the model's
    recent views, keyed by the figure itself, its size and language: the same view's brief
    asked again, or by several users at once, is drawn once."""
    from plotly.io.json import to_json_plotly

    digest = hashlib.sha256(to_json_plotly(figure).encode()).hexdigest()
    return model.view_memo(
        ("map-png", digest, width, height, lang),
        lambda: map_png(inline_geometry(figure, model_geojson(model)), width, height, lang=lang),
    )


@dataclass(frozen=True)
class Brief:
    """What the one-page brief says, every text already in `lang`.

    headline: key figures, the most important first (its leading number is set in bold);
    scenario: what a scenario adds (empty: no scenario box);
    map_png: the map image, or None for a framed "map unavailable" box;
    table_columns / table_rows: the ranked areas (at most 10 rows and 6 columns are shown);
    date: ISO date of the figures; url: the shareable link to this view.
    """

    lang: str
    title: str
    subtitle: str = ""
    headline: Sequence[str] = ()
    scenario: Sequence[str] = ()
    map_png: bytes | None = None
    map_caption: str = ""
    table_columns: Sequence[str] = ()
    table_rows: Sequence[Sequence[str]] = ()
    table_title: str = ""  # default: "Las 10 áreas con mayor brecha"
    assumptions: Sequence[str] = ()
    sources: Sequence[str] = ()
    date: str = ""
    url: str = ""


MAX_ROWS, MAX_COLUMNS = 10, 6
MAX_ITEM_CHARS, MAX_CELL_CHARS, MAX_ITEMS = 600, 80, 40
SCALES = (1.0, 0.93, 0.86, 0.8)  # below 0.8 the small print (5.5 pt) stops being readable: cut instead
INK, MUTED, ACCENT, HEADER, RULE, SHADE = "#1d2733", "#5b6573", "#8a1538", "#23313f", "#c9ced6", "#f1f3f6"
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
# What to write when the font lacks a character (Helvetica covers only cp1252).
REPLACEMENTS = {"≥": ">=", "≤": "<=", "≠": "!=", "→": "->", "←": "<-", "−": "-", "\u2009": " ", "\u202f": "\u00a0"}

_fonts_lock = threading.Lock()
_fonts: tuple[str, str, Callable[[str], bool]] | None = None


def _register_fonts() -> tuple[str, str, Callable[[str], bool]]:
    """Regular and bold font names, and a test of whether a character has a glyph.

    A TrueType sans from the system when there is one (embedded, subset), else Helvetica.
    """
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            for regular, bold in FONT_CANDIDATES:
                if Path(regular).exists() and Path(bold).exists():
                    try:
                        pdfmetrics.registerFont(TTFont("Brief", regular))
                        pdfmetrics.registerFont(TTFont("Brief-Bold", bold))
                        pdfmetrics.registerFontFamily("Brief", normal="Brief", bold="Brief-Bold")
                        glyphs = set(pdfmetrics.getFont("Brief").face.charToGlyph)
                        glyphs &= set(pdfmetrics.getFont("Brief-Bold").face.charToGlyph)
                        _fonts = ("Brief", "Brief-Bold", lambda ch: ord(ch) in glyphs)
                        break
                    except Exception:  # noqa: BLE001 - a broken font file: try the next
                        continue
            else:

                def in_cp1252(ch: str) -> bool:
                    try:
                        ch.encode("cp1252")
                        return True
                    except UnicodeEncodeError:
                        return False

                _fonts = ("Helvetica", "Helvetica-Bold", in_cp1252)
        return _fonts


def _plain(text: object, limit: int = MAX_ITEM_CHARS) -> str:
    """Text the font can draw: NFC, no control characters, one line, at most `limit` chars."""
    _, _, has_glyph = _register_fonts()
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    out = []
    for ch in text:
        if ch in "\r\n\t":
            out.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        elif has_glyph(ch) or ch == " ":
            out.append(ch)
        else:
            replacement = REPLACEMENTS.get(ch, "?")
            out.append(replacement if all(has_glyph(c) or c == " " for c in replacement) else "?")
    text = re.sub(r" {2,}", " ", "".join(out)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _markup(text: str) -> str:
    return escape(text)


LEADING_FIGURE = re.compile(r"^([+\-−]?[\d][\d\s\u00a0.,]*(?:\s?%)?)(\s)")


def _headline_markup(text: str) -> str:
    match = LEADING_FIGURE.match(text)
    if not match:
        return _markup(text)
    figure = match.group(1)
    return f'<font color="{ACCENT}"><b>{_markup(figure)}</b></font>{_markup(text[len(figure):])}'


class _Styles:
    def __init__(self, scale: float):
        from reportlab.lib.colors import HexColor
        from reportlab.lib.styles import ParagraphStyle

        regular, bold, _ = _register_fonts()
        s = scale

        def style(name, size, font=regular, color=INK, leading=1.22, **kw):
            return ParagraphStyle(name, fontName=font, fontSize=size * s, leading=size * s * leading,
                                  textColor=HexColor(color), **kw)

        self.scale = scale
        self.title = style("title", 17, bold, "#ffffff", leading=1.15)
        self.subtitle = style("subtitle", 9.5, regular, "#dfe4ea")
        self.heading = style("heading", 9.5, bold, HEADER, spaceBefore=0)
        self.headline_first = style("headline1", 12, regular, INK, leading=1.25)
        self.headline = style("headline", 9.5, regular, INK)
        self.scenario = style("scenario", 9, regular, INK)
        self.caption = style("caption", 9, bold, INK)
        self.cell = style("cell", 7.8, regular, INK, leading=1.15)
        self.cell_right = style("cellr", 7.8, regular, INK, leading=1.15, alignment=2)
        self.cell_head = style("cellh", 7.3, bold, HEADER, leading=1.12)
        self.cell_head_right = style("cellhr", 7.3, bold, HEADER, leading=1.12, alignment=2)
        self.small_heading = style("smallh", 7.6, bold, HEADER)
        self.small = style("small", 6.9, regular, MUTED, leading=1.2)
        self.footer = style("footer", 7.2, regular, MUTED)
        self.unavailable = style("unavail", 12, bold, MUTED, alignment=1)


def _height(flowable, width: float) -> float:
    return flowable.wrap(width, 10_000)[1]


def _fit_text(text: str, style, width: float, budget: float, suffix: str = "…", markup=_markup):
    """The longest prefix of `text` (cut at a word) + `suffix` that fits in `budget` pt, or None."""
    from reportlab.platypus import Paragraph

    words = text.split(" ")
    lo, hi, best = 0, len(words), None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = " ".join(words[:mid]).rstrip(" ,;:") + suffix
        para = Paragraph(markup(candidate.strip()), style)
        if _height(para, width) <= budget:
            best, lo = para, mid + 1
        else:
            hi = mid - 1
    return best


def _fit_items(items: list[str], style, width: float, budget: float, lang: str, gap: float, markup=_markup) -> list:
    """Paragraphs for `items` within `budget` pt; what does not fit is cut with "…" and a count."""
    from reportlab.platypus import Paragraph

    out: list = []
    used = 0.0
    for i, item in enumerate(items):
        para = Paragraph(markup(item), style)
        h = _height(para, width) + (gap if out else 0)
        if used + h <= budget:
            out.append(para)
            used += h
            continue
        left = len(items) - i - 1
        suffix = "…" + (f" ({t(lang, 'brief.more', n=left)})" if left else "")
        room = budget - used - (gap if out else 0)
        cut = _fit_text(item, style, width, room, suffix, markup) if room > 0 else None
        if cut is not None:
            out.append(cut)
        elif out:  # no line left: mark the cut on the last item shown
            prev_room = budget - (used - _height(out[-1], width))
            prev = _fit_text(items[i - 1], style, width, prev_room, "… (" + t(lang, "brief.more", n=left + 1) + ")", markup)
            if prev is not None:
                out[-1] = prev
        break
    return out


NUMBER = re.compile(r"[<>+\-−]?\s?[\d][\d\s\u00a0.,]*\s?%?")


def _is_numeric_column(cells: list[str]) -> bool:
    """Mostly numbers (a few words such as "sin dato" may stand among them)."""
    filled = [c.strip() for c in cells if c.strip() and c.strip() != "…"]
    return bool(filled) and sum(bool(NUMBER.fullmatch(c)) for c in filled) >= 0.6 * len(filled)


def _column_widths(columns, rows, numeric, styles, width: float, pad: float) -> list[float]:
    """Column widths as a browser's automatic table layout would choose them.

    Each column needs at least its longest word (numbers: the whole number); it would like
    its whole text on one line (headers of number columns: on two). Spare room goes first
    towards those wishes, then to the widest text column.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def w(text: str, style) -> float:
        return stringWidth(text, style.fontName, style.fontSize)

    def longest_word(text: str, style) -> float:
        return max([w(x, style) for x in text.split()] + [0])

    need, wish = [], []
    for j, header in enumerate(columns):
        cells = [r[j] for r in rows]
        full = max([w(c, styles.cell) for c in cells] + [0])
        low = max([longest_word(header, styles.cell_head)] + [longest_word(c, styles.cell) for c in cells] + [10 * styles.scale])
        if numeric[j]:
            low = max(low, full)
            high = max(full, 0.55 * w(header, styles.cell_head))
        else:
            high = max(full, w(header, styles.cell_head))
        need.append(low + 2 * pad)
        wish.append(max(high, low) + 2 * pad)
    if sum(need) >= width:  # even the words do not fit: shrink all alike
        return [x * width / sum(need) for x in need]
    if sum(wish) >= width:
        share = (width - sum(need)) / (sum(wish) - sum(need))
        return [n + (h - n) * share for n, h in zip(need, wish)]
    widths = list(wish)
    text_cols = [j for j in range(len(widths)) if not numeric[j]]
    if text_cols:
        widths[max(text_cols, key=lambda j: wish[j])] += width - sum(wish)
    else:
        widths = [x + (width - sum(wish)) / len(widths) for x in widths]
    return widths


def _table(columns: list[str], rows: list[list[str]], styles: _Styles, width: float, max_rows: int | None = None):
    """The ranked table as a reportlab Table (numbers right-aligned), or None if empty."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Paragraph, Table, TableStyle

    if not columns and not rows:
        return None
    ncols = min(max([len(columns)] + [len(r) for r in rows]), MAX_COLUMNS)
    columns = (list(columns) + [""] * ncols)[:ncols]
    rows = [(list(r) + [""] * ncols)[:ncols] for r in rows]
    if max_rows is not None:
        dropped = len(rows) - max_rows
        rows = rows[:max_rows]
        if dropped > 0:
            rows.append(["…"] + [""] * (ncols - 1))
    numeric = [_is_numeric_column([r[j] for r in rows]) for j in range(ncols)]
    pad = 3 * styles.scale
    widths = _column_widths(columns, rows, numeric, styles, width, pad)
    data = [[Paragraph(_markup(c), styles.cell_head_right if numeric[j] else styles.cell_head) for j, c in enumerate(columns)]]
    for r in rows:
        data.append([Paragraph(_markup(c), styles.cell_right if numeric[j] else styles.cell) for j, c in enumerate(r)])
    table = Table(data, colWidths=widths, repeatRows=0)
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6 * styles.scale),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 * styles.scale),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, HexColor(HEADER)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, HexColor(RULE)),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
    ]
    for i in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, i), (-1, i), HexColor(SHADE)))
    table.setStyle(TableStyle(commands))
    return table


PAGE_MARGIN = 24.0
GUTTER = 16.0


def _section_blocks(brief: Brief, styles: _Styles, width: float, lang: str, budgets: dict[str, float] | None):
    """The right column: [(name, [flowables])], each section cut to its budget if given."""
    from reportlab.platypus import Paragraph, Spacer

    gap = 3 * styles.scale
    sections = []
    headline = [_plain(x) for x in brief.headline[:MAX_ITEMS] if _plain(x)]
    if headline:
        first = Paragraph(_headline_markup(headline[0]), styles.headline_first)
        rest = headline[1:]
        budget = None if budgets is None else budgets["headline"]
        blocks = [Paragraph(_markup(t(lang, "brief.key_figures")), styles.heading), Spacer(1, gap)]
        if budget is None:
            blocks += [first] + [Paragraph(_headline_markup(x), styles.headline) for x in rest]
        else:
            head_h = sum(_height(b, width) for b in blocks)
            if _height(first, width) + head_h <= budget:
                blocks.append(first)
                blocks += _fit_items(rest, styles.headline, width, budget - head_h - _height(first, width), lang, gap,
                                     markup=_headline_markup)
            else:
                blocks += _fit_items(headline, styles.headline, width, budget - head_h, lang, gap, markup=_headline_markup)
        sections.append(("headline", _spaced(blocks, gap)))
    scenario = [_plain(x) for x in brief.scenario[:MAX_ITEMS] if _plain(x)]
    if scenario:
        blocks = [Paragraph(_markup(t(lang, "brief.scenario")), styles.heading), Spacer(1, gap)]
        if budgets is None:
            blocks += [Paragraph(_headline_markup(x), styles.scenario) for x in scenario]
        else:
            head_h = sum(_height(b, width) for b in blocks)
            blocks += _fit_items(scenario, styles.scenario, width, budgets["scenario"] - head_h, lang, gap,
                                 markup=_headline_markup)
        sections.append(("scenario", _spaced(blocks, gap)))
    columns = [_plain(c, MAX_CELL_CHARS) for c in brief.table_columns]
    rows = [[_plain(c, MAX_CELL_CHARS) for c in r] for r in list(brief.table_rows)[:MAX_ROWS]]
    if rows:
        title = Paragraph(_markup(_plain(brief.table_title) or t(lang, "brief.top10")), styles.heading)
        table = _table(columns, rows, styles, width)
        if budgets is not None:
            room = budgets["table"] - _height(title, width) - gap
            keep = len(rows)
            while keep > 0 and _height(table, width) > room:
                keep -= 1
                table = _table(columns, rows, styles, width, max_rows=keep)
            if _height(table, width) > room:
                table = None
        sections.append(("table", [title, Spacer(1, gap)] + ([table] if table is not None else [])))
    return sections


def _spaced(blocks: list, gap: float) -> list:
    from reportlab.platypus import Spacer

    out = []
    for b in blocks:
        if out and not isinstance(b, Spacer) and not isinstance(out[-1], Spacer):
            out.append(Spacer(1, gap))
        out.append(b)
    return out


def _blocks_height(blocks: list, width: float) -> float:
    return sum(_height(b, width) for b in blocks)


def _water_fill(natural: dict[str, float], budget: float) -> dict[str, float]:
    """Budgets per section: each gets its natural height, the tallest are capped to share."""
    if sum(natural.values()) <= budget:
        return dict(natural)
    lo, hi = 0.0, max(natural.values())
    for _ in range(40):
        cap = (lo + hi) / 2
        if sum(min(h, cap) for h in natural.values()) > budget:
            hi = cap
        else:
            lo = cap
    return {k: min(h, lo) for k, h in natural.items()}


def _plan(brief: Brief) -> SimpleNamespace:
    """Where everything of the brief goes on the page (the same for `brief_pdf` and
    `brief_map_size`)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Paragraph

    lang = safe_lang(brief.lang)
    page_w, page_h = landscape(A4)
    m = PAGE_MARGIN
    inner_w = page_w - 2 * m
    map_w = inner_w * 0.6 - GUTTER / 2
    right_w = inner_w - map_w - GUTTER
    right_x = m + map_w + GUTTER

    image = None
    if brief.map_png:
        try:
            image = ImageReader(io.BytesIO(bytes(brief.map_png)))
            image.getSize()
        except Exception:  # noqa: BLE001 - a broken image reads as "map unavailable"
            image = None

    assumptions = [_plain(x) for x in brief.assumptions[:MAX_ITEMS] if _plain(x)]
    sources = [_plain(x) for x in brief.sources[:MAX_ITEMS] if _plain(x)]
    col_w = (inner_w - GUTTER) / 2

    chosen = None
    for scale in SCALES:
        styles = _Styles(scale)
        layout = _measure(brief, styles, lang, assumptions, sources, inner_w, col_w, right_w, page_h, m)
        if layout["fits"]:
            chosen = (styles, layout, False)
            break
    if chosen is None:
        styles = _Styles(SCALES[-1])
        chosen = (styles, _measure(brief, styles, lang, assumptions, sources, inner_w, col_w, right_w, page_h, m), True)
    styles, layout, cut = chosen

    # bottom block: assumptions | sources, cut to at most a fifth of the page
    bottom_budget = layout["bottom_budget"]
    bottom_cols = []
    for heading_key, items in (("brief.assumptions", assumptions), ("brief.sources", sources)):
        head = Paragraph(_markup(t(lang, heading_key)), styles.small_heading)
        body = _fit_items(items, styles.small, col_w, bottom_budget - _height(head, col_w) - 2, lang, 1.5 * styles.scale)
        bottom_cols.append([head] + body)
    bottom_h = max((_blocks_height(_spaced(c, 1.5 * styles.scale), col_w) for c in bottom_cols), default=0)

    footer_h = 12 * styles.scale
    band_h = layout["band_h"]
    body_top = page_h - m - band_h - 10 * styles.scale
    body_bottom = m + footer_h + 6 * styles.scale + (bottom_h + 8 * styles.scale if bottom_h else 0)
    body_h = body_top - body_bottom

    if cut:
        natural = {name: _blocks_height(blocks, right_w) for name, blocks in _section_blocks(brief, styles, right_w, lang, None)}
        gaps = 10 * styles.scale * max(len(natural) - 1, 0)
        budgets = _water_fill(natural, body_h - gaps)
        sections = _section_blocks(brief, styles, right_w, lang, budgets)
    else:
        sections = _section_blocks(brief, styles, right_w, lang, None)

    caption, caption_h = None, 0.0
    map_caption = _plain(brief.map_caption)
    if map_caption:
        cap = _fit_items([map_caption], styles.caption, map_w, 2.6 * styles.caption.leading, lang, 0)
        if cap:
            caption, caption_h = cap[0], _height(cap[0], map_w) + 4 * styles.scale
    return SimpleNamespace(
        lang=lang, page_w=page_w, page_h=page_h, m=m, inner_w=inner_w, map_w=map_w, right_w=right_w,
        right_x=right_x, col_w=col_w, image=image, styles=styles, layout=layout, bottom_cols=bottom_cols,
        bottom_h=bottom_h, footer_h=footer_h, band_h=band_h, body_top=body_top, body_bottom=body_bottom,
        sections=sections, caption=caption, caption_h=caption_h,
        box_top=body_top - caption_h, box_h=body_h - caption_h,
    )


def brief_map_size(brief: Brief, long_side: int = 1400) -> tuple[int, int]:
    """Pixel size (even numbers, longer side `long_side`) of a map image that fills the
    brief's map box exactly, given the brief's texts (its `map_png` is not needed).
    `BRIEF_MAP_SIZE` is the usual answer; this one follows long titles or sources."""
    plan = _plan(replace(brief, map_png=None))
    ratio = min(max(plan.map_w / max(plan.box_h, 1.0), 0.6), 2.5)
    if ratio >= 1:
        width, height = long_side, long_side / ratio
    else:
        width, height = long_side * ratio, long_side
    return int(round(width / 2) * 2), int(round(height / 2) * 2)


def brief_pdf(brief: Brief) -> bytes:
    """The brief as a one-page A4 landscape PDF (bytes).

    Layout: a title band; the map on the left (about 60 % of the width) with its caption;
    key figures, scenario and the top-10 table on the right; assumptions and sources in
    small type at the bottom; date, link and "made with" in the footer. Text is shrunk (down
    to 80 %) and then cut with "…" until it fits; the page count is always one. A map image
    of another shape than the box is scaled to fit it (see `brief_map_size`).
    """
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    plan = _plan(brief)
    lang, page_w, page_h, m, inner_w = plan.lang, plan.page_w, plan.page_h, plan.m, plan.inner_w
    map_w, right_w, right_x, col_w, image = plan.map_w, plan.right_w, plan.right_x, plan.col_w, plan.image
    styles, layout, bottom_cols, bottom_h = plan.styles, plan.layout, plan.bottom_cols, plan.bottom_h
    footer_h, band_h, body_top, body_bottom, sections = plan.footer_h, plan.band_h, plan.body_top, plan.body_bottom, plan.sections
    box_top, box_h = plan.box_top, plan.box_h

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h), invariant=True, pageCompression=1)
    canvas.setTitle(_plain(brief.title))
    canvas.setAuthor("Cobertura")
    canvas.setSubject(_plain(brief.subtitle))
    canvas.setCreator("Cobertura (reportlab)")

    # title band
    canvas.setFillColor(HexColor(HEADER))
    canvas.rect(m, page_h - m - band_h, inner_w, band_h, stroke=0, fill=1)
    canvas.setFillColor(HexColor(ACCENT))
    canvas.rect(m, page_h - m - band_h, 4 * styles.scale, band_h, stroke=0, fill=1)
    y = page_h - m - 7 * styles.scale
    for para in layout["band"]:
        h = _height(para, inner_w - 24)
        para.drawOn(canvas, m + 12, y - h)
        y -= h + 2 * styles.scale

    # map
    if plan.caption is not None:
        plan.caption.drawOn(canvas, m, body_top - plan.caption_h + 4 * styles.scale)
    canvas.setStrokeColor(HexColor(RULE))
    canvas.setLineWidth(0.6)
    if image is not None:
        iw, ih = image.getSize()
        ratio = min(map_w / iw, box_h / ih)
        w, h = iw * ratio, ih * ratio
        x0, y0 = m + (map_w - w) / 2, box_top - h
        canvas.drawImage(image, x0, y0, w, h)
        canvas.rect(x0, y0, w, h, stroke=1, fill=0)
    else:
        h = min(box_h, map_w / 1.4)
        canvas.setFillColor(HexColor(SHADE))
        canvas.rect(m, box_top - h, map_w, h, stroke=1, fill=1)
        para = Paragraph(_markup(t(lang, "brief.map_unavailable")), styles.unavailable)
        ph = _height(para, map_w - 20)
        para.drawOn(canvas, m + 10, box_top - h / 2 - ph / 2)

    # right column
    y = body_top
    for i, (_, blocks) in enumerate(sections):
        if i:
            y -= 5 * styles.scale
            canvas.setStrokeColor(HexColor(RULE))
            canvas.setLineWidth(0.5)
            canvas.line(right_x, y, right_x + right_w, y)
            y -= 5 * styles.scale
        for block in blocks:
            h = _height(block, right_w)
            if y - h < body_bottom - 0.5:  # never draw past the body (cannot happen once fitted)
                break
            block.drawOn(canvas, right_x, y - h)
            y -= h

    # assumptions and sources
    if bottom_h:
        top = m + footer_h + 6 * styles.scale + bottom_h
        canvas.setStrokeColor(HexColor(RULE))
        canvas.setLineWidth(0.5)
        canvas.line(m, top + 4 * styles.scale, m + inner_w, top + 4 * styles.scale)
        for j, col in enumerate(bottom_cols):
            y = top
            for block in _spaced(col, 1.5 * styles.scale):
                h = _height(block, col_w)
                block.drawOn(canvas, m + j * (col_w + GUTTER), y - h)
                y -= h

    # footer: date and link on the left, "made with" on the right
    canvas.setFont(styles.footer.fontName, styles.footer.fontSize)
    canvas.setFillColor(HexColor(MUTED))
    left = []
    if _plain(brief.date):
        left.append(f"{t(lang, 'brief.date')}: {_plain(brief.date, 40)}")
    url = _plain(brief.url, 2000)
    made_with = t(lang, "brief.made_with")
    made_w = stringWidth(made_with, styles.footer.fontName, styles.footer.fontSize)
    prefix = ("   ·   ".join(left) + "   ·   " if left else "") + f"{t(lang, 'brief.link')}: "
    room = inner_w - made_w - 20 - stringWidth(prefix, styles.footer.fontName, styles.footer.fontSize)
    shown = url
    while shown and stringWidth(shown, styles.footer.fontName, styles.footer.fontSize) > room:
        shown = shown[: max(len(shown) - 4, 0)]
    if shown != url:
        shown = shown[:-1] + "…" if shown else ""
    text = prefix + shown if url else "   ·   ".join(left)
    canvas.drawString(m, m, text)
    if url and re.match(r"^https?://", url):
        x0 = m + stringWidth(prefix, styles.footer.fontName, styles.footer.fontSize)
        x1 = x0 + stringWidth(shown, styles.footer.fontName, styles.footer.fontSize)
        canvas.linkURL(url, (x0, m - 2, x1, m + styles.footer.fontSize), relative=0)
    canvas.drawRightString(m + inner_w, m, made_with)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _measure(brief, styles, lang, assumptions, sources, inner_w, col_w, right_w, page_h, m) -> dict:
    """Heights of the parts at one scale, and whether everything fits uncut."""
    from reportlab.platypus import Paragraph

    band = []
    title = _plain(brief.title, 200)
    if title:
        band += _fit_items([title], styles.title, inner_w - 24, 2.3 * styles.title.leading, lang, 0)
    subtitle = _plain(brief.subtitle, 400)
    if subtitle:
        band += _fit_items([subtitle], styles.subtitle, inner_w - 24, 2.3 * styles.subtitle.leading, lang, 0)
    band_h = sum(_height(p, inner_w - 24) for p in band) + 2 * styles.scale * max(len(band) - 1, 0) + 14 * styles.scale
    bottom_budget = page_h / 5
    bottom_natural = 0.0
    for heading_key, items in (("brief.assumptions", assumptions), ("brief.sources", sources)):
        col = [Paragraph(_markup(t(lang, heading_key)), styles.small_heading)] + [Paragraph(_markup(x), styles.small) for x in items]
        bottom_natural = max(bottom_natural, _blocks_height(_spaced(col, 1.5 * styles.scale), col_w))
    footer_h = 12 * styles.scale
    body_top = page_h - m - band_h - 10 * styles.scale
    bottom_h = min(bottom_natural, bottom_budget)
    body_bottom = m + footer_h + 6 * styles.scale + (bottom_h + 8 * styles.scale if bottom_h else 0)
    sections = _section_blocks(brief, styles, right_w, lang, None)
    right_h = sum(_blocks_height(b, right_w) for _, b in sections) + 10 * styles.scale * max(len(sections) - 1, 0)
    fits = right_h <= body_top - body_bottom and bottom_natural <= bottom_budget
    return {"band": band, "band_h": band_h, "bottom_budget": bottom_budget, "fits": fits}
