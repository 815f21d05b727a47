"""Every server callback, called as the browser calls it, with representative and hostile
arguments: no CARE location finer than its province in any output, no traceback, no
crash. Built from the app's own callback list, so callbacks added later (gaps, planning,
exports) are walked too: arguments this file does not know get the layout's value, their
options and hostile values."""

from __future__ import annotations

import base64
import itertools
import json
import math

import pytest

from views import ids
from views.map import drawn_record
from atlas.model import FOCUS_DEPARTMENTS, NATIONAL, MapState
from layers.base import LEVELS
from analysis.districts import DistrictIndex
from ingest.registry import template_csv, validate_upload
from tests.app.dash_requests import DashRequests, id_key
from tests.app.test_care_confidential import assert_clean, secrets  # noqa: F401 (fixture)

HOSTILE = [
    None,
    "",
    "x" * 20_000,
    10**6,
    -1,
    1e308,
    3.5,
    True,
    [1, [2, [3]]],
    {"a": {"b": 1}},
    "<script>alert(1)</script>",
    ["upe"] * 1000,
    "../../etc/passwd",
    {"points": "x"},
    [{"customdata": None}],
]
# numbers JSON can carry that a float cannot hold, or that mean nothing (Python's json, as
# Flask's, reads NaN and Infinity too)
EXTREME = [10**400, -(10**400), float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 2**63, [10**400], {"x": 10**400}]
FORMULA = "=cmd|' /C calc'!A0"
MAX_DISTRICT_CLICKS = 120


