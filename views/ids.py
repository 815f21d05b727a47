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
STATE_SYNC = "state-sync"  # the canonical query string of the view
URL_WRITTEN = "url-written"  # dummy output of the clientside history.replaceState
LAYER_STATUS = "layer-status"
PRINT = "print-button"
TRATA_UPLOAD = "trata-upload"  # browser import of an official trafficking file
TRATA_PROGRESS = "trata-upload-progress"
TRATA_STATUS = "trata-upload-status"
TRATA_STORE = "trata-import-store"  # the imported series, in the browser's session storage


TAB_GAPS = "tab-gaps"
GAP_CONTAINER = "gap-container"
GAP_RENDERED = "gap-rendered"  # language the gaps tab was rendered in
TABLE_LIB = "table-lib"  # set once the DataTable code (loaded when the gaps tab first opens) is there
GAP_DRAWN = "gap-drawn"
GAP_SERVICE = "gap-service"
GAP_KM = "gap-km"
GAP_MEASURE = "gap-measure"  # km or modelled hours (atlas/hours.py)
GAP_HOURS = "gap-hours"
GAP_KM_BOX = "gap-km-box"
GAP_HOURS_BOX = "gap-hours-box"
GAP_LEVEL = "gap-level"
GAP_FOCUS = "gap-focus"
GAP_COLOUR = "gap-colour"
GAP_WEIGHT = "gap-weight"  # pattern: {"type": GAP_WEIGHT, "component": ...}
GAP_MAP = "gap-map"
GAP_HEADLINE = "gap-headline"
GAP_CAVEATS = "gap-caveats"
GAP_TABLE = "gap-table"
GAP_EXPORT_CSV = "gap-export-csv"
GAP_EXPORT_XLSX = "gap-export-xlsx"
GAP_DOWNLOAD = "gap-download"
# who is left out (views/left_out.py): named places, unit load, equity
LO_PLACES_TABLE = "left-out-places"
LO_PLACES_SEARCH = "left-out-search"
LO_PLACES_SUMMARY = "left-out-summary"
LO_PLACES_CSV = "left-out-csv"
LO_PLACES_XLSX = "left-out-xlsx"
LO_PLACES_DOWNLOAD = "left-out-download"
LO_LOADS_TABLE = "left-out-loads"
LO_LOADS_NOTE = "left-out-loads-note"
LO_EQUITY_GRAPH = "left-out-equity"
LO_EQUITY_TEXT = "left-out-equity-text"
SCENARIO = "scenario"  # store inside the gaps tab: hypothetical units and costs
SCENARIO_SEED = "scenario-seed"  # top-level store: a scenario read from the URL
SCENARIOS = "scenarios"  # top-level store: the saved, named scenarios A..F (atlas.scenarios)
PLAN_SERVICE = "plan-service"
PLAN_PLACE = "plan-place"
PLAN_ADD = "plan-add"
PLAN_CLICK = "plan-click"
PLAN_UNITS = "plan-units"
PLAN_NOTICE = "plan-notice"
PLAN_REMOVE = "plan-remove"  # pattern: {"type": PLAN_REMOVE, "index": i}
PLAN_MOVE = "plan-move"  # pattern: {"type": PLAN_MOVE, "index": i}
PLAN_MOVING = "plan-moving"  # store: index of the unit being moved, or None
PLAN_MOVE_HINT = "plan-move-hint"
PLAN_MOVE_TEXT = "plan-move-text"
PLAN_MOVE_CANCEL = "plan-move-cancel"
PLAN_N = "plan-n"
PLAN_DEPARTMENTS = "plan-departments"
PLAN_CANDIDATES = "plan-candidates"
PLAN_MIN_SIZE = "plan-min-size"
PLAN_SUGGEST = "plan-suggest"
PLAN_COST = "plan-cost"  # pattern: {"type": PLAN_COST, "service": s}
PLAN_SUMMARY = "plan-summary"
PLAN_CLEAR = "plan-clear"
PLAN_COPY = "plan-copy"
PLAN_EXPORT = "plan-export"
PLAN_EXPORT_XLSX = "plan-export-xlsx"
BRIEF_PDF = "brief-pdf"
BRIEF_PNG = "brief-png"
BRIEF_DOWNLOAD = "brief-download"
BRIEF_NOTICE = "brief-notice"
BRIEF_PROGRESS = "brief-progress"
PLAN_DOWNLOAD = "plan-download"


