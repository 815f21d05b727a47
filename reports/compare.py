"""Downloads of the scenario comparison, no Dash: the table (CSV/XLSX with a method sheet)
and the one-page A4 brief with two scenarios side by side (their maps and headline figures,
then the comparison of both with today's units). The maps are drawn as the brief's are
(`reports.brief.figure_png`: drawn in this process, offline); the page is laid
out with the brief's fonts and styles and never runs onto a second page.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd

from atlas.compare import Row, cell_text, column_label, screen_columns, units_text
from atlas.gaps import GapState, caveat_texts, view_words
from atlas.hours import mt, threshold_tag
from atlas.i18n import t
from atlas.model import Model
from atlas.plan import Scenario
from reports.brief import (
    ACCENT,
    HEADER,
    MUTED,
    RULE,
    SHADE,
    ExportError,
    _fit_items,
    _headline_markup,
    _height,
    _markup,
    _plain,
    _Styles,
    _table,
    figure_png,
)
from reports.gaps import method_rows
from reports.tables import csv_text, xlsx_bytes

SERVICES_OUT = ("upe", "fistrap", "pnp_trata", "cem", "sar", "chain")


# ----------------------------------------------------------------------------- tables


def comparison_frame(
    model: Model, gs: GapState, rows: list[Row], lang: str
) -> pd.DataFrame:
    """Every figure of the comparison, one row per scenario (raw numbers; unknown empty)."""
    records = []
    for r in rows:
        record = {
            t(lang, "compare.csv.slot"): r.slot,
            t(lang, "compare.col.name"): r.name,
            t(lang, "compare.col.units"): units_text(model, r.units, lang),
            t(lang, "compare.csv.n_units"): sum(r.units.values()),
            t(lang, "compare.col.cost"): r.cost,
        }
        for service in SERVICES_OUT:
            if service in r.people:
                record[column_label(model, f"people.{service}", lang, gs)] = round(
                    r.people[service], 1
                )
                children = r.children.get(service)
                record[column_label(model, f"children.{service}", lang, gs)] = (
                    None if children is None else round(children, 1)
                )
        record[column_label(model, "pct_beyond", lang, gs)] = (
            None if not math.isfinite(r.pct_beyond) else round(r.pct_beyond, 2)
        )
        record[column_label(model, "cost_per_child", lang, gs)] = (
            None if r.cost_per_child is None else round(r.cost_per_child, 2)
        )
        record[t(lang, "compare.csv.concentration")] = r.concentration
        record[t(lang, "compare.csv.concentration_change")] = r.concentration_change
        record[t(lang, "compare.csv.places")] = "; ".join(
            f"{u.service}:{u.place} {u.name}" for u in r.scenario.units
        )
        records.append(record)
    return pd.DataFrame(records)


def comparison_csv(model: Model, gs: GapState, rows: list[Row], lang: str) -> str:
    return csv_text(comparison_frame(model, gs, rows, lang))


def comparison_xlsx(model: Model, gs: GapState, rows: list[Row], lang: str) -> bytes:
    method_sheet = t(lang, "gaps.export.method_sheet")
    method = method_rows(model, gs, lang) + [
        (t(lang, "compare.title"), mt(lang, gs, "compare.note"))
    ]
    return xlsx_bytes(
        {
            t(lang, "compare.sheet"): comparison_frame(model, gs, rows, lang),
            method_sheet: pd.DataFrame(method),
        },
        headerless=(method_sheet,),
    )


def file_name(gs: GapState, extension: str) -> str:
    return f"cobertura-comparacion-{gs.service}-{threshold_tag(gs)}-{gs.focus or 'pe'}.{extension}"


# ------------------------------------------------------------------------------ brief

A4_LANDSCAPE = (841.89, 595.28)
MARGIN, GUTTER = 24.0, 16.0
MAP_BOX_H = 215.0
MAP_PX = (1400, 770)
# the table and the method note shrink together to share the room; below 0.8 the small
# print is unreadable and the note is cut instead
BOTTOM_SCALES = (0.9, 0.86, 0.8)
MAX_NOTE_CHARS = 3000
NOTE_GAP = 8.0  # between the table and the note


def scenario_lines(
    model: Model, gs: GapState, scenario: Scenario, lang: str
) -> list[str]:
    """The headline of the gaps view with this scenario, and its units: the same words and
    numbers as the screen (reports.brief_content.headline_lines). The per-service lines of
    the one-scenario brief are left out: they count gains anywhere in Peru, the comparison
    table below counts them in the focus, and one page should not say two numbers."""
    from reports.brief_content import headline_lines

    headline, lines = headline_lines(model, gs, scenario, lang)
    if not scenario.units:
        return headline
    return lines[:1] + headline + lines[-1:]


def comparison_pdf(
    model: Model,
    gs: GapState,
    chosen: list[tuple[str, Scenario]],
    rows: list[Row],
    slots: list[str],
    lang: str,
    figures: list[dict | None],
) -> tuple[bytes, str | None]:
    """The one-page brief (PDF bytes) for two scenarios, and the locale key of a map that
    could not be drawn (None when both are in). `figures`: each scenario's gaps map
    (`views.gaps.gap_figure`; None: a framed "map unavailable" box)."""
    images: list[bytes | None] = []
    problem = None
    for figure in figures:
        png = None
        if figure is not None:
            try:
                png = figure_png(model, figure, *MAP_PX, lang=lang)
            except ExportError as err:
                problem = err.key
        images.append(png)
    by_slot = {r.slot: r for r in rows}
    picked = [by_slot[s] for s in slots if s in by_slot]
    base = by_slot.get("base")
    table_rows = [base] + [r for r in picked if r.slot != "base"] if base else picked
    keys = [k for k in screen_columns(gs) if k != "name"]
    columns = [t(lang, "compare.col.name")] + [r.name for r in table_rows]
    cells = [
        [column_label(model, k, lang, gs)]
        + [cell_text(model, r, k, lang) for r in table_rows]
        for k in keys
    ]
    return _draw(model, gs, chosen, images, columns, cells, lang), problem


def _draw(model, gs, chosen, images, columns, cells, lang) -> bytes:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    styles = _Styles(0.9)
    page_w, page_h = A4_LANDSCAPE
    inner_w = page_w - 2 * MARGIN
    col_w = (inner_w - GUTTER) / 2
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4_LANDSCAPE, invariant=True, pageCompression=1)
    title = t(lang, "compare.brief_title")
    subtitle = mt(lang, gs, "compare.brief_subtitle", **view_words(model, gs, lang))
    canvas.setTitle(_plain(title))
    canvas.setAuthor("Cobertura")
    canvas.setSubject(_plain(subtitle))

    # title band
    band = _fit_items([_plain(title, 200)], styles.title, inner_w - 24, 30, lang, 0)
    band += _fit_items(
        [_plain(subtitle, 300)], styles.subtitle, inner_w - 24, 24, lang, 0
    )
    band_h = sum(_height(p, inner_w - 24) for p in band) + 14
    canvas.setFillColor(HexColor(HEADER))
    canvas.rect(MARGIN, page_h - MARGIN - band_h, inner_w, band_h, stroke=0, fill=1)
    canvas.setFillColor(HexColor(ACCENT))
    canvas.rect(MARGIN, page_h - MARGIN - band_h, 4, band_h, stroke=0, fill=1)
    y = page_h - MARGIN - 7
    for para in band:
        h = _height(para, inner_w - 24)
        para.drawOn(canvas, MARGIN + 12, y - h)
        y -= h + 2
    top = page_h - MARGIN - band_h - 8

    # two scenarios side by side: name, map, headline figures
    lines_h = 74.0
    for i, ((name, scenario), png) in enumerate(zip(chosen, images)):
        x = MARGIN + i * (col_w + GUTTER)
        y = top
        heading = Paragraph(_markup(_plain(name, 80)), styles.heading)
        h = _height(heading, col_w)
        heading.drawOn(canvas, x, y - h)
        y -= h + 3
        canvas.setStrokeColor(HexColor(RULE))
        canvas.setLineWidth(0.6)
        if png is not None:
            image = ImageReader(io.BytesIO(png))
            iw, ih = image.getSize()
            ratio = min(col_w / iw, MAP_BOX_H / ih)
            w, hh = iw * ratio, ih * ratio
            canvas.drawImage(image, x + (col_w - w) / 2, y - hh, w, hh)
            canvas.rect(x + (col_w - w) / 2, y - hh, w, hh, stroke=1, fill=0)
        else:
            canvas.setFillColor(HexColor(SHADE))
            canvas.rect(x, y - MAP_BOX_H, col_w, MAP_BOX_H, stroke=1, fill=1)
            para = Paragraph(
                _markup(t(lang, "brief.map_unavailable")), styles.unavailable
            )
            para.drawOn(
                canvas, x + 10, y - MAP_BOX_H / 2 - _height(para, col_w - 20) / 2
            )
        y -= MAP_BOX_H + 5
        items = [_plain(x_) for x_ in scenario_lines(model, gs, scenario, lang)] or [
            t(lang, "compare.no_units")
        ]
        for para in _fit_items(
            items, styles.scenario, col_w, lines_h, lang, 2, markup=_headline_markup
        ):
            h = _height(para, col_w)
            para.drawOn(canvas, x, y - h)
            y -= h + 2
    y = top - 14 - MAP_BOX_H - 5 - lines_h - 6

    # the comparison with today's units
    canvas.setStrokeColor(HexColor(RULE))
    canvas.line(MARGIN, y, MARGIN + inner_w, y)
    y -= 4
    heading = Paragraph(_markup(t(lang, "compare.brief_table")), styles.small_heading)
    h = _height(heading, inner_w)
    heading.drawOn(canvas, MARGIN, y - h)
    y -= h + 2
    # the method note and the table share what is left above the footer: the whole note is
    # kept (its last words are the caveats), and both shrink together to make room before
    # the note is ever cut
    notes = " ".join([mt(lang, gs, "compare.note")] + caveat_texts(gs, lang))
    note_bottom = MARGIN + 10
    for scale in BOTTOM_SCALES:
        small = _Styles(scale)
        note = [Paragraph(_markup(_plain(notes, MAX_NOTE_CHARS)), small.small)]
        note_h = _height(note[0], inner_w)
        table = _table(columns, cells, small, inner_w)
        room = y - note_bottom - note_h - NOTE_GAP
        table_h = 0.0 if table is None else table.wrap(inner_w, room)[1]
        if table_h <= room:
            break
    else:  # even at the smallest type: the table keeps its place, the note is cut to the rest
        room = y - note_bottom - NOTE_GAP - table_h
        note = _fit_items(
            [_plain(notes, MAX_NOTE_CHARS)], small.small, inner_w, room, lang, 0
        )
        note_h = sum(_height(p, inner_w) for p in note)
    if table is not None and table_h <= y - note_bottom:
        table.drawOn(canvas, MARGIN, y - table_h)

    # assumptions and footer
    yy = note_bottom + note_h
    for para in note:
        h = _height(para, inner_w)
        para.drawOn(canvas, MARGIN, yy - h)
        yy -= h
    canvas.setFont(styles.footer.fontName, styles.footer.fontSize)
    canvas.setFillColor(HexColor(MUTED))
    canvas.drawString(
        MARGIN, MARGIN, f"{t(lang, 'brief.date')}: {dt.date.today().isoformat()}"
    )
    canvas.drawRightString(MARGIN + inner_w, MARGIN, t(lang, "brief.made_with"))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
