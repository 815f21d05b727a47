"""Brechas / Gaps: share of rural population beyond a distance from a service, ranked.

One callback computes the report for the chosen service, threshold, level and weights
(distances are cached in `Model.coverage`; a threshold change only re-aggregates) and
updates the gap map (whole figure when level/focus/language change, a Patch otherwise),
the headline and one page of the ranked table (sorting and paging are done here, so only
the visible rows travel). Exports hold every row of the view.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Input, Output, State, ctx, dash_table, dcc, html, no_update

from analysis.coverage import CHAIN, CHAIN_MEMBERS, GAP_LEVELS
from analysis.gap_index import COMPONENTS, DEFAULT_WEIGHTS, MAX_WEIGHT
from analysis.limits import THRESHOLD_KM
from analysis.gaps import gap_report, totals
from analysis.scenario import scenario_km

from callbacks import ids
from callbacks.i18n import DEFAULT_LANG, fmt_km, fmt_number, pick, safe_lang, t
from callbacks.map_figure import FIRST_SERVICE_TRACE, ValueSpec, build_figure, metric_patch, services_patch
from callbacks.exports import csv_text, safe_cell, xlsx_bytes  # noqa: F401  (safe_cell: part of this module's API)
from callbacks.plan import Scenario, all_gains, plan_card, scenario_frame, scenario_from, scenario_traces, summary, unit_list
from callbacks.layout import focus_options
from callbacks.validate import finite_number
from callbacks.model import NATIONAL, MapState, Model

DEFAULT_KM = 50.0
KM_MIN, KM_MAX = THRESHOLD_KM
PAGE_SIZE = 12
COLOURS = ("pct", "index")
MAX_SUGGESTED_PAGE = 10_000


@dataclass(frozen=True)
class GapState:
    service: str = "upe"
    km: float = DEFAULT_KM
    level: str = "department"
    focus: str = ""
    colour: str = "pct"
    weights: tuple[float, ...] = tuple(DEFAULT_WEIGHTS[c] for c in COMPONENTS)

    @property
    def weight_map(self) -> dict[str, float]:
        return dict(zip(COMPONENTS, self.weights))

    @property
    def members(self) -> tuple[str, ...]:
        return CHAIN_MEMBERS if self.service == CHAIN else (self.service,)


def gap_services(model: Model) -> tuple[str, ...]:
    if model.coverage is None:
        return ()
    return model.coverage.services


def gap_state(
    model: Model,
    service: object = None,
    km: object = None,
    level: object = None,
    focus: object = None,
    colour: object = None,
    weights: object = None,
) -> tuple[GapState, list[str]]:
    """A GapState from untrusted values, plus the names of what was out of range."""
    problems: list[str] = []
    services = gap_services(model)
    default = GapState()
    if service in (None, ""):
        service = default.service if default.service in services else (services[0] if services else "")
    elif service not in services:
        problems.append("service")
        service = default.service if default.service in services else (services[0] if services else "")
    if km in (None, ""):
        km = default.km
    else:
        number = finite_number(km)
        if number is None or not KM_MIN <= number <= KM_MAX:
            problems.append("km")
            number = default.km
        km = number
    if level in (None, ""):
        level = default.level
    elif level not in GAP_LEVELS:
        problems.append("level")
        level = default.level
    if focus in (None, "", NATIONAL):
        focus = ""
    elif not model.geo.is_focus(focus):
        problems.append("focus")
        focus = ""
    if colour in (None, ""):
        colour = default.colour
    elif colour not in COLOURS:
        problems.append("colour")
        colour = default.colour
    clean = list(default.weights)
    if weights not in (None, ""):
        if isinstance(weights, str):
            weights = weights.split(",")
        values = [finite_number(w) for w in weights] if isinstance(weights, (list, tuple)) else [None]
        if len(values) == len(COMPONENTS) and all(v is not None and 0 <= v <= MAX_WEIGHT for v in values):
            clean = values
        else:
            problems.append("weights")
    return GapState(service, float(km), level, focus, colour, tuple(clean)), problems


# --------------------------------------------------------------------------- report


def report_for(model: Model, gs: GapState, km: np.ndarray | None = None) -> pd.DataFrame:
    """Rows of the view (focus areas, in map order) with a rank within the view."""
    report = gap_report(model.coverage, gs.service, gs.km, gs.level, model.need[gs.level], gs.weight_map, km=km)
    codes = model.area_table(gs.level, gs.focus).index
    view = report.reindex(codes)
    view["national_rank"] = view["rank"]
    view["rank"] = view["gap_index"].rank(ascending=False, method="min")
    view["name"] = model.area_table(gs.level, gs.focus)["name"].reindex(codes)
    return view


def service_label(model: Model, service: str, lang: str) -> str:
    if service == CHAIN:
        return t(lang, "gaps.chain")
    return pick(model.catalog.layer(service).short, lang)


TEXT_COLUMNS = ["rural_population", "pct_rural_beyond", "rural_beyond", "median_km", "gap_index", "need"]


def area_text(row: dict, colour: str, lang: str) -> str:
    if row["rural_population"] == 0:
        return t(lang, "gaps.no_rural")
    if pd.isna(row["pct_rural_beyond"]):
        return t(lang, "value.no_data")
    base = t(
        lang,
        "gaps.hover",
        pct=fmt_number(row["pct_rural_beyond"], 1, lang),
        beyond=fmt_number(row["rural_beyond"], 0, lang),
        rural=fmt_number(row["rural_population"], 0, lang),
        median=fmt_km(row["median_km"], lang),
    )
    if colour == "index":
        return (
            t(
                lang,
                "gaps.hover_index",
                index=fmt_number(row["gap_index"], 1, lang),
                need=fmt_number(row["need"], 2, lang),
            )
            + "<br>"
            + base
        )
    return base


def gap_spec(model: Model, gs: GapState, view: pd.DataFrame, lang: str) -> ValueSpec:
    column = "pct_rural_beyond" if gs.colour == "pct" else "gap_index"
    frame = pd.DataFrame(
        {"value": view[column].to_numpy(float), "low": np.nan, "high": np.nan, "flag": ""}, index=view.index
    )
    label = service_label(model, gs.service, lang)
    km = fmt_number(gs.km, 0, lang)
    if gs.colour == "pct":
        title = t(lang, "gaps.map_title_pct", km=km, service=label)
        unit = t(lang, "gaps.unit_pct")
        scale = "YlOrRd"
    else:
        title = t(lang, "gaps.map_title_index", km=km, service=label)
        unit = t(lang, "gaps.unit_index")
        scale = "Reds"
    return ValueSpec(
        frame=frame,
        title=title,
        unit=unit,
        period="",
        decimals=1,
        colorscale=scale,
        from_zero=True,
        texts=[area_text(row, gs.colour, lang) for row in view[TEXT_COLUMNS].to_dict("records")],
    )


def map_state(gs: GapState) -> MapState:
    return MapState(level=gs.level, focus=gs.focus, services=gs.members)


def headline(model: Model, gs: GapState, view: pd.DataFrame, lang: str, baseline: pd.DataFrame | None = None):
    tot = totals(view)
    where = model.geo.focus_name(gs.focus) if gs.focus else t(lang, "gaps.peru")
    label = service_label(model, gs.service, lang)
    km = fmt_number(gs.km, 0, lang)
    if tot["areas_known"] == 0:
        return dbc.Alert(t(lang, "gaps.headline_unknown", service=label, where=where), color="secondary")
    parts = [
        html.P(
            [
                html.Strong(fmt_number(tot["rural_beyond"], 0, lang)),
                " ",
                t(
                    lang,
                    "gaps.headline",
                    pct=fmt_number(tot["pct_rural_beyond"], 1, lang),
                    km=km,
                    service=label,
                    where=where,
                    centres=fmt_number(tot["rural_centres_beyond"], 0, lang),
                ),
            ],
            className="lead mb-1",
        )
    ]
    if baseline is not None:
        base = totals(baseline)
        change = base["rural_beyond"] - tot["rural_beyond"]
        parts.append(
            html.P(
                t(
                    lang,
                    "plan.headline",
                    gain=fmt_number(change, 0, lang),
                    km=km,
                    where=where,
                    before=fmt_number(base["pct_rural_beyond"], 1, lang),
                    after=fmt_number(tot["pct_rural_beyond"], 1, lang),
                ),
                className="plan-change mb-1",
            )
        )
    if gs.service == CHAIN:
        parts.append(
            html.P(
                t(lang, "gaps.headline_chain", pct=fmt_number(tot["pct_population_within"], 1, lang), km=km),
                className="mb-1",
            )
        )
    if tot["areas_known"] < tot["areas"]:
        parts.append(
            html.P(
                t(lang, "gaps.partial", known=tot["areas_known"], total=tot["areas"]), className="small text-muted mb-1"
            )
        )
    return parts


def caveats(model: Model, gs: GapState, lang: str) -> list:
    items = [t(lang, "gaps.caveat_straight"), t(lang, "gaps.caveat_population")]
    for service in gs.members:
        key = f"gaps.caveat_{service}"
        if t(lang, key) != key:
            items.append(t(lang, key))
    if gs.service == "care":
        items.append(t(lang, "gaps.caveat_care"))
    return [html.Li(i) for i in items]


# ---------------------------------------------------------------------------- table

TABLE_COLUMNS = (
    ("rank", 0),
    ("name", None),
    ("code", None),
    ("rural_population", 0),
    ("pct_rural_beyond", 1),
    ("rural_beyond", 0),
    ("median_km", 0),
    ("rural_centres_beyond", 0),
    ("need", 2),
    ("poverty", 1),
    ("rural_share", 1),
    ("foreign_per_1000", 1),
    ("cem_per_10000", 1),
    ("gap_index", 1),
)


def table_columns(gs: GapState, lang: str) -> list[dict]:
    cols = list(TABLE_COLUMNS)
    if gs.service == CHAIN:
        cols.insert(7, ("pct_population_within", 1))
    return [{"name": t(lang, f"gaps.col.{c}"), "id": c} for c, _ in cols]


def sort_view(view: pd.DataFrame, sort_by: object) -> pd.DataFrame:
    frame = view.rename_axis(None).assign(code=view.index)
    column, ascending = "rank", True
    if isinstance(sort_by, list) and sort_by and isinstance(sort_by[0], dict):
        wanted = sort_by[0].get("column_id")
        if wanted in frame.columns:
            column, ascending = wanted, sort_by[0].get("direction") != "desc"
    return frame.sort_values([column, "code"], ascending=[ascending, True], na_position="last", kind="mergesort")


def table_page(view: pd.DataFrame, gs: GapState, page: object, sort_by: object, lang: str) -> tuple[list[dict], int]:
    ordered = sort_view(view, sort_by)
    pages = max(1, math.ceil(len(ordered) / PAGE_SIZE))
    page = page if isinstance(page, int) and 0 <= page < pages else 0
    rows = []
    decimals = dict(TABLE_COLUMNS) | {"pct_population_within": 1}
    for code, row in ordered.iloc[page * PAGE_SIZE : (page + 1) * PAGE_SIZE].iterrows():
        record = {"code": row["code"], "name": row["name"]}
        for column, places in decimals.items():
            if places is None:
                continue
            value = row.get(column)
            record[column] = "" if value is None or pd.isna(value) else fmt_number(value, places, lang)
        if row["rural_population"] == 0:
            record["pct_rural_beyond"] = t(lang, "gaps.no_rural_short")
        rows.append(record)
    return rows, pages


# --------------------------------------------------------------------------- export


def export_frame(model: Model, gs: GapState, view: pd.DataFrame, lang: str) -> pd.DataFrame:
    ordered = sort_view(view, None)
    columns = [c for c, _ in TABLE_COLUMNS]
    if gs.service == CHAIN:
        columns.insert(7, "pct_population_within")
    out = ordered[columns].copy()
    out.columns = [t(lang, f"gaps.col.{c}") for c in columns]
    return out


def method_rows(model: Model, gs: GapState, lang: str) -> list[tuple[str, str]]:
    rows = [
        (t(lang, "gaps.export.service"), service_label(model, gs.service, lang)),
        (t(lang, "gaps.export.threshold"), f"{fmt_number(gs.km, 0, lang)} km"),
        (t(lang, "gaps.export.level"), t(lang, f"level.{gs.level}")),
        (
            t(lang, "gaps.export.focus"),
            model.geo.focus_name(gs.focus) if gs.focus else t(lang, "focus.national"),
        ),
        (
            t(lang, "gaps.export.weights"),
            ", ".join(f"{t(lang, 'gaps.col.' + c)} {fmt_number(w, 1, lang)}" for c, w in gs.weight_map.items()),
        ),
        (t(lang, "gaps.export.date"), dt.date.today().isoformat()),
        (t(lang, "gaps.export.formula"), t(lang, "gaps.formula")),
    ]
    rows += [(t(lang, "gaps.export.caveat"), li.children) for li in caveats(model, gs, lang)]
    layers = ["centros_poblados", "population", "poverty2018", "migration", "cem_cases"] + [m for m in gs.members]
    for layer_id in layers:
        if model.catalog.available(layer_id):
            prov = model.catalog.layer(layer_id).provenance
            rows.append(
                (t(lang, "gaps.export.source"), f"{pick(prov.source, lang)} ({prov.year}); {pick(prov.licence, lang)}; {prov.url}")
            )
    return [(a, str(b)) for a, b in rows]


def export_csv(model: Model, gs: GapState, view: pd.DataFrame, lang: str) -> str:
    return csv_text(export_frame(model, gs, view, lang))


def export_xlsx(model: Model, gs: GapState, view: pd.DataFrame, lang: str, scenario: Scenario | None = None) -> bytes:
    method_sheet = t(lang, "gaps.export.method_sheet")
    sheets = {
        t(lang, "gaps.export.sheet"): export_frame(model, gs, view, lang),
        method_sheet: pd.DataFrame(method_rows(model, gs, lang)),
    }
    if scenario is not None and scenario.units:
        sheets[t(lang, "plan.export.sheet")] = scenario_frame(
            model, scenario, all_gains(model, scenario.units, gs.km), lang
        )
    return xlsx_bytes(sheets, headerless=(method_sheet,))


def scenario_xlsx(model: Model, gs: GapState, scenario: Scenario, lang: str) -> bytes:
    """The scenario's units (gain, cost, cost per person) and a sheet of method and sources."""
    method_sheet = t(lang, "gaps.export.method_sheet")
    sheets = {
        t(lang, "plan.export.sheet"): scenario_frame(model, scenario, all_gains(model, scenario.units, gs.km), lang),
        method_sheet: pd.DataFrame(method_rows(model, gs, lang)),
    }
    return xlsx_bytes(sheets, headerless=(method_sheet,))


