"""Named scenarios in headless Chromium: save two scenarios from the Plan panel, open the
comparison, and find in it the figures each scenario's headline said; the link keeps both."""

import os
import re
from pathlib import Path

import pytest

from tests.browser.test_plan_page import gap_map, pick_district, scroll_click, wait_for

pytestmark = pytest.mark.browser
PORT = int(os.environ.get("COBERTURA_TEST_PORT", "8058")) + 9
SHOTS = Path(os.environ.get("COBERTURA_SCREENSHOTS", "/tmp"))

ROW_CELLS = """
var row = document.querySelector('#cmp-table tr[data-slot="' + arguments[0] + '"]');
return row ? Array.from(row.querySelectorAll('td')).map(function (c) {
    return c.innerText.replace(/[\u00a0\u202f]/g, ' '); }) : null;
"""
HEADLINE_GAIN = re.compile(
    r"Con el escenario: \+([\d\s\u00a0\u202f]+) personas rurales"
)


def headline_gain(duo) -> str:
    """The '+N' the headline says for the scenario on screen (e.g. '9 027')."""
    match = HEADLINE_GAIN.search(duo.find_element("#gap-headline").text)
    return re.sub(r"[\u00a0\u202f]", " ", match.group(1)).strip() if match else ""


def add_unit(duo, typed: str, name: str, before: str) -> str:
    try:
        pick_district(duo, typed, name)
    except (
        AssertionError
    ):  # the keys went to an element the page was still re-rendering: once more
        pick_district(duo, typed, name)
    scroll_click(duo, "#plan-add")
    duo.wait_for_contains_text("#plan-units", name, timeout=10)
    return wait_for(
        lambda: (g := headline_gain(duo)) and g != before and g,
        what=f"headline with {name}",
    )


def save(duo, name: str, slot: str) -> None:
    box = duo.find_element("#scn-name")
    box.clear()
    box.send_keys(name)
    scroll_click(duo, "#scn-save")
    duo.wait_for_contains_text("#scn-notice", f"({slot})", timeout=10)


def test_save_two_scenarios_and_compare_them_with_the_headlines(dash_duo, app):
    dash_duo.start_server(app, port=PORT)
    dash_duo.driver.set_window_size(1400, 1800)
    dash_duo.driver.get(f"http://127.0.0.1:{PORT}/?tab=gaps&glevel=district&gfocus=16")
    wait_for(lambda: (gap_map(dash_duo) or {}).get("fills", 0) >= 20, what="gap map")
    dash_duo.wait_for_contains_text("#cmp-table", "Guarde al menos", timeout=15)

    first = add_unit(dash_duo, "parin", "Parinari", "")
    save(dash_duo, "Parinari", "A")
    second = add_unit(dash_duo, "yurima", "Yurimaguas", first)
    save(dash_duo, "Parinari y Yurimaguas", "B")

    # the comparison: one row per scenario and the baseline; UPE gains as the headlines said
    cells = {
        s: wait_for(
            lambda s=s: dash_duo.driver.execute_script(ROW_CELLS, s), what=f"row {s}"
        )
        for s in ("A", "B")
    }
    base = dash_duo.driver.execute_script(ROW_CELLS, "base")
    assert base[0].startswith("Hoy") and base[3] == "+0"
    assert cells["A"][0] == "Parinari" and cells["A"][3] == f"+{first}"
    assert cells["B"][0] == "Parinari y Yurimaguas" and cells["B"][3] == f"+{second}"
    assert cells["B"][1] == "UPE 2"

    # the difference map draws B against A
    wait_for(
        lambda: dash_duo.driver.execute_script(
            "var gd = document.querySelector('#cmp-map .js-plotly-plot');"
            "return gd && gd.data && gd.data.some(function (t) { return t.name === 'value' && t.zmid === 0; });"
        ),
        what="difference map",
    )
    card = dash_duo.find_element(".scenarios-card")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'})", card
    )
    dash_duo.driver.save_screenshot(str(SHOTS / "cobertura-scenarios-compare.png"))

    # both live in the link: a reload (or a shared copy) brings them back
    wait_for(
        lambda: (
            "sa=Parinari" in dash_duo.driver.current_url
            and "sb=" in dash_duo.driver.current_url
        ),
        what="scenarios in the URL",
    )
    dash_duo.driver.get(dash_duo.driver.current_url)
    reloaded = wait_for(
        lambda: dash_duo.driver.execute_script(ROW_CELLS, "B"),
        timeout=30,
        what="row B after reload",
    )
    assert reloaded[3] == f"+{second}"


def open_link(duo, app, query: str, last_slot: str) -> None:
    """Loreto's districts on the gaps tab with `query` added; waits for the map and for the
    comparison row of `last_slot`, read from the link."""
    duo.start_server(app, port=PORT)
    duo.driver.set_window_size(1400, 1800)
    duo.driver.get(
        f"http://127.0.0.1:{PORT}/?tab=gaps&glevel=district&gfocus=16&{query}"
    )
    wait_for(lambda: (gap_map(duo) or {}).get("fills", 0) >= 20, what="gap map")
    wait_for(
        lambda: duo.driver.execute_script(ROW_CELLS, last_slot),
        what=f"row {last_slot} from the link",
    )


@pytest.fixture()
def own_app():
    """A fresh app: an earlier test's server was stopped by raising into its threads, and
    the background jobs of this test (budget, brief) should not start from that state."""
    from app import create_app

    return create_app()


