"""Click an area: its profile (need, services present, nearest of each type). Click a marker:
the unit and the source behind it."""

from __future__ import annotations

import pandas as pd
from dash import html

from analysis.areas import nearest_care_province, nearest_services
from atlas.i18n import fmt_km, fmt_number, pick, t
from atlas.model import MapState, Model
from layers.base import FLAG_SUPPRESSED, suppress_small
from views.hours import travel_section
from views.left_out import unit_load_text
from views.map_figure import value_text

MAX_CITED = 8  # most recent quoted figures per department


def clicked_id(click: object) -> str | None:
    """The feature id carried in customdata[0] of a click, or None for anything else."""
    try:
        point = click["points"][0]  # type: ignore[index]
        value = point["customdata"][0]
    except (TypeError, KeyError, IndexError):
        return None
    return value if isinstance(value, str) and len(value) <= 80 else None


def hint(lang: str, problem: str | None = None):
    children = [html.H2(t(lang, "profile.title"), className="h6"), html.P(t(lang, "profile.hint"), className="text-muted")]
    if problem:
        children.append(html.P(problem, className="text-danger small"))
    return children


def need_rows(model: Model, level: str, code: str, lang: str, user=None) -> list:
    rows = []
    # catalogue metrics only: modelled travel hours have their own section (views/hours.py)
    metrics = {**model.catalog.metrics, **(user.metrics if user is not None else {})}
    for metric_id, (_, metric) in metrics.items():
        if level not in metric.levels:
            continue
        year = metric.years[-1]
        frame = model.area_values(metric_id, level, year, pd.Index([code]), user)
        row = frame.iloc[0]
        rows.append(
            html.Tr(
                [
                    html.Th(f"{pick(metric.title, lang)}", scope="row", className="fw-normal"),
                    html.Td(year),
                    html.Td(value_text(row, metric.decimals, pick(metric.unit, lang), lang, metric.is_count)),
                ]
            )
        )
    return rows


def service_rows(model: Model, level: str, code: str, lang: str) -> list:
    counts = model.counts[level]
    rows = []
    for layer in model.service_layers:
        if layer.id not in counts:
            continue
        n = int(counts.loc[code, layer.id]) if code in counts.index else 0
        covered = layer.coverage is None or code[:2] in layer.coverage
        label = pick(layer.title, lang)
        if layer.id == "care" and level == "district":
            label = t(lang, "profile.care_in_province")
        rows.append(
            html.Tr(
                [
                    html.Th(label, scope="row", className="fw-normal"),
                    html.Td(str(n) if covered else t(lang, "value.no_data"), className="text-end"),
                ]
            )
        )
    return rows


def nearest_rows(model: Model, lat: float, lon: float, lang: str) -> list:
    rows = []
    nearest = nearest_services(lat, lon, model.points)
    for layer in model.service_layers:
        if layer.kind == "counts":
            continue
        if layer.id not in nearest.index:
            continue
        best = nearest.loc[layer.id]
        rows.append(
            html.Tr(
                [
                    html.Th(pick(layer.short, lang), scope="row", className="fw-normal"),
                    html.Td(fmt_km(float(best["km"]), lang), className="text-end"),
                    html.Td(f"{best['name']}" + ("" if best["status"] == "verified" else f" ({t(lang, 'status.' + best['status'])})")
                            + unit_load_text(model, layer.id, str(best["id"]), lang)),
                ]
            )
        )
    if model.care is not None:
        found = nearest_care_province(lat, lon, model.care)
        if found:
            province, km = found
            rows.append(
                html.Tr(
                    [
                        html.Th("CARE", scope="row", className="fw-normal"),
                        html.Td(fmt_km(km, lang), className="text-end"),
                        html.Td(t(lang, "profile.care_province", name=model.geo.name("province", province))),
                    ]
                )
            )
    return rows


def small_table(rows: list) -> html.Table:
    return html.Table(html.Tbody(rows), className="table table-sm mb-2")


def cited_value(row, lang: str) -> str:
    """A quoted figure as read: counts under 5 as "<5", shares with their % sign."""
    if row.percent:
        return f"{fmt_number(row.value, 1 if row.value % 1 else 0, lang)} %"
    if suppress_small(pd.Series([row.value]))[1].iloc[0] == FLAG_SUPPRESSED:
        return "<5"
    return fmt_number(row.value, 0, lang)