def export_name(model: Model, gs: GapState, extension: str) -> str:
    focus = gs.focus or "pe"
    return f"cobertura-brechas-{gs.service}-{int(gs.km)}km-{gs.level}-{focus}.{extension}"


# ---------------------------------------------------------------------------- layout


def service_options(model: Model, lang: str) -> list[dict]:
    options = [
        {"label": pick(model.catalog.layer(s).title, lang), "value": s} for s in gap_services(model) if s != CHAIN
    ]
    if CHAIN in gap_services(model):
        options.append({"label": t(lang, "gaps.chain_long"), "value": CHAIN})
    return options


def brief_buttons(lang: str):
    return html.Div(
        [
            dbc.Button(
                t(lang, "brief.download_pdf"), id=ids.BRIEF_PDF, size="sm", color="primary", className="me-1 mt-2"
            ),
            dbc.Button(
                t(lang, "brief.download_png"),
                id=ids.BRIEF_PNG,
                size="sm",
                color="secondary",
                outline=True,
                className="mt-2",
            ),
            dbc.Progress(id=ids.BRIEF_PROGRESS, value=0, label="", className="mt-1", style={"display": "none"}),
            dcc.Download(id=ids.BRIEF_DOWNLOAD),
            html.Div(id=ids.BRIEF_NOTICE, className="small text-danger mt-1", **{"aria-live": "polite"}),
            html.P(t(lang, "brief.note"), className="small text-muted mt-1 mb-0"),
        ],
        className="no-print",
    )


