"""Wiring of the area and service profile panel.
"""

from __future__ import annotations

from dash import Input, Output, State, ctx

from atlas.i18n import safe_lang, t
from atlas.model import Model
from atlas.trafficking import UserSeries
from ingest.registry import USER_SERVICE
from views import ids
from views.profile import area_profile, clicked_id, hint, service_profile


def register(app, model: Model) -> None:
    @app.callback(
        Output(ids.PROFILE, "children"),
        Input(ids.MAP, "clickData"),
        Input(ids.LANG, "value"),
        Input(ids.LEVEL, "value"),
        Input(ids.FOCUS, "value"),
        State(ids.TRATA_STORE, "data"),
    )
    def show_profile(click, lang, level, focus, imported):
        lang = safe_lang(lang)
        if ctx.triggered_id in (ids.LEVEL, ids.FOCUS):
            return hint(lang)
        state, _ = model.state(level=level, focus=focus)
        feature = clicked_id(click)
        if feature is None:
            return hint(lang, t(lang, "profile.bad_click") if click else None)
        if feature.startswith(f"{USER_SERVICE}:"):  # the user's own unit: its label says it all
            return hint(lang, t(lang, "profile.user_unit"))
        if ":" in feature:
            return service_profile(model, feature, lang) or hint(lang, t(lang, "profile.bad_click"))
        if model.geo.area(state.level, feature) is None:
            return hint(lang, t(lang, "profile.bad_click"))
        return area_profile(model, state, feature, lang, UserSeries.from_store(imported, model))
