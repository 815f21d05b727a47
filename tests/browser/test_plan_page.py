"""Planning in headless Chromium: add a unit by district, by clicking the map, suggest
sites, and reload the shared link."""

import os
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from tests.browser.test_map_page import wait_for as shared_wait_for


pytestmark = pytest.mark.browser
PORT = int(os.environ.get("COBERTURA_TEST_PORT", "8058")) + 2

GAP_MAP_READY = """
var gd = document.querySelector('#gap-map .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd._fullLayout.map || !gd._fullLayout.map._subplot) { return null; }
var m = gd._fullLayout.map._subplot.map;
if (!m.loaded()) { return null; }
var units = gd.data.filter(function (t) { return t.name === 'plan-units'; });
return {fills: m.queryRenderedFeatures().filter(function (f) { return /-fill$/.test(f.layer.id); }).length,
        units: units.length ? units[0].lat.length : 0};
"""


def wait_for(predicate, timeout=25, what="condition"):
    return shared_wait_for(None, predicate, timeout=timeout, what=what)


def gap_map(duo):
    return duo.driver.execute_script(GAP_MAP_READY)


def open_plan(duo, app, query="?tab=gaps&glevel=district&gfocus=16", min_fills=20):
    duo.start_server(app, port=PORT)
    duo.driver.get(f"http://127.0.0.1:{PORT}/{query}")
    wait_for(lambda: (gap_map(duo) or {}).get("fills", 0) >= min_fills, what="gap map")


def scroll_click(duo, selector):
    """Scroll an element to the middle of the window, then click it like a user."""
    from selenium.common.exceptions import ElementClickInterceptedException

    element = duo.find_element(selector)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    for _ in range(20):  # the page may still be settling (layout shifts as callbacks return)
        try:
            element.click()
            return element
        except ElementClickInterceptedException:
            time.sleep(0.25)
    element.click()
    return element


def pick_district(duo, typed: str, name: str) -> None:
    """Type in the district search of the plan panel and choose the option `name`."""
    scroll_click(duo, "#plan-place")
    duo.driver.switch_to.active_element.send_keys(typed)
    option = wait_for(
        lambda: next((o for o in duo.find_elements("[role=option]") if o.text.startswith(name)), None),
        what="district option",
    )
    option.click()


def test_add_a_unit_by_district_updates_figures_and_the_link(dash_duo, app):
    open_plan(dash_duo, app)
    before = dash_duo.find_element("#gap-headline").text
    pick_district(dash_duo, "yurima", "Yurimaguas")
    scroll_click(dash_duo, "#plan-add")
    dash_duo.wait_for_contains_text("#plan-units", "Yurimaguas", timeout=10)
    dash_duo.wait_for_contains_text("#gap-headline", "Con el escenario", timeout=10)
    assert dash_duo.find_element("#gap-headline").text != before
    assert wait_for(lambda: (gap_map(dash_duo) or {}).get("units") == 1, what="unit marker")
    wait_for(lambda: "units=upe:160201" in dash_duo.driver.current_url, what="scenario in the URL")
    # the copy-link button copies that address (assets/js/clientside.js)
    copied = dash_duo.driver.execute_script("return window.dash_clientside.cobertura.copy_url(1)")
    assert copied == dash_duo.driver.current_url

    # the shared link reproduces the scenario in a fresh page
    dash_duo.driver.get(dash_duo.driver.current_url)
    dash_duo.wait_for_contains_text("#plan-units", "Yurimaguas", timeout=20)
    dash_duo.wait_for_contains_text("#gap-headline", "Con el escenario", timeout=10)


