"""Load every registered layer once, isolating failures.

One layer failing (a missing or corrupt file) makes that layer *unavailable* and is
reported by name; the others still load. Without boundaries nothing can be drawn, so that
failure is fatal and `Catalog.fatal` says why.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import pandas as pd

from . import REGISTRY
from .base import AREA_COLUMNS, POINT_COLUMNS, JoinReport, Layer, LayerData, LoadContext, Metric, suppress_small_counts
from .boundaries import Geography
from .datadir import DataDir, DataFileError

log = logging.getLogger("cobertura.layers")


def _points_outside_map(layer: Layer, frame: pd.DataFrame, geo: Geography) -> JoinReport:
    """Units whose district has no polygon (e.g. 160405, created 2025): drawn, and counted
    in their province, but in no district."""
    located = frame[frame["ubigeo"].fillna("") != ""]
    outside = located[~located["ubigeo"].isin(geo.districts.index)]
    return JoinReport(
        layer.id,
        {
            "es": "Unidades en distritos sin polígono en el mapa (cuentan en su provincia)",
            "en": "Units in districts with no polygon on the map (counted in their province)",
        },
        total=len(located),
        unmatched=tuple(f"{r.name} ({r.ubigeo})" for r in outside.itertuples()),
    )


@dataclass
class Catalog:
    data_dir: DataDir
    layers: tuple[Layer, ...]
    loaded: dict[str, LayerData] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: DataDir | None = None, layers: tuple[Layer, ...] = REGISTRY) -> "Catalog":
        catalog = cls(data_dir=data_dir or DataDir(), layers=layers)
        ctx = LoadContext(data=catalog.data_dir)
        bound: dict[str, Layer] = {}
        for layer in layers:
            missing = [r for r in layer.requires if r not in catalog.loaded]
            if missing:
                catalog.errors[layer.id] = f"needs unavailable layer(s): {', '.join(missing)}"
                continue
            start = time.perf_counter()
            try:
                result = layer.load(ctx)
            except DataFileError as err:
                catalog.errors[layer.id] = catalog.data_dir.redact(str(err))
                log.error("layer %s unavailable: %s", layer.id, err)
                continue
            except Exception as err:  # a bug or an unforeseen file problem: isolate it
                catalog.errors[layer.id] = catalog.data_dir.redact(f"{type(err).__name__}: {err}")
                log.exception("layer %s failed to load", layer.id)
                continue
            catalog.seconds[layer.id] = time.perf_counter() - start
            if layer.kind == "area":  # counts under 5 never leave the layer, whatever it did
                result.frame = suppress_small_counts(result.frame, layer.metrics)
            if layer.kind == "points" and ctx.geo is not None:
                result.joins = result.joins + (_points_outside_map(layer, result.frame, ctx.geo),)
            catalog.loaded[layer.id] = result
            ctx.loaded[layer.id] = result
            bound[layer.id] = layer.bind(result)
            if layer.id == "boundaries":
                ctx.geo = result.frame
        catalog.layers = tuple(bound.get(layer.id, layer) for layer in layers)
        for report in catalog.joins:
            if report.unmatched:
                log.info(
                    "join %s: %d of %d unmatched (%s)",
                    report.layer,
                    len(report.unmatched),
                    report.total,
                    ", ".join(report.unmatched[:8]),
                )
        return catalog

    # ------------------------------------------------------------------ access

    @property
    def fatal(self) -> str | None:
        return self.errors.get("boundaries")

    @property
    def geo(self) -> Geography:
        return self.loaded["boundaries"].frame

    def layer(self, layer_id: str) -> Layer:
        return next(layer for layer in self.layers if layer.id == layer_id)

    def available(self, layer_id: str) -> bool:
        return layer_id in self.loaded

    def frame(self, layer_id: str):
        return self.loaded[layer_id].frame

    @property
    def joins(self) -> list[JoinReport]:
        return [j for data in self.loaded.values() for j in data.joins]

    def layers_of_kind(self, *kinds: str) -> list[Layer]:
        return [layer for layer in self.layers if layer.kind in kinds]

    @property
    def metrics(self) -> dict[str, tuple[Layer, Metric]]:
        """Every metric of every available area layer, in registry order."""
        return {
            metric.id: (layer, metric)
            for layer in self.layers_of_kind("area")
            if self.available(layer.id)
            for metric in layer.metrics
        }

    @property
    def all_metrics(self) -> dict[str, tuple[Layer, Metric]]:
        """Every metric, including those of unavailable layers (shown as unavailable)."""
        return {m.id: (layer, m) for layer in self.layers_of_kind("area") for m in layer.metrics}

    def area_values(self) -> pd.DataFrame:
        frames = [self.frame(layer.id) for layer in self.layers_of_kind("area") if self.available(layer.id)]
        if not frames:
            return pd.DataFrame(columns=AREA_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def service_points(self) -> pd.DataFrame:
        frames = [self.frame(layer.id) for layer in self.layers_of_kind("points") if self.available(layer.id)]
        if not frames:
            return pd.DataFrame(columns=POINT_COLUMNS)
        return pd.concat(frames, ignore_index=True)
