"""The map figure, as plain dicts (fast to build, and what `dash.Patch` edits).

Trace order is fixed so that patches can address traces by index:

0. context: department outlines of all Peru, shown when a focus department is chosen;
1. base: every area of the level in grey, hover "sin dato" (what has no value stays grey);
2. value: the same areas coloured by the chosen metric (areas with no value are skipped,
   so the grey base shows through);
3. CARE: provinces holding specialized shelters, outlined (never a point);
4+. service markers, a few traces per service (halo, verified, weak, claimed);
last: the units the user uploaded (halo, markers; `user_figure`), filled in the browser.

Geometry is not in the figure: each choropleth trace points at `/geo/...json`, which the
browser downloads once per level and caches. A metric switch patches trace 2 only.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dash import Patch

from atlas.i18n import fmt_number, pick, t
from atlas.model import (
    BLANK_STYLE,
    CARE_GEOMETRY,
    MapState,
    Model,
    geometry_url,
    map_view,
)
from ingest.registry import USER_SERVICE
from layers.base import FLAG_ESTIMATE, FLAG_LOWER_BOUND, FLAG_PARTIAL, FLAG_SUPPRESSED
from views.user_figure import user_unit_traces

CONTEXT, BASE, VALUE, CARE = 0, 1, 2, 3
FIRST_SERVICE_TRACE = 4
NO_DATA_COLOR = "#d3d6db"
LINE_COLOR = "#ffffff"

# ColorBrewer sequential palettes without their near-white classes, so that the lowest
# value never looks like the grey of "sin dato".
PALETTES = {
    "OrRd": ["#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000", "#7f0000"],
    "Greens": ["#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"],
    "Purples": ["#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"],
    "Reds": ["#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"],
    "Blues": ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
    "YlOrRd": ["#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"],
}


def colorscale(name: str) -> list[list]:
    colors = PALETTES.get(name, PALETTES["OrRd"])
    return [[i / (len(colors) - 1), c] for i, c in enumerate(colors)]

BASEMAP_STYLE = "open-street-map"  # raster tiles from the internet, only when asked for


def geojson_url(model: Model, level: str, focus: str, prefix: str = "/") -> str:
    return geometry_url(f"{level}-{focus or 'pe'}", model.geo_version, prefix)


def care_geojson_url(model: Model, prefix: str = "/") -> str:
    return geometry_url(CARE_GEOMETRY, model.geo_version, prefix)


# ---------------------------------------------------------------- value formatting


def format_value(value, low, high, flag: str, decimals: int, unit: str, lang: str, is_count: bool = True) -> str:
    """How one area's value reads in hover and profile, with its flags."""
    if flag == FLAG_SUPPRESSED:  # a rate over a suppressed count is suppressed too
        return t(lang, "value.suppressed", unit=unit) if is_count else t(lang, "value.suppressed_rate")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t(lang, "value.no_data")
    out = f"{fmt_number(value, decimals, lang)} {unit}"
    if flag == FLAG_LOWER_BOUND:
        out = t(lang, "value.lower_bound", value=out)
    if low is not None and not pd.isna(low) and high is not None and not pd.isna(high):
        out += " " + t(lang, "value.interval", low=fmt_number(low, decimals, lang), high=fmt_number(high, decimals, lang))
    if flag == FLAG_PARTIAL:
        out += " " + t(lang, "value.partial")
    if flag == FLAG_ESTIMATE:
        out += " " + t(lang, "value.estimate")
    return out


def value_text(row: pd.Series, decimals: int, unit: str, lang: str, is_count: bool = True) -> str:
    return format_value(row["value"], row.get("low"), row.get("high"), row["flag"], decimals, unit, lang, is_count)


def value_texts(frame: pd.DataFrame, decimals: int, unit: str, lang: str, is_count: bool = True) -> list[str]:
    """`format_value` for every row (plain arrays: 1,891 districts in a few ms)."""
    return [
        format_value(v, lo, hi, f, decimals, unit, lang, is_count)
        for v, lo, hi, f in zip(
            frame["value"].to_numpy(float), frame["low"].to_numpy(float), frame["high"].to_numpy(float), frame["flag"].to_numpy(object)
        )
    ]


