"""The naive way and ours, same result, same run.

1. A metric switch at district level: the whole figure re-sent vs a dash.Patch of colours.
2. A threshold change: geopandas `sjoin_nearest` per request (distances recomputed in an
   equidistant projection, then aggregated) vs the precomputed nearest-distance index.
"""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly

from analysis.coverage import GAP_LEVELS  # noqa: F401
from views.map_figure import build_figure, metric_patch
from atlas.model import MapState

from .common import p50, p95, timings

PERU_EQUIDISTANT = "+proj=aeqd +lat_0=-9.5 +lon_0=-75 +datum=WGS84 +units=m"


def gz(obj) -> int:
    return len(gzip.compress(json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder).encode(), compresslevel=6))


def figure_vs_patch(model) -> dict:
    state = MapState(level="district", metric="rural_share", year="2023")
    full = lambda: build_figure(model, state, "es")  # noqa: E731
    patch = lambda: metric_patch(model, state, "es").to_plotly_json()  # noqa: E731
    t_full, t_patch = timings(full, runs=15), timings(patch, runs=15)
    return {
        "full_bytes_gzip": gz(full()),
        "patch_bytes_gzip": gz(patch()),
        "full_p50_ms": p50(t_full) * 1000,
        "patch_p50_ms": p50(t_patch) * 1000,
    }


def sjoin_vs_index(model, service: str = "upe", km: float = 60.0) -> dict:
    index = model.coverage
    d = index.demand
    sites = index.sites[service]
    demand = gpd.GeoDataFrame(
        {"weight": np.where(d.rural, d.weight, 0.0), "ubigeo": d.ubigeo},
        geometry=gpd.points_from_xy(d.lon, d.lat),
        crs="EPSG:4326",
    )
    units = gpd.GeoDataFrame(geometry=gpd.points_from_xy(sites.lon, sites.lat), crs="EPSG:4326")

    def naive():
        a, b = demand.to_crs(PERU_EQUIDISTANT), units.to_crs(PERU_EQUIDISTANT)
        joined = gpd.sjoin_nearest(a, b, distance_col="m")
        joined = joined[~joined.index.duplicated()]
        beyond = joined["m"] > km * 1000
        per = joined.assign(b=np.where(beyond, joined["weight"], 0.0)).groupby(joined["ubigeo"].str[:2])[["b", "weight"]].sum()
        return 100 * per["b"] / per["weight"]

    def ours():
        return index.summary(service, km, "department")["pct_rural_beyond"]

    t_naive, t_ours = timings(naive, runs=5), timings(ours, runs=30)
    a, b = naive(), ours()
    both = pd.concat([a.rename("naive"), b.rename("ours")], axis=1).dropna()
    return {
        "naive_p50_ms": p50(t_naive) * 1000,
        "naive_p95_ms": p95(t_naive) * 1000,
        "ours_p50_ms": p50(t_ours) * 1000,
        "ours_p95_ms": p95(t_ours) * 1000,
        "max_abs_diff_pct_points": float((both["naive"] - both["ours"]).abs().max()),
    }


def markdown(r: dict) -> str:
    f, s = r["figure_vs_patch"], r["sjoin_vs_index"]
    return "\n".join(
        [
            "| metric switch, 1,891 districts | bytes (gzip) | server build (p50) |",
            "|---|---:|---:|",
            f"| whole figure re-sent | {f['full_bytes_gzip']:,} | {f['full_p50_ms']:.1f} ms |",
            f"| dash.Patch of the value trace | {f['patch_bytes_gzip']:,} | {f['patch_p50_ms']:.1f} ms |",
            "",
            "(The whole figure is small too because geometry is never inside it: it is a cached URL.)",
            "",
            "| threshold change (UPE, 60 km, departments) | p50 | p95 |",
            "|---|---:|---:|",
            f"| geopandas sjoin_nearest per request | {s['naive_p50_ms']:.0f} ms | {s['naive_p95_ms']:.0f} ms |",
            f"| precomputed nearest-distance index | {s['ours_p50_ms']:.1f} ms | {s['ours_p95_ms']:.1f} ms |",
            "",
            f"Same result: largest difference {s['max_abs_diff_pct_points']:.2f} percentage points "
            "(projected vs great-circle distance).",
        ]
    )


def run(model) -> dict:
    return {"figure_vs_patch": figure_vs_patch(model), "sjoin_vs_index": sjoin_vs_index(model)}