def cited_rows(model: Model, code: str, lang: str, limit: int = MAX_CITED) -> list:
    """The most recent trafficking figures quoted for the department of `code`, each with
    its registry, period and source page. Police and prosecutor figures stay on separate rows."""
    if not model.catalog.available("trata_reportada"):
        return []
    figures = model.catalog.loaded["trata_reportada"].source
    rows = figures[figures["ubigeo_dep"] == code[:2]].copy()
    if rows.empty:
        return []
    rows["order"] = rows["year_to"].where(rows["year_to"] != "", "0000")
    rows = rows.sort_values(["order", "year_from"], ascending=False, kind="stable").head(limit)
    out = []
    for row in rows.itertuples():
        period = row.period or t(lang, "profile.year_unknown")
        label = f"{t(lang, 'series.' + row.series)} · {t(lang, 'cited.' + row.indicator)}"
        source = html.A(row.source_org, href=row.url, target="_blank", rel="noopener") if str(row.url).startswith("http") else row.source_org
        out.append(
            html.Tr(
                [
                    html.Th([label, html.Div(source, className="small-note")], scope="row", className="fw-normal"),
                    html.Td(period, className="text-nowrap"),
                    html.Td(cited_value(row, lang), className="text-end", title=str(row.note)[:300]),
                ]
            )
        )
    return out


def area_profile(model: Model, state: MapState, code: str, lang: str, user=None):
    area = model.geo.area(state.level, code)
    title = area["name"]
    where = []
    if state.level == "district":
        where = [area["province"], area["department"]]
    elif state.level == "province":
        where = [area["department"]]
    return [
        html.H2(title, className="h5 mb-0"),
        html.Div(
            f"{t(lang, 'level.' + state.level)} · UBIGEO {code}" + (f" · {', '.join(where)}" if where else ""),
            className="text-muted small mb-2",
        ),
        html.H3(t(lang, "profile.need"), className="h6 mt-2"),
        small_table(need_rows(model, state.level, code, lang, user)),
        html.H3(t(lang, "profile.services"), className="h6 mt-2"),
        small_table(service_rows(model, state.level, code, lang)),
        html.H3(t(lang, "profile.nearest"), className="h6 mt-2"),
        small_table(nearest_rows(model, float(area["lat"]), float(area["lon"]), lang)),
        html.P(t(lang, "profile.nearest_note", place=area["capital_name"]), className="small-note"),
        *travel_section(model, area, lang),
        *cited_section(model, code, lang),
    ]


def cited_section(model: Model, code: str, lang: str) -> list:
    rows = cited_rows(model, code, lang)
    if not rows:
        return []
    return [
        html.H3(t(lang, "profile.cited", name=model.geo.name("department", code[:2])), className="h6 mt-2"),
        small_table(rows),
        html.P(t(lang, "profile.cited_note"), className="small-note"),
    ]


def service_profile(model: Model, service_id: str, lang: str):
    row = model.points[model.points["id"] == service_id]
    if row.empty:
        return None
    row = row.iloc[0]
    layer = model.catalog.layer(row["service"])
    children = [
        html.H2(row["name"], className="h5 mb-0"),
        html.Div(pick(layer.title, lang), className="text-muted small mb-2"),
        html.Ul(
            [
                html.Li(t(lang, f"status.{row['status']}")),
                html.Li(t(lang, f"precision.{row['precision']}")),
            ]
            + ([html.Li(f"UBIGEO {row['ubigeo']}")] if row["ubigeo"] else []),
            className="small",
        ),
    ]
    if row["service"] in ("fistrap", "pnp_trata"):
        seats = model.catalog.loaded[row["service"]].source
        index = int(service_id.rsplit(":", 1)[1])
        seat = seats.iloc[index]
        children += [
            html.H3(t(lang, "profile.source"), className="h6"),
            html.P([html.A(seat["source_title"], href=seat["source_url"], target="_blank", rel="noopener"), f" ({seat['source_date']})"], className="small"),
            html.Blockquote(f"«{seat['quote']}»", className="small fst-italic"),
        ]
    return children