def gaps_tab(model: Model, lang: str = DEFAULT_LANG, gs: GapState | None = None, scenario: Scenario | None = None):
    """The tab's content, rendered when first opened and again on a language change
    (with the user's current choices)."""
    if model.coverage is None:
        return dbc.Alert(t(lang, "gaps.unavailable"), color="warning")
    gs = gs or GapState()
    weight_inputs = []
    for component, value in zip(COMPONENTS, gs.weights):
        weight_inputs += [
            html.Label(t(lang, f"gaps.col.{component}"), className="small mb-0"),
            dcc.Slider(
                id={"type": ids.GAP_WEIGHT, "component": component},
                min=0,
                max=3,
                step=0.5,
                value=value,
                marks={0: "0", 1: "1", 2: "2", 3: "3"},
                className="mb-1",
            ),
        ]
    controls = dbc.Card(
        dbc.CardBody(
            [
                html.Label(t(lang, "gaps.service"), htmlFor=ids.GAP_SERVICE, className="form-label fw-semibold"),
                dbc.RadioItems(
                    id=ids.GAP_SERVICE, options=service_options(model, lang), value=gs.service, className="mb-3"
                ),
                html.Label(t(lang, "gaps.threshold"), htmlFor=ids.GAP_KM, className="form-label fw-semibold"),
                dcc.Slider(
                    id=ids.GAP_KM,
                    min=5,
                    max=300,
                    step=5,
                    value=gs.km,
                    marks={10: "10", 50: "50", 100: "100", 200: "200", 300: "300 km"},
                    tooltip={"placement": "bottom", "always_visible": False},
                    className="mb-3",
                ),
                html.Label(t(lang, "control.level"), htmlFor=ids.GAP_LEVEL, className="form-label fw-semibold"),
                dbc.RadioItems(
                    id=ids.GAP_LEVEL,
                    options=[{"label": t(lang, f"level.{lv}"), "value": lv} for lv in GAP_LEVELS],
                    value=gs.level,
                    className="mb-3",
                ),
                html.Label(t(lang, "control.focus"), htmlFor=ids.GAP_FOCUS, className="form-label fw-semibold"),
                dbc.Select(
                    id=ids.GAP_FOCUS,
                    options=focus_options(model, lang),
                    value=gs.focus or NATIONAL,
                    className="mb-3",
                ),
                html.Label(t(lang, "gaps.colour"), htmlFor=ids.GAP_COLOUR, className="form-label fw-semibold"),
                dbc.RadioItems(
                    id=ids.GAP_COLOUR,
                    options=[{"label": t(lang, f"gaps.colour.{c}"), "value": c} for c in COLOURS],
                    value=gs.colour,
                    className="mb-3",
                ),
                html.Fieldset(
                    [html.Legend(t(lang, "gaps.weights"), className="form-label fw-semibold fs-6")] + weight_inputs,
                ),
            ]
        ),
        className="controls h-100",
    )
    table_card = dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.H2(t(lang, "gaps.table_title"), className="h6 mb-0 me-auto"),
                        dbc.Button(
                            t(lang, "gaps.export_csv"),
                            id=ids.GAP_EXPORT_CSV,
                            size="sm",
                            color="secondary",
                            outline=True,
                            className="me-2 no-print",
                        ),
                        dbc.Button(
                            t(lang, "gaps.export_xlsx"),
                            id=ids.GAP_EXPORT_XLSX,
                            size="sm",
                            color="secondary",
                            outline=True,
                            className="no-print",
                        ),
                        dcc.Download(id=ids.GAP_DOWNLOAD),
                    ],
                    className="d-flex align-items-center mb-2",
                ),
                dash_table.DataTable(
                    id=ids.GAP_TABLE,
                    columns=table_columns(gs, lang),
                    data=[],
                    page_action="custom",
                    page_current=0,
                    page_size=PAGE_SIZE,
                    sort_action="custom",
                    sort_mode="single",
                    sort_by=[],
                    style_table={"overflowX": "auto"},
                    style_cell={
                        "fontFamily": "inherit",
                        "fontSize": "0.82rem",
                        "padding": "4px 6px",
                        "textAlign": "right",
                    },
                    style_cell_conditional=[{"if": {"column_id": "name"}, "textAlign": "left"}],
                    style_header={"fontWeight": "600", "whiteSpace": "normal", "height": "auto"},
                ),
                html.P(t(lang, "gaps.table_note"), className="small text-muted mt-2 mb-0"),
            ]
        ),
        className="mb-3",
    )
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(controls, lg=3, className="mb-3 no-print"),
                    dbc.Col(
                        dbc.Card(
                            [
                                dcc.Graph(
                                    id=ids.GAP_MAP,
                                    className="map-graph",
                                    config={
                                        "displaylogo": False,
                                        "scrollZoom": True,
                                        "locale": lang,
                                        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                    },
                                    figure={
                                        "data": [],
                                        "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}},
                                    },
                                ),
                            ],
                            className="map-card",
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        [
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        html.Div(id=ids.GAP_HEADLINE, **{"aria-live": "polite"}),
                                        html.Ul(id=ids.GAP_CAVEATS, className="small text-muted ps-3"),
                                        html.Details(
                                            [
                                                html.Summary(t(lang, "gaps.method_title")),
                                                html.P(t(lang, "gaps.formula"), className="small"),
                                            ],
                                            className="small",
                                        ),
                                        brief_buttons(lang),
                                    ]
                                ),
                                className="mb-3",
                            ),
                        ],
                        lg=3,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(plan_card(model, lang, gs.service, gs.focus, (scenario or Scenario()).costs), lg=4),
                    dbc.Col(table_card, lg=8),
                ],
                className="g-3",
            ),
            dcc.Store(id=ids.SCENARIO, data=(scenario or Scenario()).record()),
        ],
        lang=lang,
    )


