"""The Brechas / Gaps tab in headless Chromium."""

import os

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.test_plan_page import gap_map, wait_for


pytestmark = pytest.mark.browser
PORT = int(os.environ.get("COBERTURA_TEST_PORT", "8058")) + 1


def gap_fills(duo) -> int:
    """Filled areas on the gaps map (0 until MapLibre has drawn it)."""
    return (gap_map(duo) or {}).get("fills", 0)


def open_gaps(duo, app):
    duo.start_server(app, port=PORT)
    duo.wait_for_element("#tabs")
    next(a for a in duo.find_elements("#tabs .nav-link") if a.text == "Brechas").click()
    wait_for(lambda: gap_fills(duo) >= 25, what="gap map")
    duo.wait_for_contains_text("#gap-headline", "personas rurales", timeout=15)


def test_gap_tab_shows_map_headline_and_ranked_table(dash_duo, app):
    open_gaps(dash_duo, app)
    headline = dash_duo.find_element("#gap-headline").text
    assert "50 km" in headline and "UPE" in headline
    rows = dash_duo.find_elements("#gap-table tbody tr")
    assert len(rows) >= 12  # header row + 12 data rows
    assert dash_duo.find_element("#gap-table").text.count("\n") > 12


def test_changing_the_threshold_updates_headline_and_table(dash_duo, app):
    open_gaps(dash_duo, app)
    before = dash_duo.find_element("#gap-headline").text
    thumb = dash_duo.find_element("#gap-km [role='slider']")  # keyboard, as a user without a mouse
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", thumb)
    thumb.click()
    thumb.send_keys(*[Keys.ARROW_RIGHT] * 10)  # 50 km + 10 steps of 5 km
    dash_duo.wait_for_contains_text("#gap-headline", "100 km", timeout=10)
    after = dash_duo.find_element("#gap-headline").text
    assert after != before
    assert gap_fills(dash_duo) >= 25  # the map is still drawn


def test_gap_tab_follows_the_language_switch(dash_duo, app):
    open_gaps(dash_duo, app)
    dash_duo.find_element("label[for='_dbcprivate_radioitems_lang_input_en']").click()
    dash_duo.wait_for_contains_text("#gap-headline", "rural people", timeout=15)
    assert "Distance threshold" in dash_duo.find_element("#gap-container").text
    wait_for(lambda: gap_fills(dash_duo) >= 25, what="gap map after switch")
