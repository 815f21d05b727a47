"""Language switch: static texts and the labels of every control."""

from __future__ import annotations

from dash import Input, Output, State

from atlas.i18n import safe_lang, t
from atlas.model import Model
from atlas.trafficking import UserSeries
from views import ids
from views.layout import (
    focus_options,
    graph_config,
    level_options,
    metric_options,
    service_options,
    year_options,
)


def translate_statics(lang: str, keys: object) -> list[str]:
    """The text of each static's key; a forged id gets an empty text, not an error."""
    if not isinstance(keys, list):
        return []
    return [t(lang, key["key"]) if isinstance(key, dict) and isinstance(key.get("key"), str) else "" for key in keys]


def register(app, model: Model) -> None:
    @app.callback(
        Output(ids.i18n_all(), "children"),
        Input(ids.LANG, "value"),
        State(ids.i18n_all(), "id"),
    )
    def statics(lang, keys):
        return translate_statics(safe_lang(lang), keys)

    @app.callback(
        Output(ids.TAB_MAP, "label"),
        Output(ids.TAB_GAPS, "label"),
        Output(ids.TAB_SOURCES, "label"),
        Output(ids.LEVEL, "options"),
        Output(ids.FOCUS, "options"),
        Output(ids.SERVICES, "options"),
        Input(ids.LANG, "value"),
    )
    def labels(lang):
        """The tabs' labels and the map controls' options in the page's language."""
        lang = safe_lang(lang)
        tabs = t(lang, "tab.map"), t(lang, "tab.gaps"), t(lang, "tab.sources")
        return *tabs, level_options(lang), focus_options(model, lang), service_options(model, lang)

    @app.callback(Output(ids.MAP, "config"), Input(ids.LANG, "value"), prevent_initial_call=True)
    def map_config(lang):
        return graph_config(safe_lang(lang))

    @app.callback(
        Output(ids.METRIC, "options"),
        Input(ids.LANG, "value"),
        Input(ids.LEVEL, "value"),
        Input(ids.TRATA_STORE, "data"),
    )
    def metric_labels(lang, level, imported):
        state, _ = model.state(level=level)
        return metric_options(model, state.level, safe_lang(lang), UserSeries.from_store(imported, model))

    @app.callback(
        Output(ids.YEAR, "options"),
        Output(ids.YEAR, "value"),
        Input(ids.METRIC, "value"),
        State(ids.YEAR, "value"),
        State(ids.TRATA_STORE, "data"),
    )
    def years(metric, year, imported):
        user = UserSeries.from_store(imported, model)
        state, _ = model.state(metric=metric, user=user)
        options = year_options(model, state.metric, user)
        values = [o["value"] for o in options]
        keep = year if year in values else (values[-1] if values else None)
        return options, keep
