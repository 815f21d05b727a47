"""Escenarios / Scenarios (issue 15): save the Plan panel's units as named scenarios A..F,
compare them with today's units, map the difference between two, export the comparison,
and spend a budget. Components and figures only; the wiring is callbacks/scenarios.py.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import dcc, html

from atlas.compare import Row, table_texts
from atlas.gaps import GapState, map_state, service_label
from atlas.hours import mt
from atlas.i18n import fmt_number, pick, t
from atlas.model import FOCUS_DEPARTMENTS, Model
from atlas.scenarios import BASELINE, MAX_NAME, Named
from atlas.spend import GOALS
from views import ids
from views.map_figure import ValueSpec, build_figure
from views.parts import map_graph

DIVERGING = [
    [0.0, "#b2182b"],
    [0.35, "#f4a582"],
    [0.5, "#f7f7f7"],
    [0.65, "#92c5de"],
    [1.0, "#2166ac"],
]


def _button(
    lang: str, key: str, id_: str, color: str = "secondary", outline: bool = True
):
    return dbc.Button(
        t(lang, key),
        id=id_,
        size="sm",
        color=color,
        outline=outline,
        className="me-1 mb-1",
    )


def _labelled(lang: str, key: str, control, width: int):
    """A small label over its input, in a column."""
    return dbc.Col(
        [dbc.Label(t(lang, key), className="small mb-0", html_for=control.id), control],
        width=width,
    )


def slot_options(
    saved: tuple[Named, ...], lang: str, baseline: bool = False
) -> list[dict]:
    options = (
        [{"label": t(lang, "compare.baseline"), "value": BASELINE}] if baseline else []
    )
    return options + [{"label": f"{n.slot} · {n.name}", "value": n.slot} for n in saved]


def goal_options(model: Model, lang: str) -> list[dict]:
    options = []
    for goal in GOALS:
        service = goal.partition(":")[2] or goal
        if model.coverage is not None and service in model.coverage.km:
            options.append(
                {
                    "label": t(
                        lang, "budget.goal", service=service_label(model, service, lang)
                    ),
                    "value": goal,
                }
            )
    return options


def scenarios_card(model: Model, lang: str, focus: str = ""):
    """The card under the Plan panel (content filled by callbacks/scenarios.py)."""
    departments = [
        {"label": n, "value": c}
        for c, n in model.geo.areas["department"]["name"].items()
    ]
    manage = [
        dbc.Row(
            [
                dbc.Col(
                    dbc.Input(
                        id=ids.SCN_NAME,
                        placeholder=t(lang, "scenarios.name"),
                        maxLength=MAX_NAME,
                        size="sm",
                        type="text",
                    ),
                    width=5,
                ),
                dbc.Col(
                    _button(lang, "scenarios.save", ids.SCN_SAVE, "primary", False),
                    width="auto",
                ),
            ],
            className="g-1 mb-1",
        ),
        dbc.Row(
            [
                dbc.Col(
                    dcc.Dropdown(
                        id=ids.SCN_PICK,
                        options=[],
                        placeholder=t(lang, "scenarios.pick"),
                        clearable=False,
                    ),
                    width=5,
                ),
                dbc.Col(
                    [
                        _button(lang, "scenarios.open", ids.SCN_OPEN),
                        _button(lang, "scenarios.update", ids.SCN_UPDATE),
                        _button(lang, "scenarios.rename", ids.SCN_RENAME),
                        _button(lang, "scenarios.duplicate", ids.SCN_DUPLICATE),
                        _button(lang, "scenarios.delete", ids.SCN_DELETE, "danger"),
                    ],
                    width=7,
                ),
            ],
            className="g-1 mb-1",
        ),
        html.Div(id=ids.SCN_NOTICE, className="small mb-2", **{"aria-live": "polite"}),
    ]
    budget = html.Details(
        [
            html.Summary(t(lang, "budget.title"), className="fw-semibold small"),
            html.P(t(lang, "budget.intro"), className="small text-muted mb-1"),
            dbc.Row(
                [
                    _labelled(
                        lang,
                        "budget.total",
                        dbc.Input(
                            id=ids.BUDGET_TOTAL,
                            type="number",
                            min=0,
                            step="any",  # any amount: the server says what is wrong with it
                            size="sm",
                            placeholder="S/",
                        ),
                        4,
                    ),
                    _labelled(
                        lang,
                        "budget.goal_label",
                        dbc.Select(
                            id=ids.BUDGET_GOAL,
                            options=goal_options(model, lang),
                            value="chain",
                            size="sm",
                        ),
                        8,
                    ),
                ],
                className="g-1 mb-1",
            ),
            dbc.Label(t(lang, "plan.departments"), className="small mb-0"),
            dcc.Dropdown(
                id=ids.BUDGET_DEPARTMENTS,
                multi=True,
                options=departments,
                value=[focus[:2]] if focus else list(FOCUS_DEPARTMENTS),
                className="mb-1",
            ),
            _button(lang, "budget.run", ids.BUDGET_RUN, "warning", False),
            html.Div(
                id=ids.BUDGET_NOTICE, className="small", **{"aria-live": "polite"}
            ),
        ],
        className="mb-2",
    )
    compare = [
        html.H3(t(lang, "compare.title"), className="h6 mt-2"),
        html.Div(id=ids.CMP_TABLE, className="cmp-table mb-1"),
        html.P(t(lang, "compare.note"), id=ids.CMP_NOTE, className="small text-muted"),
        html.Div(
            [
                _button(lang, "compare.export_csv", ids.CMP_CSV),
                _button(lang, "compare.export_xlsx", ids.CMP_XLSX),
                _button(lang, "compare.export_pdf", ids.CMP_PDF, "primary"),
                dcc.Download(id=ids.CMP_DOWNLOAD),
                dcc.Download(id=ids.CMP_PDF_DOWNLOAD),
                html.Span(id=ids.CMP_NOTICE, className="small text-danger ms-1"),
            ],
            className="mb-2 no-print",
        ),
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.H3(t(lang, "compare.diff_title"), className="h6"),
                        dbc.Label("A", className="small mb-0", html_for=ids.CMP_A),
                        dcc.Dropdown(
                            id=ids.CMP_A, options=[], value=BASELINE, clearable=False
                        ),
                        dbc.Label("B", className="small mb-0 mt-1", html_for=ids.CMP_B),
                        dcc.Dropdown(
                            id=ids.CMP_B, options=[], value=None, clearable=False
                        ),
                        html.P(
                            t(lang, "compare.diff_note"),
                            className="small text-muted mt-2",
                        ),
                    ],
                    lg=4,
                ),
                dbc.Col(
                    map_graph(ids.CMP_MAP, lang, "map-graph cmp-map"),
                    lg=8,
                ),
            ],
            className="g-2",
        ),
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t(lang, "scenarios.title"), className="h6"),
                html.P(t(lang, "scenarios.intro"), className="small text-muted mb-2"),
                *manage,
                budget,
                *compare,
            ]
        ),
        className="mb-3 scenarios-card",
    )


def comparison_table(model: Model, gs: GapState, rows: list[Row], lang: str):
    """The comparison, in the gaps view's measure (column labels say which)."""
    if len(rows) <= 1:
        return html.P(t(lang, "compare.empty"), className="small text-muted mb-0")
    return _table(model, gs, rows, lang)