def colour_values(values: pd.Series, is_count: bool, from_zero: bool = False) -> tuple[np.ndarray, dict]:
    """z values and colour-axis settings; counts on a log scale so Lima does not flatten the rest."""
    v = values.to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    if not len(finite):
        return np.full(len(v), np.nan), {"zmin": 0, "zmax": 1, "tickvals": None, "ticktext": None}
    if is_count and finite.max() > 0 and finite.max() / max(finite[finite > 0].min(initial=1), 1) > 50:
        z = np.where(v > 0, np.log10(np.where(v > 0, v, 1)), np.where(np.isfinite(v), 0.0, np.nan))
        lo, hi = float(np.nanmin(z)), float(np.nanmax(z))
        ticks = [p for p in range(int(math.floor(lo)), int(math.ceil(hi)) + 1)]
        return z, {"zmin": lo, "zmax": hi, "tickvals": ticks, "log": True}
    lo, hi = (0.0 if from_zero else float(finite.min())), float(finite.max())
    if hi == lo:  # one value (e.g. an imported file of one department): scale from zero
        lo, hi = (0.0, hi) if hi > 0 else (hi - 1, hi + 1)
    return v, {"zmin": lo, "zmax": hi, "tickvals": None, "log": False}


def _json_list(array: np.ndarray) -> list:
    return [None if not np.isfinite(x) else round(float(x), 4) for x in array]


@dataclass(frozen=True)
class ValueSpec:
    """What the value trace shows: values for the areas on screen and how to read them.

    frame: value, low, high, flag per area code (in the order of the areas on screen);
    texts: optional hover text per area (default: `value_text`).
    """

    frame: pd.DataFrame
    title: str
    unit: str
    period: str
    decimals: int
    colorscale: str
    is_count: bool = False
    from_zero: bool = False
    texts: list[str] | None = None


def metric_spec(model: Model, state: MapState, lang: str, user=None) -> ValueSpec:
    """The spec of a layer metric (the Mapa tab). `user`: series the user imported in the
    browser (already checked), or None."""
    _, metric = model.lookup(state.metric, user)
    codes = model.area_table(state.level, state.focus).index
    available = state.level in metric.levels
    frame = model.area_values(state.metric if available else "", state.level, state.year, codes, user)
    return ValueSpec(
        frame=frame,
        title=pick(metric.title, lang),
        unit=pick(metric.unit, lang),
        period=state.year,
        decimals=metric.decimals,
        colorscale=metric.colorscale,
        is_count=metric.is_count,
        from_zero=metric.unit["en"].startswith("%"),
    )


def metric_update(model: Model, state: MapState, lang: str, user=None) -> dict:
    """`value_trace_update` of a layer metric. A catalogue metric is built once per metric,
    year, level, focus and language (the same for every user) and then served from memory;
    a metric the user imported in the browser is built for that request only."""
    if state.metric not in model.metrics:
        return value_trace_update(metric_spec(model, state, lang, user), lang)
    key = ("metric-update", state.metric, state.year, state.level, state.focus, lang)
    return model.memo(key, lambda: value_trace_update(metric_spec(model, state, lang), lang))


COLORBAR_TITLE_WIDTH = 24  # characters a line: a long unit wraps instead of widening the bar's box over the map


def colorbar_title(unit: str, period: str) -> str:
    """The colour bar's title, each part wrapped to a narrow column (plotly draws the bar's
    white box as wide as its longest title line)."""
    parts = (part for part in (unit, period) if part)
    return "<br>".join("<br>".join(textwrap.wrap(part, COLORBAR_TITLE_WIDTH)) or part for part in parts)


