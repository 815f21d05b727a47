"""The view lives in the URL: a shared link reproduces it (map, gaps view and scenario).

On load the query string is parsed and validated; anything malformed is ignored with a
visible notice, never an error page. Afterwards the query is rebuilt on the server from the
validated state (one place encodes it: `query_from_view`) and written back in the browser
with `history.replaceState` (no reload).

Parameters: lang, level, focus, metric, year, services, basemap (Mapa tab); tab; gservice,
km, glevel, gfocus, gcolour, w (Brechas tab); units, suggested, cost (the scenario), e.g.
``?tab=gaps&gservice=upe&km=50&glevel=district&gfocus=16&units=upe:160302&cost=upe:250000``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update

from callbacks import ids
from callbacks.gaps import GapState, gap_state, state_from_record
from callbacks.i18n import DEFAULT_LANG, LANGS, t
from callbacks.model import NATIONAL, MapState, Model
from callbacks.plan import scenario_from
from callbacks.trata_upload import UserSeries

MAP_KEYS = ("lang", "level", "focus", "metric", "year", "services", "basemap")
GAP_KEYS = ("tab", "gservice", "km", "glevel", "gfocus", "gcolour", "w", "units", "suggested", "cost")
KNOWN = MAP_KEYS + GAP_KEYS
TABS = ("map", "gaps", "sources")
MAX_QUERY = 4000


@dataclass(frozen=True)
class ViewState:
    lang: str = DEFAULT_LANG
    map: MapState = field(default_factory=MapState)
    tab: str = "map"
    gaps: GapState = field(default_factory=GapState)
    scenario: dict = field(default_factory=lambda: {"units": [], "costs": {}})


def parse_query(search: str | None) -> tuple[dict[str, str], list[str]]:
    """Last value of each known parameter, plus the names of unknown ones."""
    problems: list[str] = []
    if not search:
        return {}, problems
    if not isinstance(search, str) or len(search) > MAX_QUERY:
        return {}, ["query"]
    try:
        parsed = parse_qs(search.lstrip("?"), keep_blank_values=True, max_num_fields=60)
    except ValueError:
        return {}, ["query"]
    values = {}
    for key, vals in parsed.items():
        if key not in KNOWN:
            problems.append(key[:40])
            continue
        values[key] = vals[-1]
    return values, problems


def _pairs(text: str | None) -> list[tuple[str, str]] | None:
    """'a:b,c:d' -> [('a','b'), ('c','d')]; None if malformed."""
    if not text:
        return []
    pairs = []
    for item in text.split(","):
        left, sep, right = item.partition(":")
        if not sep or not left or not right:
            return None
        pairs.append((left, right))
    return pairs


def view_from_query(model: Model, search: str | None, user=None) -> tuple[ViewState, list[str]]:
    """The validated view of a query string. `user`: the series this browser imported
    (checked), so that a link to an imported indicator keeps working in the same session."""
    values, problems = parse_query(search)
    lang = values.get("lang", DEFAULT_LANG)
    if lang not in LANGS:
        problems.append("lang")
        lang = DEFAULT_LANG
    map_state, map_problems = model.state(
        level=values.get("level"),
        focus=values.get("focus"),
        metric=values.get("metric"),
        year=values.get("year"),
        services=values.get("services"),
        basemap=values.get("basemap"),
        user=user,
    )
    tab = values.get("tab", "map")
    if tab not in TABS:
        problems.append("tab")
        tab = "map"
    gaps, gap_problems = gap_state(
        model,
        values.get("gservice"),
        values.get("km"),
        values.get("glevel"),
        values.get("gfocus"),
        values.get("gcolour"),
        values.get("w"),
    )
    gap_problems = ["g" + p if p in ("level", "focus", "service", "colour") else p for p in gap_problems]
    units = []
    for key, origin in (("units", "manual"), ("suggested", "suggested")):
        pairs = _pairs(values.get(key))
        if pairs is None:
            problems.append(key)
            continue
        units += [{"service": s, "place": p, "origin": origin} for s, p in pairs]
    costs = {}
    pairs = _pairs(values.get("cost"))
    if pairs is None:
        problems.append("cost")
    else:
        costs = dict(pairs)
    scenario, scenario_problems = scenario_from(model, {"units": units, "costs": costs})
    view = ViewState(lang, map_state, tab, gaps, scenario.record())
    return view, problems + map_problems + gap_problems + scenario_problems


def query_from_view(view: ViewState) -> str:
    """The canonical query string of a view ('' for all defaults)."""
    default_map, default_gaps = MapState(), GapState()
    q: dict[str, str] = {}
    if view.lang != DEFAULT_LANG:
        q["lang"] = view.lang
    m = view.map
    if m.level != default_map.level:
        q["level"] = m.level
    if m.focus:
        q["focus"] = m.focus
    if m.metric:
        q["metric"] = m.metric
    if m.year:
        q["year"] = m.year
    if m.services:
        q["services"] = ",".join(m.services)
    if m.basemap:
        q["basemap"] = "1"
    if view.tab != "map":
        q["tab"] = view.tab
    g = view.gaps
    if g != default_gaps or view.tab == "gaps":
        q["gservice"] = g.service
        q["km"] = f"{g.km:g}"
        q["glevel"] = g.level
        if g.focus:
            q["gfocus"] = g.focus
        if g.colour != default_gaps.colour:
            q["gcolour"] = g.colour
        if g.weights != default_gaps.weights:
            q["w"] = ",".join(f"{w:g}" for w in g.weights)
    units = view.scenario.get("units", [])
    for key, origin in (("units", "manual"), ("suggested", "suggested")):
        mine = [f"{u['service']}:{u['place']}" for u in units if u.get("origin") == origin]
        if mine:
            q[key] = ",".join(mine)
    costs = view.scenario.get("costs", {})
    if costs:
        q["cost"] = ",".join(f"{s}:{v:g}" for s, v in costs.items())
    return ("?" + urlencode(q, safe=":,")) if q else ""


def notice(lang: str, problems: list[str]):
    if not problems:
        return None
    names = ", ".join(sorted(set(problems)))
    return dbc.Alert(
        [html.Strong(t(lang, "notice.url_title")), " ", t(lang, "notice.url_body", names=names)],
        color="warning",
        dismissable=True,
        className="url-notice",
    )


def register(app, model: Model) -> None:
    @app.callback(
        Output(ids.LANG, "value"),
        Output(ids.LEVEL, "value"),
        Output(ids.FOCUS, "value"),
        Output(ids.METRIC, "value"),
        Output(ids.YEAR, "value", allow_duplicate=True),
        Output(ids.SERVICES, "value"),
        Output(ids.BASEMAP, "value"),
        Output(ids.TABS, "active_tab"),
        Output(ids.GAP_DRAWN, "data", allow_duplicate=True),
        Output(ids.SCENARIO_SEED, "data"),
        Output(ids.NOTICE, "children"),
        Input(ids.URL, "search"),
        State(ids.TRATA_STORE, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def apply_url(search, imported):
        view, problems = view_from_query(model, search, UserSeries.from_store(imported, model))
        g = view.gaps
        gap_record = {
            "level": g.level,
            "focus": g.focus,
            "values": [g.service, g.km, g.colour, list(g.weights)],
        }
        m = view.map
        return (
            view.lang,
            m.level,
            m.focus or NATIONAL,
            m.metric,
            m.year,
            list(m.services),
            m.basemap,
            view.tab,
            gap_record,
            view.scenario,
            notice(view.lang, problems),
        )

    @app.callback(
        Output(ids.STATE_SYNC, "data"),
        Input(ids.LANG, "value"),
        Input(ids.LEVEL, "value"),
        Input(ids.FOCUS, "value"),
        Input(ids.METRIC, "value"),
        Input(ids.YEAR, "value"),
        Input(ids.SERVICES, "value"),
        Input(ids.BASEMAP, "value"),
        Input(ids.TABS, "active_tab"),
        Input(ids.GAP_DRAWN, "data"),
        State(ids.SCENARIO_SEED, "data"),
        State(ids.TRATA_STORE, "data"),
        prevent_initial_call=True,
    )
    def sync_url(lang, level, focus, metric, year, services, basemap, tab, drawn, seed, imported):
        if drawn is None:
            return no_update  # the gaps tab is being (re)drawn; its record follows
        user = UserSeries.from_store(imported, model)
        map_state, _ = model.state(level, focus, metric, year, services, basemap, user=user)
        plan = drawn.get("plan") if isinstance(drawn, dict) and "plan" in drawn else seed
        scenario, _ = scenario_from(model, plan)
        view = ViewState(
            lang=lang if lang in LANGS else DEFAULT_LANG,
            map=map_state,
            tab=tab if tab in TABS else "map",
            gaps=state_from_record(model, drawn),
            scenario=scenario.record(),
        )
        return query_from_view(view)

    app.clientside_callback(
        """
        function(query, lang) {
            if (typeof query !== 'string') { return window.dash_clientside.no_update; }
            var url = window.location.pathname + query + window.location.hash;
            window.history.replaceState(null, '', url);
            document.documentElement.lang = lang || 'es';
            return window.dash_clientside.no_update;
        }
        """,
        Output(ids.URL_WRITTEN, "data"),
        Input(ids.STATE_SYNC, "data"),
        State(ids.LANG, "value"),
    )