def data_url(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode()


GOOD_CSV = (
    "tipo,nombre,ubigeo,lat,lon,estado,fuente\n"
    "demuna,DEMUNA prueba Iquitos,160101,,,verificada,Ordenanza de prueba\n"
    f"cem,\"{FORMULA}\",,-4.5083,-73.5833,declarada,@SUM(1)\n"
)
BAD_CSV = (
    "tipo,nombre,ubigeo,lat,lon,estado,fuente\n"
    "care,Casa Refugio,150101,,,,informe\n"
    "xyz,Servicio X,080101,,,,informe\n"
    "upe,UPE Polo Norte,,90,0,,informe\n"
    f"demuna,\"{FORMULA}\",999999,,,,informe\n"
)


def click(code: str) -> dict:
    return {"points": [{"curveNumber": 2, "pointNumber": 0, "customdata": [code, "x", "y"]}]}


@pytest.fixture(scope="module")
def domain(app, requests_, secrets):  # noqa: F811
    """Representative values for the arguments this app has today, by (id, property)."""
    model = app.cobertura_model
    places = DistrictIndex(model.geo)
    units = validate_upload(GOOD_CSV.encode(), places).records
    pending_report = {"file": "x.csv", "state": "pending", "n_rows": 2, "n_valid": 2, "n_errors": 1,
                      "errors": [{"row": 3, "column": "tipo", "es": "malo", "en": "bad"}]}
    metrics = list(model.metrics)
    years = sorted({y for m in metrics for y in model.metric(m).years})
    services = list(model.service_ids) + ["user"]
    drawn = [None] + [
        drawn_record(MapState(level=lv, focus=f, metric="rural_share", year="2023", services=("upe",)), lang)
        for lv, f, lang in itertools.product(LEVELS, ("", "16"), ("es", "en"))
    ]
    key = lambda cid, prop: (id_key(cid), prop)  # noqa: E731
    return {
        key(ids.LEVEL, "value"): list(LEVELS),
        key(ids.FOCUS, "value"): [NATIONAL, *FOCUS_DEPARTMENTS],
        key(ids.METRIC, "value"): metrics,
        key(ids.YEAR, "value"): years,
        key(ids.SERVICES, "value"): [services, [], *[[s] for s in services]],
        key(ids.BASEMAP, "value"): [False, True],
        key(ids.LANG, "value"): ["es", "en"],
        key(ids.URL, "search"): ["", "?level=district&focus=16&services=care,upe,user", "?level=galaxy&x=1", "?" + "a=b&" * 600],
        key(ids.MAP_DRAWN, "data"): drawn,
        key(ids.USER_UNITS, "data"): [None, [], units, units + [{"service": "care", "lat": 0}]],
        key(ids.UPLOAD_PAYLOAD, "data"): [
            {"name": "bueno.csv", "contents": data_url(GOOD_CSV)},
            {"name": "malo.csv", "contents": data_url(BAD_CSV)},
            {"name": "plantilla.csv", "contents": data_url(template_csv())},
            {"name": "grande.csv", "too_large": 7_000_000},
            {"name": FORMULA, "contents": "data:;base64,!!!"},
        ],
        key(ids.UPLOAD_REPORT, "data"): [None, pending_report, {"state": "refused", "errors": pending_report["errors"]},
                                         {"state": "confirmed", "added": 2, "skipped": 0}],
        key(ids.UPLOAD_PENDING, "data"): [units, None],
        key(ids.MAP, "clickData"): [None, click("16"), click(units[0]["id"]), *[click(i) for i in model.points["id"]]],
        key(ids.GAP_MEASURE, "value"): ["hours", "km"],  # modelled travel hours (atlas/hours.py)
        key(ids.GAP_HOURS, "value"): [6, 1, 72, 24],
    }


def area_clicks(model, secrets):  # noqa: F811
    """(level, click) on every area above district level, and districts holding a CARE or sampled."""
    _, _, care_districts = secrets
    for level in LEVELS:
        codes = list(model.geo.codes(level))
        if level == "district":
            codes = sorted(set(care_districts) & set(codes)) + codes[:: max(1, len(codes) // MAX_DISTRICT_CLICKS)]
        for code in codes:
            yield level, click(code)


def fallback_values(requests_: DashRequests, component_id, prop) -> list:
    """Arguments of callbacks this file does not know: the layout's value and options."""
    values = [requests_.layout_value(component_id, prop)]
    options = requests_.layout_value(component_id, "options")
    if prop == "value" and isinstance(options, list):
        values += [o.get("value") if isinstance(o, dict) else o for o in options]
    if prop == "n_clicks":
        values += [1]
    return values


def points(node):
    """Every (lat, lon) pair anywhere in a JSON document (figures, patches, stores)."""
    if isinstance(node, dict):
        lat, lon = node.get("lat"), node.get("lon")
        if isinstance(lat, list) and isinstance(lon, list):
            yield from ((a, b) for a, b in zip(lat, lon) if isinstance(a, (int, float)) and isinstance(b, (int, float)))
        elif isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            yield lat, lon
        for value in node.values():
            yield from points(value)
    elif isinstance(node, list):
        for item in node:
            yield from points(item)


class Walk:
    def __init__(self, requests_, secrets):  # noqa: F811
        self.requests = requests_
        self.secrets = secrets
        self.calls = 0
        self.failures: list[str] = []
        self.outputs_seen: set[str] = set()

    def check(self, callback, values, hostile=False):
        status, text = self.requests.call(callback, values)
        self.calls += 1
        where = f"{callback.name()} with {json.dumps({k[0] + '.' + k[1]: v for k, v in values.items()}, default=str)[:300]}"
        if status not in (200, 204):
            self.failures.append(f"HTTP {status}: {where}")
            return
        if "Traceback" in text or 'File "' in text:
            self.failures.append(f"traceback: {where}")
        if status == 204:
            return
        body = json.loads(text)
        if ids.ERROR_NOTICE in json.dumps(body.get("sideUpdate", {})):
            self.failures.append(f"callback raised: {where}")
        self.outputs_seen.update(body.get("response", {}))
        try:
            assert_clean(json.dumps(body, ensure_ascii=False), self.secrets)  # names with accents unescaped
            coords = self.secrets[0]
            for lat, lon in points(body):
                for clat, clon in coords:
                    assert abs(lat - clat) > 0.00045 or abs(lon - clon) > 0.00045, (lat, lon)
        except AssertionError as err:
            self.failures.append(f"CARE leak ({err}): {where}")


def known_args(callback) -> list[tuple]:
    """Arguments to fill in (the ids of wildcard components are the layout's own)."""
    return [(c, p) for c, p in callback.args if not (isinstance(c, dict) and p == "id")]


def representative_sets(callback, requests_, domain) -> list[dict]:
    args = known_args(callback)
    keys = [(id_key(c), p) for c, p in args]
    pools = [domain.get(k) or fallback_values(requests_, c, p) for k, (c, p) in zip(keys, args)]
    n = max((len(p) for p in pools), default=1)
    sets = [{k: pool[i % len(pool)] for k, pool in zip(keys, pools)} for i in range(n)]
    # every level x focus x language, where the callback takes them
    axes = [(id_key(ids.LEVEL), "value"), (id_key(ids.FOCUS), "value"), (id_key(ids.LANG), "value")]
    present = [a for a in axes if a in keys]
    if present:
        for i, combo in enumerate(itertools.product(*(domain[a] for a in present))):
            base = {k: pool[(i + 1) % len(pool)] for k, pool in zip(keys, pools)}
            sets.append({**base, **dict(zip(present, combo))})
    return sets


def test_the_walk_covers_every_server_callback(requests_, app):
    assert len(requests_.callbacks) >= 15
    server_outputs = {cb.output for cb in requests_.callbacks}
    assert "profile.children" in server_outputs and "..map.figure...map-drawn.data.." in server_outputs


def test_no_care_location_in_any_callback_output_and_no_crash(requests_, domain, secrets, app):  # noqa: F811
    walk = Walk(requests_, secrets)
    for callback in requests_.callbacks:
        for values in representative_sets(callback, requests_, domain):
            walk.check(callback, values)
        keys = [(id_key(c), p) for c, p in callback.args]
        if (id_key(ids.MAP), "clickData") in keys and (id_key(ids.LEVEL), "value") in keys:
            base = representative_sets(callback, requests_, domain)[0]
            for level, area in area_clicks(app.cobertura_model, secrets):
                walk.check(callback, {**base, (id_key(ids.LEVEL), "value"): level, (id_key(ids.FOCUS), "value"): NATIONAL,
                                      (id_key(ids.MAP), "clickData"): area})
    assert walk.failures == [], "\n".join(walk.failures[:20])
    assert walk.calls > 500
    assert {"map", "profile", "user-traces", "upload-report", "user-download"} <= walk.outputs_seen


@pytest.fixture()
def plain_map(monkeypatch):
    """The walks test how callbacks take their arguments, not how a map is drawn (the brief
    tests render real maps): the brief's map is a small blank PNG here, which keeps each of
    the walk's hundreds of brief downloads from rendering a map in Chromium."""
    import io

    from PIL import Image

    import reports.registry as registry  # the registry calls it for the download callbacks

    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), "white").save(buffer, format="PNG")
    monkeypatch.setattr(registry, "figure_png", lambda *args, **kwargs: buffer.getvalue())


@pytest.mark.parametrize("values", [pytest.param(HOSTILE, id="hostile"), pytest.param(EXTREME, id="extreme")])
def test_hostile_or_extreme_arguments_to_any_callback_get_a_clear_answer_not_a_crash(
    requests_, domain, secrets, plain_map, values  # noqa: F811
):
    """Every argument of every callback, each hostile value (wrong types, forged shapes) and
    each extreme number: no traceback. 10**400 in gap-km, gap-weight or plan-cost used to
    raise OverflowError (the generic error notice, a traceback in the log)."""
    walk = Walk(requests_, secrets)
    for callback in requests_.callbacks:
        base = representative_sets(callback, requests_, domain)[0]
        for key in [(id_key(c), p) for c, p in callback.args]:
            for value in values:
                walk.check(callback, {**base, key: value}, hostile=True)
    assert walk.failures == [], "\n".join(walk.failures[:20])
    assert walk.calls > 1000


def test_the_walk_would_catch_a_leak(requests_, domain, secrets, app, monkeypatch):  # noqa: F811
    """A callback that leaked a shelter's coordinates is caught (the check can fail)."""
    import callbacks.profile as profile  # the wiring holds the name it calls

    lat, lon = secrets[0][0]
    monkeypatch.setattr(profile, "hint", lambda lang, problem=None: [{"lat": [lat + 1e-5], "lon": [lon]}])
    walk = Walk(requests_, secrets)
    callback = next(cb for cb in requests_.callbacks if cb.output == "profile.children")
    walk.check(callback, {**representative_sets(callback, requests_, domain)[0], (id_key(ids.MAP), "clickData"): None})
    assert walk.failures and "CARE leak" in walk.failures[0]
    assert not math.isnan(lat)
