"""Plan: hypothetical units (added by district or by clicking the gap map), suggested sites
(greedy maximal covering) and unit costs. The scenario lives in the browser (`scenario`
store, and in the URL); it is validated again here every time it is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from analysis.places import CANDIDATE_KINDS, CAPITALS
from analysis.limits import OutOfBounds
from analysis.scenario import MAX_SUGGESTIONS, PLANNABLE, Unit, suggest, unit_gains
from analysis.limits import MAX_UNITS

from callbacks import ids
from callbacks.exports import csv_text
from callbacks.validate import finite_number
from callbacks.i18n import fmt_number, pick, safe_lang, t
from callbacks.model import FOCUS_DEPARTMENTS, Model

MAX_COST = 1e10  # soles per unit
SEARCH_LIMIT = 40
RING = {"manual": "#212529", "suggested": "#d4a106"}


@dataclass(frozen=True)
class Scenario:
    units: tuple[Unit, ...] = ()
    costs: dict[str, float] = field(default_factory=dict)

    def record(self) -> dict:
        return {
            "units": [{"service": u.service, "place": u.place, "origin": u.origin} for u in self.units],
            "costs": dict(self.costs),
        }


def scenario_from(model: Model, data: object) -> tuple[Scenario, list[str]]:
    """A Scenario from untrusted store/URL content, plus what was dropped."""
    problems: list[str] = []
    if data in (None, ""):
        return Scenario(), problems
    if not isinstance(data, dict):
        return Scenario(), ["scenario"]
    units: list[Unit] = []
    raw_units = data.get("units") or []
    if not isinstance(raw_units, list):
        raw_units, problems = [], problems + ["units"]
    for item in raw_units[: MAX_UNITS + 1]:
        if not isinstance(item, dict):
            problems.append("units")
            continue
        service, place, origin = item.get("service"), item.get("place"), item.get("origin", "manual")
        unit = model.places.unit(service, place, origin) if service in plannable(model) and origin in RING else None
        if unit is None:
            problems.append("units")
            continue
        units.append(unit)
    if len(units) > MAX_UNITS:
        units, problems = units[:MAX_UNITS], problems + ["units"]
    costs: dict[str, float] = {}
    raw_costs = data.get("costs") or {}
    if isinstance(raw_costs, dict):
        for service, raw in raw_costs.items():
            value = finite_number(raw)
            if value is None:
                problems.append("cost")
                continue
            if service in PLANNABLE and 0 <= value <= MAX_COST:
                costs[service] = value
            elif value is not None:
                problems.append("cost")
    else:
        problems.append("cost")
    return Scenario(tuple(units), costs), sorted(set(problems))


def plannable(model: Model) -> tuple[str, ...]:
    if model.coverage is None:
        return ()
    return tuple(s for s in PLANNABLE if s in model.coverage.km)


def area_capital(model: Model, level: str, code: str) -> str | None:
    """District code of the capital of an area clicked on the map."""
    if model.geo.area(level, code) is None:
        return None
    if level == "district":
        return code
    if level == "province":
        return code + "01"
    if level == "region":
        return {"150100": "150101", "159900": "150801"}.get(code, code[:2] + "0101")
    return code + "0101"


def clicked_code(click: object) -> str | None:
    try:
        value = click["points"][0]["customdata"][0]  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return None
    return value if isinstance(value, str) and value.isdigit() and len(value) <= 6 else None


def bounded_int(value: object, low: int, high: int, default: int) -> tuple[int, bool]:
    """An integer within [low, high]; (default, False) for anything else."""
    number = finite_number(value)
    if number is None or not number.is_integer() or not low <= number <= high:
        return default, False
    return int(number), True


Message = str | tuple[str, dict]


def message_text(lang: str, message: "Message | None") -> str | None:
    """The text of an edit's message in `lang` (None when there is none)."""
    if not message:
        return None
    if isinstance(message, tuple):
        key, values = message
        return t(lang, key, **{k: fmt_number(v, 0 if float(v).is_integer() else 1, lang) for k, v in values.items()})
    return t(lang, message)


def valid_index(index: object, units: list) -> bool:
    return isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(units)


