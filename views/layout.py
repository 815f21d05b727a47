"""The page: controls, map, profile, sources. Spanish at first paint; callbacks translate."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from atlas.i18n import DEFAULT_LANG, pick, t
from atlas.model import NATIONAL, MapState, Model
from ingest.registry import USER_SERVICE
from layers.base import LEVELS
from views import ids
from views.map import drawn_record
from views.map_figure import NO_DATA_COLOR, build_figure
from views.notices import notice_areas
from views.placeholder import first_paint_html, outline_src, picture_src
from views.registry import upload_panel as registry_upload_panel
from views.trafficking import upload_panel as trata_upload_panel


def tr(key: str, tag=html.Span, lang: str = DEFAULT_LANG, **kwargs):
    """A static text that follows the language switch."""
    return tag(t(lang, key), id=ids.i18n(key), **kwargs)


def level_options(lang: str) -> list[dict]:
    return [{"label": t(lang, f"level.{level}"), "value": level} for level in LEVELS]


def focus_options(model: Model, lang: str) -> list[dict]:
    """National, the mission's five departments, Lima's two halves as regions, then the
    other 20 departments (Callao among them) by name."""
    options = [{"label": t(lang, "focus.national"), "value": NATIONAL}]
    for code in model.focus_codes:
        label = model.geo.focus_name(code)
        if len(code) == 6:
            label = t(lang, "focus.region", name=label)
        options.append({"label": label, "value": code})
    return options


def metric_options(model: Model, level: str, lang: str, user=None) -> list[dict]:
    options = []
    for metric_id, (layer, metric) in model.catalog.all_metrics.items():
        label = pick(metric.title, lang)
        disabled = False
        if not model.catalog.available(layer.id):
            label += f" ({t(lang, 'layer.unavailable')})"
            disabled = True
        elif level not in metric.levels:
            label += f" ({t(lang, 'metric.not_at_level')})"
            disabled = True
        options.append({"label": label, "value": metric_id, "disabled": disabled})
    # modelled travel hours (atlas/travel_layer.py), then the series imported in the browser
    extra = {**model.derived_metrics, **(user.metrics if user is not None else {})}
    for metric_id, (_, metric) in extra.items():
        disabled = level not in metric.levels
        label = pick(metric.title, lang) + (f" ({t(lang, 'metric.not_at_level')})" if disabled else "")
        options.append({"label": label, "value": metric_id, "disabled": disabled})
    return options


def year_options(model: Model, metric: str, user=None) -> list[dict]:
    if metric not in model.metrics and (user is None or metric not in user.metrics):
        return []
    return [{"label": y, "value": y} for y in model.metric(metric, user).years]


def service_options(model: Model, lang: str) -> list[dict]:
    options = []
    for layer in model.catalog.layers_of_kind("points", "counts"):
        available = model.catalog.available(layer.id)
        swatch = html.Span(className=f"swatch swatch-{layer.kind}", style={"--swatch": layer.color})
        label = pick(layer.title, lang)
        if layer.coverage is not None:
            label += f" ({t(lang, 'services.five_departments')})"
        if not available:
            label += f" ({t(lang, 'layer.unavailable')})"
        options.append({"label": html.Span([swatch, label]), "value": layer.id, "disabled": not available})
    user = html.Span([html.Span(className="swatch swatch-user"), t(lang, "user.legend")])
    options.append({"label": user, "value": USER_SERVICE})  # units the user uploaded (this session)
    return options


def controls(model: Model, state: MapState, lang: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Label(tr("control.level"), htmlFor=ids.LEVEL, className="form-label fw-semibold"),
                dbc.RadioItems(id=ids.LEVEL, options=level_options(lang), value=state.level, className="mb-3"),
                html.Label(tr("control.focus"), htmlFor=ids.FOCUS, className="form-label fw-semibold"),
                dbc.Select(id=ids.FOCUS, options=focus_options(model, lang), value=state.focus or NATIONAL, className="mb-3"),
                html.Label(tr("control.metric"), htmlFor=ids.METRIC, className="form-label fw-semibold"),
                dbc.Select(
                    id=ids.METRIC,
                    options=metric_options(model, state.level, lang),
                    value=state.metric,
                    className="mb-2",
                ),
                html.Label(tr("control.year"), htmlFor=ids.YEAR, className="form-label fw-semibold"),
                dbc.Select(id=ids.YEAR, options=year_options(model, state.metric), value=state.year, className="mb-3"),
                html.Fieldset(
                    [
                        html.Legend(tr("control.services"), className="form-label fw-semibold fs-6"),
                        dbc.Checklist(
                            id=ids.SERVICES,
                            options=service_options(model, lang),
                            value=list(state.services),
                            className="service-list",
                        ),
                    ],
                    className="mb-3",
                ),
                dbc.Switch(id=ids.BASEMAP, label=tr("control.basemap"), value=state.basemap),
                trata_upload_panel(lang),
            ]
        ),
        className="controls h-100",
    )


def graph_config(lang: str) -> dict:
    """Plotly config; the partial bundle carries plotly's Spanish locale (modebar texts)."""
    return {
        "displaylogo": False,
        "scrollZoom": True,
        "locale": lang,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendDataToCloud"],
        "toImageButtonOptions": {"filename": t(lang, "export.map_filename"), "scale": 2},
    }