def test_click_the_map_to_add_a_unit_at_the_areas_capital(dash_duo, app):
    open_plan(dash_duo, app, "?tab=gaps&glevel=province&gfocus=16")
    scroll_click(dash_duo, "label[for='plan-click']")
    canvas = dash_duo.find_element("#gap-map .maplibregl-canvas")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    point = dash_duo.driver.execute_script(
        "var gd = document.querySelector('#gap-map .js-plotly-plot'); var m = gd._fullLayout.map._subplot.map;"
        "var p = m.project([-76.1, -5.9]); return [p.x, p.y];"  # inside Alto Amazonas province
    )
    ActionChains(dash_duo.driver).move_to_element_with_offset(canvas, point[0], point[1]).pause(0.5).move_by_offset(
        1, 1
    ).pause(0.5).click().perform()
    dash_duo.wait_for_contains_text("#plan-units", "Yurimaguas", timeout=10)  # the province capital


def test_suggest_three_sites_in_loreto(dash_duo, app):
    open_plan(dash_duo, app)
    scroll_click(dash_duo, ".plan-card details summary")
    n = dash_duo.find_element("#plan-n")
    n.clear()
    n.send_keys("3")
    departments = dash_duo.find_element("#plan-departments")
    assert "Loreto" in departments.text
    scroll_click(dash_duo, "#plan-suggest")
    dash_duo.wait_for_contains_text("#plan-units", "sugerida", timeout=15)
    assert dash_duo.find_element("#plan-units").text.count("sugerida") == 3
    assert wait_for(lambda: (gap_map(dash_duo) or {}).get("units") == 3, what="3 unit markers")
    wait_for(lambda: "suggested=upe:" in dash_duo.driver.current_url, what="suggestions in the URL")


def test_download_the_one_page_brief(dash_duo, app):
    import glob
    import io

    from pypdf import PdfReader

    open_plan(dash_duo, app, "?tab=gaps&glevel=province&gfocus=17&units=upe:170201", min_fills=3)
    dash_duo.wait_for_contains_text("#plan-units", "Manu", timeout=20)
    folder = dash_duo.download_path
    scroll_click(dash_duo, "#brief-pdf")
    path = wait_for(lambda: (glob.glob(f"{folder}/*.pdf") or [None])[0], timeout=90, what="the PDF download")
    time.sleep(0.5)  # let Chromium finish writing the file
    reader = PdfReader(io.BytesIO(open(path, "rb").read()))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1
    assert "Madre de Dios" in text and "Manu" in text and "Supuestos" in text


def test_move_a_unit_to_another_district(dash_duo, app):
    open_plan(dash_duo, app, "?tab=gaps&glevel=district&gfocus=16&units=upe:160302")
    dash_duo.wait_for_contains_text("#plan-units", "Parinari", timeout=20)
    before = dash_duo.find_element("#gap-headline").text
    scroll_click(dash_duo, ".plan-move")
    dash_duo.wait_for_contains_text("#plan-move-hint", "Moviendo", timeout=10)
    dash_duo.wait_for_text_to_equal("#plan-add", "Mover aquí", timeout=10)
    pick_district(dash_duo, "yurima", "Yurimaguas")
    scroll_click(dash_duo, "#plan-add")
    dash_duo.wait_for_contains_text("#plan-units", "Yurimaguas", timeout=10)
    assert "Parinari" not in dash_duo.find_element("#plan-units").text  # moved, not added
    assert wait_for(lambda: (gap_map(dash_duo) or {}).get("units") == 1, what="one unit marker")
    wait_for(lambda: "units=upe:160201" in dash_duo.driver.current_url, what="the moved unit in the URL")
    wait_for(lambda: dash_duo.find_element("#gap-headline").text != before, what="new headline")
    dash_duo.wait_for_text_to_equal("#plan-add", "Agregar", timeout=10)
    assert not any(e.is_displayed() for e in dash_duo.find_elements("#plan-move-hint"))

    # start another move and cancel it: nothing changes
    scroll_click(dash_duo, ".plan-move")
    dash_duo.wait_for_contains_text("#plan-move-hint", "Yurimaguas", timeout=10)
    scroll_click(dash_duo, "#plan-move-cancel")
    dash_duo.wait_for_text_to_equal("#plan-add", "Agregar", timeout=10)
    wait_for(lambda: not any(e.is_displayed() for e in dash_duo.find_elements("#plan-move-hint")), what="hint closed")
    assert "units=upe:160201" in dash_duo.driver.current_url
