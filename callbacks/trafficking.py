"""Wiring of the browser import of an official trafficking file (parsed by ingest.trafficking).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime, timezone

import dash_bootstrap_components as dbc
from dash import Input, Output, State, no_update

from atlas.i18n import safe_lang, t
from atlas.trafficking import MAX_UPLOADS, STORE_VERSION, newest_metric, store_entry
from ingest.trafficking import import_trata
from layers.child_population import children_by_department
from views import ids
from views.trafficking import MAX_UPLOAD_MB, status_message


def process_upload(model, contents: object, filename: object, last_modified: object, current: object, lang: str,
                   progress=None) -> tuple[dict | None, object]:
    """Decode, import and store one uploaded file. Returns (new store or None, status)."""
    name = str(filename or "archivo.csv")[:200]
    if not isinstance(contents, str) or "," not in contents:
        return None, dbc.Alert(t(lang, "upload.unreadable"), color="danger", className="small p-2 mb-0")
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (binascii.Error, ValueError):
        return None, dbc.Alert(t(lang, "upload.unreadable"), color="danger", className="small p-2 mb-0")
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return None, dbc.Alert(t(lang, "upload.too_large", mb=MAX_UPLOAD_MB), color="danger", className="small p-2 mb-0")
    result = import_trata(data, name, progress=progress)
    if not result.ok:
        return None, status_message(None, result, name, lang)
    try:
        stamp = datetime.fromtimestamp(float(last_modified), tz=timezone.utc).strftime("%Y-%m-%d")
    except (TypeError, ValueError, OverflowError, OSError):
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    token = hashlib.sha256(data).hexdigest()[:10]
    children = children_by_department(model.catalog.loaded["child_population"]) if model.catalog.available("child_population") else None
    entry = store_entry(result, model.geo, children, name, stamp, token, model.geo_version)
    previous = current.get("uploads", []) if isinstance(current, dict) and current.get("version") == STORE_VERSION else []
    if not isinstance(previous, list):
        previous = []
    kept = [u for u in previous if isinstance(u, dict) and u.get("source") != result.source and u.get("id") != token]
    store = {"version": STORE_VERSION, "uploads": [entry] + kept[: MAX_UPLOADS - 1]}
    return store, status_message(entry, result, name, lang)


def register(app, model) -> None:
    from atlas.jobs import check_cancelled

    jobs = app.cobertura_jobs

    @app.callback(
        Output(ids.TRATA_STORE, "data"),
        Output(ids.TRATA_STATUS, "children"),
        Output(ids.METRIC, "value", allow_duplicate=True),  # show what was just imported
        Input(ids.TRATA_UPLOAD, "contents"),
        State(ids.TRATA_UPLOAD, "filename"),
        State(ids.TRATA_UPLOAD, "last_modified"),
        State(ids.TRATA_STORE, "data"),
        State(ids.LANG, "value"),
        background=True,  # the app's bounded job manager (atlas.jobs)
        interval=400,
        progress=[Output(ids.TRATA_PROGRESS, "value"), Output(ids.TRATA_PROGRESS, "label")],
        running=[
            (Output(ids.TRATA_UPLOAD, "disabled"), True, False),
            (Output(ids.TRATA_PROGRESS, "style"), {"display": "flex"}, {"display": "none"}),
        ],
        prevent_initial_call=True,
    )
    def import_upload(set_progress, contents, filename, last_modified, current, lang):
        lang = safe_lang(lang)

        def progress(fraction: float, stage: str) -> None:
            check_cancelled(jobs)  # the page that asked for it is gone: stop
            percent = int(round(100 * fraction))
            set_progress((percent, f"{percent} %"))

        store, status = process_upload(model, contents, filename, last_modified, current, lang, progress)
        if store is None:  # nothing the user had is lost
            return no_update, status, no_update
        return store, status, newest_metric(store, model) or no_update
