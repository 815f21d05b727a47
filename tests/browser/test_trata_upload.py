"""Upload an official trafficking file in a real headless Chromium and see it on the map."""

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser.test_map_page import PORT, open_page, wait_for

pytestmark = pytest.mark.browser
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "muestras_oficiales" / "mininter_trata_lambayeque_2017_2023.csv"
SHOTS = Path(os.environ.get("COBERTURA_SCREENSHOTS", "/tmp"))

VALUE_TRACE_JS = """
var gd = document.querySelector('#map .js-plotly-plot');
if (!gd || !gd.data || gd.data.length < 3) { return null; }
var t = gd.data[2];
var i = (t.locations || []).indexOf(arguments[0]);
return {z: i < 0 ? null : t.z[i], text: i < 0 ? null : t.text[i], hover: t.hovertemplate};
"""


@pytest.fixture()
def app():
    """A fresh app per test: Dash's test server kills every thread it did not start with
    when it stops, the background-job thread among them, mid-wait on its queue."""
    from app import create_app

    return create_app()


def test_uploading_the_mininter_sample_shows_its_series_on_the_map(dash_duo, app):
    open_page(dash_duo, app)
    field = dash_duo.driver.find_element(By.CSS_SELECTOR, "#trata-upload input[type=file]")
    field.send_keys(str(SAMPLE))
    dash_duo.wait_for_contains_text("#trata-upload-status", "Importado", timeout=60)
    status = dash_duo.find_element("#trata-upload-status").text
    assert "mininter_trata_lambayeque_2017_2023.csv" in status and "059 filas repetidas omitidas" in status
    metric = dash_duo.find_element("#metric").get_attribute("value")
    assert metric.startswith("upload_")
    # the year on screen (2018, of the default poverty map) exists in the file: it is kept
    years = lambda: [o.get_attribute("value") for o in dash_duo.find_elements("#year option") if o.get_attribute("value")]
    wait_for(dash_duo, lambda: years() == ["2017", "2018", "2019", "2020", "2021", "2022"], what="the file's six years offered")
    assert dash_duo.find_element("#year").get_attribute("value") == "2018"
    shown = wait_for(
        dash_duo,
        lambda: (v := dash_duo.driver.execute_script(VALUE_TRACE_JS, "14")) and v["z"] is not None and v,
        what="Lambayeque coloured",
    )
    assert shown["text"] == "39 denuncias"
    assert "Denuncias policiales por trata (importado, MININTER)" in shown["hover"]
    assert dash_duo.driver.execute_script(VALUE_TRACE_JS, "08")["text"] == "sin dato"
    dash_duo.wait_for_contains_text("#map-caption", "Importado por el usuario", timeout=10)
    assert f"metric={metric}" in dash_duo.driver.current_url
    # the series lives in the browser's session storage, not on the server
    stored = dash_duo.driver.execute_script("return window.sessionStorage.getItem('trata-import-store');")
    assert stored and metric in stored
    # a year with 3 complaints reads "<5" and is not coloured
    dash_duo.find_element("#year").find_element(By.CSS_SELECTOR, "option[value='2017']").click()
    suppressed = wait_for(
        dash_duo, lambda: (v := dash_duo.driver.execute_script(VALUE_TRACE_JS, "14")) and v["text"].startswith("<5") and v,
        what="2017 suppressed",
    )
    assert suppressed["z"] is None
    dash_duo.find_element("#year").find_element(By.CSS_SELECTOR, "option[value='2022']").click()
    wait_for(dash_duo, lambda: dash_duo.driver.execute_script(VALUE_TRACE_JS, "14")["z"] is not None, what="2022 again")
    dash_duo.driver.save_screenshot(str(SHOTS / "cobertura-trata-upload.png"))
    # a reload keeps the imported view (the session store is read back with the link) ...
    dash_duo.driver.refresh()
    wait_for(dash_duo, lambda: (v := dash_duo.driver.execute_script(VALUE_TRACE_JS, "14")) and v["text"] == "49 denuncias",
             what="imported series after a reload")
    assert dash_duo.find_element("#metric").get_attribute("value") == metric
    # ... and a link to another indicator is obeyed: a stored import never takes over the map
    dash_duo.driver.get(f"http://127.0.0.1:{PORT}/?metric=poverty_2018")
    wait_for(dash_duo, lambda: (v := dash_duo.driver.execute_script(VALUE_TRACE_JS, "14")) and "%" in (v["text"] or ""),
             what="poverty map from the link")
    assert dash_duo.find_element("#metric").get_attribute("value") == "poverty_2018"


def test_a_file_that_is_not_official_data_gives_a_message(dash_duo, app, tmp_path):
    bad = tmp_path / "lista.csv"
    bad.write_text("nombre;edad\nAna;3\n", encoding="utf-8")
    open_page(dash_duo, app)
    before = dash_duo.find_element("#metric").get_attribute("value")
    dash_duo.driver.find_element(By.CSS_SELECTOR, "#trata-upload input[type=file]").send_keys(str(bad))
    dash_duo.wait_for_contains_text("#trata-upload-status", "No se pudo importar", timeout=60)
    assert "formato no reconocido" in dash_duo.find_element("#trata-upload-status").text
    assert dash_duo.find_element("#metric").get_attribute("value") == before
