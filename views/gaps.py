"""Brechas / Gaps: share of rural population beyond a distance from a service, ranked.

One callback computes the report for the chosen service, threshold, level and weights
(distances are cached in `Model.coverage`; a threshold change only re-aggregates) and
updates the gap map (whole figure when level/focus/language change, a Patch otherwise),
the headline and one page of the ranked table (sorting and paging are done here, so only
the visible rows travel). Exports hold every row of the view.
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dash_table, dcc, html, no_update

from analysis.coverage import CHAIN, GAP_LEVELS
from analysis.gap_index import COMPONENTS
from atlas import left_out
from atlas.gaps import (
    COLOURS,
    PAGE_SIZE,
    TABLE_COLUMNS,
    GapState,
    GapView,
    caveat_texts,
    compute,
    gap_services,
    map_state,
    page_key,
    service_label,
    table_page,
)
from atlas.headline import headline as gap_headline
from atlas.hours import fmt_hours, mt, with_median
from atlas.i18n import DEFAULT_LANG, fmt_km, fmt_number, fmt_numbers, pick, t
from atlas.model import NATIONAL, Model
from views import ids
from views.compare import scenarios_card
from views.hours import measure_controls, threshold_styles
from views.layout import focus_options
from views.left_out import left_out_cards, places_trace, with_load_hover
from views.map_figure import (
    FIRST_SERVICE_TRACE,
    ValueSpec,
    build_figure,
    metric_patch,
    services_patch,
)
from views.parts import labelled, map_graph, outline_button, radio_items
from views.plan import Scenario, plan_card, scenario_traces, summary, unit_list

# --------------------------------------------------------------------------- report


TEXT_COLUMNS = ["rural_population", "pct_rural_beyond", "rural_beyond", "median_km", "gap_index", "need",
                "rural_children_beyond"]


def area_texts(view: pd.DataFrame, gs: GapState, lang: str) -> list[str]:
    """Each area's hover text on the gaps map (children first, then the share beyond, the
    median), column by column: one text per area of the view, in its order."""
    columns = view[with_median(gs, TEXT_COLUMNS)]
    floats = {c: columns[c].to_numpy(float).tolist() for c in columns.columns}
    hover = t(lang, "gaps.hover")
    children = t(lang, "gaps.hover_children")
    no_rural, no_data = t(lang, "gaps.no_rural"), t(lang, "value.no_data")
    pct = fmt_numbers(floats["pct_rural_beyond"], 1, lang)
    beyond = fmt_numbers(floats["rural_beyond"], 0, lang)
    rural = fmt_numbers(floats["rural_population"], 0, lang)
    kids = fmt_numbers(floats["rural_children_beyond"], 0, lang) if "rural_children_beyond" in floats else None
    if "median_hours" in floats:
        median = [fmt_hours(v, lang) for v in floats["median_hours"]]
    else:
        median = [fmt_km(v, lang) for v in floats["median_km"]]
    index = fmt_numbers(floats["gap_index"], 1, lang) if gs.colour == "index" else None
    need = fmt_numbers(floats["need"], 2, lang) if gs.colour == "index" else None
    index_text = t(lang, "gaps.hover_index")
    texts = []
    for i, population in enumerate(floats["rural_population"]):
        if population == 0:
            texts.append(no_rural)
            continue
        if math.isnan(floats["pct_rural_beyond"][i]):
            texts.append(no_data)
            continue
        text = hover.format(pct=pct[i], beyond=beyond[i], rural=rural[i], median=median[i])
        if kids is not None and not math.isnan(floats["rural_children_beyond"][i]):  # children first (est.)
            text = children.format(children=kids[i]) + "<br>" + text
        if index is not None:
            text = index_text.format(index=index[i], need=need[i]) + "<br>" + text
        texts.append(text)
    return texts


def gap_spec(model: Model, gs: GapState, view: pd.DataFrame, lang: str) -> ValueSpec:
    column = "pct_rural_beyond" if gs.colour == "pct" else "gap_index"
    frame = pd.DataFrame(
        {"value": view[column].to_numpy(float), "low": np.nan, "high": np.nan, "flag": ""}, index=view.index
    )
    label = service_label(model, gs.service, lang)
    km = fmt_number(gs.km, 0, lang)
    if gs.colour == "pct":
        title = mt(lang, gs, "gaps.map_title_pct", km=km, service=label)
        unit = mt(lang, gs, "gaps.unit_pct")
        scale = "YlOrRd"
    else:
        title = mt(lang, gs, "gaps.map_title_index", km=km, service=label)
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
        texts=area_texts(view, gs, lang),
    )


def headline(
    model: Model,
    gs: GapState,
    view: pd.DataFrame,
    lang: str,
    baseline: pd.DataFrame | None = None,
    computed: GapView | None = None,
):
    words = gap_headline(model, gs, computed or GapView(view, baseline, []), lang)
    if not words.known:
        return dbc.Alert(words.text, color="secondary")
    parts = [html.P([html.Strong(words.lead), " ", words.text], className="lead mb-1")]
    if words.no_access:
        parts.append(html.P(words.no_access, className="small mb-1"))
    if words.change:
        parts.append(html.P(words.change, className="plan-change mb-1"))
    if words.chain:
        parts.append(html.P(words.chain, className="mb-1"))
    if words.partial:
        parts.append(html.P(words.partial, className="small text-muted mb-1"))
    return parts


def caveats(model: Model, gs: GapState, lang: str) -> list:
    return [html.Li(i) for i in caveat_texts(gs, lang)]


# ---------------------------------------------------------------------------- table


def table_columns(gs: GapState, lang: str) -> list[dict]:
    cols = with_median(gs, TABLE_COLUMNS)
    if gs.service == CHAIN:
        cols.insert(8, ("pct_population_within", 1))
    return [{"name": mt(lang, gs, f"gaps.col.{c}"), "id": c} for c, _ in cols]


# --------------------------------------------------------------------------- export


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
            outline_button(t(lang, "brief.download_png"), ids.BRIEF_PNG, "mt-2"),
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
                *labelled(
                    t(lang, "gaps.service"),
                    dbc.RadioItems(
                        id=ids.GAP_SERVICE, options=service_options(model, lang), value=gs.service, className="mb-3"
                    ),
                ),
                *measure_controls(model, gs, lang),
                html.Div(
                    labelled(
                        t(lang, "gaps.threshold"),
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
                    ),
                    id=ids.GAP_KM_BOX,
                    style=threshold_styles(gs.measure)[0],
                ),
                *labelled(t(lang, "control.level"), radio_items(ids.GAP_LEVEL, lang, "level", GAP_LEVELS, gs.level)),
                *labelled(
                    t(lang, "control.focus"),
                    dbc.Select(
                        id=ids.GAP_FOCUS, options=focus_options(model, lang), value=gs.focus or NATIONAL, className="mb-3"
                    ),
                ),
                *labelled(t(lang, "gaps.colour"), radio_items(ids.GAP_COLOUR, lang, "gaps.colour", COLOURS, gs.colour)),
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
                        outline_button(t(lang, "gaps.export_csv"), ids.GAP_EXPORT_CSV, "me-2 no-print"),
                        outline_button(t(lang, "gaps.export_xlsx"), ids.GAP_EXPORT_XLSX, "no-print"),
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
                                map_graph(ids.GAP_MAP, lang, modeBarButtonsToRemove=["select2d", "lasso2d"]),
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
            scenarios_card(model, lang, gs.focus),
            left_out_cards(lang),
            dcc.Store(id=ids.SCENARIO, data=(scenario or Scenario()).record()),
        ],
        lang=lang,
    )


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
    computed: GapView | None = None,
):
    """Everything the gaps view shows for one state and scenario.

    Returns (map figure or Patch or no_update, drawn record, headline, caveats, table rows,
    page count, table columns, scenario unit list, scenario summary). `computed`: the
    view's figures when the caller has them already (`atlas.gaps.compute`).
    """
    scenario = scenario or Scenario()
    computed = computed or compute(model, gs, scenario)
    view, baseline, gains = computed.view, computed.baseline, computed.gains
    spec = gap_spec(model, gs, view, lang)
    record = {
        "level": gs.level,
        "focus": gs.focus,
        "lang": lang,
        "values": [gs.service, gs.km, gs.colour, list(gs.weights)],
        "measure": gs.measure,
        "hours": gs.hours,
        "services": list(gs.members),
        "scenario": scenario.record()["units"],
        "plan": scenario.record(),
    }
    reach = left_out.reach_for(model, gs, scenario)
    # the named places beyond reach first, the scenario's units last (on top)
    units_traces = [places_trace(model, gs, reach, lang)] + scenario_traces(
        model, scenario.units, gains, gs.km, lang, gs
    )
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
        if (drawn.get("values"), drawn.get("measure"), drawn.get("hours"), drawn.get("scenario")) == (
            record["values"], record["measure"], record["hours"], record["scenario"]
        ):
            figure = no_update
        else:
            figure = metric_patch(model, map_state(gs), lang, spec=spec)
            if drawn.get("services") != record["services"]:
                figure = services_patch(model, map_state(gs), figure)
            first = record["plan_trace"]
            if isinstance(first, int) and first >= FIRST_SERVICE_TRACE:
                for offset, trace in enumerate(units_traces):
                    for key in ("lat", "lon", "marker", "text", "customdata", "hovertemplate"):
                        if key in trace:
                            figure["data"][first + offset][key] = trace[key]
    if figure is not no_update:
        figure = with_load_hover(model, gs, figure, lang, drawn)
    # the page's rows of one sorted view, formatted once (the sort is most of their cost)
    rows, pages = model.view_memo(
        ("table-page", gs, scenario.units, page_key(page, sort_by), lang),
        lambda: table_page(view, gs, page, sort_by, lang),
    )
    return (
        figure,
        record,
        headline(model, gs, view, lang, baseline, computed),
        caveats(model, gs, lang),
        rows,
        pages,
        table_columns(gs, lang),
        unit_list(model, scenario, gains, lang),
        summary(model, scenario, gains, gs.km, lang, gs),
    )


def gap_figure(model: Model, gs: GapState, scenario: Scenario, lang: str, computed: GapView | None = None) -> dict:
    """The gaps map as a whole figure (its geometry still behind `/geo/` URLs): what the
    brief and the PNG download draw."""
    return gap_update(model, gs, None, 0, [], lang, "/", scenario, computed)[0]