def map_placeholder(src: str | None, lang: str, outline: str | None = None):
    """Over the map frame until the map is painted (never a blank frame): the first map's
    picture when the page opened on it (class `first-view`, set by map-placeholder.js), else
    Peru's outline (`outline`), so a link to another view never shows another map's colours."""
    if not src:
        return None
    images = [html.Img(src=src, alt="", className="map-picture" if outline else None)]
    if outline:
        images.append(html.Img(src=outline, alt="", className="map-outline"))
    return html.Div(
        [*images, tr("map.loading", tag=html.Small, lang=lang, className="text-muted")],
        className="map-placeholder",
        **{"aria-hidden": "true"},
    )


def map_panel(
    lang: str = DEFAULT_LANG, placeholder_src: str | None = None, figure: dict | None = None, outline: str | None = None
) -> dbc.Card:
    """`figure`: the first view's map, drawn as soon as plotly.js has run (no callback round
    before it); without one, an empty frame the map callback fills."""
    return dbc.Card(
        [
            map_placeholder(placeholder_src, lang, outline),
            dcc.Graph(
                id=ids.MAP,
                className="map-graph",
                config=graph_config(lang),
                figure=figure or {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}},
            ),
            html.Div(id=ids.SERVICE_LEGEND, className="service-legend px-3 pt-2"),
            html.Div(id=ids.MAP_CAPTION, className="map-caption px-3 pb-2"),
        ],
        className="map-card",
    )


def profile_panel(lang: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            html.Div(
                [html.H2(tr("profile.title"), className="h6"), html.P(tr("profile.hint"), className="text-muted")],
                id=ids.PROFILE,
                **{"aria-live": "polite"},
            )
        ),
        className="profile h-100",
    )


def first_map(model: Model, state: MapState, lang: str, prefix: str) -> tuple[str, dict]:
    """The default view's map: its picture for the first paint (views.placeholder) and its
    whole figure, built once per language and prefix."""
    figure = model.memo(("first-figure", lang, prefix), lambda: build_figure(model, state, lang, prefix))
    return picture_src(model, figure, NO_DATA_COLOR), figure


def first_paint(model: Model, prefix: str = "/", lang: str = DEFAULT_LANG) -> str:
    """The page before Dash renders (HTML): the header and the default map's picture."""
    state, _ = model.state()
    return first_paint_html(first_map(model, state, lang, prefix)[0], lang)


def build_layout(model: Model, lang: str = DEFAULT_LANG, prefix: str = "/"):
    """The page. The map of the default view is in it with the record of what it was drawn
    for (`map-drawn`), so the map callback's first answer is "no change" unless the link asks
    for another view. `prefix`: the app's path prefix (geometry URLs)."""
    state, _ = model.state()
    header = html.Header(
        dbc.Container(
            [
                html.Div(
                    [
                        html.H1("Cobertura", className="brand"),
                        tr("app.tagline", className="tagline"),
                    ],
                    className="brand-block",
                ),
                html.Div(
                    [
                        dbc.Button(tr("app.print"), id=ids.PRINT, color="light", size="sm", className="me-2 no-print"),
                        dbc.RadioItems(
                            id=ids.LANG,
                            options=[{"label": "ES", "value": "es"}, {"label": "EN", "value": "en"}],
                            value=lang,
                            inline=True,
                            className="btn-group lang-switch",
                            inputClassName="btn-check",
                            labelClassName="btn btn-sm btn-outline-light",
                            labelCheckedClassName="active",
                        ),
                    ],
                    className="d-flex align-items-center no-print",
                ),
            ],
            fluid=True,
            className="d-flex justify-content-between align-items-center",
        ),
        className="app-header",
    )
    map_tab = dbc.Row(
        [
            dbc.Col(controls(model, state, lang), lg=3, className="mb-3 no-print"),
            dbc.Col(
                [map_panel(lang, *first_map(model, state, lang, prefix), outline_src(model)), registry_upload_panel(lang)],
                lg=6,
                className="mb-3",
            ),
            dbc.Col(profile_panel(lang), lg=3, className="mb-3"),
        ],
        className="g-3",
    )
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.STATE_SYNC),
            dcc.Store(id=ids.URL_WRITTEN),
            dcc.Store(id=ids.MAP_DRAWN, data=drawn_record(state, lang)),
            dcc.Store(id=ids.GAP_DRAWN),
            dcc.Store(id=ids.GAP_RENDERED),
            dcc.Store(id=ids.TABLE_LIB),
            dcc.Store(id=ids.SCENARIO_SEED),
            dcc.Store(id=ids.SCENARIOS, data=[]),
            header,
            dbc.Container(
                [
                    html.Div(id=ids.NOTICE, className="notices", **{"aria-live": "polite"}),
                    html.Div(notice_areas(), className="notices"),
                    dbc.Tabs(
                        [
                            dbc.Tab(map_tab, label=t(lang, "tab.map"), tab_id="map", id=ids.TAB_MAP),
                            dbc.Tab(
                                html.Div(id=ids.GAP_CONTAINER, className="gaps"),
                                label=t(lang, "tab.gaps"),
                                tab_id="gaps",
                                id=ids.TAB_GAPS,
                            ),
                            dbc.Tab(
                                html.Div(id=ids.SOURCES, className="sources py-3"),
                                label=t(lang, "tab.sources"),
                                tab_id="sources",
                                id=ids.TAB_SOURCES,
                            ),
                        ],
                        id=ids.TABS,
                        active_tab="map",
                        className="mb-3 no-print",
                    ),
                ],
                fluid=True,
                className="pt-3",
            ),
            html.Footer(
                dbc.Container(tr("app.footer", tag=html.Small), fluid=True),
                className="app-footer",
            ),
        ],
        lang=lang,
    )
