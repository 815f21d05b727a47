"""Wiring of the layer notice (the app-wide error handler is views.notices.on_callback_error).
"""

from __future__ import annotations

from dash import Input, Output

from atlas.i18n import safe_lang
from atlas.model import Model
from views import ids
from views.notices import layer_notice


def register(app, model: Model) -> None:
    @app.callback(Output(ids.LAYER_NOTICE, "children"), Input(ids.LANG, "value"))
    def show_layer_notice(lang):
        return layer_notice(model, safe_lang(lang))
