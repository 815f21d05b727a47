"""The view lives in the URL: a shared link reproduces it (map, gaps view and scenario).

On load the query string is parsed and validated; anything malformed is ignored with a
visible notice, never an error page. Afterwards the query is rebuilt on the server from the
validated state (one place encodes it: `query_from_view`) and written back in the browser
with `history.replaceState` (no reload).

Parameters: lang, level, focus, metric, year, services, basemap (Mapa tab); tab; gservice,
km, glevel, gfocus, gcolour, w, measure, hours (Brechas tab; measure and hours only in
hours mode, so a km link reads exactly as before); units, suggested, cost (the scenario), e.g.
``?tab=gaps&gservice=upe&km=50&glevel=district&gfocus=16&units=upe:160302&cost=upe:250000``;
sa .. sf (the saved, named scenarios: `atlas.scenarios`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from atlas.gaps import GapState, gap_state
from atlas.hours import TRAVEL
from atlas.i18n import DEFAULT_LANG, LANGS
from atlas.model import MapState, Model
from atlas.plan import scenario_from
from atlas.scenarios import URL_KEYS as SCENARIO_KEYS
from atlas.scenarios import query_values as scenario_values
from atlas.scenarios import scenarios_from_query

MAP_KEYS = ("lang", "level", "focus", "metric", "year", "services", "basemap")
GAP_KEYS = ("tab", "gservice", "km", "glevel", "gfocus", "gcolour", "w", "measure", "hours", "units", "suggested", "cost")
KNOWN = MAP_KEYS + GAP_KEYS + SCENARIO_KEYS
TABS = ("map", "gaps", "sources")
MAX_QUERY = 16000  # six saved scenarios of up to 40 units each fit


@dataclass(frozen=True)
class ViewState:
    lang: str = DEFAULT_LANG
    map: MapState = field(default_factory=MapState)
    tab: str = "map"
    gaps: GapState = field(default_factory=GapState)
    scenario: dict = field(default_factory=lambda: {"units": [], "costs": {}})
    scenarios: list = field(default_factory=list)  # saved scenario records (atlas.scenarios)


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
        values.get("measure"),
        values.get("hours"),
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
    saved, saved_problems = scenarios_from_query(model, values)
    view = ViewState(lang, map_state, tab, gaps, scenario.record(), saved)
    return view, problems + map_problems + gap_problems + scenario_problems + saved_problems


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
    if g.measure != TRAVEL:  # a km view's link: the hour threshold is not part of it
        g = replace(g, hours=default_gaps.hours)
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
        if g.measure == TRAVEL:
            q["measure"] = g.measure
            q["hours"] = f"{g.hours:g}"
    units = view.scenario.get("units", [])
    for key, origin in (("units", "manual"), ("suggested", "suggested")):
        mine = [f"{u['service']}:{u['place']}" for u in units if u.get("origin") == origin]
        if mine:
            q[key] = ",".join(mine)
    costs = view.scenario.get("costs", {})
    if costs:
        q["cost"] = ",".join(f"{s}:{v:.15g}" for s, v in costs.items())
    q.update(scenario_values(view.scenarios))
    return ("?" + urlencode(q, safe=":,")) if q else ""
