"""The small `Layer` vocabulary every dataset module speaks.

A layer knows one dataset: how to load and validate it, where it comes from, and how it
is drawn. It never imports Dash. Three kinds:

- ``area``: values per area (choropleth), returned as a tidy `AREA_COLUMNS` table with
  one row per metric, level, area code and year. NaN means *sin dato* (unknown), never 0.
- ``points``: service locations, one row per unit (`POINT_COLUMNS`).
- ``counts``: services that must never be shown finer than a province (CARE shelters):
  counts per province only (`COUNT_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from ingest.text import LANGS, Text, text  # noqa: F401  (the layers' vocabulary)

from .datadir import DataDir, DataFileError

if TYPE_CHECKING:  # pragma: no cover
    from .boundaries import Geography

LEVELS = ("department", "region", "province", "district")
CODE_LENGTH = {"department": 2, "province": 4, "district": 6, "region": 6}

AREA_COLUMNS = ["metric", "level", "code", "year", "value", "low", "high", "flag"]
POINT_COLUMNS = [
    "id", "service", "name", "ubigeo", "ubigeo_dep", "lat", "lon", "precision", "status", "note",
]
COUNT_COLUMNS = ["ubigeo_prov", "ubigeo_dep", "count", "proxy_lat", "proxy_lon"]

# Flags on area values (shown next to the value, in hover and profile).
FLAG_SUPPRESSED = "suppressed"  # a count under 5: shown as "<5", not coloured
FLAG_ESTIMATE = "estimate"  # derived with an assumption the UI states
FLAG_LOWER_BOUND = "lower_bound"  # a sum that misses some known-unknown parts
FLAG_PARTIAL = "partial"  # an aggregate where some member areas are sin dato
SMALL_COUNT = 5  # counts under this are never shown (nor coloured): "<5"


def suppress_small(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Replace counts under `SMALL_COUNT` (5) by NaN; return (values, flags). The privacy rule."""
    small = values.notna() & (values < SMALL_COUNT)
    flags = pd.Series(np.where(small, FLAG_SUPPRESSED, ""), index=values.index)
    return values.mask(small), flags


@dataclass(frozen=True)
class Provenance:
    """Where a layer comes from. Shown on screen next to the layer and in Fuentes."""

    source: Text
    year: str
    licence: Text  # a plain str (a licence name, e.g. "MIT") reads the same in both languages
    url: str
    level: Text
    files: tuple[str, ...] = ()
    authored_files: tuple[str, ...] = ()
    caveats: Text = field(default_factory=lambda: text("", ""))

    def __post_init__(self):
        if isinstance(self.licence, str):
            object.__setattr__(self, "licence", text(self.licence, self.licence))


@dataclass(frozen=True)
class Metric:
    """One value an area layer can colour the map with."""

    id: str
    title: Text
    unit: Text
    decimals: int
    years: tuple[str, ...]
    levels: tuple[str, ...]
    colorscale: str = "YlOrRd"
    note: Text = field(default_factory=lambda: text("", ""))
    is_count: bool = False  # counts are subject to small-count suppression


PEOPLE = text("personas", "people")
PERCENT_OF_POPULATION = text("% de la población", "% of population")


def metric_family(*members: dict, **shared) -> tuple[Metric, ...]:
    """The metrics of one layer that share years, levels, colour scale or note (`shared`);
    each member gives the rest (`id`, `title`, `unit`, `decimals`, ...)."""
    return tuple(Metric(**{**shared, **member}) for member in members)


@dataclass(frozen=True)
class JoinReport:
    """What a join left unmatched, reported instead of dropped silently."""

    layer: str
    description: Text
    total: int
    unmatched: tuple[str, ...]

    @property
    def matched(self) -> int:
        return self.total - len(self.unmatched)


