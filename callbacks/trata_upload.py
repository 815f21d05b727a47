"""Upload an official trafficking file in the browser and show its series on the map.

The file is parsed in a Dash *background* callback run by the app's bounded job manager
(`atlas.jobs`: a few at once per worker, the others queued with progress), with a progress
bar, so a national file of tens of MB never holds a thread a page load needs. The series it gives are kept in the user's browser (`dcc.Store`, session storage), never
in server memory: each request that draws the map reads them back from the store and checks
them (`UserSeries.from_store`), like any other untrusted input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from ingest.trafficking import import_trata
from layers.base import LEVELS, Layer, Metric, Provenance
from ingest.text import text
from layers.child_population import children_by_department
from layers.trata_importada import imported_values, user_provenance

from callbacks import ids
from callbacks.i18n import fmt_number, pick, safe_lang, t
from callbacks.validate import finite_number

MAX_UPLOAD_MB = 60  # decoded file; the request (base64) is ~4/3 of it, under MAX_CONTENT_LENGTH
MAX_UPLOADS = 3  # kept in the store: the latest file of each kind, newest first
MAX_STORE_VALUES = 200_000  # area-year cells read back from one store
PREFIX = "upload_"
STORE_VERSION = 1
MAX_MESSAGES_SHOWN = 12


# --------------------------------------------------------------- store <-> series


class UploadedLayer(Layer):
    """What the caption and the profile need to know about an uploaded file."""

    kind = "area"
    requires = ()

    def __init__(self, upload_id: str, provenance: Provenance, title: dict):
        self.id = upload_id
        self.provenance = provenance
        self.title = title


# One character per area, in the server's area order: what each cell holds.
FLAG_CODES = {"": ".", "suppressed": "s", "estimate": "e", "lower_bound": "l", "partial": "p"}
CODE_FLAGS = {v: k for k, v in FLAG_CODES.items()}
NO_DATA = "n"


def encode_cells(values: pd.Series, flags: pd.Series) -> dict:
    """{"f": one flag character per area, "v": the numbers of the cells that have one}.

    Areas follow the server's order (`Geography.codes(level)`), so codes are not sent: a
    national district series of several years is a few KB, posted with every map request."""
    marks, numbers = [], []
    for value, flag in zip(values.to_numpy(dtype=float), flags.to_numpy()):
        if flag == "suppressed" or not math.isfinite(value):
            marks.append("s" if flag == "suppressed" else NO_DATA)
            continue
        marks.append(FLAG_CODES.get(flag, "."))
        numbers.append(round(float(value), 4) if value % 1 else int(value))
    return {"f": "".join(marks), "v": numbers}


def decode_cells(cells: dict, codes: pd.Index) -> pd.DataFrame | None:
    marks, numbers = cells["f"], cells["v"]
    if not isinstance(marks, str) or len(marks) != len(codes) or not isinstance(numbers, list):
        return None
    with_value = [i for i, m in enumerate(marks) if m in ".elp"]
    if len(with_value) != len(numbers) or set(marks) - set("nselp."):
        return None
    values = np.full(len(codes), np.nan)
    values[with_value] = [
        number if isinstance(v, (int, float)) and (number := finite_number(v)) is not None else np.nan for v in numbers
    ]
    flags = ["suppressed" if m == "s" else CODE_FLAGS.get(m, "") for m in marks]
    return pd.DataFrame({"value": values, "low": np.nan, "high": np.nan, "flag": flags}, index=codes)


def store_entry(result, geo, children: pd.Series | None, file_name: str, file_date: str, token: str,
                geo_version: str = "") -> dict:
    """The JSON kept in the browser for one imported file: metrics and their values."""
    prefix = f"{PREFIX}{token}_"
    metrics, frame = imported_values(result, geo, children, prefix)
    values: dict = {}
    for (metric, level, year), rows in frame.groupby(["metric", "level", "year"], sort=False):
        ordered = rows.set_index("code").reindex(geo.codes(level))
        values.setdefault(metric, {}).setdefault(level, {})[year] = encode_cells(ordered["value"], ordered["flag"].fillna(""))
    return {
        "id": token,
        "geo": geo_version,
        "file": file_name[:200],
        "date": file_date,
        "source": result.source,
        "metrics": [
            {
                "id": m.id,
                "title": dict(m.title),
                "unit": dict(m.unit),
                "decimals": m.decimals,
                "years": list(m.years),
                "levels": list(m.levels),
                "colorscale": m.colorscale,
                "is_count": m.is_count,
                "note": dict(m.note),
            }
            for m in metrics
        ],
        "values": values,
    }


def _pair(value: object) -> dict[str, str] | None:
    if isinstance(value, dict) and all(isinstance(value.get(k), str) for k in ("es", "en")):
        return {"es": value["es"][:300], "en": value["en"][:300]}
    return None


@dataclass
class UserSeries:
    """The series of the user's store, checked. Unknown or malformed parts are ignored."""

    metrics: dict[str, tuple[Layer, Metric]] = field(default_factory=dict)
    values: dict[tuple[str, str, str], pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def from_store(cls, data: object, model) -> "UserSeries | None":
        """The checked series of a store, for `model`'s geography (None if nothing usable)."""
        if not isinstance(data, dict) or data.get("version") != STORE_VERSION:
            return None
        uploads = data.get("uploads")
        if not isinstance(uploads, list):
            return None
        series = cls()
        budget = MAX_STORE_VALUES
        for upload in uploads[:MAX_UPLOADS]:
            try:
                budget = series._add(upload, budget, model)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue  # a forged or damaged entry: left out
        return series if series.metrics else None

    def _add(self, upload: dict, budget: int, model) -> int:
        token = str(upload["id"])
        if not token.isalnum() or len(token) > 16:
            raise ValueError("bad id")
        if upload.get("geo") != model.geo_version:
            raise ValueError("made for another geography")
        file_name, file_date = str(upload["file"])[:200], str(upload["date"])[:40]
        source = str(upload.get("source"))
        all_years = sorted({str(y)[:12] for raw in upload["metrics"] for y in raw["years"]})
        layer = UploadedLayer(
            f"upload-{token}",
            Provenance(
                source=user_provenance([(file_name, file_date)]),
                year=f"{all_years[0]}–{all_years[-1]}" if len(all_years) > 1 else "".join(all_years),
                licence="archivo del usuario / the user's file",
                url="https://www.datosabiertos.gob.pe",
                level=text("departamento", "department") if source == "mininter" else text("distrito", "district"),
            ),
            text(f"Importado: {file_name}", f"Imported: {file_name}"),
        )
        for raw in upload["metrics"]:
            metric_id = str(raw["id"])
            if not metric_id.startswith(f"{PREFIX}{token}_") or len(metric_id) > 80:
                continue
            years = tuple(str(y)[:12] for y in raw["years"])[:60]
            levels = tuple(lv for lv in raw["levels"] if lv in LEVELS)
            title, unit = _pair(raw["title"]), _pair(raw["unit"])
            if not years or not levels or title is None or unit is None:
                continue
            metric = Metric(
                id=metric_id,
                title=title,
                unit=unit,
                decimals=int(min(max(finite_number(raw.get("decimals", 0)) or 0, 0), 3)),
                years=years,
                levels=levels,
                colorscale=str(raw.get("colorscale", "Reds"))[:20],
                is_count=bool(raw.get("is_count", False)),
                note=_pair(raw.get("note")) or text("", ""),
            )
            self.metrics[metric_id] = (layer, metric)
            for level, by_year in (upload["values"].get(metric_id) or {}).items():
                if level not in levels:
                    continue
                codes = model.geo.codes(level)
                for year, cells in by_year.items():
                    if year not in years:
                        continue
                    budget -= len(codes)
                    if budget < 0:
                        raise ValueError("store too large")
                    frame = decode_cells(cells, codes)
                    if frame is not None:
                        self.values[(metric_id, level, year)] = frame
        return budget

    def area_values(self, metric: str, level: str, year: str, codes: pd.Index) -> pd.DataFrame:
        frame = self.values.get((metric, level, year))
        if frame is None:
            return pd.DataFrame({"value": np.nan, "low": np.nan, "high": np.nan, "flag": ""}, index=codes)
        out = frame.reindex(codes)
        out["flag"] = out["flag"].fillna("")
        return out


def newest_metric(data: object, model) -> str | None:
    series = UserSeries.from_store(data, model)
    if series is None:
        return None
    first = data["uploads"][0]
    for raw in first.get("metrics", []):
        if raw.get("id") in series.metrics:
            return raw["id"]
    return None


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


# ----------------------------------------------------------------------- callbacks


def register(app, model) -> None:
    from atlas.jobs import check_cancelled

    job_store = app.cobertura_jobs.handle

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
            check_cancelled(job_store)  # the page that asked for it is gone: stop
            percent = int(round(100 * fraction))
            set_progress((percent, f"{percent} %"))

        store, status = process_upload(model, contents, filename, last_modified, current, lang, progress)
        if store is None:  # nothing the user had is lost
            return no_update, status, no_update
        return store, status, newest_metric(store, model) or no_update