def edit(
    model: Model,
    scenario: Scenario,
    action: str,
    *,
    service: str | None = None,
    place: str | None = None,
    remove: int | None = None,  # the unit's index, for "remove" and "move"
    suggestion: dict | None = None,
    costs: dict | None = None,
) -> tuple[Scenario, "Message | None"]:
    """Apply one user action to a scenario; returns the new scenario and a message (a
    locale key, or a key with the values of its text).

    Actions: "add"/"click" (service, place), "remove" (remove=index), "move" (remove=index,
    place: the unit goes there, same service), "clear", "suggest" (suggestion), "costs".
    """
    units = list(scenario.units)
    if action in ("add", "click"):
        if service not in plannable(model):
            return scenario, "plan.msg.bad_service"
        unit = model.places.unit(service, place) if place else None
        if unit is None:
            return scenario, "plan.msg.bad_place"
        if len(units) >= MAX_UNITS:
            return scenario, "plan.msg.too_many"
        units.append(unit)
    elif action == "remove":
        if not valid_index(remove, units):
            return scenario, "plan.msg.bad_unit"
        units.pop(remove)
    elif action == "move":  # same service, new place; the unit keeps its rank in the list
        if not valid_index(remove, units):
            return scenario, "plan.msg.bad_unit"
        moved = model.places.unit(units[remove].service, place) if place else None
        if moved is None:
            return scenario, "plan.msg.bad_place"
        units[remove] = moved  # origin "manual": a moved suggestion is the user's choice now
    elif action == "clear":
        units = []
    elif action == "suggest":
        s = suggestion or {}
        if s.get("service") not in plannable(model):
            return scenario, "plan.msg.bad_service"
        n, ok = bounded_int(s.get("n"), 1, MAX_SUGGESTIONS, 5)
        if not ok:
            return scenario, "plan.msg.bad_n"
        departments = [d for d in (s.get("departments") or []) if d in set(model.geo.codes("department"))]
        if not departments:
            return scenario, "plan.msg.no_departments"
        kind = s.get("candidates") if s.get("candidates") in CANDIDATE_KINDS else CAPITALS
        min_size, _ = bounded_int(s.get("min_size"), 0, 10_000_000, 500)
        kept = [u for u in units if not (u.origin == "suggested" and u.service == s["service"])]
        try:
            found = suggest(
                model.coverage,
                s["service"],
                s.get("km", 50),
                departments,
                model.places.candidates(kind, min_size),
                n,
                kept,
            )
        except OutOfBounds as err:  # the analysis checks its own bounds: a forged km stops here
            return scenario, ("plan.msg.out_of_range", {"low": err.low, "high": err.high})
        if not found.units:
            return scenario, "plan.msg.no_gain"
        units = (kept + found.units)[:MAX_UNITS]
        if found.cell_km:
            return Scenario(tuple(units), scenario.costs), ("plan.msg.grouped", {"cell": found.cell_km})
    elif action == "costs":
        clean = {}
        for svc, value in (costs or {}).items():
            number = finite_number(value) if isinstance(value, (int, float)) else None
            if svc in PLANNABLE and number is not None and 0 <= number <= MAX_COST:
                clean[svc] = number
        return Scenario(scenario.units, clean), None
    return Scenario(tuple(units), scenario.costs), None


# ---------------------------------------------------------------------------- figures


