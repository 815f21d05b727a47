"""The view lives in the URL: a shared link reproduces it.

On load the query string is parsed and validated (`Model.state`); anything malformed is
ignored with a visible notice, never an error page. Afterwards every change is written
back with `history.replaceState` in the browser (no round trip, no page reload).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html

from . import ids
from .i18n import DEFAULT_LANG, LANGS, t
from .model import NATIONAL, MapState, Model
from .trata_upload import UserSeries

KNOWN = ("lang", "level", "focus", "metric", "year", "services", "basemap")
MAX_QUERY = 2000


def parse_query(search: str | None) -> tuple[dict[str, str], list[str]]:
    """Last value of each known parameter, plus the names of unknown or repeated ones."""
    problems: list[str] = []
    if not search:
        return {}, problems
    if len(search) > MAX_QUERY:
        return {}, ["query"]
    try:
        parsed = parse_qs(search.lstrip("?"), keep_blank_values=True, max_num_fields=50)
    except ValueError:
        return {}, ["query"]
    values = {}
    for key, vals in parsed.items():
        if key not in KNOWN:
            problems.append(key[:40])
            continue
        values[key] = vals[-1]
    return values, problems


def state_from_query(model: Model, search: str | None, user=None) -> tuple[str, MapState, list[str]]:
    values, problems = parse_query(search)
    lang = values.get("lang", DEFAULT_LANG)
    if lang not in LANGS:
        problems.append("lang")
        lang = DEFAULT_LANG
    state, state_problems = model.state(
        level=values.get("level"),
        focus=values.get("focus"),
        metric=values.get("metric"),
        year=values.get("year"),
        services=values.get("services"),
        basemap=values.get("basemap"),
        user=user,
    )
    return lang, state, problems + state_problems


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
        Output(ids.NOTICE, "children"),
        Input(ids.URL, "search"),
        State(ids.TRATA_STORE, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def apply_url(search, imported):
        lang, state, problems = state_from_query(model, search, UserSeries.from_store(imported, model))
        return (
            lang,
            state.level,
            state.focus or NATIONAL,
            state.metric,
            state.year,
            list(state.services),
            state.basemap,
            notice(lang, problems),
        )

    app.clientside_callback(
        """
        function(lang, level, focus, metric, year, services, basemap) {
            var p = new URLSearchParams();
            if (lang && lang !== 'es') { p.set('lang', lang); }
            if (level && level !== 'department') { p.set('level', level); }
            if (focus && focus !== 'PE') { p.set('focus', focus); }
            if (metric) { p.set('metric', metric); }
            if (year) { p.set('year', year); }
            if (services && services.length) { p.set('services', services.join(',')); }
            if (basemap) { p.set('basemap', '1'); }
            var q = p.toString();
            var url = window.location.pathname + (q ? '?' + q : '') + window.location.hash;
            window.history.replaceState(null, '', url);
            document.documentElement.lang = lang || 'es';
            return q;
        }
        """,
        Output(ids.STATE_SYNC, "data"),
        Input(ids.LANG, "value"),
        Input(ids.LEVEL, "value"),
        Input(ids.FOCUS, "value"),
        Input(ids.METRIC, "value"),
        Input(ids.YEAR, "value"),
        Input(ids.SERVICES, "value"),
        Input(ids.BASEMAP, "value"),
        prevent_initial_call=True,
    )