def value_trace_update(spec: ValueSpec, lang: str) -> dict:
    """The parts of the value trace that depend on the values (what a Patch sends)."""
    frame = spec.frame
    texts = spec.texts or value_texts(frame, spec.decimals, spec.unit, lang, spec.is_count)
    coloured = frame["value"].where(frame["flag"] != FLAG_SUPPRESSED)
    z, axis = colour_values(coloured, spec.is_count, from_zero=spec.from_zero)
    colorbar = {
        "title": {"text": colorbar_title(spec.unit, spec.period), "side": "top"},
        "thickness": 12,
        "len": 0.55,
        "x": 0.01,  # in the strip that map_view leaves free on the left
        "xanchor": "left",
        "y": 0.5,
        "bgcolor": "rgba(255,255,255,0.85)",
        "outlinewidth": 0,
    }
    if axis.get("log"):
        colorbar["tickvals"] = axis["tickvals"]
        colorbar["ticktext"] = [fmt_number(10**p, 0, lang) for p in axis["tickvals"]]
    else:
        colorbar["tickformat"] = f",.{min(max(spec.decimals, 0), 2)}f"  # small rates keep their decimals
    label = f"{spec.title} {spec.period}".strip()
    return {
        "z": _json_list(z),
        "text": texts,
        "zmin": axis["zmin"],
        "zmax": axis["zmax"],
        "colorscale": colorscale(spec.colorscale),
        "colorbar": colorbar,
        "hovertemplate": "<b>%{customdata[1]}</b> · %{customdata[0]}<br>" + f"{label}: " + "%{text}<br>%{customdata[2]}<extra></extra>",
        "base_hovertemplate": (
            "<b>%{customdata[1]}</b> · %{customdata[0]}<br>"
            + f"{label}: {t(lang, 'value.no_data')}"
            + "<br>%{customdata[2]}<extra></extra>"
        ),
    }


# ------------------------------------------------------------------- hover data


def area_label(areas: pd.DataFrame, level: str) -> list[str]:
    if level == "district":
        return [f"{n} ({p}, {d})" for n, p, d in zip(areas["name"], areas["province"], areas["department"])]
    if level == "province":
        return [f"{n} ({d})" for n, d in zip(areas["name"], areas["department"])]
    return list(areas["name"])


def counts_text(model: Model, level: str, codes: pd.Index, lang: str) -> list[str]:
    """'UPE 1 · FISTRAP 0 · ...' per area; 's/d' where a dataset does not cover the area."""
    counts = model.counts[level].reindex(codes).fillna(0).astype(int)
    deps = codes.str[:2]
    parts: list[list[str]] = [[] for _ in codes]
    for layer in model.service_layers:
        if layer.id not in counts:
            continue
        label = pick(layer.short, lang)
        if layer.id == "care" and level == "district":
            label = t(lang, "hover.care_province")
        covered = np.ones(len(codes), dtype=bool) if layer.coverage is None else np.isin(deps, layer.coverage)
        for i, (n, ok) in enumerate(zip(counts[layer.id].to_numpy(), covered)):
            parts[i].append(f"{label} {n if ok else t(lang, 'value.no_data_short')}")
    return [" · ".join(p) for p in parts]


def customdata(model: Model, level: str, focus: str, lang: str) -> list[list[str]]:
    def build():
        areas = model.area_table(level, focus)
        codes = areas.index
        return [list(x) for x in zip(codes, area_label(areas, level), counts_text(model, level, codes, lang))]

    return model.memo(("customdata", level, focus, lang), build)


# -------------------------------------------------------------------- services


def service_hover(row: pd.Series, layer_title: str, lang: str) -> str:
    lines = [f"<b>{row['name']}</b>", layer_title, t(lang, f"status.{row['status']}")]
    lines.append(t(lang, f"precision.{row['precision']}"))
    note = str(row.get("note") or "")
    if note in ("accredited", "not_accredited"):
        lines.append(t(lang, f"demuna.{note}"))
    elif note and row["service"] in ("cem",):
        lines.append(note)
    return "<br>".join(lines)


STATUS_STYLES = (("verified", 1.0), ("weak", 0.5), ("claim", None))  # None: hollow ring


def _service_groups(model: Model):
    """(layer, points, statuses present) per point service, larger markers first.

    Services that share a seat city (FISTRAP, PNP, UPE in a department capital) then read
    as concentric rings instead of hiding each other.
    """
    layers = [layer for layer in model.service_layers if layer.kind == "points"]
    for layer in sorted(layers, key=lambda layer: -layer.size):
        pts = model.points[model.points["service"] == layer.id]
        present = [(status, style) for status, style in STATUS_STYLES if (pts["status"] == status).any()]
        yield layer, pts, present


def _trace_plan(model: Model) -> list[tuple[str, str, object]]:
    """(service, part, style) for every marker trace, in drawing order: all white halos
    first, then the coloured markers, largest first."""
    return model.memo(("trace-plan",), lambda: _build_trace_plan(model))


