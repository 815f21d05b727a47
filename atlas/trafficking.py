"""An official trafficking file imported in the browser: the compact store format, the
`UserSeries` the map and the profile read, and the `UploadedLayer` they cite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from atlas.validate import finite_number
from ingest.text import text
from layers.base import LEVELS, Layer, Metric, Provenance
from layers.trata_importada import imported_values, user_provenance

MAX_UPLOAD_MB = 60  # decoded file; the request (base64) is ~4/3 of it, under MAX_CONTENT_LENGTH


MAX_UPLOADS = 3  # kept in the store: the latest file of each kind, newest first


MAX_STORE_VALUES = 200_000  # area-year cells read back from one store


PREFIX = "upload_"


STORE_VERSION = 1


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
