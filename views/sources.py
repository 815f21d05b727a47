"""Fuentes / Sources: every layer's origin, year, licence, level and caveats, built from the
layers' own provenance (nothing typed twice), plus what each join left unmatched."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from atlas.i18n import fmt_number, pick, t
from atlas.model import Model
from layers.base import Layer

MAX_LISTED = 25


def link(url: str, label: str | None = None):
    if url.startswith("http"):
        return html.A(label or url, href=url, target="_blank", rel="noopener")
    return html.Code(label or url)


def file_rows(model: Model, layer: Layer, lang: str) -> list:
    rows = []
    for path in layer.provenance.files:
        entry = model.catalog.data_dir.manifest.get(path)
        if entry is None:
            continue
        rows.append(
            html.Li(
                [
                    html.Code(path),
                    f" · sha256 {entry.sha256[:12]}… · {t(lang, 'sources.licence')}: {entry.licence} · ",
                    link(entry.origin_url, t(lang, "sources.origin")) if entry.origin_url else entry.origin,
                ]
            )
        )
    for name in layer.provenance.authored_files:
        rows.append(html.Li([html.Code(f"data/{name}"), f" · {t(lang, 'sources.authored')}"]))
    return rows


def join_rows(model: Model, layer: Layer, lang: str) -> list:
    rows = []
    for report in model.catalog.loaded.get(layer.id).joins if model.catalog.available(layer.id) else ():
        listed = ", ".join(report.unmatched[:MAX_LISTED]) + (" …" if len(report.unmatched) > MAX_LISTED else "")
        rows.append(
            html.Li(
                [
                    pick(report.description, lang),
                    ": ",
                    html.Strong(fmt_number(len(report.unmatched), 0, lang)),
                    f" / {fmt_number(report.total, 0, lang)}",
                    (f" ({listed})" if listed else ""),
                ]
            )
        )
    return rows


def layer_card(model: Model, layer: Layer, lang: str):
    prov = layer.provenance
    available = model.catalog.available(layer.id)
    status = (
        dbc.Badge(t(lang, "layer.available"), color="success", className="ms-2")
        if available
        else dbc.Badge(t(lang, "layer.unavailable"), className="ms-2 badge-unavailable")
    )
    body = [
        html.H3([pick(layer.title, lang), status], id=f"source-{layer.id}"),
        html.Dl(
            [
                html.Dt(t(lang, "sources.source")),
                html.Dd([pick(prov.source, lang), " · ", link(prov.url)]),
                html.Dt(t(lang, "sources.year")),
                html.Dd(prov.year),
                html.Dt(t(lang, "sources.licence")),
                html.Dd(pick(prov.licence, lang)),
                html.Dt(t(lang, "sources.level")),
                html.Dd(pick(prov.level, lang)),
                html.Dt(t(lang, "sources.caveats")),
                html.Dd(pick(prov.caveats, lang) or "—"),
            ],
            className="mb-1",
        ),
    ]
    if not available:
        body.append(dbc.Alert(model.catalog.errors.get(layer.id, ""), color="danger", className="small mb-2"))
    files = file_rows(model, layer, lang)
    if files:
        body += [html.Div(t(lang, "sources.files"), className="fw-semibold small"), html.Ul(files, className="small")]
    joins = join_rows(model, layer, lang)
    if joins:
        body += [html.Div(t(lang, "sources.joins"), className="fw-semibold small"), html.Ul(joins, className="small")]
    return html.Section(body, className="layer-card")


# Series that do not exist openly, and the official datasets that would fill them.
DATA_GAPS = (
    ("gaps.trafficking_year", "gaps.trafficking_year_fill",
     "https://www.datosabiertos.gob.pe/search/type/dataset?query=trata%20de%20personas"),
    ("gaps.victims_minors", "gaps.victims_minors_fill",
     "https://www.datosabiertos.gob.pe/search/type/dataset?query=trata%20de%20personas"),
    ("gaps.children_district", "gaps.children_district_fill", "https://www.inei.gob.pe"),
    ("gaps.prosecution_districts", "gaps.prosecution_districts_fill", "https://www.datosabiertos.gob.pe/dataset/mpfn-delitos"),
)


def data_gaps(lang: str) -> html.Section:
    """"Datos faltantes / Data gaps": what is missing and which official data would fill it."""
    items = [
        html.Li([html.Strong(t(lang, gap)), " ", t(lang, fill), " ", link(url, t(lang, "gaps.open"))])
        for gap, fill, url in DATA_GAPS
    ]
    return html.Section(
        [html.H3(t(lang, "gaps.title"), id="source-data-gaps"), html.P(t(lang, "gaps.intro")), html.Ul(items)],
        className="layer-card data-gaps",
    )


def sources_panel(model: Model, lang: str):
    return [
        html.H2(t(lang, "sources.title"), className="h4"),
        html.P(t(lang, "sources.intro")),
        html.P(t(lang, "sources.data_shipped" if model.catalog.data_dir.is_shipped else "sources.data_other"),
               className="small text-muted"),
        data_gaps(lang),
        *[layer_card(model, layer, lang) for layer in model.catalog.layers],
        html.H3(t(lang, "sources.seeds_title")),
        html.P(t(lang, "sources.seeds")),
    ]
