"""Who is left out, on the Brechas tab: the named populated centres beyond reach (table and
map points), the most loaded units, and the equity chart. Components and figures only; the
figures come from `atlas.left_out`.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Patch, dash_table, dcc, html

from atlas import left_out
from atlas.gaps import GapState, map_state, service_label
from atlas.i18n import fmt_number, pick, t
from atlas.model import Model
from views import ids
from views.map_figure import FIRST_SERVICE_TRACE, service_traces, trace_index
from views.parts import outline_button

PLACE_TABLE_COLUMNS = (
    "name",
    "district",
    "province",
    "people",
    "children",
    "km_to_nearest",
)
LOAD_COLUMNS = (
    "rank",
    "name",
    "department",
    "children_in_catchment",
)
POINT_COLOUR = "#5b2a86"
POINT_DECIMALS = (
    3  # about 100 m: enough to find the place, a third of the bytes of full coordinates
)
TABLE_STYLE = {
    "style_table": {"overflowX": "auto"},
    "style_cell": {
        "fontFamily": "inherit",
        "fontSize": "0.82rem",
        "padding": "4px 6px",
        "textAlign": "right",
    },
    "style_header": {"fontWeight": "600", "whiteSpace": "normal", "height": "auto"},
}


def place_columns(lang: str, unit: str = "km") -> list[dict]:
    """The named list's columns; the last names the measure (km, or modelled hours)."""
    names = {c: f"left_out.col.{c}" for c in PLACE_TABLE_COLUMNS}
    names["km_to_nearest"] = left_out.measure_key(unit, names["km_to_nearest"])
    return [{"name": t(lang, names[c]), "id": c} for c in PLACE_TABLE_COLUMNS]


def load_columns(lang: str) -> list[dict]:
    return [
        {"name": t(lang, f"left_out.col.{c if c != 'name' else 'unit'}"), "id": c}
        for c in LOAD_COLUMNS
    ]


def titled_card(title: str, body: list) -> dbc.Card:
    """A card with a small heading over `body`."""
    return dbc.Card(
        dbc.CardBody([html.H2(title, className="h6"), *body]), className="mb-3"
    )


def left_out_cards(lang: str):
    """The cards under the gap table (filled by callbacks.left_out)."""
    places = dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.H2(
                            t(lang, "left_out.places_title"),
                            className="h6 mb-0 me-auto",
                        ),
                        outline_button(
                            t(lang, "left_out.export_csv"),
                            ids.LO_PLACES_CSV,
                            "me-2 no-print",
                        ),
                        outline_button(
                            t(lang, "left_out.export_xlsx"),
                            ids.LO_PLACES_XLSX,
                            "no-print",
                        ),
                        dcc.Download(id=ids.LO_PLACES_DOWNLOAD),
                    ],
                    className="d-flex align-items-center mb-2",
                ),
                html.P(
                    id=ids.LO_PLACES_SUMMARY,
                    className="small mb-2",
                    **{"aria-live": "polite"},
                ),
                html.Label(
                    t(lang, "left_out.search"),
                    htmlFor=ids.LO_PLACES_SEARCH,
                    className="visually-hidden",
                ),
                dbc.Input(
                    id=ids.LO_PLACES_SEARCH,
                    type="search",
                    debounce=True,
                    placeholder=t(lang, "left_out.search"),
                    maxLength=60,
                    size="sm",
                    className="mb-2 no-print",
                ),
                dash_table.DataTable(
                    id=ids.LO_PLACES_TABLE,
                    columns=place_columns(lang),
                    data=[],
                    page_action="custom",
                    page_current=0,
                    page_size=left_out.PLACES_PAGE_SIZE,
                    page_count=1,
                    sort_action="custom",
                    sort_mode="single",
                    sort_by=[],
                    style_cell_conditional=[
                        {"if": {"column_id": c}, "textAlign": "left"}
                        for c in ("name", "district", "province")
                    ],
                    **TABLE_STYLE,
                ),
                html.P(
                    t(lang, "left_out.places_note"),
                    className="small text-muted mt-2 mb-0",
                ),
            ]
        ),
        className="mb-3",
    )
    loads = titled_card(
        t(lang, "left_out.loads_title"),
        [
            dash_table.DataTable(
                id=ids.LO_LOADS_TABLE,
                columns=load_columns(lang),
                data=[],
                style_cell_conditional=[
                    {"if": {"column_id": c}, "textAlign": "left"}
                    for c in ("name", "department")
                ],
                **TABLE_STYLE,
            ),
            html.P(id=ids.LO_LOADS_NOTE, className="small text-muted mt-2 mb-0"),
        ],
    )
    equity = titled_card(
        t(lang, "left_out.equity_title"),
        [
            html.Div(
                id=ids.LO_EQUITY_TEXT,
                className="small mb-1",
                **{"aria-live": "polite"},
            ),
            dcc.Graph(
                id=ids.LO_EQUITY_GRAPH,
                config={
                    "displaylogo": False,
                    "displayModeBar": False,
                    "locale": lang,
                },
                style={"height": "300px"},
                figure={
                    "data": [],
                    "layout": {
                        "xaxis": {"visible": False},
                        "yaxis": {"visible": False},
                    },
                },
            ),
        ],
    )
    return html.Div(
        [
            dbc.Row([dbc.Col(places, lg=8), dbc.Col(loads, lg=4)], className="g-3"),
            dbc.Row([dbc.Col(equity, lg=12)], className="g-3"),
        ]
    )