def comparison_note(gs: GapState, lang: str) -> str:
    """What the comparison counts: straight-line km, or modelled travel time."""
    return mt(lang, gs, "compare.note")


def _table(model: Model, gs: GapState, rows: list[Row], lang: str):
    columns, cells = table_texts(model, gs, rows, lang)
    head = html.Thead(html.Tr([html.Th(c) for c in columns]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(c, className="text-end" if i > 1 else None)
                    for i, c in enumerate(row)
                ],
                **{"data-slot": r.slot},
                className="cmp-baseline" if r.slot == BASELINE else None,
            )
            for r, row in zip(rows, cells)
        ]
    )
    return html.Div(
        html.Table([head, body], className="table table-sm small mb-0"),
        className="table-responsive",
    )


def difference_figure(
    model: Model,
    gs: GapState,
    frame: pd.DataFrame,
    names: tuple[str, str],
    lang: str,
    prefix: str = "/",
) -> dict:
    """Areas that gain (blue) or lose (red) rural people within the threshold, B − A,
    in percentage points of the area's rural population."""
    values = frame["change"].to_numpy(float)
    texts = [
        t(
            lang,
            "compare.diff_hover",
            pp=fmt_number(v, 1, lang),
            people=fmt_number(p, 0, lang),
        )
        if np.isfinite(v)
        else t(lang, "gaps.no_rural")
        for v, p in zip(values, frame["people_change"].to_numpy(float))
    ]
    spec = ValueSpec(
        frame=pd.DataFrame(
            {"value": values, "low": np.nan, "high": np.nan, "flag": ""},
            index=frame.index,
        ),
        title=mt(
            lang,
            gs,
            "compare.diff_map_title",
            a=names[0],
            b=names[1],
            km=fmt_number(gs.km, 0, lang),
            service=service_label(model, gs.service, lang),
        ),
        unit=t(lang, "compare.diff_unit"),
        period="",
        decimals=1,
        colorscale="Blues",
        texts=texts,
    )
    figure = build_figure(model, map_state(gs), lang, prefix, spec=spec)
    finite = values[np.isfinite(values)]
    reach = max(float(np.abs(finite).max()) if len(finite) else 0.0, 1.0)
    for trace in figure["data"]:
        if trace.get("name") == "value":
            trace.update(colorscale=DIVERGING, zmin=-reach, zmax=reach, zmid=0)
    figure["layout"]["title"] = {
        "text": spec.title,
        "font": {"size": 13},
        "x": 0.01,
        "y": 0.985,
    }
    figure["layout"]["margin"] = {"l": 0, "r": 0, "t": 30, "b": 0}
    return figure


def budget_message(
    model: Model, lang: str, key: str, values: dict | None = None
) -> str:
    values = dict(values or {})
    if "service" in values:
        values["service"] = pick(model.catalog.layer(values["service"]).short, lang)
    for k, v in values.items():
        if isinstance(v, float):
            values[k] = fmt_number(v, 0, lang)
    return t(lang, key, **values)
