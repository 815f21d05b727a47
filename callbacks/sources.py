"""Wiring of the Fuentes / Sources tab.
"""

from __future__ import annotations

from dash import Input, Output

from atlas.i18n import safe_lang
from atlas.model import Model
from views import ids
from views.sources import sources_panel


def register(app, model: Model) -> None:
    @app.callback(Output(ids.SOURCES, "children"), Input(ids.LANG, "value"))
    def show_sources(lang):
        return sources_panel(model, safe_lang(lang))