# ------------------------------------------------------------------------------ places


def places_summary(
    model: Model,
    gs: GapState,
    table: pd.DataFrame | None,
    found: int,
    search: str,
    lang: str,
) -> str:
    if not gs.focus:
        return t(lang, "left_out.places_national")
    where = model.geo.focus_name(gs.focus)
    label = service_label(model, gs.service, lang)
    if table is None:
        return t(lang, "left_out.places_unknown", service=label, where=where)
    hours = left_out.in_hours(gs)
    text = t(
        lang,
        left_out.measure_key("h" if hours else "km", "left_out.places_summary"),
        n=fmt_number(len(table), 0, lang),
        where=where,
        km=fmt_number(gs.km, 0, lang),
        hours=fmt_number(
            getattr(gs, "hours", 0.0),
            0 if float(getattr(gs, "hours", 0.0)).is_integer() else 1,
            lang,
        ),
        service=label,
        people=fmt_number(table["people"].sum(), 0, lang),
        children=fmt_number(table["children"].sum(), 0, lang),
    )
    if search:
        text += " " + t(
            lang,
            "left_out.places_found",
            found=fmt_number(found, 0, lang),
            n=fmt_number(len(table), 0, lang),
            search=search,
        )
    return text


def places_update(
    model: Model,
    gs: GapState,
    reach,
    search: str,
    page: object,
    sort_by: object,
    lang: str,
):
    """(rows, page count, summary) of the named list for the view."""
    table = left_out.named_places(model, gs, reach)
    if table is None:
        return [], 1, places_summary(model, gs, None, 0, search, lang)
    rows, pages, found = left_out.places_page(table, search, page, sort_by, lang)
    return rows, pages, places_summary(model, gs, table, found, search, lang)


def places_trace(model: Model, gs: GapState, reach, lang: str) -> dict:
    """The named places as map points (district level within a focus; empty otherwise), one
    WebGL scatter trace with rounded coordinates and a short hover."""
    base = {
        "type": "scattermap",
        "mode": "markers",
        "name": t(lang, "left_out.map_trace"),
        "showlegend": False,
        "hovertemplate": t(lang, left_out.measure_key(reach.unit, "left_out.map_point"))
        + "<extra></extra>",
        "marker": {"size": 5, "color": POINT_COLOUR, "opacity": 0.8},
    }
    table = left_out.named_places(model, gs, reach) if gs.level == "district" else None
    if table is None or table.empty:
        return {**base, "lat": [], "lon": [], "text": [], "customdata": []}

    def build():
        # the words are in the template once; per point only the name and four short values
        # (customdata[0] is a district name, never an area code the plan's click could take)
        return {
            **base,
            "lat": np.round(table["lat"].to_numpy(float), POINT_DECIMALS).tolist(),
            "lon": np.round(table["lon"].to_numpy(float), POINT_DECIMALS).tolist(),
            "text": table["name"].tolist(),
            "customdata": [
                [
                    d,
                    fmt_number(pe, 0, lang),
                    fmt_number(c, 0, lang),
                    left_out.nearest_text(k, lang),
                ]
                for d, pe, c, k in zip(
                    table["district"],
                    table["people"],
                    table["children"],
                    table["km_to_nearest"],
                )
            ],
        }

    return model.memo(
        ("places-trace", gs.focus, reach.key, reach.threshold, lang), build
    )


