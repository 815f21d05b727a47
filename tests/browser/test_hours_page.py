"""Brechas in modelled hours and the profile's travel legs, in headless Chromium (issue 13).

Set COBERTURA_SCREENSHOTS=<folder> to keep a PNG of each screen the tests reach.
"""

import os
import re
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.test_map_page import wait_for, wait_for_fills
from tests.browser.test_plan_page import gap_map

pytestmark = pytest.mark.browser
PORT = int(os.environ.get("COBERTURA_TEST_PORT", "8058")) + 3
RANGE = re.compile(r"\d+ %? ?\((\d+)–(\d+) %\)")  # "94,1 % (88–98 %)"


def keep(duo, name: str, selector: str | None = None) -> None:
    folder = os.environ.get("COBERTURA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = str(Path(folder) / f"{name}.png")
        duo.find_element(selector).screenshot(
            path
        ) if selector else duo.driver.save_screenshot(path)


def scroll_click(duo, selector: str) -> None:
    element = duo.find_element(selector)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_switch_to_hours_set_6_h_and_the_headline_shows_hours_and_the_range(
    dash_duo, app
):
    dash_duo.start_server(app, port=PORT)
    dash_duo.driver.get(
        f"http://127.0.0.1:{PORT}/?tab=gaps&gservice=upe&km=50&glevel=district&gfocus=16"
    )
    dash_duo.wait_for_contains_text("#gap-headline", "50 km", timeout=30)
    assert not dash_duo.find_element("#gap-hours-box").is_displayed()
    scroll_click(
        dash_duo, "label[for='_dbcprivate_radioitems_gap-measure_input_hours']"
    )
    dash_duo.wait_for_contains_text("#gap-headline", "6 h", timeout=20)
    assert dash_duo.find_element("#gap-hours-box").is_displayed()
    assert not dash_duo.find_element("#gap-km-box").is_displayed()
    thumb = dash_duo.find_element(
        "#gap-hours [role='slider']"
    )  # keyboard: 6 -> 12 -> 6 h
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'})", thumb
    )
    thumb.click()
    thumb.send_keys(*[Keys.ARROW_RIGHT] * 6)
    dash_duo.wait_for_contains_text("#gap-headline", "12 h", timeout=15)
    twelve = dash_duo.find_element("#gap-headline").text
    thumb.send_keys(*[Keys.ARROW_LEFT] * 6)
    dash_duo.wait_for_contains_text("#gap-headline", "a más de 6 h", timeout=15)
    headline = dash_duo.find_element("#gap-headline").text
    assert (
        headline != twelve
        and "tiempo de viaje modelado" in headline
        and "km" not in headline
    )
    found = RANGE.search(headline)
    assert found, headline
    low, high = map(int, found.groups())
    assert low < high
    assert "Mediana horas" in dash_duo.find_element("#gap-table").text
    wait_for(
        dash_duo,
        lambda: (
            "measure=hours" in dash_duo.driver.current_url
            and "hours=6" in dash_duo.driver.current_url
        ),
        what="the URL carrying the hours",
    )
    wait_for(
        dash_duo,
        lambda: (gap_map(dash_duo) or {}).get("fills", 0) >= 25,
        what="gap map",
    )
    dash_duo.driver.execute_script("window.scrollTo(0, 0)")
    keep(dash_duo, "brechas-horas-loreto-upe-6h")


def test_the_profile_shows_the_route_in_legs(dash_duo, app):
    dash_duo.start_server(app, port=PORT)
    dash_duo.driver.get(f"http://127.0.0.1:{PORT}/?level=district&focus=16")
    wait_for_fills(dash_duo.driver, 25)
    point = dash_duo.driver.execute_script(  # Contamana, on the Ucayali
        "var gd = document.querySelector('#map .js-plotly-plot');"
        "var m = gd._fullLayout.map._subplot.map; var p = m.project([-74.6, -7.2]);"
        "var r = m.getCanvas().getBoundingClientRect(); return [r.left + p.x, r.top + p.y];"
    )
    canvas = dash_duo.find_element("#map .maplibregl-canvas")
    rect = canvas.rect
    chain = ActionChains(dash_duo.driver).move_to_element_with_offset(
        canvas, point[0] - rect["x"], point[1] - rect["y"]
    )
    chain.pause(0.5).move_by_offset(2, 2).pause(0.5).click().perform()
    dash_duo.wait_for_contains_text("#profile", "por tiempo de viaje", timeout=20)
    travel = dash_duo.find_element("#profile .profile-travel").text
    assert "UPE" in travel and " h" in travel and "en línea recta" in travel
    assert "bote río" in travel and " · " in travel  # the route in legs
    dash_duo.driver.execute_script(
        "document.querySelector('#profile .profile-travel').scrollIntoView({block: 'center'})"
    )
    keep(dash_duo, "perfil-distrito-loreto-viaje", "#profile .profile-travel")
    keep(dash_duo, "perfil-distrito-loreto-pantalla")


def test_the_map_layer_of_median_hours_is_labelled_modelled(dash_duo, app):
    dash_duo.start_server(app, port=PORT)
    dash_duo.driver.get(
        f"http://127.0.0.1:{PORT}/?level=district&focus=16&metric=travel_hours_upe"
    )
    state = wait_for_fills(dash_duo.driver, 25)
    assert state and state["fills"] >= 25
    dash_duo.wait_for_contains_text("#map-caption", "modelado", timeout=20)
    caption = dash_duo.find_element("#map-caption").text
    assert (
        "Horas de viaje a la UPE más cercana (modelado)" in caption
        and "horas (modelado)" in caption
    )
    assert "Travel Mapping" in caption and "IC 95" not in caption
    keep(dash_duo, "mapa-horas-upe-loreto")
