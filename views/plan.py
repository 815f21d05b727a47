"""Plan: hypothetical units (added by district or by clicking the gap map), suggested sites
(greedy maximal covering) and unit costs. The scenario lives in the browser (`scenario`
store, and in the URL); it is validated again here every time it is used.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analysis.places import CANDIDATE_KINDS, CAPITALS
from analysis.scenario import MAX_SUGGESTIONS, Unit
from atlas.hours import mt
from atlas.i18n import fmt_number, pick, t
from atlas.model import FOCUS_DEPARTMENTS, Model
from atlas.plan import RING, Scenario, plannable, service_totals
from views import ids
from views.parts import outline_button

# ---------------------------------------------------------------------------- figures


def scenario_traces(model: Model, units: tuple[Unit, ...], gains: list[float], km: float, lang: str,
                    gs=None) -> list[dict]:
    """Two marker traces: a ring (dark: added by hand, gold: suggested) and the service colour.
    `gs`: the gaps state, for the words of its measure (hours or km)."""
    colours = {layer.id: layer.color for layer in model.service_layers}
    lat = [round(u.lat, 5) for u in units]
    lon = [round(u.lon, 5) for u in units]
    text = [
        mt(
            lang,
            gs,
            "plan.hover",
            service=pick(model.catalog.layer(u.service).short, lang),
            origin=t(lang, f"plan.origin.{u.origin}"),
            name=u.name,
            gain=fmt_number(g, 0, lang),
            km=fmt_number(km, 0, lang),
        )
        for u, g in zip(units, gains)
    ]
    base = {"type": "scattermap", "mode": "markers", "lat": lat, "lon": lon, "showlegend": False}
    return [
        {
            **base,
            "name": "plan-ring",
            "hoverinfo": "skip",
            "marker": {"size": 19, "color": [RING[u.origin] for u in units]},
        },
        {
            **base,
            "name": "plan-units",
            "text": text,
            "hovertemplate": "%{text}<extra></extra>",
            "customdata": [[f"unit:{i}"] for i in range(len(units))],
            "marker": {"size": 11, "color": [colours.get(u.service, "#444") for u in units]},
        },
    ]


def summary(model: Model, scenario: Scenario, gains: list[float], km: float, lang: str, gs=None):
    """Per service: units, rural people newly within km, cost, cost per person."""
    if not scenario.units:
        return html.P(t(lang, "plan.empty"), className="small text-muted mb-0")
    rows = [
        html.Tr(
            [
                html.Td(pick(model.catalog.layer(s.service).short, lang)),
                html.Td(str(s.units), className="text-end"),
                html.Td("+" + fmt_number(s.gain, 0, lang), className="text-end"),
                html.Td("—" if s.total is None else "S/ " + fmt_number(s.total, 0, lang), className="text-end"),
                html.Td("—" if s.per_person is None else "S/ " + fmt_number(s.per_person, 1, lang), className="text-end"),
            ]
        )
        for s in service_totals(scenario, gains)
    ]
    head = html.Thead(
        html.Tr([html.Th(t(lang, f"plan.sum.{c}")) for c in ("service", "units", "gain", "cost", "per_person")])
    )
    return [
        html.Table([head, html.Tbody(rows)], className="table table-sm mb-1 plan-summary"),
        html.P(mt(lang, gs, "plan.gain_note", km=fmt_number(km, 0, lang)), className="small text-muted mb-0"),
    ]


def unit_list(model: Model, scenario: Scenario, gains: list[float], lang: str):
    items = []
    for i, (unit, gain) in enumerate(zip(scenario.units, gains)):
        cost = scenario.costs.get(unit.service)
        per = (
            ""
            if cost is None or gain <= 0
            else f" · S/ {fmt_number(cost / gain, 1, lang)} {t(lang, 'plan.per_person')}"
        )
        items.append(
            html.Li(
                [
                    html.Span(className="swatch", style={"--swatch": model.catalog.layer(unit.service).color}),
                    html.Strong(pick(model.catalog.layer(unit.service).short, lang)),
                    f" {unit.name} ",
                    html.Span(f"+{fmt_number(gain, 0, lang)}{per}", className="text-muted"),
                    " ",
                    dbc.Badge(
                        t(lang, f"plan.origin.{unit.origin}"),
                        color="warning" if unit.origin == "suggested" else "secondary",
                        className="me-1",
                    ),
                    dbc.Button(
                        t(lang, "plan.move"),
                        id={"type": ids.PLAN_MOVE, "index": i},
                        size="sm",
                        color="link",
                        className="p-0 ms-1 plan-move",
                        title=t(lang, "plan.move_title"),
                    ),
                    dbc.Button(
                        "×",
                        id={"type": ids.PLAN_REMOVE, "index": i},
                        size="sm",
                        color="link",
                        className="p-0 ms-1 plan-remove",
                        title=t(lang, "plan.remove"),
                    ),
                ],
                className="small",
            )
        )
    return html.Ol(items, className="plan-units ps-3 mb-2") if items else None


def move_text(model: Model, unit: Unit, lang: str) -> str:
    """What the user is doing while a unit is being moved."""
    return t(lang, "plan.moving", service=pick(model.catalog.layer(unit.service).short, lang), name=unit.name)


def move_hint(lang: str) -> dbc.Alert:
    """Shown while a unit is being moved: what to do, and how to stop (always in the layout,
    so that its button is a plain callback input)."""
    return dbc.Alert(
        [
            html.Span(id=ids.PLAN_MOVE_TEXT),
            " ",
            dbc.Button(t(lang, "plan.move_cancel"), id=ids.PLAN_MOVE_CANCEL, size="sm", color="link", className="p-0"),
        ],
        id=ids.PLAN_MOVE_HINT,
        is_open=False,
        color="info",
        className="small py-1 px-2 mb-2 plan-move-hint",
    )


# ----------------------------------------------------------------------------- layout


def plan_card(model: Model, lang: str, service: str, focus: str, costs: dict[str, float]):
    services = plannable(model)
    default_service = service if service in services else (services[0] if services else "")
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t(lang, "plan.title"), className="h6"),
                html.P(t(lang, "plan.intro"), className="small text-muted mb-2"),
                dbc.Row(
                    [
                        dbc.Col(
                            dbc.Select(
                                id=ids.PLAN_SERVICE,
                                options=[
                                    {"label": pick(model.catalog.layer(s).short, lang), "value": s} for s in services
                                ],
                                value=default_service,
                                size="sm",
                            ),
                            width=4,
                        ),
                        dbc.Col(
                            dcc.Dropdown(
                                id=ids.PLAN_PLACE,
                                placeholder=t(lang, "plan.place"),
                                options=[],
                                searchable=True,
                                className="plan-place",
                            ),
                            width=6,
                        ),
                        dbc.Col(dbc.Button(t(lang, "plan.add"), id=ids.PLAN_ADD, size="sm", color="primary"), width=2),
                    ],
                    className="g-1 mb-1",
                ),
                dbc.Switch(id=ids.PLAN_CLICK, label=t(lang, "plan.click_mode"), value=False, className="small mb-2"),
                html.Div(id=ids.PLAN_UNITS),
                dcc.Store(id=ids.PLAN_MOVING, data=None),  # index of the unit being moved
                move_hint(lang),
                html.Div(id=ids.PLAN_NOTICE, className="small text-danger", **{"aria-live": "polite"}),
                html.Details(
                    [
                        html.Summary(t(lang, "plan.suggest_title"), className="fw-semibold small"),
                        dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Label(t(lang, "plan.n"), className="small mb-0"),
                                        dbc.Input(
                                            id=ids.PLAN_N,
                                            type="number",
                                            min=1,
                                            max=MAX_SUGGESTIONS,
                                            step=1,
                                            value=5,
                                            size="sm",
                                        ),
                                    ],
                                    width=3,
                                ),
                                dbc.Col(
                                    [
                                        dbc.Label(t(lang, "plan.departments"), className="small mb-0"),
                                        dcc.Dropdown(
                                            id=ids.PLAN_DEPARTMENTS,
                                            multi=True,
                                            options=[
                                                {"label": n, "value": c}
                                                for c, n in model.geo.areas["department"]["name"].items()
                                            ],
                                            value=[focus[:2]] if focus else list(FOCUS_DEPARTMENTS),
                                        ),
                                    ],
                                    width=9,
                                ),
                            ],
                            className="g-1 mb-1",
                        ),
                        dbc.RadioItems(
                            id=ids.PLAN_CANDIDATES,
                            inline=True,
                            className="small",
                            options=[{"label": t(lang, f"plan.candidates.{k}"), "value": k} for k in CANDIDATE_KINDS],
                            value=CAPITALS,
                        ),
                        dbc.Row(
                            [
                                dbc.Col(dbc.Label(t(lang, "plan.min_size"), className="small mb-0"), width=7),
                                dbc.Col(
                                    dbc.Input(
                                        id=ids.PLAN_MIN_SIZE, type="number", min=0, step=50, value=500, size="sm"
                                    ),
                                    width=5,
                                ),
                            ],
                            className="g-1 mb-1",
                        ),
                        dbc.Button(
                            t(lang, "plan.suggest"), id=ids.PLAN_SUGGEST, size="sm", color="warning", className="mb-2"
                        ),
                        html.P(t(lang, "plan.suggest_note"), className="small text-muted"),
                    ],
                    className="mb-2",
                ),
                html.Details(
                    [
                        html.Summary(t(lang, "plan.costs_title"), className="fw-semibold small"),
                        *[
                            dbc.Row(
                                [
                                    dbc.Col(
                                        dbc.Label(pick(model.catalog.layer(s).short, lang), className="small mb-0"),
                                        width=5,
                                    ),
                                    dbc.Col(
                                        dbc.Input(
                                            id={"type": ids.PLAN_COST, "service": s},
                                            type="number",
                                            min=0,
                                            step=1000,
                                            placeholder="S/",
                                            size="sm",
                                            debounce=True,
                                            value=costs.get(s),
                                        ),
                                        width=7,
                                    ),
                                ],
                                className="g-1 mb-1",
                            )
                            for s in services
                        ],
                        html.P(t(lang, "plan.costs_note"), className="small text-muted"),
                    ],
                    className="mb-2",
                ),
                html.Div(id=ids.PLAN_SUMMARY, className="mb-2"),
                html.Div(
                    [
                        outline_button(t(lang, "plan.export_csv"), ids.PLAN_EXPORT, "me-1 mb-1"),
                        outline_button(t(lang, "plan.export_xlsx"), ids.PLAN_EXPORT_XLSX, "me-1 mb-1"),
                        dcc.Download(id=ids.PLAN_DOWNLOAD),
                        outline_button(t(lang, "plan.clear"), ids.PLAN_CLEAR, "me-1 mb-1"),
                        dcc.Clipboard(
                            id=ids.PLAN_COPY,
                            title=t(lang, "plan.copy_link"),
                            className="btn btn-sm btn-outline-secondary me-1 mb-1 d-inline-block",
                        ),
                        html.Span(t(lang, "plan.copy_link"), className="small text-muted"),
                    ]
                ),
            ]
        ),
        className="mb-3 plan-card",
    )


# -------------------------------------------------------------------------- callbacks