def test_spend_a_budget_then_download_the_comparison_brief(dash_duo, own_app):
    import glob
    import io
    import time

    from pypdf import PdfReader
    from selenium.webdriver.common.keys import Keys

    open_link(
        dash_duo, own_app, "sa=Parinari~upe:160302~~upe:250000&cost=upe:250000", "A"
    )

    # a budget too small for any unit gets a clear message, and nothing is saved
    scroll_click(dash_duo, ".scenarios-card details summary")
    dash_duo.find_element("#budget-goal").find_element(
        "css selector", "option[value='service:upe']"
    ).click()
    total = dash_duo.find_element("#budget-total")
    total.send_keys("100000")
    wait_for(
        lambda: dash_duo.find_element("#budget-run").is_enabled(),
        what="the budget button",
    )
    scroll_click(dash_duo, "#budget-run")
    dash_duo.wait_for_contains_text(
        "#budget-notice", "no alcanza para ninguna unidad", timeout=30
    )
    wait_for(
        lambda: dash_duo.find_element("#budget-run").is_enabled(),
        what="the button after the first run",
    )
    total.send_keys(Keys.CONTROL, "a")
    total.send_keys("1000000")
    scroll_click(dash_duo, "#budget-run")
    dash_duo.wait_for_contains_text(
        "#budget-notice", "Guardado como escenario B", timeout=60
    )
    row = wait_for(lambda: dash_duo.driver.execute_script(ROW_CELLS, "B"), what="row B")
    assert (
        row[0] == "Presupuesto S/ 1 000 000"
        and row[1] == "UPE 4"
        and row[2] == "S/ 1 000 000"
    )
    dash_duo.driver.save_screenshot(str(SHOTS / "cobertura-scenarios-budget.png"))

    # the brief of A and B side by side: one page, both names, both gains
    folder = dash_duo.download_path
    wait_for(
        lambda: "B" in dash_duo.find_element("#cmp-b").text,
        what="B on the difference map",
    )
    scroll_click(dash_duo, "#cmp-pdf")
    path = wait_for(
        lambda: (glob.glob(f"{folder}/*.pdf") or [None])[0],
        timeout=120,
        what="the PDF download",
    )
    time.sleep(0.5)  # let Chromium finish writing the file
    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(reader.pages[0].extract_text().replace("\u00a0", " ").split())
    assert len(reader.pages) == 1
    assert "Presupuesto S/ 1 000 000" in text and "Parinari" in text and row[3] in text


def choose(duo, selector: str, label: str) -> None:
    """Open a dropdown and click the option `label`."""
    scroll_click(duo, selector)
    option = wait_for(
        lambda: next(
            (o for o in duo.find_elements("[role=option]") if o.text == label), None
        ),
        what=f"option {label}",
    )
    option.click()


def test_open_edit_rename_duplicate_and_delete_saved_scenarios(dash_duo, app):
    open_link(dash_duo, app, "sa=Parinari~upe:160302~~&sb=Yurimaguas~upe:160201~~", "B")

    # open B in the Plan panel, add a unit, save the changes into B
    choose(dash_duo, "#scn-pick", "B · Yurimaguas")
    scroll_click(dash_duo, "#scn-open")
    dash_duo.wait_for_contains_text("#plan-units", "Yurimaguas", timeout=15)
    add_unit(dash_duo, "nauta", "Nauta", "")
    scroll_click(dash_duo, "#scn-update")
    dash_duo.wait_for_contains_text("#scn-notice", "Cambios guardados (B)", timeout=10)
    wait_for(
        lambda: dash_duo.driver.execute_script(ROW_CELLS, "B")[1] == "UPE 2",
        what="B with two UPE",
    )

    # rename B, duplicate it into C, delete A
    box = dash_duo.find_element("#scn-name")
    box.send_keys("Dos UPE")
    scroll_click(dash_duo, "#scn-rename")
    wait_for(
        lambda: dash_duo.driver.execute_script(ROW_CELLS, "B")[0] == "Dos UPE",
        what="B renamed",
    )
    scroll_click(dash_duo, "#scn-duplicate")
    copy = wait_for(
        lambda: dash_duo.driver.execute_script(ROW_CELLS, "C"), what="the copy in C"
    )
    assert (
        copy[0] == "Dos UPE (2)"
        and copy[1:4] == dash_duo.driver.execute_script(ROW_CELLS, "B")[1:4]
    )
    choose(dash_duo, "#scn-pick", "A · Parinari")
    scroll_click(dash_duo, "#scn-delete")
    wait_for(
        lambda: dash_duo.driver.execute_script(ROW_CELLS, "A") is None, what="A deleted"
    )
    wait_for(
        lambda: (
            "sa=" not in dash_duo.driver.current_url
            and "sc=Dos+UPE+%282%29" in dash_duo.driver.current_url
        ),
        what="the link without A and with C",
    )


def test_in_hours_mode_the_comparison_says_the_hours_headline(dash_duo, app):
    open_link(
        dash_duo,
        app,
        "measure=hours&hours=6&units=upe:160302&sa=Parinari~upe:160302~~upe:250000"
        "&cost=upe:250000",
        "A",
    )
    gain = wait_for(lambda: headline_gain(dash_duo), what="hours headline")
    assert "tiempo de viaje modelado" in dash_duo.find_element("#gap-headline").text
    dash_duo.wait_for_contains_text("#cmp-note", "tiempo de viaje modelado", timeout=15)
    head = dash_duo.find_element("#cmp-table thead").text
    assert "≤ 6 h (modelado)" in head and "línea recta" not in head
    cells = wait_for(
        lambda: (
            (
                (c := dash_duo.driver.execute_script(ROW_CELLS, "A"))
                and c[3] == f"+{gain}"
            )
            and c
        ),
        what="row A with the hours gain",
    )
    assert cells[0] == "Parinari"
    card = dash_duo.find_element(".scenarios-card")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'})", card
    )
    dash_duo.driver.save_screenshot(
        str(SHOTS / "cobertura-scenarios-compare-hours.png")
    )