def _build_trace_plan(model: Model) -> list[tuple[str, str, object]]:
    groups = list(_service_groups(model))
    plan: list[tuple[str, str, object]] = [(layer.id, "halo", None) for layer, _, _ in groups]
    for layer, _, present in groups:
        for status, style in present:
            if style is None:  # claimed: a hollow ring
                plan += [(layer.id, status, "ring"), (layer.id, status, "hole")]
            else:
                plan.append((layer.id, status, style))
    return plan


POINT_DATA = ("lat", "lon", "customdata", "text")  # what a marker trace holds per point


def service_traces(model: Model, state: MapState, lang: str, shown_only: bool = False) -> list[dict]:
    """Marker traces for every point service, visible per `state.services`. `shown_only`:
    the hidden services' traces come without their points (the map's first figure: 20 of
    its 24 KB compressed were the points of services no one had switched on yet);
    `services_patch` sends them when the service is switched on."""
    hidden = model.memo(("service-traces", lang), lambda: _build_service_traces(model, lang))
    plan = _trace_plan(model)
    traces = []
    for trace, (service, _, _) in zip(hidden, plan):
        shown = service in state.services
        traces.append({**trace, "visible": shown, **({} if shown or not shown_only else dict.fromkeys(POINT_DATA, []))})
    return traces


def _build_service_traces(model: Model, lang: str) -> list[dict]:
    layers = {layer.id: layer for layer in model.service_layers}
    points = {}
    for layer, pts, _ in _service_groups(model):
        title = pick(layer.title, lang)
        points[layer.id] = pts.assign(hover=[service_hover(r, title, lang) for _, r in pts.iterrows()])
    traces: list[dict] = []
    for service, part, style in _trace_plan(model):
        layer, pts = layers[service], points[service]
        base = {"type": "scattermap", "mode": "markers", "visible": False, "showlegend": False}
        if part == "halo":
            traces.append({**base, "lat": pts["lat"].round(5).tolist(), "lon": pts["lon"].round(5).tolist(),
                           "marker": {"size": layer.size + 3, "color": "#ffffff"}, "hoverinfo": "skip",
                           "name": "halo"})
            continue
        group = pts[pts["status"] == part]
        common = {
            **base,
            "lat": group["lat"].round(5).tolist(),
            "lon": group["lon"].round(5).tolist(),
            "customdata": [[i] for i in group["id"]],
            "text": group["hover"].tolist(),
            "hovertemplate": "%{text}<extra></extra>",
            "name": f"{pick(layer.short, lang)} · {t(lang, f'status.{part}')}",
        }
        if style == "ring":
            traces.append({**common, "marker": {"size": layer.size, "color": layer.color}})
        elif style == "hole":
            traces.append({**common, "marker": {"size": max(layer.size - 5, 3), "color": "#ffffff"}})
        else:
            traces.append({**common, "marker": {"size": layer.size, "color": layer.color, "opacity": style}})
    return traces


def trace_index(model: Model) -> dict[str, list[int]]:
    """Trace numbers per service (the same for every figure of a model)."""
    index: dict[str, list[int]] = {}
    if model.care is not None:
        index["care"] = [CARE]
    plan = _trace_plan(model)
    for position, (service, _, _) in enumerate(plan, start=FIRST_SERVICE_TRACE):
        index.setdefault(service, []).append(position)
    first_user = FIRST_SERVICE_TRACE + len(plan)
    index[USER_SERVICE] = [first_user, first_user + 1]  # after every other trace
    return index


# ------------------------------------------------------------------------ figure


