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
from dash import dcc, html

from atlas.i18n import fmt_number, t
from atlas.registry import MAX_B64, _n
from ingest.registry import (
    echo,
)
from views import ids

MAX_SHOWN = 100  # problems listed on screen (all of the first 500 go in the CSV)
ACCEPT = ".csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
                dcc.Store(id=ids.UPLOAD_LIMIT, data=MAX_B64),
                dcc.Store(id=ids.UPLOAD_REPORT),
                dcc.Store(id=ids.UPLOAD_PENDING),
            ]
        ),
        className="upload-panel mt-3 no-print",
    )


# ------------------------------------------------------------------ server steps


# ------------------------------------------------------------------------- views


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