def state_from_record(model: Model, record: object) -> GapState:
    """The choices kept in the drawn record (validated again: it comes from the browser)."""
    if not isinstance(record, dict) or not isinstance(record.get("values"), list) or len(record["values"]) != 4:
        return GapState()
    service, km, colour, weights = record["values"]
    gs, _ = gap_state(model, service, km, record.get("level"), record.get("focus"), colour, weights)
    return gs


# ------------------------------------------------------------------------- callbacks


def gap_update(
    model: Model,
    gs: GapState,
    drawn: object,
    page: object,
    sort_by: object,
    lang: str,
    prefix: str = "/",
    scenario: Scenario | None = None,
):
    """Everything the gaps view shows for one state and scenario.

    Returns (map figure or Patch or no_update, drawn record, headline, caveats, table rows,
    page count, table columns, scenario unit list, scenario summary).
    """
    scenario = scenario or Scenario()
    km = scenario_km(model.coverage, scenario.units, gs.service) if scenario.units else None
    view = report_for(model, gs, km)
    baseline = report_for(model, gs, None) if km is not None else None
    spec = gap_spec(model, gs, view, lang)
    gains = all_gains(model, scenario.units, gs.km)
    record = {
        "level": gs.level,
        "focus": gs.focus,
        "lang": lang,
        "values": [gs.service, gs.km, gs.colour, list(gs.weights)],
        "services": list(gs.members),
        "scenario": scenario.record()["units"],
        "plan": scenario.record(),
    }
    units_traces = scenario_traces(model, scenario.units, gains, gs.km, lang)
    if not isinstance(drawn, dict) or (drawn.get("level"), drawn.get("focus"), drawn.get("lang")) != (
        gs.level,
        gs.focus,
        lang,
    ):
        figure = build_figure(model, map_state(gs), lang, prefix, spec=spec)
        record["plan_trace"] = len(figure["data"])
        figure["data"].extend(units_traces)
    else:
        record["plan_trace"] = drawn.get("plan_trace")
        if drawn.get("values") == record["values"] and drawn.get("scenario") == record["scenario"]:
            figure = no_update
        else:
            figure = metric_patch(model, map_state(gs), lang, spec=spec)
            if drawn.get("services") != record["services"]:
                figure = services_patch(model, map_state(gs), figure)
            first = record["plan_trace"]
            if isinstance(first, int) and first >= FIRST_SERVICE_TRACE:
                for offset, trace in enumerate(units_traces):
                    for key in ("lat", "lon", "marker", "text", "customdata"):
                        if key in trace:
                            figure["data"][first + offset][key] = trace[key]
    rows, pages = table_page(view, gs, page, sort_by, lang)
    return (
        figure,
        record,
        headline(model, gs, view, lang, baseline),
        caveats(model, gs, lang),
        rows,
        pages,
        table_columns(gs, lang),
        unit_list(model, scenario, gains, lang),
        summary(model, scenario, gains, gs.km, lang),
    )