def i18n(key: str) -> dict:
    """Id of a static text that follows the language switch."""
    return {"type": "i18n", "key": key}


def i18n_all() -> dict:
    from dash import ALL

    return {"type": "i18n", "key": ALL}


def map_controls(kind) -> list:
    """``kind`` (dash Input or State) of each control a MapState is built from, in the
    argument order of Model.state: level, focus, metric, year, services, basemap."""
    return [kind(control, "value") for control in (LEVEL, FOCUS, METRIC, YEAR, SERVICES, BASEMAP)]


def gap_controls(kind) -> list:
    """``kind`` (dash Input or State) of each control a GapState is rebuilt from, in the
    argument order of atlas.gaps.gap_state: service, km, level, focus, colour, weights,
    measure, hours."""
    from dash import ALL

    controls = (GAP_SERVICE, GAP_KM, GAP_LEVEL, GAP_FOCUS, GAP_COLOUR, {"type": GAP_WEIGHT, "component": ALL},
                GAP_MEASURE, GAP_HOURS)
    return [kind(control, "value") for control in controls]

# safety nets (callbacks/safety.py)
ERROR_NOTICE = "error-notice"
LAYER_NOTICE = "layer-notice"

# the user's own registry (callbacks/user_units.py)
USER_UNITS = "user-units"  # session storage: the confirmed units, never on the server
USER_TRACES = "user-traces"  # the units as marker data, validated by the server
USER_STATUS = "user-status"
USER_ACTIONS = "user-actions"
USER_EXPORT = "user-export"
USER_CLEAR = "user-clear"
UPLOAD = "upload"
UPLOAD_AREA = "upload-area"
UPLOAD_PAYLOAD = "upload-payload"
UPLOAD_LIMIT = "upload-limit"  # the size limit, for the check in the browser (atlas.registry.MAX_B64)
UPLOAD_REPORT = "upload-report"
UPLOAD_PENDING = "upload-pending"
UPLOAD_RESULT = "upload-result"
UPLOAD_ACTIONS = "upload-actions"
UPLOAD_CONFIRM = "upload-confirm"
UPLOAD_CANCEL = "upload-cancel"
UPLOAD_ERRORS_CSV = "upload-errors-csv"
TEMPLATE = "upload-template"
USER_DOWNLOAD = "user-download"

# named scenarios, comparison and budget (issue 15: views/compare.py, callbacks/scenarios.py)
SCN_NAME = "scn-name"
SCN_PICK = "scn-pick"
SCN_SAVE = "scn-save"
SCN_OPEN = "scn-open"
SCN_UPDATE = "scn-update"
SCN_RENAME = "scn-rename"
SCN_DUPLICATE = "scn-duplicate"
SCN_DELETE = "scn-delete"
SCN_NOTICE = "scn-notice"
SCN_LIST = "scn-list"
CMP_TABLE = "cmp-table"
CMP_NOTE = "cmp-note"  # what the comparison counts, in the gaps view's measure
CMP_A = "cmp-a"
CMP_B = "cmp-b"
CMP_MAP = "cmp-map"
CMP_CSV = "cmp-csv"
CMP_XLSX = "cmp-xlsx"
CMP_PDF = "cmp-pdf"
CMP_DOWNLOAD = "cmp-download"
CMP_PDF_DOWNLOAD = "cmp-pdf-download"
CMP_NOTICE = "cmp-notice"
BUDGET_TOTAL = "budget-total"
BUDGET_GOAL = "budget-goal"
BUDGET_DEPARTMENTS = "budget-departments"
BUDGET_RUN = "budget-run"
BUDGET_NOTICE = "budget-notice"
