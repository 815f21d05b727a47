"""Upload an official trafficking file in the browser and show its series on the map.

The file is parsed in a Dash *background* callback run by the app's bounded job manager
(`atlas.jobs`: a few at once per worker, the others queued with progress), with a progress
bar, so a national file of tens of MB never holds a thread a page load needs. The series it gives are kept in the user's browser (`dcc.Store`, session storage), never
in server memory: each request that draws the map reads them back from the store and checks
them (`UserSeries.from_store`), like any other untrusted input.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from atlas.i18n import fmt_number, pick, t
from atlas.trafficking import MAX_UPLOAD_MB
from views import ids

MAX_MESSAGES_SHOWN = 12


# --------------------------------------------------------------- store <-> series


# ------------------------------------------------------------------------- layout


def upload_panel(lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(t(lang, "trata_upload.title"), id=ids.i18n("trata_upload.title"), className="form-label fw-semibold mt-3"),
            html.P(t(lang, "upload.hint"), id=ids.i18n("upload.hint"), className="small text-muted mb-1"),
            dcc.Upload(
                html.Div(t(lang, "trata_upload.drop"), id=ids.i18n("trata_upload.drop")),
                id=ids.TRATA_UPLOAD,
                accept=".csv,.txt,text/csv,text/plain",
                max_size=MAX_UPLOAD_MB * 1024 * 1024,
                className="trata-upload",
            ),
            dbc.Progress(id=ids.TRATA_PROGRESS, value=0, label="", className="mt-1", style={"display": "none"}),
            html.Div(id=ids.TRATA_STATUS, className="small mt-1", **{"aria-live": "polite"}),
            dcc.Store(id=ids.TRATA_STORE, storage_type="session"),
        ],
        className="no-print",
    )


def status_message(entry: dict | None, result, file_name: str, lang: str):
    messages = [str(m) for m in result.messages[:MAX_MESSAGES_SHOWN]]
    if result.more_messages or len(result.messages) > MAX_MESSAGES_SHOWN:
        messages.append(f"… +{result.more_messages + max(len(result.messages) - MAX_MESSAGES_SHOWN, 0)}")
    details = (
        html.Details(
            [html.Summary(t(lang, "upload.remarks", n=fmt_number(len(result.messages) + result.more_messages, 0, lang))),
             html.Ul([html.Li(m) for m in messages])],
            className="upload-remarks",
        )
        if messages
        else None
    )
    if entry is None:  # the reasons are the message: shown, not folded
        return dbc.Alert(
            [html.Strong(t(lang, "upload.failed", file=file_name)), html.Ul([html.Li(m) for m in messages], className="mb-0")],
            color="danger",
            className="small p-2 mb-0",
        )
    years = result.years
    metric = pick(entry["metrics"][0]["title"], lang) if entry["metrics"] else ""
    body = [
        t(
            lang,
            "upload.done",
            file=file_name,
            source=t(lang, f"upload.source_{result.source}"),
            years=f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else ""),
            places=fmt_number(int((result.series["level"] == "department").groupby(result.series["code"]).any().sum()), 0, lang),
            metric=metric,
        )
    ]
    if result.repeated_rows:
        body += [" ", t(lang, "upload.repeated", n=fmt_number(result.repeated_rows, 0, lang))]
    return dbc.Alert([html.Span(body), details], color="success", className="small p-2 mb-0")


# ----------------------------------------------------------------------- callbacks
