"""Component ids, in one place."""

URL = "url"
LANG = "lang"
TABS = "tabs"
TAB_MAP = "tab-map"
TAB_SOURCES = "tab-sources"
LEVEL = "level"
FOCUS = "focus"
METRIC = "metric"
YEAR = "year"
SERVICES = "services"
PNP_CLAIMS = "pnp-claims"
BASEMAP = "basemap"
MAP = "map"
MAP_DRAWN = "map-drawn"  # what the figure on screen was drawn for
MAP_CAPTION = "map-caption"
SERVICE_LEGEND = "service-legend"
PROFILE = "profile"
NOTICE = "notice"
SOURCES = "sources"
STATE_SYNC = "state-sync"
LAYER_STATUS = "layer-status"
PRINT = "print-button"
TRATA_UPLOAD = "trata-upload"  # browser import of an official trafficking file
TRATA_PROGRESS = "trata-upload-progress"
TRATA_STATUS = "trata-upload-status"
TRATA_STORE = "trata-import-store"  # the imported series, in the browser's session storage


def i18n(key: str) -> dict:
    """Id of a static text that follows the language switch."""
    return {"type": "i18n", "key": key}


def i18n_all() -> dict:
    from dash import ALL

    return {"type": "i18n", "key": ALL}
