"""Wiring of the user's own services registry: upload, confirm, clear, downloads.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from analysis.districts import DistrictIndex
from atlas.i18n import safe_lang
from atlas.model import Model
from atlas.registry import check_upload, confirm_units
from ingest.registry import USER_SERVICE, clean_records
from reports.registry import send
from views import ids
from views.map_figure import trace_index
from views.registry import (
    _n,
    report_view,
    status_view,
    upload_component,
)
from views.user_figure import user_traces_data


def register(app, model: Model) -> None:
    places = DistrictIndex(model.geo)
    user_indices = trace_index(model)[USER_SERVICE]

    # 1. in the browser: refuse a file over the limit before sending it
    app.clientside_callback(
        ClientsideFunction("cobertura", "upload_payload"),  # assets/js/clientside.js
        Output(ids.UPLOAD_PAYLOAD, "data"),
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        State(ids.UPLOAD_LIMIT, "data"),
        prevent_initial_call=True,
    )

    # 2. on the server: validate; valid rows wait for confirmation
    @app.callback(
        Output(ids.UPLOAD_REPORT, "data"),
        Output(ids.UPLOAD_PENDING, "data"),
        Output(ids.UPLOAD_AREA, "children"),
        Input(ids.UPLOAD_PAYLOAD, "data"),
        State(ids.USER_UNITS, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def validate_file(payload, stored, lang):
        if payload is None:
            raise PreventUpdate
        report, pending = check_upload(payload, stored, places)
        return report, pending, upload_component(safe_lang(lang))

    @app.callback(
        Output(ids.UPLOAD_RESULT, "children"),
        Output(ids.UPLOAD_ACTIONS, "className"),
        Output(ids.UPLOAD_CONFIRM, "children"),
        Output(ids.UPLOAD_CONFIRM, "className"),
        Output(ids.UPLOAD_ERRORS_CSV, "className"),
        Input(ids.UPLOAD_REPORT, "data"),
        Input(ids.LANG, "value"),
    )
    def show_report(report, lang):
        children, bar, label = report_view(report, safe_lang(lang))
        has_errors = isinstance(report, dict) and _n(report.get("n_errors")) > 0
        return children, bar, label, "me-2 mb-1" + ("" if label else " d-none"), "p-0 mb-1" + ("" if has_errors else " d-none")

    # 3. confirm (or discard) the pending rows
    @app.callback(
        Output(ids.USER_UNITS, "data"),
        Output(ids.UPLOAD_PENDING, "data", allow_duplicate=True),
        Output(ids.UPLOAD_REPORT, "data", allow_duplicate=True),
        Output(ids.SERVICES, "value", allow_duplicate=True),
        Input(ids.UPLOAD_CONFIRM, "n_clicks"),
        State(ids.UPLOAD_PENDING, "data"),
        State(ids.USER_UNITS, "data"),
        State(ids.SERVICES, "value"),
        prevent_initial_call=True,
    )
    def confirm(n_clicks, pending, stored, services):
        if not n_clicks or not pending:
            raise PreventUpdate
        units, added, skipped = confirm_units(pending, stored, places)
        state, _ = model.state(services=services)
        shown = list(state.services) + ([USER_SERVICE] if USER_SERVICE not in state.services else [])
        report = {"state": "confirmed", "added": added, "skipped": skipped}
        return units, None, report, shown

    @app.callback(
        Output(ids.UPLOAD_PENDING, "data", allow_duplicate=True),
        Output(ids.UPLOAD_REPORT, "data", allow_duplicate=True),
        Input(ids.UPLOAD_CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )
    def discard(n_clicks):
        if not n_clicks:
            raise PreventUpdate
        return None, None

    @app.callback(
        Output(ids.USER_UNITS, "data", allow_duplicate=True),
        Output(ids.UPLOAD_REPORT, "data", allow_duplicate=True),
        Input(ids.USER_CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def clear(n_clicks):
        if not n_clicks:
            raise PreventUpdate
        return [], None

    # 4. the session's units as markers (validated again) and the status line
    @app.callback(
        Output(ids.USER_TRACES, "data"),
        Output(ids.USER_STATUS, "children"),
        Output(ids.USER_ACTIONS, "className"),
        Input(ids.USER_UNITS, "data"),
        Input(ids.LANG, "value"),
    )
    def draw_units(stored, lang):
        lang = safe_lang(lang)
        units, dropped = clean_records(stored, places)
        return (
            user_traces_data(units, lang, user_indices),
            status_view(units, dropped, lang),
            "user-actions" if units else "d-none",
        )

    app.clientside_callback(
        ClientsideFunction("cobertura", "draw_user_units"),  # assets/js/clientside.js
        Output(ids.MAP, "figure", allow_duplicate=True),
        Input(ids.USER_TRACES, "data"),
        Input(ids.MAP_DRAWN, "data"),
        # also on every new figure (a full redraw empties these traces); the check above
        # stops the loop once the traces hold the units
        Input(ids.MAP, "figure"),
        prevent_initial_call=True,
    )

    # downloads: the template, the list of problems, the user's own units
    @app.callback(
        Output(ids.USER_DOWNLOAD, "data"),
        Input(ids.TEMPLATE, "n_clicks"),
        Input(ids.UPLOAD_ERRORS_CSV, "n_clicks"),
        Input(ids.USER_EXPORT, "n_clicks"),
        State(ids.UPLOAD_REPORT, "data"),
        State(ids.USER_UNITS, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def download(_template, _errors, _export, report, stored, lang):
        name = {ids.TEMPLATE: "registry_template", ids.UPLOAD_ERRORS_CSV: "registry_problems", ids.USER_EXPORT: "registry_units"}
        if ctx.triggered_id not in name:
            return no_update
        return send(name[ctx.triggered_id], report=report, stored=stored, places=places, lang=safe_lang(lang))[0]
