"""The units a user uploaded, as map markers.

The figure always ends with two placeholder traces (a dark halo and the markers), after
every other trace, so the indices of the existing traces never move. They are empty in
the figure the server builds; the browser fills them from `user-traces`, marker data the
server renders from the user's session store after validating it again (it can be forged).
"""

from __future__ import annotations

import html as html_text

from dash import html

from atlas.i18n import t
from atlas.model import MapState
from ingest.registry import USER_SERVICE, type_title
from layers import LAYERS

RING_COLOR = "#1d2733"  # a dark ring marks what the user uploaded (official units: white)
META_HALO, META_MARKERS = "user-halo", "user-units"
USER_SIZE = 9

__all__ = ["USER_SERVICE", "user_unit_traces", "user_traces_data", "user_legend_item"]


def user_unit_traces(state: MapState, lang: str) -> list[dict]:
    """The two placeholder traces appended at the end of every full figure."""
    visible = USER_SERVICE in state.services
    base = {"type": "scattermap", "mode": "markers", "lat": [], "lon": [], "visible": visible, "showlegend": False}
    return [
        {**base, "name": "halo", "meta": META_HALO, "hoverinfo": "skip", "marker": {"size": USER_SIZE + 5, "color": RING_COLOR}},
        {
            **base,
            "name": t(lang, "user.legend"),
            "meta": META_MARKERS,
            "text": [],
            "customdata": [],
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {"size": USER_SIZE, "color": []},
        },
    ]


def unit_hover(unit: dict, lang: str) -> str:
    """Hover text of one unit; the user's own text is HTML-escaped (plotly reads tags)."""
    lines = [
        f"<b>{html_text.escape(unit['name'])}</b>",
        html_text.escape(type_title(unit["service"], lang)),
        f"{t(lang, 'user.legend')} · {t(lang, 'status.' + unit['status'])}",
        t(lang, f"precision.{unit['precision']}"),
        f"{t(lang, 'user.source')} {html_text.escape(unit['source'])}",
    ]
    return "<br>".join(lines)


def user_traces_data(units: list[dict], lang: str, indices: list[int]) -> dict:
    """What the browser writes into the two placeholder traces (validated units only)."""
    lat = [round(u["lat"], 5) for u in units]
    lon = [round(u["lon"], 5) for u in units]
    return {
        "indices": list(indices),
        "meta": META_MARKERS,
        "halo": {"lat": lat, "lon": lon},
        "markers": {
            "lat": lat,
            "lon": lon,
            "color": [LAYERS[u["service"]].color for u in units],
            "text": [unit_hover(u, lang) for u in units],
            "customdata": [[u["id"]] for u in units],
        },
    }


def user_legend_item(lang: str):
    return html.Span([html.Span(className="swatch swatch-user"), t(lang, "user.legend")])