def scenario_traces(model: Model, units: tuple[Unit, ...], gains: list[float], km: float, lang: str) -> list[dict]:
    """Two marker traces: a ring (dark: added by hand, gold: suggested) and the service colour."""
    colours = {layer.id: layer.color for layer in model.service_layers}
    lat = [round(u.lat, 5) for u in units]
    lon = [round(u.lon, 5) for u in units]
    text = [
        t(
            lang,
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


def all_gains(model: Model, units: tuple[Unit, ...], km: float) -> list[float]:
    """Each unit's marginal gain for its own service (rural persons newly within km)."""
    gains = [0.0] * len(units)
    for service in {u.service for u in units}:
        positions = [i for i, u in enumerate(units) if u.service == service]
        for i, g in zip(positions, unit_gains(model.coverage, [units[i] for i in positions], service, km)):
            gains[i] = g
    return gains


def summary(model: Model, scenario: Scenario, gains: list[float], km: float, lang: str):
    """Per service: units, rural people newly within km, cost, cost per person."""
    if not scenario.units:
        return html.P(t(lang, "plan.empty"), className="small text-muted mb-0")
    rows = []
    for service in dict.fromkeys(u.service for u in scenario.units):
        n = sum(1 for u in scenario.units if u.service == service)
        gain = sum(g for u, g in zip(scenario.units, gains) if u.service == service)
        cost = scenario.costs.get(service)
        total = None if cost is None else cost * n
        per = None if total is None or gain <= 0 else total / gain
        rows.append(
            html.Tr(
                [
                    html.Td(pick(model.catalog.layer(service).short, lang)),
                    html.Td(str(n), className="text-end"),
                    html.Td("+" + fmt_number(gain, 0, lang), className="text-end"),
                    html.Td("—" if total is None else "S/ " + fmt_number(total, 0, lang), className="text-end"),
                    html.Td("—" if per is None else "S/ " + fmt_number(per, 1, lang), className="text-end"),
                ]
            )
        )
    head = html.Thead(
        html.Tr([html.Th(t(lang, f"plan.sum.{c}")) for c in ("service", "units", "gain", "cost", "per_person")])
    )
    return [
        html.Table([head, html.Tbody(rows)], className="table table-sm mb-1 plan-summary"),
        html.P(t(lang, "plan.gain_note", km=fmt_number(km, 0, lang)), className="small text-muted mb-0"),
    ]


def scenario_frame(model: Model, scenario: Scenario, gains: list[float], lang: str) -> pd.DataFrame:
    """The scenario's units as a table (for CSV/XLSX), costs where entered."""
    rows = []
    for unit, gain in zip(scenario.units, gains):
        found = model.places.resolve(unit.place)
        cost = scenario.costs.get(unit.service)
        rows.append(
            {
                "service": pick(model.catalog.layer(unit.service).short, lang),
                "origin": t(lang, f"plan.origin.{unit.origin}"),
                "place": unit.place,
                "name": unit.name,
                "ubigeo": found[3] if found else "",
                "lat": round(unit.lat, 6),
                "lon": round(unit.lon, 6),
                "gain": round(gain, 1),
                "cost": cost,
                "per_person": None if cost is None or gain <= 0 else round(cost / gain, 2),
            }
        )
    frame = pd.DataFrame(
        rows, columns=["service", "origin", "place", "name", "ubigeo", "lat", "lon", "gain", "cost", "per_person"]
    )
    frame.columns = [t(lang, f"plan.export.col.{c}") for c in frame.columns]
    return frame


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
                        dbc.Button(
                            t(lang, "plan.export_csv"),
                            id=ids.PLAN_EXPORT,
                            size="sm",
                            color="secondary",
                            outline=True,
                            className="me-1 mb-1",
                        ),
                        dbc.Button(
                            t(lang, "plan.export_xlsx"),
                            id=ids.PLAN_EXPORT_XLSX,
                            size="sm",
                            color="secondary",
                            outline=True,
                            className="me-1 mb-1",
                        ),
                        dcc.Download(id=ids.PLAN_DOWNLOAD),
                        dbc.Button(
                            t(lang, "plan.clear"),
                            id=ids.PLAN_CLEAR,
                            size="sm",
                            color="secondary",
                            outline=True,
                            className="me-1 mb-1",
                        ),
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


def register(app, model: Model) -> None:
    if not plannable(model):
        return

    @app.callback(
        Output(ids.PLAN_DOWNLOAD, "data"),
        Input(ids.PLAN_EXPORT, "n_clicks"),
        State(ids.SCENARIO, "data"),
        State(ids.GAP_KM, "value"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def export_scenario(_, data, km, lang):
        lang = safe_lang(lang)
        scenario, _ = scenario_from(model, data)
        km = km if isinstance(km, (int, float)) and 0 < km <= 500 else 50
        frame = scenario_frame(model, scenario, all_gains(model, scenario.units, km), lang)
        return dcc.send_string(csv_text(frame), f"cobertura-escenario-{int(km)}km.csv", type="text/csv")

    app.clientside_callback(
        "function(n) { return window.location.href; }",  # the URL holds the whole scenario
        Output(ids.PLAN_COPY, "content"),
        Input(ids.PLAN_COPY, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.PLAN_PLACE, "options"),
        Input(ids.PLAN_PLACE, "search_value"),
        State(ids.PLAN_PLACE, "value"),
        State(ids.GAP_FOCUS, "value"),
    )
    def place_options(search, value, focus):
        table = model.places.capitals
        if model.geo.is_focus(focus):
            table = table[table["ubigeo"].isin(model.geo.codes("district", focus))]
        options = []
        if isinstance(value, str) and value in model.places.capitals.index:
            options.append({"label": model.places.capitals.loc[value, "name"], "value": value})
        if isinstance(search, str) and len(search.strip()) >= 2:
            from layers.ubigeo import fold_name

            wanted = fold_name(search[:60])
            names = table["name"].map(fold_name)
            hits = table[names.str.contains(wanted, regex=False)].head(SEARCH_LIMIT)
            options += [{"label": n, "value": c} for c, n in hits["name"].items() if c != value]
        return options

    @app.callback(
        Output(ids.SCENARIO, "data"),
        Output(ids.PLAN_NOTICE, "children"),
        Output(ids.PLAN_MOVING, "data"),
        Output(ids.PLAN_MOVE_HINT, "is_open"),
        Output(ids.PLAN_MOVE_TEXT, "children"),
        Output(ids.PLAN_ADD, "children"),
        Input(ids.PLAN_ADD, "n_clicks"),
        Input(ids.GAP_MAP, "clickData"),
        Input({"type": ids.PLAN_REMOVE, "index": ALL}, "n_clicks"),
        Input({"type": ids.PLAN_MOVE, "index": ALL}, "n_clicks"),
        Input(ids.PLAN_MOVE_CANCEL, "n_clicks"),
        Input(ids.PLAN_SUGGEST, "n_clicks"),
        Input(ids.PLAN_CLEAR, "n_clicks"),
        Input({"type": ids.PLAN_COST, "service": ALL}, "value"),
        State({"type": ids.PLAN_COST, "service": ALL}, "id"),
        State(ids.PLAN_SERVICE, "value"),
        State(ids.PLAN_PLACE, "value"),
        State(ids.PLAN_CLICK, "value"),
        State(ids.GAP_LEVEL, "value"),
        State(ids.GAP_KM, "value"),
        State(ids.PLAN_N, "value"),
        State(ids.PLAN_DEPARTMENTS, "value"),
        State(ids.PLAN_CANDIDATES, "value"),
        State(ids.PLAN_MIN_SIZE, "value"),
        State(ids.SCENARIO, "data"),
        State(ids.PLAN_MOVING, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def edit_scenario(
        add,
        click,
        removes,
        moves,
        cancel_move,
        suggest_clicks,
        clear,
        cost_values,
        cost_ids,
        service,
        place,
        click_mode,
        level,
        km,
        n,
        departments,
        candidates,
        min_size,
        data,
        moving,
        lang,
    ):
        lang = safe_lang(lang)
        scenario, _ = scenario_from(model, data)
        trigger = ctx.triggered_id
        clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))  # not a re-rendered button
        moving = moving if valid_index(moving, list(scenario.units)) else None
        if isinstance(trigger, dict) and trigger.get("type") == ids.PLAN_MOVE:
            index = trigger.get("index")
            if not clicked or not valid_index(index, list(scenario.units)):
                return (no_update,) * 6
            return no_update, None, index, True, move_text(model, scenario.units[index], lang), t(lang, "plan.move_here")
        if trigger == ids.PLAN_MOVE_CANCEL:
            return no_update, None, None, False, "", t(lang, "plan.add")
        if moving is not None and trigger in (ids.PLAN_ADD, ids.GAP_MAP):
            target = place if trigger == ids.PLAN_ADD else None
            if trigger == ids.GAP_MAP:  # while moving, a click on the map places the unit
                code = clicked_code(click)
                if code is None:
                    return (no_update,) * 6
                target = area_capital(model, level, code)
            scenario, message = edit(model, scenario, "move", remove=moving, place=target)
            if message:  # stay in move mode: the user picks another place
                return no_update, message_text(lang, message), no_update, no_update, no_update, no_update
            return scenario.record(), None, None, False, "", t(lang, "plan.add")
        if trigger == ids.PLAN_ADD:
            scenario, message = edit(model, scenario, "add", service=service, place=place)
        elif trigger == ids.GAP_MAP:
            code = clicked_code(click)
            if not click_mode or code is None:
                return (no_update,) * 6
            scenario, message = edit(model, scenario, "click", service=service, place=area_capital(model, level, code))
        elif isinstance(trigger, dict) and trigger.get("type") == ids.PLAN_REMOVE:
            if not clicked:
                return (no_update,) * 6  # buttons re-rendered
            scenario, message = edit(model, scenario, "remove", remove=trigger.get("index"))
        elif trigger == ids.PLAN_SUGGEST:
            scenario, message = edit(
                model,
                scenario,
                "suggest",
                suggestion={
                    "service": service,
                    "n": n,
                    "departments": departments if isinstance(departments, list) else [],
                    "candidates": candidates,
                    "min_size": min_size,
                    "km": km if isinstance(km, (int, float)) else 50,
                },
            )
        elif trigger == ids.PLAN_CLEAR:
            scenario, message = edit(model, scenario, "clear")
        elif isinstance(trigger, dict) and trigger.get("type") == ids.PLAN_COST:
            costs = {i.get("service"): v for i, v in zip(cost_ids or [], cost_values or []) if isinstance(i, dict)}
            scenario, message = edit(model, scenario, "costs", costs={k: v for k, v in costs.items() if v is not None})
            # costs leave the units (and so a move in progress) as they were
            return scenario.record(), message_text(lang, message), no_update, no_update, no_update, no_update
        else:
            return (no_update,) * 6
        # units added, removed or replaced: indices shift, so a move in progress ends
        return scenario.record(), message_text(lang, message), None, False, "", t(lang, "plan.add")
