"""Safety nets every view shares.

- `on_callback_error`: the app-wide Dash ``on_error`` handler. Any unexpected exception in
  any server callback is logged with its traceback on the server and a reference; the
  browser gets a short bilingual notice (no traceback) and ``no_update`` for every output,
  so nothing the user had on screen changes or is lost.
- The notice listing layers that could not be loaded (missing or corrupt file), so an
  unavailable layer is visible on the map page, not only in Fuentes.
"""

from __future__ import annotations

import logging
import secrets

import dash_bootstrap_components as dbc
from dash import callback_context, html, no_update, set_props

from atlas.i18n import pick, t
from atlas.jobs import BUSY, LOST
from atlas.model import Model
from views import ids

log = logging.getLogger("cobertura.callbacks")


def notice_areas() -> list:
    """Where the safety notices appear (next to the URL notice)."""
    return [
        html.Div(id=ids.ERROR_NOTICE, **{"aria-live": "assertive"}),
        html.Div(id=ids.LAYER_NOTICE),
    ]


def error_alert(reference: str):
    """The same message in both languages: the handler cannot trust the language input."""
    return dbc.Alert(
        [
            html.Strong(t("es", "error.callback_title") + " / " + t("en", "error.callback_title")),
            html.Div(t("es", "error.callback_body"), lang="es"),
            html.Div(t("en", "error.callback_body"), lang="en"),
            html.Small(f"{t('es', 'error.reference')} / {t('en', 'error.reference')}: {reference}", className="text-muted"),
        ],
        color="danger",
        dismissable=True,
        className="callback-error",
    )


def _callback_name() -> str:
    try:
        outputs = callback_context.outputs_list
    except Exception:  # outside a request (tests calling the handler directly)
        return "?"
    flat = []
    for item in outputs if isinstance(outputs, list) else [outputs]:
        for out in item if isinstance(item, list) else [item]:
            if isinstance(out, dict):
                flat.append(f"{out.get('id')}.{out.get('property')}")
    return ", ".join(flat)[:300] or "?"


def no_update_for(outputs: object):
    """no_update shaped like the callback's outputs (a list per wildcard output)."""
    if isinstance(outputs, list):
        return [no_update_for(o) if isinstance(o, list) else no_update for o in outputs]
    return no_update


def job_alert(key: str):
    """A background job refused (busy) or interrupted (its worker died): both languages."""
    return dbc.Alert(
        [html.Div(t("es", key), lang="es"), html.Div(t("en", key), lang="en")],
        color="warning",
        dismissable=True,
        className="callback-error",
    )


def on_callback_error(err: Exception):
    """Dash ``on_error``: log, show a notice, change nothing else (no_update everywhere)."""
    message = str(err)
    for marker, key in ((BUSY, "job.busy"), (LOST, "job.lost")):
        if marker in message:
            log.warning("background job: %s", key)
            try:
                set_props(ids.ERROR_NOTICE, {"children": job_alert(key)})
                return no_update_for(callback_context.outputs_list)
            except Exception:
                return None
    reference = secrets.token_hex(4)
    log.error("callback %s failed (ref %s)", _callback_name(), reference, exc_info=err)
    try:
        set_props(ids.ERROR_NOTICE, {"children": error_alert(reference)})
        return no_update_for(callback_context.outputs_list)
    except Exception:  # outside a request (a direct call): nothing to show, nothing to update
        return None


def layer_notice(model: Model, lang: str):
    """A warning naming the layers that could not be loaded; None when all loaded."""
    errors = model.catalog.errors
    if not errors:
        return None
    items = []
    for layer in model.catalog.layers:
        if layer.id in errors:
            items.append(html.Li([html.Strong(pick(layer.title, lang)), html.Br(), html.Small(errors[layer.id])]))
    return dbc.Alert(
        [
            html.Strong(t(lang, "notice.layers_title")),
            " ",
            t(lang, "notice.layers_body"),
            html.Ul(items, className="mb-0 small"),
        ],
        color="warning",
        dismissable=True,
        className="layer-notice",
    )
