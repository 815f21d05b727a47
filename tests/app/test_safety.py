"""Bad input gets a clear message, never a traceback; nothing the user had is lost; the
server keeps serving; a layer that cannot load shows as unavailable."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from pathlib import Path

import pytest

import app as app_module
from app import Settings, create_app
from views import ids
from atlas.validate import bounded_float, bounded_int, one_of
from tests.app.dash_requests import DashRequests, id_key
from tests.unit.test_datadir import mirror


def plain(text: str) -> str:
    """A JSON response as readable text (Dash escapes '/' and accents)."""
    return json.dumps(json.loads(text), ensure_ascii=False)


def callback(requests_, output: str):
    return next(cb for cb in requests_.callbacks if cb.output == output)


def click(code):
    return {"points": [{"customdata": [code]}]}


# ------------------------------------------------------------- the on_error net


def test_an_exception_in_a_callback_becomes_a_bilingual_notice_and_nothing_changes(requests_, monkeypatch, caplog):
    import callbacks.profile as profile  # the wiring holds the name it calls

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(profile, "area_profile", broken)
    values = {(id_key(ids.MAP), "clickData"): click("16"), ("lang", "value"): "en", ("level", "value"): "department"}
    with caplog.at_level(logging.ERROR, logger="cobertura.callbacks"):
        status, text = requests_.call(callback(requests_, "profile.children"), values)
    assert status == 200
    body = json.loads(text)
    assert body.get("response", {}) == {}  # no_update: the profile on screen stays as it was
    notice = json.dumps(body["sideUpdate"][ids.ERROR_NOTICE], ensure_ascii=False)
    assert "Algo falló" in notice and "Something went wrong" in notice
    assert "secret internal detail" not in text and "Traceback" not in text
    reference = re.search(r"(?:referencia / reference): ([0-9a-f]{8})", notice).group(1)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info and "profile.children" in logged[0].getMessage()


def test_a_failing_multi_output_or_wildcard_callback_keeps_every_output(requests_, monkeypatch):
    import callbacks.map as map_module
    import callbacks.texts as texts

    monkeypatch.setattr(map_module, "map_update", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(texts, "translate_statics", lambda *a, **k: 1 / 0)
    for output in ("..map.figure...map-drawn.data..", '{"key":["ALL"],"type":"i18n"}.children'):
        cb = callback(requests_, output)
        status, text = requests_.call(cb, {("lang", "value"): "es", ("level", "value"): "district"})
        assert status == 200, text
        body = json.loads(text)
        assert body.get("response", {}) == {} and ids.ERROR_NOTICE in body["sideUpdate"]


@pytest.mark.parametrize(
    "payload, content_type",
    [
        (b"not json", "application/json"),
        (b"{}", "application/json"),
        (json.dumps({"output": "nope.children", "outputs": {"id": "nope", "property": "children"}, "inputs": [], "state": []}).encode(), "application/json"),
        (json.dumps({"output": "profile.children", "outputs": {}, "inputs": "x", "state": None}).encode(), "application/json"),
        (json.dumps([1, 2, 3]).encode(), "application/json"),
        (b"a=b", "application/x-www-form-urlencoded"),
    ],
)
def test_forged_callback_requests_get_no_traceback_and_the_server_keeps_serving(app, payload, content_type):
    http = app.server.test_client()
    response = http.post("/_dash-update-component", data=payload, content_type=content_type)
    text = response.get_data(as_text=True)
    assert response.status_code in (400, 415, 500)
    assert "Traceback" not in text and 'File "' not in text
    if response.status_code == 500:
        assert "Error interno del servidor / Internal server error" in text
    assert http.get("/healthz").status_code == 200


def test_a_request_over_the_size_limit_gets_a_clear_message(app):
    limit = app.server.config["MAX_CONTENT_LENGTH"]
    assert limit == 80 * 1024 * 1024
    response = app.server.test_client().post(
        "/_dash-update-component", data=b"x" * (limit + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert "Request too large (at most 80 MB)" in response.get_data(as_text=True)


def test_max_content_length_and_debug_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("COBERTURA_DEBUG", raising=False)
    monkeypatch.setenv("COBERTURA_MAX_CONTENT_MB", "20")
    assert Settings().max_content_mb == 20 and Settings().debug is False
    monkeypatch.setenv("COBERTURA_MAX_CONTENT_MB", "lots")
    assert Settings().max_content_mb == 80
    monkeypatch.setenv("COBERTURA_DEBUG", "1")
    assert Settings().debug is True


# ------------------------------------------------------------- bounded inputs


@pytest.mark.parametrize(
    "value, expected, problem",
    [
        (None, 5, None),
        ("", 5, None),
        (7, 7, None),
        ("12", 12, None),
        (3.0, 3, None),
        (10**6, 50, "input.out_of_range"),
        (-3, 1, "input.out_of_range"),
        (3.5, 5, "input.not_whole"),
        (True, 5, "input.not_a_number"),
        ("diez", 5, "input.not_a_number"),
        ("x" * 10_000, 5, "input.not_a_number"),
        (float("nan"), 5, "input.not_a_number"),
        (float("inf"), 5, "input.not_a_number"),
        ([1], 5, "input.not_a_number"),
        ({"n": 1}, 5, "input.not_a_number"),
        (1e308, 50, "input.out_of_range"),
    ],
)
def test_bounded_int(value, expected, problem):
    number, found = bounded_int(value, 1, 50, default=5)
    assert number == expected and isinstance(number, int)
    assert (found.key if found else None) == problem


def test_problems_read_in_both_languages_with_the_values_used():
    _, problem = bounded_int(10**6, 1, 50, default=5)
    assert problem.text("es", name="Sitios") == "Sitios: 1\u00a0000\u00a0000 está fuera del rango 1–50; se usó 50."
    assert problem.text("en") == "1,000,000 is outside 1–50; 50 was used."
    _, problem = bounded_int("=cmd|x" + "y" * 100, 1, 50, default=5)
    assert problem.text("es").startswith("«'=cmd|x") and len(problem.text("es")) < 120


def test_bounded_float_and_one_of():
    assert bounded_float("2,5", 0, 10, 1.0) == (2.5, None)
    value, problem = bounded_float(-1, 0, 10, 1.0)
    assert value == 0 and problem.key == "input.out_of_range"
    assert one_of("upe", ("upe", "cem"), "cem") == ("upe", None)
    value, problem = one_of(["upe"], ("upe", "cem"), "cem")
    assert value == "cem" and problem.text("en") == "'['upe']' is not a valid choice; 'cem' was used."


# ------------------------------------------------------------------ headers


def inline_script_hashes(html: str) -> set[str]:
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # e.g. Dash's <!--[if IE]> alert: never run
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S)
    return {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}


def test_security_headers_on_every_route(app, requests_):
    http = app.server.test_client()
    index = http.get("/").get_data(as_text=True)
    suite = re.search(r'src="(/_dash-component-suites/[^"]+)"', index).group(1)
    routes = ["/", "/_dash-layout", "/_dash-dependencies", "/healthz", "/geo/department-pe.json",
              "/geo/care-provinces.json", "/vendor/plotly-map.mjs", "/assets/css/10-cobertura.css",
              "/assets/js/map-layer-order.js", suite, "/no-such-page", "/geo/nope.json"]
    responses = [(r, http.get(r)) for r in routes]
    status, _ = requests_.call(callback(requests_, "sources.children"), {("lang", "value"): "es", ("tabs", "active_tab"): "sources"})
    responses.append(("POST callback", http.post("/_dash-update-component", json=requests_.body(callback(requests_, "sources.children"), {("lang", "value"): "es", ("tabs", "active_tab"): "sources"}))))
    assert status == 200
    for route, response in responses:
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        if response.mimetype == "text/html":  # a page: the page's policy
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, route
        else:  # scripts, styles, JSON: nothing may load or frame them
            assert csp == "default-src 'none'; frame-ancestors 'none'", route
        assert headers.get("X-Content-Type-Options") == "nosniff", route
        assert headers.get("Referrer-Policy") == "no-referrer", route
        assert headers.get("X-Frame-Options") == "DENY", route
    csp = dict(part.strip().split(" ", 1) for part in responses[0][1].headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"].split()[0] == "'self'" and "unsafe-inline" not in csp["script-src"]
    assert "unsafe-eval" not in csp["script-src"]
    assert inline_script_hashes(index) <= set(csp["script-src"].split())  # every inline script allowed by hash
    assert csp["worker-src"] == "'self' blob:" and csp["style-src"] == "'self' 'unsafe-inline'"
    hosts = {h for h in (csp["img-src"] + " " + csp["connect-src"]).split() if h.startswith("http")}
    assert hosts == set(app_module.OSM_TILES)


# --------------------------------------------------------- unavailable layers


def test_a_missing_layer_shows_as_unavailable_and_the_rest_works(tmp_path):
    root = mirror(Settings().data().root, tmp_path)
    (root / "facilities" / "mimp_directorio_nacional.csv").unlink()
    broken = create_app(Settings(data_dir=root))
    requests_ = DashRequests(broken)
    upe = next(o for o in requests_.layout_value(ids.SERVICES, "options") if o["value"] == "upe")
    assert upe["disabled"] is True
    status, text = requests_.call(callback(requests_, "layer-notice.children"), {("lang", "value"): "es"})
    assert status == 200
    text = plain(text)
    assert "Capas no disponibles" in text and "UPE" in text and "facilities/mimp_directorio_nacional.csv" in text
    assert "94df7d29" in text  # the expected sha256
    status, text = requests_.call(callback(requests_, "sources.children"), {("lang", "value"): "en", ("tabs", "active_tab"): "sources"})
    assert "unavailable" in text
    values = {("level", "value"): "department", ("services", "value"): ["upe", "fistrap"], ("lang", "value"): "es"}
    status, text = requests_.call(callback(requests_, "..map.figure...map-drawn.data.."), values)
    assert status == 200 and '"services":["fistrap"]' in text.replace(" ", "")
    assert broken.server.test_client().get("/healthz").get_json()["status"] == "degraded"


def test_no_layer_notice_when_everything_loaded(requests_):
    status, text = requests_.call(callback(requests_, "layer-notice.children"), {("lang", "value"): "es"})
    assert status == 200 and "Capas no disponibles" not in text


def test_missing_boundaries_give_a_bilingual_page_naming_the_file(tmp_path):
    root = mirror(Settings().data().root, tmp_path)
    (root / "boundaries" / "peru_distritos_s0025.geojson").unlink()
    fatal = create_app(Settings(data_dir=root))
    http = fatal.server.test_client()
    layout = plain(http.get("/_dash-layout").get_data(as_text=True))
    assert "No se pueden cargar los límites del mapa / Map boundaries cannot be loaded" in layout
    assert "boundaries/peru_distritos_s0025.geojson" in layout and "expected sha256" in layout
    index = http.get("/")
    assert index.status_code == 200 and "frame-ancestors 'none'" in index.headers["Content-Security-Policy"]
    assert http.get("/healthz").status_code == 503


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for setting in app_module.SETTINGS:
        assert f"| `{setting.env}` |" in table, setting.env


def test_a_setting_that_does_not_parse_falls_back_to_its_default(monkeypatch):
    monkeypatch.setenv("COBERTURA_HEAVY_JOBS", "-3")
    monkeypatch.setenv("COBERTURA_PUBLIC_URL", "javascript:alert(1)")
    settings = Settings()
    assert settings.heavy_jobs == 2 and settings.public_url == ""
    monkeypatch.setenv("COBERTURA_PUBLIC_URL", "https://cobertura.example.org/")
    assert Settings().public_url == "https://cobertura.example.org"
