"""The map page in a real headless Chromium (Debian chromium + chromium-driver)."""

import json
import os
import time

import pytest
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
from selenium.webdriver.common.by import By


pytestmark = pytest.mark.browser
PORT = int(os.environ.get("COBERTURA_TEST_PORT", "8058"))

MAP_STATE_JS = """
var gd = document.querySelector('#map .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd._fullLayout.map || !gd._fullLayout.map._subplot) { return null; }
var m = gd._fullLayout.map._subplot.map;
if (!m.loaded()) { return null; }
var fills = m.queryRenderedFeatures().filter(function (f) { return /-fill$/.test(f.layer.id); });
var c = m.getCenter();
return {fills: fills.length, lat: c.lat, lon: c.lng, zoom: m.getZoom(),
        traces: gd._fullData.map(function (t) { return {name: t.name, visible: t.visible, n: (t.lat || []).length}; })};
"""


def wait_for_fills(driver, minimum: int, timeout: float = 40):
    """Poll the map (a plain selenium driver) until it draws `minimum` filled areas; the last state."""
    end = time.time() + timeout
    state = None
    while time.time() < end and not (state and state["fills"] >= minimum):
        time.sleep(0.5)
        state = driver.execute_script(MAP_STATE_JS)
    return state


def requested_urls(driver) -> set[str]:
    """Every URL the page requested since the performance log was last read (DevTools)."""
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
    return urls


def wait_for(duo, predicate, timeout=20, what="condition"):
    """Poll `predicate` until it is truthy. A script error while the page is (re)loading
    (its graph not there yet), or an element replaced while it was being read (Dash
    re-rendered it), counts as "not yet", not as a failure. `duo` is unused (kept for the
    callers that pass it)."""
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = predicate()
        except JavascriptException as err:
            last = f"script error: {err.msg}"
        except StaleElementReferenceException:
            last = "element re-rendered while read"
        else:
            if last:
                return last
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; last value {last!r}")


def map_state(duo):
    return duo.driver.execute_script(MAP_STATE_JS)


def open_page(duo, app, query="", min_fills=25):
    duo.start_server(app, port=PORT)
    if query:
        duo.driver.get(f"http://127.0.0.1:{PORT}/{query}")
    return wait_for(duo, lambda: (s := map_state(duo)) and s["fills"] >= min_fills and s, what="map drawn")


def test_page_opens_in_spanish_and_the_map_draws(dash_duo, app):
    state = open_page(dash_duo, app)
    assert state["fills"] >= 25  # every department filled (value or sin dato)
    assert dash_duo.find_element("#lang").text.startswith("ES")
    assert "Nivel" in dash_duo.find_element(".controls").text
    assert dash_duo.driver.execute_script("return document.documentElement.lang") == "es"
    assert dash_duo.get_logs() == [] or all(e["level"] != "SEVERE" for e in dash_duo.get_logs())


def test_language_switch_changes_labels(dash_duo, app):
    open_page(dash_duo, app)
    dash_duo.find_element("label[for='_dbcprivate_radioitems_lang_input_en']").click()
    dash_duo.wait_for_contains_text(".controls", "Level", timeout=10)
    assert "Services" in dash_duo.find_element(".controls").text
    dash_duo.wait_for_contains_text("#tabs", "Sources", timeout=10)
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script("return document.documentElement.lang") == "en")
    assert "lang=en" in dash_duo.driver.current_url
    wait_for(dash_duo, lambda: "no data" in dash_duo.find_element("#service-legend").text, what="legend in English")


def test_toggling_upes_shows_26_markers_nationally(dash_duo, app):
    open_page(dash_duo, app)
    dash_duo.find_element("label[for='_dbcprivate_checklist_services_input_upe']").click()

    def upe_markers():
        state = map_state(dash_duo)
        if not state:
            return None
        shown = [t for t in state["traces"] if t["name"].startswith("UPE") and t["visible"] is True]
        return sum(t["n"] for t in shown) or None

    assert wait_for(dash_duo, upe_markers, what="UPE markers") == 26
    assert "services=upe" in dash_duo.driver.current_url


def test_choosing_loreto_zooms_to_it(dash_duo, app):
    national = open_page(dash_duo, app)
    select = dash_duo.find_element("#focus")
    select.find_element(By.CSS_SELECTOR, "option[value='16']").click()

    def zoomed():
        state = map_state(dash_duo)
        return state if state and state["zoom"] > national["zoom"] + 1 else None

    state = wait_for(dash_duo, zoomed, what="zoom to Loreto")
    assert -6 < state["lat"] < -2 and -77 < state["lon"] < -71
    assert "focus=16" in dash_duo.driver.current_url


def test_clicking_an_area_opens_its_profile(dash_duo, app):
    open_page(dash_duo, app)
    point = dash_duo.driver.execute_script(
        "var gd = document.querySelector('#map .js-plotly-plot');"
        "var m = gd._fullLayout.map._subplot.map; var p = m.project([-74.5, -4.5]);"
        "var r = m.getCanvas().getBoundingClientRect(); return [r.left + p.x, r.top + p.y];"
    )
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = dash_duo.find_element("#map .maplibregl-canvas")
    rect = canvas.rect
    dx, dy = point[0] - rect["x"], point[1] - rect["y"]  # selenium 4.2: offsets from the top-left corner
    chain = ActionChains(dash_duo.driver).move_to_element_with_offset(canvas, dx, dy).pause(0.5)
    chain.move_by_offset(2, 2).pause(0.5).click().perform()
    dash_duo.wait_for_contains_text("#profile", "Loreto", timeout=10)
    text = dash_duo.find_element("#profile").text
    assert "UBIGEO 16" in text and "Necesidad" in text and "km" in text


def test_a_malformed_link_shows_a_notice_and_the_map(dash_duo, app):
    open_page(dash_duo, app, "?level=galaxy&metric=poverty_2018&focus=21", min_fills=1)
    dash_duo.wait_for_contains_text("#notice", "level", timeout=10)
    state = wait_for(dash_duo, lambda: (s := map_state(dash_duo)) and s["zoom"] > 5 and s, what="Puno focus")
    assert -18 < state["lat"] < -13


def test_no_request_leaves_localhost(dash_thread_server, app):
    """Every request the page makes (DevTools network log) goes to 127.0.0.1."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.conftest import pytest_setup_options

    dash_thread_server(app, port=PORT)
    options = pytest_setup_options()
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"http://127.0.0.1:{PORT}/?services=upe,fistrap,pnp_trata,care&level=district")
        state = wait_for_fills(driver, 501)
        assert state and state["fills"] > 500, state
        driver.find_element(By.CSS_SELECTOR, "#focus option[value='17']").click()
        time.sleep(3)
        urls = requested_urls(driver)
    finally:
        driver.quit()
    assert any("/geo/district-pe.json" in u for u in urls) and any("/geo/district-17.json" in u for u in urls)
    outside = [u for u in urls if not u.startswith((f"http://127.0.0.1:{PORT}/", "data:", "blob:"))]
    assert outside == []
