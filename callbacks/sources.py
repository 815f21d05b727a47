"""Wiring of the Fuentes / Sources tab.
"""

from __future__ import annotations

from dash import Input, Output, no_update

from atlas.i18n import safe_lang
from atlas.model import Model
from views import ids
from views.sources import sources_panel


def register(app, model: Model) -> None:
    # built when the tab is opened, not with the first page (it was 8 of its 37 KB of answers)
    @app.callback(Output(ids.SOURCES, "children"), Input(ids.LANG, "value"), Input(ids.TABS, "active_tab"))
    def show_sources(lang, active_tab):
        if active_tab != "sources":
            return no_update
        return sources_panel(model, safe_lang(lang))
