"""Download of the named list: the rural populated centres of the focus beyond reach (CSV, or
XLSX with a sheet of method and sources). No Dash.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.left_out import CHILDREN_METHOD, CHILDREN_METHOD_ES, PLACE_COLUMNS
from atlas.gaps import GapState
from atlas.i18n import t
from atlas.left_out import measure_key
from atlas.model import Model
from reports.gaps import method_rows
from reports.tables import csv_text, xlsx_bytes

DECIMALS = {"people": 1, "children": 1, "km_to_nearest": 1, "lat": 5, "lon": 5}


def places_frame(table: pd.DataFrame, lang: str, unit: str = "km") -> pd.DataFrame:
    """Every place (farthest first) with translated headers; people and children est.; in
    hours, no modelled access is said in words, never a number."""
    out = table[PLACE_COLUMNS].copy()
    for column, places in DECIMALS.items():
        out[column] = out[column].astype(float).round(places)
    if unit == "h":
        out["km_to_nearest"] = [
            t(lang, "left_out.no_access") if np.isinf(v) else v
            for v in out["km_to_nearest"]
        ]
    names = {c: f"left_out.col.{c}" for c in PLACE_COLUMNS}
    names["km_to_nearest"] = measure_key(unit, names["km_to_nearest"])
    out.columns = [t(lang, names[c]) for c in PLACE_COLUMNS]
    return out


def places_method(model: Model, gs: GapState, lang: str) -> pd.DataFrame:
    rows = method_rows(model, gs, lang)
    rows.append((t(lang, "gaps.export.caveat"), t(lang, "left_out.places_note")))
    rows.append(
        (
            t(lang, "gaps.export.caveat"),
            CHILDREN_METHOD_ES if lang == "es" else CHILDREN_METHOD,
        )
    )
    return pd.DataFrame(rows)


def places_csv(table: pd.DataFrame, lang: str, unit: str = "km") -> str:
    return csv_text(places_frame(table, lang, unit))


def places_xlsx(
    model: Model, gs: GapState, table: pd.DataFrame, lang: str, unit: str = "km"
) -> bytes:
    method_sheet = t(lang, "gaps.export.method_sheet")
    sheets = {
        t(lang, "left_out.export.sheet"): places_frame(table, lang, unit),
        method_sheet: places_method(model, gs, lang),
    }
    return xlsx_bytes(sheets, headerless=(method_sheet,))


def places_name(gs: GapState, extension: str) -> str:
    return f"cobertura-centros-fuera-{gs.service}-{int(gs.km)}km-{gs.focus or 'pe'}.{extension}"
