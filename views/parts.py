"""Small pieces the tabs share: a labelled control, radio buttons from locale keys, an
outlined small button."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from atlas.i18n import t


def labelled(label, control) -> list:
    """A bold form label tied to ``control`` (by its id), then the control."""
    return [
        html.Label(label, htmlFor=control.id, className="form-label fw-semibold"),
        control,
    ]


def radio_items(id: str, lang: str, prefix: str, values, value) -> dbc.RadioItems:
    """One radio button per value, labelled by the locale key ``<prefix>.<value>``."""
    options = [{"label": t(lang, f"{prefix}.{v}"), "value": v} for v in values]
    return dbc.RadioItems(id=id, options=options, value=value, className="mb-3")


def outline_button(label, id: str, className: str) -> dbc.Button:
    """The small secondary button of the exports and the other quiet actions."""
    return dbc.Button(
        label, id=id, size="sm", color="secondary", outline=True, className=className
    )


def map_graph(id: str, lang: str, className: str = "map-graph", **config) -> dcc.Graph:
    """An empty map graph (its figure comes from a callback) with the app's map config."""
    return dcc.Graph(
        id=id,
        className=className,
        config={"displaylogo": False, "scrollZoom": True, "locale": lang, **config},
        figure={
            "data": [],
            "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}},
        },
    )