def build_figure(
    model: Model, state: MapState, lang: str, prefix: str = "/", spec: ValueSpec | None = None, user=None
) -> dict:
    """The whole figure for a level and focus (sent when the geometry changes)."""
    areas = model.area_table(state.level, state.focus)
    codes = list(areas.index)
    data_url = geojson_url(model, state.level, state.focus, prefix)
    cd = customdata(model, state.level, state.focus, lang)
    update = value_trace_update(spec, lang) if spec is not None else metric_update(model, state, lang, user)
    outline = {"line": {"color": LINE_COLOR, "width": 0.6 if state.level == "district" else 1.0}}
    # context: the rest of Peru in light grey around a focus (regions around a Lima region)
    context_level = "region" if len(state.focus) == 6 else "department"
    context = [c for c in model.geo.codes(context_level) if c != state.focus] if state.focus else []
    traces: list[dict] = [
        {
            "type": "choroplethmap",
            "name": "context",
            "geojson": geojson_url(model, context_level, "", prefix),
            "locations": context,
            "z": [0] * len(context),
            "colorscale": [[0, "#f4f5f7"], [1, "#f4f5f7"]],
            "showscale": False,
            "marker": {"line": {"color": "#c3c8d0", "width": 0.8}},
            "hoverinfo": "skip",
        },
        {
            "type": "choroplethmap",
            "name": "base",
            "geojson": data_url,
            "locations": codes,
            "z": [0] * len(codes),
            "colorscale": [[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]],
            "showscale": False,
            "marker": outline,
            "customdata": cd,
            "hovertemplate": update["base_hovertemplate"],
        },
        {
            "type": "choroplethmap",
            "name": "value",
            "geojson": data_url,
            "locations": codes,
            "z": update["z"],
            "text": update["text"],
            "zmin": update["zmin"],
            "zmax": update["zmax"],
            "colorscale": update["colorscale"],
            "colorbar": update["colorbar"],
            "marker": {**outline, "opacity": 0.92},
            "customdata": cd,
            "hovertemplate": update["hovertemplate"],
        },
    ]
    care = model.care if model.care is not None else pd.DataFrame(columns=["ubigeo_prov", "count"])
    traces.append(
        {
            "type": "choroplethmap",
            "name": "care",
            "geojson": care_geojson_url(model, prefix),
            "locations": care["ubigeo_prov"].tolist(),
            "z": care["count"].tolist(),
            "colorscale": [[0, "rgba(0,131,143,0.18)"], [1, "rgba(0,131,143,0.18)"]],
            "showscale": False,
            "marker": {"line": {"color": "#00838f", "width": 2.5}},
            "hoverinfo": "skip",
            "visible": "care" in state.services and model.care is not None,
        }
    )
    traces.extend(service_traces(model, state, lang, shown_only=True))
    traces.extend(user_unit_traces(state, lang))
    center, zoom = map_view(model.geo.focus_bbox(state.focus))
    return {
        "data": traces,
        "layout": {
            "map": {"style": BASEMAP_STYLE if state.basemap else BLANK_STYLE, "center": center, "zoom": zoom},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "showlegend": False,
            "uirevision": f"{state.level}|{state.focus}",
            "paper_bgcolor": "#ffffff",
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12},
            "hoverlabel": {"bgcolor": "#ffffff", "bordercolor": "#5b6573", "font": {"size": 12}},
        },
    }


def metric_patch(
    model: Model,
    state: MapState,
    lang: str,
    spec: ValueSpec | None = None,
    patch: Patch | None = None,
    user=None,
) -> Patch:
    """Recolour the map for another metric or year: values only, no geometry."""
    update = value_trace_update(spec, lang) if spec is not None else metric_update(model, state, lang, user)
    patch = patch if patch is not None else Patch()
    for key in ("z", "text", "zmin", "zmax", "colorscale", "colorbar", "hovertemplate"):
        patch["data"][VALUE][key] = update[key]
    patch["data"][BASE]["hovertemplate"] = update["base_hovertemplate"]
    return patch


def services_patch(
    model: Model, state: MapState, patch: Patch | None = None, lang: str = "es", loaded: frozenset[str] = frozenset()
) -> Patch:
    """Visibility per service, and the points of a service switched on whose points the
    figure on screen does not hold yet (`loaded`: those it holds, from the drawn record)."""
    patch = patch if patch is not None else Patch()
    index = trace_index(model)
    for service, indices in index.items():
        for i in indices:
            patch["data"][i]["visible"] = service in state.services
    missing = [s for s in state.services if s not in loaded and s in index and s not in ("care", USER_SERVICE)]
    if missing:
        full = model.memo(("service-traces", lang), lambda: _build_service_traces(model, lang))
        for service in missing:
            for i in index[service]:
                trace = full[i - FIRST_SERVICE_TRACE]
                for key in POINT_DATA:
                    if key in trace:
                        patch["data"][i][key] = trace[key]
    return patch


def basemap_patch(state: MapState, patch: Patch | None = None) -> Patch:
    patch = patch if patch is not None else Patch()
    patch["layout"]["map"]["style"] = BASEMAP_STYLE if state.basemap else BLANK_STYLE
    return patch