def register(app, model: Model) -> None:
    @app.callback(
        Output(ids.GAP_CONTAINER, "children"),
        Output(ids.GAP_RENDERED, "data"),
        Output(ids.GAP_DRAWN, "data", allow_duplicate=True),
        Input(ids.TABS, "active_tab"),
        Input(ids.LANG, "value"),
        State(ids.GAP_RENDERED, "data"),
        State(ids.GAP_DRAWN, "data"),
        State(ids.SCENARIO_SEED, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def render_gaps(active_tab, lang, rendered, drawn, seed):
        lang = safe_lang(lang)
        if active_tab != "gaps" or rendered == lang:
            return no_update, no_update, no_update
        # on a language switch, keep the scenario on screen; on first opening, the URL's
        current = drawn.get("plan") if isinstance(drawn, dict) and "plan" in drawn else seed
        scenario, _ = scenario_from(model, current)
        return gaps_tab(model, lang, state_from_record(model, drawn), scenario), lang, None

    if model.coverage is None:
        return

    @app.callback(
        Output(ids.GAP_MAP, "figure"),
        Output(ids.GAP_DRAWN, "data"),
        Output(ids.GAP_HEADLINE, "children"),
        Output(ids.GAP_CAVEATS, "children"),
        Output(ids.GAP_TABLE, "data"),
        Output(ids.GAP_TABLE, "page_count"),
        Output(ids.GAP_TABLE, "columns"),
        Output(ids.PLAN_UNITS, "children"),
        Output(ids.PLAN_SUMMARY, "children"),
        Input(ids.GAP_SERVICE, "value"),
        Input(ids.GAP_KM, "value"),
        Input(ids.GAP_LEVEL, "value"),
        Input(ids.GAP_FOCUS, "value"),
        Input(ids.GAP_COLOUR, "value"),
        Input({"type": ids.GAP_WEIGHT, "component": ALL}, "value"),
        Input(ids.GAP_TABLE, "page_current"),
        Input(ids.GAP_TABLE, "sort_by"),
        Input(ids.SCENARIO, "data"),
        State(ids.LANG, "value"),  # a language change re-renders the tab, which fires this
        State(ids.GAP_DRAWN, "data"),
    )
    def update_gaps(service, km, level, focus, colour, weights, page, sort_by, scenario_data, lang, drawn):
        gs, _ = gap_state(model, service, km, level, focus, colour, weights)
        scenario, _ = scenario_from(model, scenario_data)
        return gap_update(
            model, gs, drawn, page, sort_by, safe_lang(lang), app.config.requests_pathname_prefix, scenario
        )

    @app.callback(
        Output(ids.GAP_DOWNLOAD, "data"),
        Input(ids.GAP_EXPORT_CSV, "n_clicks"),
        Input(ids.GAP_EXPORT_XLSX, "n_clicks"),
        Input(ids.PLAN_EXPORT_XLSX, "n_clicks"),
        State(ids.GAP_SERVICE, "value"),
        State(ids.GAP_KM, "value"),
        State(ids.GAP_LEVEL, "value"),
        State(ids.GAP_FOCUS, "value"),
        State(ids.GAP_COLOUR, "value"),
        State({"type": ids.GAP_WEIGHT, "component": ALL}, "value"),
        State(ids.SCENARIO, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def export(csv_clicks, xlsx_clicks, plan_clicks, service, km, level, focus, colour, weights, scenario_data, lang):
        gs, _ = gap_state(model, service, km, level, focus, colour, weights)
        scenario, _ = scenario_from(model, scenario_data)
        lang = safe_lang(lang)
        if ctx.triggered_id == ids.PLAN_EXPORT_XLSX:  # the scenario's units, with the method
            return dcc.send_bytes(scenario_xlsx(model, gs, scenario, lang), f"cobertura-escenario-{int(gs.km)}km.xlsx")
        view = report_for(
            model, gs, scenario_km(model.coverage, scenario.units, gs.service) if scenario.units else None
        )
        if ctx.triggered_id == ids.GAP_EXPORT_XLSX:
            return dcc.send_bytes(export_xlsx(model, gs, view, lang, scenario), export_name(model, gs, "xlsx"))
        return dcc.send_string(export_csv(model, gs, view, lang), export_name(model, gs, "csv"), type="text/csv")
