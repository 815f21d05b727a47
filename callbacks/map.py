"""Wiring of the map tab: one callback decides between a whole figure and a Patch (views.map).
"""

from __future__ import annotations

from dash import Input, Output, State

from atlas.i18n import safe_lang
from atlas.model import Model
from atlas.trafficking import UserSeries
from views import ids
from views.map import caption, map_update, service_legend


def register(app, model: Model) -> None:
    @app.callback(
        Output(ids.MAP, "figure"),
        Output(ids.MAP_DRAWN, "data"),
        *ids.map_controls(Input),
        Input(ids.LANG, "value"),
        State(ids.MAP_DRAWN, "data"),
        State(ids.TRATA_STORE, "data"),
    )
    def update_map(level, focus, metric, year, services, basemap, lang, drawn, imported):
        user = UserSeries.from_store(imported, model)
        state, _ = model.state(level, focus, metric, year, services, basemap, user=user)
        return map_update(model, drawn, state, safe_lang(lang), app.config.requests_pathname_prefix, user)

    @app.callback(
        Output(ids.MAP_CAPTION, "children"),
        Output(ids.SERVICE_LEGEND, "children"),
        Input(ids.LEVEL, "value"),
        Input(ids.FOCUS, "value"),
        Input(ids.METRIC, "value"),
        Input(ids.YEAR, "value"),
        Input(ids.SERVICES, "value"),
        Input(ids.LANG, "value"),
        State(ids.TRATA_STORE, "data"),
    )
    def update_caption(level, focus, metric, year, services, lang, imported):
        user = UserSeries.from_store(imported, model)
        state, _ = model.state(level, focus, metric, year, services, user=user)
        lang = safe_lang(lang)
        return caption(model, state, lang, user), service_legend(model, state, lang)
