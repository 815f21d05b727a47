"""What the URL codec says on screen when a link held values out of range.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from atlas.i18n import t


def notice(lang: str, problems: list[str]):
    if not problems:
        return None
    names = ", ".join(sorted(set(problems)))
    return dbc.Alert(
        [html.Strong(t(lang, "notice.url_title")), " ", t(lang, "notice.url_body", names=names)],
        color="warning",
        dismissable=True,
        className="url-notice",
    )
