"""Descargar resumen: the one-page brief (PDF) and the gap map (PNG) of the current view.

Made on this server with Pillow and reportlab: no browser, no network. The PDF
holds the map, the headline figures, the scenario, the top-10 areas, the assumptions, the
sources, the date and the link that reproduces the view. If the map cannot be drawn, the
PDF is still made, with a framed "map unavailable" box, and the user is told why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from atlas import left_out
from atlas.gaps import (
    GapState,
    GapView,
    caveat_texts,
    compute,
    service_label,
    view_words,
)
from atlas.headline import headline as gap_headline
from atlas.hours import fmt_hours, mt, threshold_tag, with_median
from atlas.i18n import fmt_km, fmt_number, pick, t
from atlas.model import MapState, Model
from atlas.plan import Scenario, service_totals
from atlas.url import ViewState, query_from_view
from reports.brief import (
    Brief,
    ExportError,
    brief_map_size,
    brief_pdf,
    figure_png,
)

TABLE = (
    ("rank", 0),
    ("name", None),
    ("rural_population", 0),
    ("pct_rural_beyond", 1),
    ("rural_children_beyond", 0),
    ("median_km", 0),
    ("gap_index", 1),
)
SOURCE_LAYERS = ("centros_poblados", "population", "poverty2018", "migration", "cem_cases")


def headline_lines(
    model: Model, gs: GapState, scenario: Scenario, lang: str, computed: GapView | None = None
) -> tuple[list[str], list[str]]:
    """(headline, scenario lines) as plain text, from the same figures and words as the screen."""
    computed = computed or compute(model, gs, scenario)
    words = gap_headline(model, gs, computed, lang)
    headline = [f"{words.lead} {words.text}" if words.known else words.text] + ([words.chain] if words.chain else [])
    headline += left_out.equity_sentences(left_out.equity(model, gs, left_out.reach_for(model, gs, scenario)), lang)
    lines: list[str] = [words.change] if words.change else []
    km = fmt_number(gs.km, 0, lang)
    for total in service_totals(scenario, computed.gains):
        text = mt(
            lang,
            gs,
            "brief.scenario_line",
            service=pick(model.catalog.layer(total.service).short, lang),
            n=total.units,
            gain=fmt_number(total.gain, 0, lang),
            km=km,
        )
        if total.per_person is not None:
            text += " " + t(
                lang,
                "brief.scenario_cost",
                total=fmt_number(total.total, 0, lang),
                per=fmt_number(total.per_person, 1, lang),
            )
        lines.append(text)
    if scenario.units:
        names = "; ".join(f"{pick(model.catalog.layer(u.service).short, lang)} {u.name}" for u in scenario.units)
        lines.append(t(lang, "brief.scenario_units", units=names))
    return headline, lines


def top_rows(
    model: Model, gs: GapState, scenario: Scenario, lang: str, computed: GapView | None = None
) -> tuple[list[str], list[list[str]]]:
    computed = computed or compute(model, gs, scenario)
    view = computed.view.sort_values(["rank"], na_position="last").head(10)
    table = with_median(gs, TABLE)
    columns = [mt(lang, gs, f"gaps.col.{c}") for c, _ in table]
    rows = []
    for _, row in view.iterrows():
        cells = []
        for column, places in table:
            value = row[column]
            if column == "rank" and row.get("rank_label"):  # "3 (2–6)", * when the top-10 place is uncertain
                cells.append(row["rank_label"] + ("\u00a0*" if row.get("top10_uncertain") else ""))
            elif places is None:
                cells.append(str(value))
            elif column == "median_hours":
                cells.append(fmt_hours(value, lang))
            elif column == "median_km":
                cells.append("" if value != value else fmt_km(value, lang))
            else:
                cells.append("" if value != value else fmt_number(value, places, lang))
        rows.append(cells)
    return columns, rows


def uncertain_line(computed: GapView, lang: str) -> list[str]:
    """The areas of the view whose top-10 place depends on the poverty assumption."""
    names = left_out.uncertain_names(computed.view)
    return [t(lang, "left_out.rank_uncertain", names=", ".join(names))] if names else []


def sources(model: Model, gs: GapState, lang: str) -> list[str]:
    out = []
    for layer_id in SOURCE_LAYERS + tuple(gs.members):
        if model.catalog.available(layer_id):
            prov = model.catalog.layer(layer_id).provenance
            out.append(f"{pick(prov.source, lang)} ({prov.year}; {pick(prov.licence, lang)})")
    return out


def make_brief(model: Model, gs: GapState, scenario: Scenario, lang: str, link: str, figure: dict | None = None,
               progress=None, computed: GapView | None = None):
    """The PDF bytes and the locale key of a map problem (None when the map is in).

    `link` is the address that reproduces the view ("" leaves it out); `figure`, the gaps
    map (`views.gaps.gap_figure`; None: a brief without a map); `progress(percent,
    step_key)`, when given, is told where the work is; `computed`, the view's figures
    (computed here when not given: once for the whole brief)."""
    progress = progress or (lambda percent, key: None)
    progress(10, "brief.step.figures")
    computed = computed or compute(model, gs, scenario)
    headline, scenario_lines = headline_lines(model, gs, scenario, lang, computed)
    columns, rows = top_rows(model, gs, scenario, lang, computed)
    brief = Brief(
        lang=lang,
        title=t(lang, "brief.title"),
        subtitle=mt(
            lang,
            gs,
            "brief.subtitle",
            level=t(lang, f"level.{gs.level}"),
            **view_words(model, gs, lang),
        ),
        headline=headline,
        scenario=scenario_lines,
        map_caption=mt(
            lang,
            gs,
            "gaps.map_title_pct" if gs.colour == "pct" else "gaps.map_title_index",
            km=fmt_number(gs.km, 0, lang),
            service=service_label(model, gs.service, lang),
        ),
        table_columns=columns,
        table_rows=rows,
        assumptions=caveat_texts(gs, lang) + [t(lang, "gaps.formula"), t(lang, "left_out.rank_note")]
        + uncertain_line(computed, lang),
        sources=sources(model, gs, lang),
        date=dt.date.today().isoformat(),
        url=link,
    )
    problem = None
    if figure is not None:
        progress(35, "brief.step.map")
        try:
            brief = replace(brief, map_png=figure_png(model, figure, *brief_map_size(brief), lang=lang))
        except ExportError as err:
            problem = err.key
    progress(85, "brief.step.pdf")
    return brief_pdf(brief), problem


def file_name(gs: GapState, kind: str, extension: str) -> str:
    return f"cobertura-{kind}-{gs.service}-{threshold_tag(gs)}-{gs.level}-{gs.focus or 'pe'}.{extension}"


def brief_link(public_url: str | None, lang: str, gs: GapState, scenario: Scenario) -> str:
    """The link printed in the brief: the configured public address (COBERTURA_PUBLIC_URL)
    plus the view's query, or "" when no address is configured. Never the request's Host."""
    if not public_url:
        return ""
    view = ViewState(lang=lang, map=MapState(), tab="gaps", gaps=gs, scenario=scenario.record())
    return public_url.rstrip("/") + "/" + query_from_view(view)