# -------------------------------------------------------------------------------- load


def load_rows(model: Model, gs: GapState, lang: str) -> list[dict]:
    """The most loaded units of the view (the service's short name before each for the chain)."""
    loads = left_out.loads_in_view(model, gs).head(left_out.TOP_LOADED)
    rows = []
    for rank, row in enumerate(loads.to_dict("records"), start=1):
        name = row["name"]
        if len(gs.members) > 1:
            name = f"{pick(model.catalog.layer(row['service']).short, lang)} · {name}"
        rows.append(
            {
                "rank": str(rank),
                "name": name,
                "department": row["department"],
                "children_in_catchment": fmt_number(
                    row["children_in_catchment"], 0, lang
                ),
            }
        )
    return rows


def unit_load_text(model: Model, service: str, unit_id: str, lang: str) -> str:
    """ " · carga 210 098 niñas, niños y adol. (est.) a 50 km" for the area profile's nearest
    unit (catchment at the gaps tab's default km), or "" when the unit has no load figure."""
    if model.coverage is None or service not in model.coverage.sites:
        return ""
    load = left_out.load_by_unit(model, GapState(service=service)).get(unit_id)
    if load is None:
        return ""
    return " · " + t(lang, "left_out.profile_load", children=fmt_number(load, 0, lang))


def load_note(model: Model, gs: GapState, lang: str) -> str:
    if left_out.loads_in_view(model, gs).empty:
        return t(lang, "left_out.loads_empty")
    return t(lang, "left_out.loads_note", km=fmt_number(gs.km, 0, lang))


def with_load_hover(
    model: Model, gs: GapState, figure, lang: str, drawn: object = None
):
    """Add each unit's load to its marker's hover on the gap map (`figure`: a figure dict or a
    Patch of one; the service traces are the map's, in `trace_index` order). The load goes in
    customdata[1] next to the unit id (clicks still read customdata[0]) and the words in the
    template once, so a threshold change sends a few bytes per unit. A Patch is left alone
    when the drawn figure already has the loads of this service and km."""
    record = drawn if isinstance(drawn, dict) else {}
    values = record.get("values") if isinstance(record.get("values"), list) else []
    if (
        isinstance(figure, Patch)
        and values[:2] == [gs.service, gs.km]
        and record.get("services") == list(gs.members)
    ):
        return figure
    loads = left_out.load_by_unit(model, gs)
    traces = service_traces(model, map_state(gs), lang)
    positions = trace_index(model)
    template = "%{text}<br>" + t(
        lang,
        "left_out.unit_load",
        children="%{customdata[1]}",
        km=fmt_number(gs.km, 0, lang),
    )
    for service in gs.members:
        for position in positions.get(service, []):
            offset = position - FIRST_SERVICE_TRACE
            trace = traces[offset] if 0 <= offset < len(traces) else None
            if not trace or "customdata" not in trace:
                continue
            figure["data"][position]["customdata"] = [
                [cd[0], fmt_number(loads.get(cd[0]), 0, lang)]
                for cd in trace["customdata"]
            ]
            figure["data"][position]["hovertemplate"] = template + "<extra></extra>"
    return figure


# ------------------------------------------------------------------------------ equity