@dataclass
class LayerData:
    """What `Layer.load` returns.

    frame
        area layers: tidy AREA_COLUMNS values; points: POINT_COLUMNS; counts: COUNT_COLUMNS;
        base: the Geography.
    source
        The cleaned source table (e.g. district rows), for analysis.
    joins
        Join reports.
    """

    frame: Any
    source: pd.DataFrame | None = None
    joins: tuple[JoinReport, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LoadContext:
    """What a layer may use while loading: the data directory and layers loaded before it."""

    data: DataDir
    geo: "Geography | None" = None
    loaded: dict[str, LayerData] = field(default_factory=dict)

    def layer(self, layer_id: str) -> LayerData:
        if layer_id not in self.loaded:
            raise DataFileError(layer_id, "needed by another layer but unavailable")
        return self.loaded[layer_id]


class Layer:
    """Base class: subclasses set the class attributes and implement `load`."""

    id: ClassVar[str]
    title: ClassVar[Text]
    kind: ClassVar[str]  # "area" | "points" | "counts" | "base"
    provenance: ClassVar[Provenance]
    metrics: ClassVar[tuple[Metric, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ("boundaries",)
    # points/counts: marker styling
    color: ClassVar[str] = "#444444"
    symbol: ClassVar[str] = "circle"
    short: ClassVar[Text] = {"es": "", "en": ""}
    size: ClassVar[int] = 9
    # departments the dataset covers (None = all Peru); elsewhere counts are unknown, not 0
    coverage: ClassVar[tuple[str, ...] | None] = None

    def load(self, ctx: LoadContext) -> LayerData:  # pragma: no cover - abstract
        raise NotImplementedError

    def join_report(self, description: Text, total: int, unmatched) -> JoinReport:
        """What one of this layer's joins left unmatched (`unmatched`: codes or names)."""
        return JoinReport(self.id, description, total=total, unmatched=tuple(unmatched))

    def bind(self, data: LayerData) -> "Layer":
        """The layer as loaded. A layer whose metrics or provenance depend on what it found
        (files the user placed in the data directory) returns a configured copy, so the
        registry's shared instance is never changed."""
        return self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


# ---------------------------------------------------------------- validation helpers


def require_columns(df: pd.DataFrame, columns: list[str], path: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataFileError(path, f"missing column(s) {', '.join(missing)}")


def require_codes(series: pd.Series, length: int, path: str, column: str) -> None:
    """Codes must be text of exactly `length` digits (UBIGEO)."""
    bad = series[~series.astype("string").str.fullmatch(rf"\d{{{length}}}").fillna(False)]
    if len(bad):
        sample = ", ".join(map(str, bad.head(3).tolist()))
        raise DataFileError(
            path, f"column {column}: {len(bad)} value(s) are not {length}-digit codes ({sample})"
        )


def require_range(
    series: pd.Series, low: float, high: float, path: str, column: str
) -> None:
    values = pd.to_numeric(series, errors="coerce")
    bad = values[values.notna() & ((values < low) | (values > high))]
    if len(bad):
        raise DataFileError(
            path, f"column {column}: {len(bad)} value(s) outside [{low}, {high}] ({bad.iloc[0]})"
        )


def parse_number(series: pd.Series, path: str, column: str) -> pd.Series:
    """Numbers written with ',' thousands separators (MINAM) or plain."""
    cleaned = series.astype("string").str.replace(",", "", regex=False).str.strip()
    values = pd.to_numeric(cleaned, errors="coerce")
    bad = values.isna() & cleaned.notna() & (cleaned != "")
    if bad.any():
        raise DataFileError(path, f"column {column}: {int(bad.sum())} non-numeric value(s)")
    return values.astype(float)


def point_frame(df: pd.DataFrame, path: str) -> pd.DataFrame:
    """Validate and order a service-location table (POINT_COLUMNS)."""
    require_columns(df, [c for c in POINT_COLUMNS if c != "note"], path)
    if "note" not in df:
        df = df.assign(note="")
    df = df[POINT_COLUMNS].copy()
    for col in ("lat", "lon"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    located = df["lat"].notna()
    require_range(df.loc[located, "lat"], -18.6, 0.1, path, "lat")
    require_range(df.loc[located, "lon"], -81.5, -68.5, path, "lon")
    known = df["ubigeo"].notna() & (df["ubigeo"].astype("string") != "")
    require_codes(df.loc[known, "ubigeo"], 6, path, "ubigeo")
    require_codes(df["ubigeo_dep"], 2, path, "ubigeo_dep")
    if df["id"].duplicated().any():
        raise DataFileError(path, "duplicate service ids")
    df["note"] = df["note"].fillna("").astype(str)
    return df.reset_index(drop=True)


def area_frame(rows: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-level tables into the tidy AREA_COLUMNS frame."""
    df = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=AREA_COLUMNS)
    for col in ("low", "high"):
        if col not in df:
            df[col] = np.nan
    if "flag" not in df:
        df["flag"] = ""
    df["flag"] = df["flag"].fillna("").astype(str)
    df["value"] = df["value"].astype(float)
    return df[AREA_COLUMNS].reset_index(drop=True)


def suppress_small_counts(frame: pd.DataFrame, metrics: tuple[Metric, ...]) -> pd.DataFrame:
    """Small-count suppression, enforced for every area layer when it is loaded.

    A count metric (`Metric.is_count`) under `SMALL_COUNT` becomes NaN flagged
    "suppressed"; so does every other metric of the same layer for that level, area and
    year (a rate over the same cases would reveal the count). A value already flagged
    "suppressed" never keeps a number. The value is gone before anything is drawn.
    """
    count_ids = {m.id for m in metrics if m.is_count}
    if frame.empty:
        return frame
    frame = frame.copy()
    small = frame["metric"].isin(count_ids) & frame["value"].notna() & (frame["value"] < SMALL_COUNT)
    frame.loc[small, "flag"] = FLAG_SUPPRESSED
    counts = frame[frame["metric"].isin(count_ids) & (frame["flag"] == FLAG_SUPPRESSED)]
    keys = set(zip(counts["level"], counts["code"], counts["year"]))
    same_area = pd.Series(
        [key in keys for key in zip(frame["level"], frame["code"], frame["year"])], index=frame.index, dtype=bool
    )
    hidden = same_area | (frame["flag"] == FLAG_SUPPRESSED)
    frame.loc[hidden, "flag"] = FLAG_SUPPRESSED
    frame.loc[hidden, ["value", "low", "high"]] = np.nan
    return frame
