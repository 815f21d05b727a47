"""Descargar resumen: the one-page brief (PDF) and the gap map (PNG) of the current view.

Made on this server with the system Chromium (kaleido) and reportlab: no network. The PDF
holds the map, the headline figures, the scenario, the top-10 areas, the assumptions, the
sources, the date and the link that reproduces the view. If the map cannot be drawn, the
PDF is still made, with a framed "map unavailable" box, and the user is told why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from dash import ALL, Input, Output, State, ctx, dcc, no_update

from callbacks import ids
from callbacks.brief import Brief, ExportError, brief_map_size, brief_pdf, inline_geometry, map_png, model_geojson
from callbacks.gaps import GapState, caveats, gap_state, gap_update, report_for, service_label
from callbacks.i18n import fmt_km, fmt_number, pick, safe_lang, t
from callbacks.model import MapState, Model
from callbacks.plan import Scenario, all_gains, scenario_from
from callbacks.url_state import ViewState, query_from_view

TABLE = (
    ("rank", 0),
    ("name", None),
    ("rural_population", 0),
    ("pct_rural_beyond", 1),
    ("median_km", 0),
    ("gap_index", 1),
)
SOURCE_LAYERS = ("centros_poblados", "population", "poverty2018", "migration", "cem_cases")


def headline_lines(model: Model, gs: GapState, scenario: Scenario, lang: str) -> tuple[list[str], list[str]]:
    """(headline, scenario lines) as plain text, from the same figures as the screen."""
    from analysis.gaps import totals
    from analysis.scenario import scenario_km

    km_array = scenario_km(model.coverage, scenario.units, gs.service) if scenario.units else None
    view = report_for(model, gs, km_array)
    tot = totals(view)
    where = model.geo.focus_name(gs.focus) if gs.focus else t(lang, "gaps.peru")
    label = service_label(model, gs.service, lang)
    km = fmt_number(gs.km, 0, lang)
    headline = [
        fmt_number(tot["rural_beyond"], 0, lang)
        + " "
        + t(
            lang,
            "gaps.headline",
            pct=fmt_number(tot["pct_rural_beyond"], 1, lang),
            km=km,
            service=label,
            where=where,
            centres=fmt_number(tot["rural_centres_beyond"], 0, lang),
        )
    ]
    if gs.service == "chain":
        headline.append(t(lang, "gaps.headline_chain", pct=fmt_number(tot["pct_population_within"], 1, lang), km=km))
    lines: list[str] = []
    if km_array is not None:
        base = totals(report_for(model, gs, None))
        lines.append(
            t(
                lang,
                "plan.headline",
                gain=fmt_number(base["rural_beyond"] - tot["rural_beyond"], 0, lang),
                km=km,
                where=where,
                before=fmt_number(base["pct_rural_beyond"], 1, lang),
                after=fmt_number(tot["pct_rural_beyond"], 1, lang),
            )
        )
    if scenario.units:
        gains = all_gains(model, scenario.units, gs.km)
        for service in dict.fromkeys(u.service for u in scenario.units):
            n = sum(1 for u in scenario.units if u.service == service)
            gain = sum(g for u, g in zip(scenario.units, gains) if u.service == service)
            cost = scenario.costs.get(service)
            text = t(
                lang,
                "brief.scenario_line",
                service=pick(model.catalog.layer(service).short, lang),
                n=n,
                gain=fmt_number(gain, 0, lang),
                km=km,
            )
            if cost is not None and gain > 0:
                text += " " + t(
                    lang,
                    "brief.scenario_cost",
                    total=fmt_number(cost * n, 0, lang),
                    per=fmt_number(cost * n / gain, 1, lang),
                )
            lines.append(text)
        names = "; ".join(f"{pick(model.catalog.layer(u.service).short, lang)} {u.name}" for u in scenario.units)
        lines.append(t(lang, "brief.scenario_units", units=names))
    return headline, lines


def top_rows(model: Model, gs: GapState, scenario: Scenario, lang: str) -> tuple[list[str], list[list[str]]]:
    from analysis.scenario import scenario_km

    km_array = scenario_km(model.coverage, scenario.units, gs.service) if scenario.units else None
    view = report_for(model, gs, km_array).sort_values(["rank"], na_position="last").head(10)
    columns = [t(lang, f"gaps.col.{c}") for c, _ in TABLE]
    rows = []
    for _, row in view.iterrows():
        cells = []
        for column, places in TABLE:
            value = row[column]
            if places is None:
                cells.append(str(value))
            elif column == "median_km":
                cells.append("" if value != value else fmt_km(value, lang))
            else:
                cells.append("" if value != value else fmt_number(value, places, lang))
        rows.append(cells)
    return columns, rows


def sources(model: Model, gs: GapState, lang: str) -> list[str]:
    out = []
    for layer_id in SOURCE_LAYERS + tuple(gs.members):
        if model.catalog.available(layer_id):
            prov = model.catalog.layer(layer_id).provenance
            out.append(f"{pick(prov.source, lang)} ({prov.year}; {pick(prov.licence, lang)})")
    return out


def gap_figure(model: Model, gs: GapState, scenario: Scenario, lang: str) -> dict:
    figure = gap_update(model, gs, None, 0, [], lang, "/", scenario)[0]
    return inline_geometry(figure, model_geojson(model))


def make_brief(model: Model, gs: GapState, scenario: Scenario, lang: str, link: str, with_map: bool = True,
               progress=None):
    """The PDF bytes and the locale key of a map problem (None when the map is in).

    `link` is the address that reproduces the view ("" leaves it out); `progress(percent,
    step_key)`, when given, is told where the work is."""
    progress = progress or (lambda percent, key: None)
    progress(10, "brief.step.figures")
    headline, scenario_lines = headline_lines(model, gs, scenario, lang)
    columns, rows = top_rows(model, gs, scenario, lang)
    where = model.geo.focus_name(gs.focus) if gs.focus else t(lang, "focus.national")
    brief = Brief(
        lang=lang,
        title=t(lang, "brief.title"),
        subtitle=t(
            lang,
            "brief.subtitle",
            service=service_label(model, gs.service, lang),
            km=fmt_number(gs.km, 0, lang),
            level=t(lang, f"level.{gs.level}"),
            where=where,
        ),
        headline=headline,
        scenario=scenario_lines,
        map_caption=t(
            lang,
            "gaps.map_title_pct" if gs.colour == "pct" else "gaps.map_title_index",
            km=fmt_number(gs.km, 0, lang),
            service=service_label(model, gs.service, lang),
        ),
        table_columns=columns,
        table_rows=rows,
        assumptions=[li.children for li in caveats(model, gs, lang)] + [t(lang, "gaps.formula")],
        sources=sources(model, gs, lang),
        date=dt.date.today().isoformat(),
        url=link,
    )
    problem = None
    if with_map:
        progress(35, "brief.step.map")
        try:
            brief = replace(
                brief, map_png=map_png(gap_figure(model, gs, scenario, lang), *brief_map_size(brief), lang=lang)
            )
        except ExportError as err:
            problem = err.key
    progress(85, "brief.step.pdf")
    return brief_pdf(brief), problem


def file_name(gs: GapState, kind: str, extension: str) -> str:
    return f"cobertura-{kind}-{gs.service}-{int(gs.km)}km-{gs.level}-{gs.focus or 'pe'}.{extension}"


def register(app, model: Model) -> None:
    if model.coverage is None:
        return

    public_url = getattr(app, "cobertura_settings", None) and app.cobertura_settings.public_url

    @app.callback(
        Output(ids.BRIEF_DOWNLOAD, "data"),
        Output(ids.BRIEF_NOTICE, "children"),
        Input(ids.BRIEF_PDF, "n_clicks"),
        Input(ids.BRIEF_PNG, "n_clicks"),
        State(ids.GAP_SERVICE, "value"),
        State(ids.GAP_KM, "value"),
        State(ids.GAP_LEVEL, "value"),
        State(ids.GAP_FOCUS, "value"),
        State(ids.GAP_COLOUR, "value"),
        State({"type": ids.GAP_WEIGHT, "component": ALL}, "value"),
        State(ids.SCENARIO, "data"),
        State(ids.LANG, "value"),
        background=True,  # rendered off the request threads, a few at once (atlas.jobs)
        interval=500,
        progress=[Output(ids.BRIEF_PROGRESS, "value"), Output(ids.BRIEF_PROGRESS, "label")],
        running=[
            (Output(ids.BRIEF_PDF, "disabled"), True, False),
            (Output(ids.BRIEF_PNG, "disabled"), True, False),
            (Output(ids.BRIEF_PROGRESS, "style"), {"display": "flex"}, {"display": "none"}),
        ],
        prevent_initial_call=True,
    )
    def download(set_progress, pdf_clicks, png_clicks, service, km, level, focus, colour, weights, scenario_data, lang):
        lang = safe_lang(lang)

        def progress(percent: int, key: str) -> None:
            set_progress((percent, t(lang, key)))

        gs, _ = gap_state(model, service, km, level, focus, colour, weights)
        scenario, _ = scenario_from(model, scenario_data)
        if ctx.triggered_id == ids.BRIEF_PNG:
            progress(30, "brief.step.map")
            try:
                png = map_png(gap_figure(model, gs, scenario, lang), 1600, 1200, lang=lang)
            except ExportError as err:
                return no_update, t(lang, err.key)
            return dcc.send_bytes(png, file_name(gs, "mapa" if lang == "es" else "map", "png")), None
        link = brief_link(public_url, lang, gs, scenario)
        pdf, problem = make_brief(model, gs, scenario, lang, link, progress=progress)
        return (
            dcc.send_bytes(pdf, file_name(gs, "resumen" if lang == "es" else "brief", "pdf")),
            t(lang, problem) if problem else None,
        )


def brief_link(public_url: str | None, lang: str, gs: GapState, scenario: Scenario) -> str:
    """The link printed in the brief: the configured public address (COBERTURA_PUBLIC_URL)
    plus the view's query, or "" when no address is configured. Never the request's Host."""
    if not public_url:
        return ""
    view = ViewState(lang=lang, map=MapState(), tab="gaps", gaps=gs, scenario=scenario.record())
    return public_url.rstrip("/") + "/" + query_from_view(view)
