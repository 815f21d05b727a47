"""The user's own services registry: template, upload, row errors, confirm, markers.

Flow (nothing is kept on the server; everything per user lives in the browser):

1. the browser reads the file (``dcc.Upload``); a clientside gate refuses a file over the
   limit before it is sent (so even a 200 MB file gets a clear message, not a 413);
2. the server validates it (`ingest.registry`) and returns a report (row, column,
   problem in es/en) plus the valid rows, held *pending* in the browser;
3. only when the user confirms are the valid rows added to the session store
   (``storage_type="session"``: this tab only, gone when it closes, never seen by others);
4. the server renders marker data from the session store, validating it again (it can be
   forged), and the browser writes it into the two placeholder traces at the end of the
   figure. A failed, refused or unconfirmed upload changes nothing on the map.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from analysis.districts import DistrictIndex
from ingest.registry import (
    MAX_BYTES,
    USER_SERVICE,
    bytes_from_data_url,
    clean_records,
    echo,
    errors_csv,
    merge_units,
    template_csv,
    too_large_text,
    units_csv,
    validate_upload,
)

from callbacks import ids
from callbacks.i18n import fmt_number, safe_lang, t
from callbacks.map_figure import trace_index
from callbacks.model import Model
from callbacks.user_figure import user_traces_data

MAX_SHOWN = 100  # problems listed on screen (all of the first 500 go in the CSV)
MAX_B64 = -(-MAX_BYTES // 3) * 4 + 300  # the limit as a base64 data-URL length (+ its header)
ACCEPT = ".csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILE = "cobertura-plantilla-servicios.csv"
BOM = "\ufeff"  # so that Excel opens the UTF-8 CSV with its accents


def tr(key: str, lang: str, tag=html.Span, **kwargs):
    return tag(t(lang, key), id=ids.i18n(key), **kwargs)


def upload_component(lang: str) -> dcc.Upload:
    """A fresh upload box (re-rendered after each file so the same file can be sent again)."""
    return dcc.Upload(
        id=ids.UPLOAD,
        children=html.Div([tr("upload.drop", lang)]),
        multiple=False,
        accept=ACCEPT,
        className="upload-drop",
    )


def upload_panel(lang: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(tr("upload.title", lang), className="h6"),
                html.P(tr("upload.intro", lang), className="small text-muted mb-2"),
                dbc.Button(tr("upload.template", lang), id=ids.TEMPLATE, color="link", size="sm", className="p-0 mb-2"),
                html.Div(upload_component(lang), id=ids.UPLOAD_AREA),
                html.Div(id=ids.UPLOAD_RESULT, className="upload-result", **{"aria-live": "polite"}),
                html.Div(
                    [
                        dbc.Button(id=ids.UPLOAD_CONFIRM, color="primary", size="sm", className="me-2 mb-1"),
                        dbc.Button(tr("upload.cancel", lang), id=ids.UPLOAD_CANCEL, color="secondary", outline=True, size="sm", className="me-2 mb-1"),
                        dbc.Button(tr("upload.errors_csv", lang), id=ids.UPLOAD_ERRORS_CSV, color="link", size="sm", className="p-0 mb-1"),
                    ],
                    id=ids.UPLOAD_ACTIONS,
                    className="d-none",
                ),
                html.Div(id=ids.USER_STATUS, className="small mt-2"),
                html.Div(
                    [
                        dbc.Button(tr("user.export", lang), id=ids.USER_EXPORT, color="link", size="sm", className="p-0 me-3"),
                        dbc.Button(tr("user.clear", lang), id=ids.USER_CLEAR, color="link", size="sm", className="p-0 text-danger"),
                    ],
                    id=ids.USER_ACTIONS,
                    className="d-none",
                ),
                dcc.Download(id=ids.USER_DOWNLOAD),
                dcc.Store(id=ids.USER_UNITS, storage_type="session"),
                dcc.Store(id=ids.USER_TRACES),
                dcc.Store(id=ids.UPLOAD_PAYLOAD),
                dcc.Store(id=ids.UPLOAD_REPORT),
                dcc.Store(id=ids.UPLOAD_PENDING),
            ]
        ),
        className="upload-panel mt-3 no-print",
    )


# ------------------------------------------------------------------ server steps


def refused_report(file: str, problem: dict) -> dict:
    return {
        "file": file,
        "state": "refused",
        "refused": True,
        "n_rows": 0,
        "n_valid": 0,
        "n_errors": 1,
        "errors": [{"row": None, "column": "", "es": problem["es"], "en": problem["en"]}],
    }


def check_upload(payload: object, stored: object, places: DistrictIndex) -> tuple[dict, list[dict]]:
    """(report, valid rows pending confirmation) for what the browser sent."""
    if not isinstance(payload, dict):
        return refused_report("", {"es": "No se recibió un archivo legible.", "en": "No readable file was received."}), []
    file = echo(payload.get("name") if isinstance(payload.get("name"), str) else "")
    too_large = payload.get("too_large")
    if too_large:
        size = too_large if isinstance(too_large, int) and not isinstance(too_large, bool) else MAX_BYTES + 1
        return refused_report(file, too_large_text(max(size, MAX_BYTES + 1))), []
    data, problem = bytes_from_data_url(payload.get("contents"))
    if problem:
        return refused_report(file, problem), []
    existing, _ = clean_records(stored, places)
    result = validate_upload(data, places, existing=existing)
    report = {"file": file, **result.summary()}
    report["state"] = "refused" if result.refused else ("pending" if result.records else "nothing")
    return report, result.records


def confirm_units(pending: object, stored: object, places: DistrictIndex) -> tuple[list[dict], int, int]:
    """(units after adding the pending ones, how many were added, how many were refused)."""
    existing, _ = clean_records(stored, places)
    new, dropped = clean_records(pending, places)
    merged, refused = merge_units(existing, new)
    return merged, len(merged) - len(existing), refused + dropped


# ------------------------------------------------------------------------- views


def _n(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def errors_table(errors: list, total: int, lang: str):
    rows = []
    for error in errors[:MAX_SHOWN]:
        if not isinstance(error, dict):
            continue
        row = error.get("row")
        rows.append(
            html.Tr(
                [
                    html.Td(str(row) if isinstance(row, int) else t(lang, "upload.file_level")),
                    html.Td(echo(error.get("column", ""))),
                    html.Td(str(error.get(lang) or error.get("es") or "")[:600]),
                ]
            )
        )
    head = html.Thead(html.Tr([html.Th(t(lang, f"upload.col_{c}"), scope="col") for c in ("row", "column", "problem")]))
    parts = [
        html.Div(t(lang, "upload.errors_title"), className="fw-semibold small mt-2"),
        html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm upload-errors mb-1"), className="upload-errors-box"),
    ]
    if total > len(rows):
        parts.append(html.Div(t(lang, "upload.errors_more", shown=len(rows), total=fmt_number(total, 0, lang)), className="small text-muted"))
    return parts


def report_view(report: object, lang: str) -> tuple[list, str, str]:
    """(children, class of the confirm/cancel bar, label of the confirm button)."""
    hidden = "d-none"
    if not isinstance(report, dict):
        return [], hidden, ""
    file = echo(report.get("file", ""))
    errors = report.get("errors") if isinstance(report.get("errors"), list) else []
    n_errors, n_valid, n_rows = _n(report.get("n_errors")), _n(report.get("n_valid")), _n(report.get("n_rows"))
    state = report.get("state")
    if state == "confirmed":
        lines = [t(lang, "upload.confirmed", n=fmt_number(_n(report.get("added")), 0, lang))]
        if _n(report.get("skipped")):
            lines.append(t(lang, "upload.skipped", n=fmt_number(_n(report.get("skipped")), 0, lang)))
        return [dbc.Alert(" ".join(lines), color="success", className="small py-2 mb-2")], hidden, ""
    if state == "refused":
        alert = dbc.Alert(t(lang, "upload.refused", file=file), color="danger", className="small py-2 mb-1")
        return [alert, *errors_table(errors, n_errors, lang)], "upload-actions", ""
    read = t(
        lang,
        "upload.read",
        file=file,
        rows=fmt_number(n_rows, 0, lang),
        format=echo(report.get("format", "")),
        encoding=echo(report.get("encoding", "")),
    )
    ignored = report.get("ignored_columns")
    extra = []
    if isinstance(ignored, list) and ignored:
        extra.append(html.Div(t(lang, "upload.ignored", names=", ".join(echo(c) for c in ignored[:20])), className="small text-muted"))
    if state == "nothing" or not n_valid:
        alert = dbc.Alert([read, " ", t(lang, "upload.none_valid")], color="danger", className="small py-2 mb-1")
        return [alert, *extra, *errors_table(errors, n_errors, lang)], "upload-actions", ""
    rows_with_errors = len({e.get("row") for e in errors if isinstance(e, dict) and e.get("row") is not None})
    if n_errors:
        summary = t(lang, "upload.valid", valid=fmt_number(n_valid, 0, lang), invalid=fmt_number(max(n_rows - n_valid, rows_with_errors), 0, lang))
        color = "warning"
    else:
        summary = t(lang, "upload.all_valid", valid=fmt_number(n_valid, 0, lang))
        color = "success"
    alert = dbc.Alert([read, " ", summary, html.Br(), t(lang, "upload.confirm_hint")], color=color, className="small py-2 mb-1")
    children = [alert, *extra]
    if n_errors:
        children += errors_table(errors, n_errors, lang)
    label = t(lang, "upload.confirm", n=fmt_number(n_valid, 0, lang))
    return children, "upload-actions upload-pending", label


def status_view(units: list[dict], dropped: int, lang: str) -> list:
    if not units:
        lines = [t(lang, "user.none")]
    else:
        lines = [t(lang, "user.status", n=fmt_number(len(units), 0, lang))]
    if dropped:
        lines.append(t(lang, "user.dropped", n=fmt_number(dropped, 0, lang)))
    return [html.Div(line) for line in lines]


# --------------------------------------------------------------------- callbacks


def register(app, model: Model) -> None:
    places = DistrictIndex(model.geo)
    user_indices = trace_index(model)[USER_SERVICE]

    # 1. in the browser: refuse a file over the limit before sending it
    app.clientside_callback(
        """
        function(contents, filename) {
            if (!contents) { return window.dash_clientside.no_update; }
            var name = (typeof filename === 'string') ? filename.slice(0, 200) : '';
            if (contents.length > %d) {
                return {name: name, too_large: Math.floor(contents.length * 3 / 4)};
            }
            return {name: name, contents: contents};
        }
        """
        % MAX_B64,
        Output(ids.UPLOAD_PAYLOAD, "data"),
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
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
        """
        function(traces, drawn, figure) {
            var nu = window.dash_clientside.no_update;
            if (!traces || !drawn || !figure || !figure.data || !traces.indices) { return nu; }
            var h = traces.indices[0], m = traces.indices[1];
            if (figure.data.length <= m || !figure.data[m] || figure.data[m].meta !== traces.meta) { return nu; }
            var have = figure.data[m].lat || [], want = traces.markers.lat || [];
            if (have.length === want.length && JSON.stringify(have) === JSON.stringify(want)) { return nu; }
            // The figure prop gets the units through the Patch below. When a redraw of the
            // map is still in flight, plotly can end up drawing the previous figure; so once
            // the map settles, make sure the plot itself holds the units.
            var ensure = function () {
                var gd = document.querySelector('#map .js-plotly-plot');
                if (!gd || !gd.data || !gd.data[m] || gd.data[m].meta !== traces.meta || !window.Plotly) { return; }
                if ((gd.data[m].lat || []).length === traces.markers.lat.length) { return; }
                window.Plotly.restyle(gd, {lat: [traces.halo.lat], lon: [traces.halo.lon]}, [h]);
                window.Plotly.restyle(gd, {lat: [traces.markers.lat], lon: [traces.markers.lon],
                    text: [traces.markers.text], customdata: [traces.markers.customdata],
                    'marker.color': [traces.markers.color]}, [m]);
            };
            [600, 1500, 3000].forEach(function (ms) { setTimeout(ensure, ms); });
            var p = new window.dash_clientside.Patch();
            p.assign(['data', h, 'lat'], traces.halo.lat).assign(['data', h, 'lon'], traces.halo.lon);
            ['lat', 'lon', 'text', 'customdata'].forEach(function (k) { p.assign(['data', m, k], traces.markers[k]); });
            p.assign(['data', m, 'marker', 'color'], traces.markers.color);
            return p.build();
        }
        """,
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
        lang = safe_lang(lang)
        if ctx.triggered_id == ids.TEMPLATE:
            return {"content": BOM + template_csv(), "filename": TEMPLATE_FILE, "type": "text/csv"}
        if ctx.triggered_id == ids.UPLOAD_ERRORS_CSV:
            errors = report.get("errors") if isinstance(report, dict) and isinstance(report.get("errors"), list) else []
            rows = [e for e in errors if isinstance(e, dict)]
            return {"content": BOM + errors_csv(rows, lang), "filename": t(lang, "upload.errors_file"), "type": "text/csv"}
        if ctx.triggered_id == ids.USER_EXPORT:
            units, _ = clean_records(stored, places)
            return {"content": BOM + units_csv(units), "filename": t(lang, "user.export_file"), "type": "text/csv"}
        return no_update