def equity_figure(found: dict | None, lang: str) -> dict:
    """Bars by poverty quintile, the concentration curve with its index, bars by natural region."""
    if not found:
        return {
            "data": [],
            "layout": {
                "xaxis": {"visible": False},
                "yaxis": {"visible": False},
                "annotations": [
                    {
                        "text": t(lang, "left_out.equity_unknown"),
                        "showarrow": False,
                        "xref": "paper",
                        "yref": "paper",
                        "x": 0.5,
                        "y": 0.5,
                    }
                ],
            },
        }
    q = found["quintiles"]
    labels = [
        t(lang, "left_out.quintile_poorest")
        if n == 1
        else t(lang, "left_out.quintile_least")
        if n == 5
        else t(lang, "left_out.quintile", q=n)
        for n in q["quintile"]
    ]
    curve = found["curve"]
    regions = found.get("regions")
    pct = [None if np.isnan(v) else round(float(v), 1) for v in q["pct_beyond"]]
    data = [
        {
            "type": "bar",
            "x": labels,
            "y": pct,
            "marker": {"color": "#b2182b"},
            "xaxis": "x",
            "yaxis": "y",
            "text": [fmt_number(v, 1, lang) + " %" for v in q["pct_beyond"]],
            "textposition": "outside",
            "hovertemplate": "%{x}: %{text}<extra></extra>",
            "cliponaxis": False,
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": [0, 1],
            "y": [0, 1],
            "xaxis": "x2",
            "yaxis": "y2",
            "line": {"color": "#999", "dash": "dot"},
            "name": t(lang, "left_out.equality"),
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": np.round(curve["x"].to_numpy(float), 4).tolist(),
            "y": np.round(curve["y"].to_numpy(float), 4).tolist(),
            "xaxis": "x2",
            "yaxis": "y2",
            "line": {"color": "#b2182b"},
            "hoverinfo": "skip",
        },
    ]
    if regions is not None:
        rp = [
            None if np.isnan(v) else round(float(v), 1) for v in regions["pct_beyond"]
        ]
        data.append(
            {
                "type": "bar",
                "x": list(regions["natural_region"]),
                "y": rp,
                "xaxis": "x3",
                "yaxis": "y3",
                "marker": {"color": ["#8c6d31", "#6b6ecf", "#31a354"]},
                "text": [fmt_number(v, 1, lang) + " %" for v in regions["pct_beyond"]],
                "textposition": "outside",
                "hovertemplate": "%{x}: %{text}<extra></extra>",
                "cliponaxis": False,
            }
        )
    ci = fmt_number(found["concentration_index"], 3, lang)
    title = {
        "font": {"size": 12},
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "y": 1.08,
    }
    layout = {
        "showlegend": False,
        "margin": {"l": 40, "r": 10, "t": 30, "b": 40},
        "separators": ", " if lang == "es" else ".,",
        "font": {"size": 11},
        "xaxis": {"domain": [0, 0.36], "fixedrange": True},
        "yaxis": {"range": [0, 110], "ticksuffix": " %", "fixedrange": True},
        "xaxis2": {
            "domain": [0.43, 0.72],
            "range": [0, 1],
            "tickformat": ".0%",
            "fixedrange": True,
            "title": {"text": t(lang, "left_out.curve_x"), "font": {"size": 10}},
        },
        "yaxis2": {
            "domain": [0, 1],
            "anchor": "x2",
            "title": {"text": t(lang, "left_out.curve_y"), "font": {"size": 10}},
            "range": [0, 1],
            "tickformat": ".0%",
            "fixedrange": True,
        },
        "xaxis3": {"domain": [0.79, 1], "fixedrange": True},
        "yaxis3": {
            "domain": [0, 1],
            "anchor": "x3",
            "range": [0, 110],
            "ticksuffix": " %",
            "fixedrange": True,
        },
        "annotations": [
            {
                **title,
                "text": t(lang, "left_out.equity_quintiles"),
                "x": 0.0,
                "xanchor": "left",
            },
            {
                **title,
                "text": t(lang, "left_out.equity_curve", ci=ci),
                "x": 0.43,
                "xanchor": "left",
            },
            {
                **title,
                "text": t(lang, "left_out.equity_regions"),
                "x": 0.79,
                "xanchor": "left",
            },
        ],
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }
    return {"data": data, "layout": layout}


def equity_text(model: Model, gs: GapState, found: dict | None, lang: str) -> list:
    if not found:
        return [html.P(t(lang, "left_out.equity_unknown"), className="mb-1")]
    parts = [
        html.P(s, className="mb-1") for s in left_out.equity_sentences(found, lang)
    ]
    if gs.focus:
        parts.append(
            html.P(
                t(
                    lang,
                    "left_out.equity_where_department",
                    where=model.geo.name("department", gs.focus[:2]),
                ),
                className="text-muted mb-1",
            )
        )
    parts.append(
        html.P(
            t(
                lang,
                "left_out.equity_note",
                left=fmt_number(found["districts_left_out"], 0, lang),
            ),
            className="text-muted mb-0",
        )
    )
    return parts
