"""Wiring of the URL: the query string is read and written through the codec in atlas.url.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, no_update

from atlas.gaps import scenario_record, state_from_record
from atlas.i18n import DEFAULT_LANG, LANGS
from atlas.model import NATIONAL, Model
from atlas.plan import scenario_from
from atlas.scenarios import records, scenarios_from
from atlas.trafficking import UserSeries
from atlas.url import TABS, ViewState, query_from_view, view_from_query
from views import ids
from views.url import notice


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
        Output(ids.SCENARIOS, "data"),
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
            "measure": g.measure,
            "hours": g.hours,
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
            view.scenarios,
            notice(view.lang, problems),
        )

    @app.callback(
        Output(ids.STATE_SYNC, "data"),
        Input(ids.LANG, "value"),
        *ids.map_controls(Input),
        Input(ids.TABS, "active_tab"),
        Input(ids.GAP_DRAWN, "data"),
        Input(ids.SCENARIOS, "data"),
        State(ids.SCENARIO_SEED, "data"),
        State(ids.TRATA_STORE, "data"),
        prevent_initial_call=True,
    )
    def sync_url(lang, level, focus, metric, year, services, basemap, tab, drawn, saved, seed, imported):
        if drawn is None:
            return no_update  # the gaps tab is being (re)drawn; its record follows
        user = UserSeries.from_store(imported, model)
        map_state, _ = model.state(level, focus, metric, year, services, basemap, user=user)
        scenario, _ = scenario_from(model, scenario_record(drawn, seed))
        view = ViewState(
            lang=lang if lang in LANGS else DEFAULT_LANG,
            map=map_state,
            tab=tab if tab in TABS else "map",
            gaps=state_from_record(model, drawn),
            scenario=scenario.record(),
            scenarios=records(scenarios_from(model, saved)[0]),
        )
        return query_from_view(view)

    app.clientside_callback(
        ClientsideFunction("cobertura", "write_url"),  # assets/js/clientside.js
        Output(ids.URL_WRITTEN, "data"),
        Input(ids.STATE_SYNC, "data"),
        State(ids.LANG, "value"),
    )
