"""Who is left out, in headless Chromium: Loreto's named places (rows, search, download), the
points on the district map, and the equity chart."""

import glob
import os
import time

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.test_map_page import wait_for as shared_wait_for
from tests.browser.test_plan_page import scroll_click

pytestmark = pytest.mark.browser
PORT = int(os.environ.get("COBERTURA_TEST_PORT", "8058")) + 3

PLACE_POINTS = """
var gd = document.querySelector('#gap-map .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd._fullLayout.map || !gd._fullLayout.map._subplot) { return null; }
if (!gd._fullLayout.map._subplot.map.loaded()) { return null; }
var named = gd.data.filter(function (t) { return t.type === 'scattermap' && t.hovertemplate
    && t.hovertemplate.indexOf('km a la unidad') >= 0; });
return named.length ? named[0].lat.length : 0;
"""
EQUITY_BARS = (
    "return document.querySelectorAll('#left-out-equity .barlayer .point').length;"
)
CURVE = "return document.querySelectorAll('#left-out-equity .scatterlayer .js-line').length;"


def wait_for(predicate, timeout=30, what="condition"):
    return shared_wait_for(None, predicate, timeout=timeout, what=what)


def place_rows(duo):
    return [
        r.text
        for r in duo.find_elements("#left-out-places tbody tr")
        if r.find_elements("css selector", "td")
    ]


def open_loreto(duo, app):
    duo.start_server(app, port=PORT)
    duo.driver.get(
        f"http://127.0.0.1:{PORT}/?tab=gaps&gservice=upe&km=50&glevel=district&gfocus=16"
    )
    wait_for(
        lambda: (duo.driver.execute_script(PLACE_POINTS) or 0) >= 1900,
        what="the named places on the map",
    )
    duo.wait_for_contains_text(
        "#left-out-summary", "928 centros poblados rurales de Loreto", timeout=20
    )


def test_loreto_named_places_search_download_and_equity_chart(dash_duo, app):
    open_loreto(dash_duo, app)
    assert (
        "107 857 niñas, niños y adolescentes rurales (est.)"
        in dash_duo.find_element("#gap-headline").text.replace("\u00a0", " ")
    )
    rows = wait_for(
        lambda: place_rows(dash_duo) if len(place_rows(dash_duo)) == 15 else None,
        what="15 place rows",
    )
    assert rows[0].startswith("TRES FRONTERAS")
    # search: accents and case do not matter
    box = dash_duo.find_element("#left-out-search")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'})", box
    )
    box.send_keys("putumayo", Keys.ENTER)
    dash_duo.wait_for_contains_text(
        "#left-out-summary", "coinciden con «putumayo»", timeout=15
    )
    filtered = wait_for(
        lambda: (
            place_rows(dash_duo)
            if all("Putumayo" in r for r in place_rows(dash_duo))
            else None
        ),
        what="only Putumayo rows",
    )
    assert filtered and len(filtered) <= 15
    # download: the whole list as CSV
    folder = dash_duo.download_path
    scroll_click(dash_duo, "#left-out-csv")
    path = wait_for(
        lambda: (glob.glob(f"{folder}/cobertura-centros-fuera-*.csv") or [None])[0],
        timeout=30,
        what="the CSV download",
    )
    time.sleep(0.5)
    with open(path, encoding="utf-8-sig") as handle:
        lines = handle.read().strip().splitlines()
    assert lines[0].startswith("Código INEI,Centro poblado") and len(lines) == 1 + 1928
    # equity chart drawn: five quintile bars and three regions, and the curve
    wait_for(
        lambda: (dash_duo.driver.execute_script(EQUITY_BARS) or 0) >= 8,
        what="equity bars",
    )
    assert (dash_duo.driver.execute_script(CURVE) or 0) >= 2
    assert (
        "El quintil más pobre:" in dash_duo.find_element("#left-out-equity-text").text
    )
    assert "UPE - Loreto" in dash_duo.find_element("#left-out-loads").text
