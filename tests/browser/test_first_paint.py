"""The map frame is never blank: the first map's picture (or Peru's outline) shows until the map is painted."""

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


# recorded from the document's start (the map can be drawn before a poll would look)
SEEN_JS = """
window.__placeholderSeen = null;
new MutationObserver(function (list, obs) {
  var p = document.querySelector('.map-card .map-placeholder');
  var img = p && p.querySelector('img');
  if (!img) { return; }
  function seen() {
    if (window.__placeholderSeen || getComputedStyle(p).display === 'none') { return; }
    var card = p.closest('.map-card');
    window.__placeholderSeen = {src: img.getAttribute('src').slice(0, 40), text: p.innerText,
                                painted: card.classList.contains('map-painted')};
  }
  if (img.complete && img.naturalWidth > 0) { seen(); } else { img.addEventListener('load', seen); }
}).observe(document, {childList: true, subtree: true});
"""


def test_the_picture_shows_until_the_map_is_painted_then_goes(dash_duo, app):
    dash_duo.start_server(app, port=PORT)
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEEN_JS})
    driver.get(dash_duo.server_url + "/")
    end = time.time() + 40
    drawn = None
    while time.time() < end and not drawn:
        state = map_state(dash_duo)
        drawn = state if state and state["fills"] >= 25 else None
        time.sleep(0.05)
    assert drawn, "the map was not drawn"
    seen = driver.execute_script("return window.__placeholderSeen")
    assert seen, "the picture never showed before the map was drawn"
    assert seen["src"].startswith("data:image/svg+xml") and "Cargando el mapa" in seen["text"] and not seen["painted"]
    end = time.time() + 10
    while time.time() < end and driver.execute_script(PLACEHOLDER_JS)["display"] != "none":
        time.sleep(0.1)
    assert driver.execute_script(PLACEHOLDER_JS)["display"] == "none"


def test_the_outline_is_every_department_in_a_few_kb(model):
    from views.placeholder import outline_src, outline_svg

    svg = outline_svg(model)
    assert svg.count("<path ") == 25
    width, height = (float(v) for v in re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg).groups())
    assert 1.3 < height / width < 1.7  # Peru is taller than wide (about 1.5 : 1)
    assert len(outline_src(model)) < 12_000


def test_before_any_script_runs_the_page_shows_the_first_map_in_its_colours(dash_duo, app):
    """A slow link gets the page's HTML first: with every script held back, the header and
    the first map's picture (departments in their colours, the loading note) are already on
    screen, from the HTML alone."""
    dash_duo.start_server(app, port=PORT)
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*.js*", "*.mjs*"]})
    try:
        driver.get(dash_duo.server_url + "/")
        end = time.time() + 20
        shown = None
        while time.time() < end and not (shown and shown["loaded"]):
            shown = driver.execute_script(PLACEHOLDER_JS)
            time.sleep(0.1)
        assert shown and shown["loaded"] and shown["display"] != "none", shown
        assert "Cargando el mapa" in shown["text"]
        src = driver.execute_script("return document.querySelector('.map-placeholder img').getAttribute('src')")
        assert src.startswith("data:image/svg+xml") and src.count("fill=%22%23") >= 26  # the group's grey + 25 departments
        assert "Cobertura" in driver.find_element("css selector", "header .brand").text
        assert not driver.execute_script("return !!window.dash_clientside || !!window.Plotly")  # no script has run
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


VISIBLE_IMG_JS = """
var imgs = Array.prototype.slice.call(document.querySelectorAll('.map-card .map-placeholder img'));
var shown = imgs.filter(function (i) { return getComputedStyle(i).display !== 'none' && i.complete && i.naturalWidth > 0; });
return shown.map(function (i) { return i.className || 'html'; });
"""


def test_a_link_to_another_view_shows_the_outline_never_the_first_maps_colours(dash_duo, app):
    """The layout carries the first map (poverty by department). A link to rural population
    must not show the poverty colours meanwhile: its frame shows Peru's outline, and the
    outline stays until the figure the link asks for is painted."""
    dash_duo.start_server(app, port=PORT)
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/?metric=rural_share")
    seen, end = set(), time.time() + 40
    while time.time() < end:
        seen.update(driver.execute_script(VISIBLE_IMG_JS) or [])
        if driver.execute_script(PLACEHOLDER_JS)["display"] == "none":
            break
        time.sleep(0.05)
    assert driver.execute_script(PLACEHOLDER_JS)["display"] == "none", "the outline never gave way to the map"
    assert seen == {"map-outline"}, seen  # never the picture of another map
    state = map_state(dash_duo)
    assert state and state["fills"] >= 25
    z = driver.execute_script(
        "var gd = document.querySelector('#map .js-plotly-plot'); return gd.data.filter(function (t) { return t.name === 'value'; })[0].z;"
    )
    first = app.cobertura_model.memo(("first-figure", "es", "/"), lambda: None)
    assert first is not None and z != next(t for t in first["data"] if t["name"] == "value")["z"]  # rural share, not poverty
