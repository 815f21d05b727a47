"""In a real headless Chromium: a bad upload lists its row errors and leaves the map as it
was; a good one adds markers only after confirming, only in this browser session; the
Content-Security-Policy blocks nothing the page needs (map, worker, OSM basemap)."""

from __future__ import annotations

import json
import os
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from tests.browser.test_map_page import open_page, requested_urls, wait_for, wait_for_fills
from tests.conftest import pytest_setup_options

pytestmark = pytest.mark.browser
PORT = int(os.environ.get("COBERTURA_TEST_PORT", "8058"))

FIGURE_JS = """
var gd = document.querySelector('#map .js-plotly-plot');
if (!gd || !gd.data) { return null; }
return JSON.stringify({style: gd.layout.map && gd.layout.map.style, data: gd.data.map(function (t) {
    return {name: t.name, meta: t.meta, visible: t.visible, lat: t.lat, lon: t.lon, z: t.z, locations: t.locations};
})});
"""
USER_TRACE_JS = """
var gd = document.querySelector('#map .js-plotly-plot');
var t = gd && gd._fullData && gd._fullData.filter(function (t) { return t.meta === 'user-units'; })[0];
if (!t) { return null; }
var m = gd._fullLayout.map._subplot.map;
var ids = m.getStyle().layers.map(function (l) { return l.id; });
var areaTop = -1;
gd._fullData.forEach(function (c) {
    if (c.type !== 'choroplethmap') { return; }
    ids.forEach(function (id, i) { if (id.indexOf('plotly-trace-layer-' + c.uid + '-') === 0) { areaTop = Math.max(areaTop, i); } });
});
var circle = ids.indexOf('plotly-trace-layer-' + t.uid + '-circle');
var drawn = m.queryRenderedFeatures({layers: [ids[circle]]}).length;
return {visible: t.visible, n: t.lat.length, above: circle > areaTop, drawn: drawn};
"""

BAD = (
    "tipo,nombre,ubigeo,lat,lon,estado,fuente\n"
    "care,Casa Refugio,150101,,,,informe\n"
    "xyz,Servicio X,080101,,,,informe\n"
    "upe,UPE Polo Norte,,90,0,,informe\n"
    "demuna,\"=cmd|' /C calc'!A0\",999999,,,,@SUM(1)\n"
)
GOOD = (
    "tipo;nombre;ubigeo;lat;lon;estado;fuente\n"
    "demuna;DEMUNA de prueba Iquitos;160101;;;verificada;Ordenanza de prueba\n"
    "cem;CEM de prueba Nauta;;-4.5083;-73.5833;declarada;Nota de prueba\n"
    "upe;UPE de prueba Lima;150101;-12.0464;-77.0428;;Registro de prueba\n"
)


def csp_violations(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


def figure(driver):
    return driver.execute_script(FIGURE_JS)


def upload(driver, path):
    driver.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(path))


def result_text(driver) -> str:
    return driver.find_element(By.ID, "upload-result").text


def test_bad_upload_shows_row_errors_map_unchanged_good_upload_adds_markers_for_this_session_only(dash_duo, app, tmp_path):
    open_page(dash_duo, app, "?level=province&focus=16", min_fills=8)
    driver = dash_duo.driver
    time.sleep(1)
    before = figure(driver)
    user = json.loads(before)["data"][-1]
    assert user["meta"] == "user-units" and user["lat"] == []

    bad = tmp_path / "malo.csv"
    bad.write_text(BAD, encoding="utf-8")
    upload(driver, bad)
    wait_for(dash_duo, lambda: "Problemas por fila" in result_text(driver), what="row errors")
    rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#upload-result table tbody tr")]
    assert rows[0].startswith("2 tipo") and "confidencial" in rows[0]
    assert rows[1].startswith("3 tipo") and "Tipo desconocido" in rows[1]
    assert rows[2].startswith("4 lat") and "fuera del Perú" in rows[2]
    assert rows[3].startswith("5 ubigeo") and "999999" in rows[3]
    assert "Ninguna fila es válida" in result_text(driver)
    assert figure(driver) == before  # the map is exactly as it was

    big = tmp_path / "grande.csv"
    big.write_bytes(b"tipo,nombre,ubigeo,lat,lon,estado,fuente\n" + b"upe,UPE,080101,,,,MIMP\n" * 280_000)
    assert big.stat().st_size > 6 * 1024 * 1024
    upload(driver, big)
    wait_for(dash_duo, lambda: "el límite es 5 MB" in result_text(driver), what="size refusal")
    assert figure(driver) == before

    good = tmp_path / "bueno.csv"
    good.write_text(GOOD, encoding="cp1252")
    upload(driver, good)
    wait_for(dash_duo, lambda: "Todas las filas son válidas (3)" in result_text(driver), what="pending rows")
    time.sleep(1)
    assert figure(driver) == before  # nothing is added before the user confirms
    confirm = driver.find_element(By.ID, "upload-confirm")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", confirm)
    wait_for(dash_duo, confirm.is_displayed, what="confirm button")
    driver.execute_script("arguments[0].click()", confirm)
    # drawn, over the areas (not under them)
    state = wait_for(dash_duo, lambda: (s := driver.execute_script(USER_TRACE_JS)) and s["n"] == 3 and s["drawn"] and s["above"] and s,
                     what="markers over the areas")
    assert state["visible"] is True
    assert "services=user" in driver.current_url
    assert "3 unidades cargadas por usted" in driver.find_element(By.ID, "user-status").text

    driver.refresh()  # the same tab keeps its session: nothing the user had is lost
    wait_for(dash_duo, lambda: (s := driver.execute_script(USER_TRACE_JS)) and s["n"] == 3 and s, what="markers after reload")
    assert csp_violations(driver) == []

    other = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=pytest_setup_options())
    try:  # another browser session (another user): none of it
        other.get(driver.current_url)
        wait_for_fills(other, 8)
        time.sleep(2)
        assert other.execute_script(USER_TRACE_JS)["n"] == 0
        assert "Aún no agregó unidades propias" in other.find_element(By.ID, "user-status").text
    finally:
        other.quit()


def test_the_security_policy_blocks_nothing_the_map_needs(dash_thread_server, app):
    dash_thread_server(app, port=PORT)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=pytest_setup_options())
    try:
        driver.get(f"http://127.0.0.1:{PORT}/?level=district")
        state = wait_for_fills(driver, 501)
        assert state and state["fills"] > 500  # MapLibre's blob: worker ran under the policy
        driver.get_log("performance")  # forget earlier requests
        switch = driver.find_element(By.ID, "basemap")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", switch)
        end = time.time() + 20
        while time.time() < end and driver.execute_script(
            "return document.querySelector('#map .js-plotly-plot')._fullLayout.map.style") != "open-street-map":
            time.sleep(0.25)
        time.sleep(3)
        urls = requested_urls(driver)
        assert any(u.startswith("https://tile.openstreetmap.org/") for u in urls)  # allowed (offline here: it just fails)
        assert csp_violations(driver) == []
    finally:
        driver.quit()
