"""The map frame is never blank: Peru's outline shows until the map is painted."""

import re
import time

import pytest

from tests.browser.test_map_page import PORT, map_state

pytestmark = pytest.mark.browser

PLACEHOLDER_JS = """
var p = document.querySelector('.map-card .map-placeholder');
if (!p) { return null; }
var img = p.querySelector('img');
return {display: getComputedStyle(p).display, visibility: getComputedStyle(p).visibility,
        src: img ? img.getAttribute('src').slice(0, 40) : '', loaded: img ? img.complete && img.naturalWidth > 0 : false,
        text: p.innerText};
"""


@pytest.fixture()
def app():
    from app import create_app

    return create_app()


def test_the_outline_shows_until_the_map_is_painted_then_goes(dash_duo, app):
    dash_duo.start_server(app, port=PORT)
    seen, drawn = None, None
    end = time.time() + 40
    while time.time() < end and not drawn:
        shown = dash_duo.driver.execute_script(PLACEHOLDER_JS)
        state = map_state(dash_duo)
        drawn = state if state and state["fills"] >= 25 else None
        if shown and shown["display"] != "none" and shown["loaded"] and not drawn:
            seen = seen or shown
        time.sleep(0.05)
    assert seen, "the outline never showed before the map was drawn"
    assert seen["src"].startswith("data:image/svg+xml") and "Cargando el mapa" in seen["text"]
    assert drawn, "the map was not drawn"
    end = time.time() + 10
    while time.time() < end and dash_duo.driver.execute_script(PLACEHOLDER_JS)["display"] != "none":
        time.sleep(0.1)
    assert dash_duo.driver.execute_script(PLACEHOLDER_JS)["display"] == "none"


def test_the_outline_is_every_department_in_a_few_kb(model):
    from views.placeholder import outline_src, outline_svg

    svg = outline_svg(model)
    assert svg.count("<path ") == 25
    width, height = (float(v) for v in re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg).groups())
    assert 1.3 < height / width < 1.7  # Peru is taller than wide (about 1.5 : 1)
    assert len(outline_src(model)) < 12_000
