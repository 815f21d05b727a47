"""What a user's browser transfers and waits for, measured in headless Chromium.

Bytes are DevTools `Network.loadingFinished.encodedDataLength` (the compressed bytes as
received, headers included), summed per step. Time to first map is `performance.now()`
(ms since navigation start) when MapLibre reports the map loaded with every department
filled, median of 5 cold loads (a fresh browser profile each time).
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager

from tests.chromium import CHROMEDRIVER, chromium_options

MAP_DRAWN_JS = """
var gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd._fullLayout.map || !gd._fullLayout.map._subplot) { return null; }
var m = gd._fullLayout.map._subplot.map;
if (!m.loaded()) { return null; }
var fills = m.queryRenderedFeatures().filter(function (f) { return /-fill$/.test(f.layer.id); }).length;
return fills >= arguments[1] ? performance.now() : null;
"""


@contextmanager
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cobertura-bench-")
    options = chromium_options(extra=(f"--user-data-dir={profile}",), logs=("performance",))
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def network(driver) -> list[dict]:
    """Requests finished since the last call: url, bytes on the wire, post data."""
    if not hasattr(driver, "_cobertura_requests"):
        driver._cobertura_requests = {}  # requestId -> request, kept across calls
    requests, finished = driver._cobertura_requests, []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            requests[params["requestId"]] = params["request"]
        elif message["method"] == "Network.loadingFinished":
            request = requests.get(params["requestId"], {})
            finished.append(
                {
                    "url": request.get("url", ""),
                    "bytes": int(params.get("encodedDataLength", 0)),
                    "post": request.get("postData"),
                }
            )
    return finished


def wait(driver, predicate, timeout: float = 60.0, interval: float = 0.05):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met")


def settle(driver, quiet: float = 1.0, timeout: float = 30.0) -> list[dict]:
    """Collect network events until none arrive for `quiet` seconds."""
    events: list[dict] = []
    end = time.time() + timeout
    last = time.time()
    while time.time() < end:
        new = network(driver)
        if new:
            events += new
            last = time.time()
        elif time.time() - last > quiet:
            break
        time.sleep(0.1)
    return events


def ours(events: list[dict]) -> list[dict]:
    """The app's own requests (Chromium's start page and data:/blob: URLs left out)."""
    return [e for e in events if e["url"].startswith(("http://", "https://"))]


def step_bytes(events: list[dict]) -> dict:
    events = ours(events)
    total = sum(e["bytes"] for e in events)
    callbacks = sum(e["bytes"] for e in events if "/_dash-update-component" in e["url"])
    return {"bytes": total, "callback_bytes": callbacks, "requests": len(events)}


# when the map frame's picture (views/placeholder.py) is first on screen: recorded from the
# document's start, at the frame after the image has loaded; null on a page without one
PICTURE_SEEN_JS = """
window.__pictureSeen = null;
new MutationObserver(function (list, obs) {
  var img = document.querySelector('.map-placeholder img');
  if (!img) { return; }
  obs.disconnect();
  function seen() { requestAnimationFrame(function () { window.__pictureSeen = performance.now(); }); }
  if (img.complete && img.naturalWidth > 0) { seen(); } else { img.addEventListener('load', seen); }
}).observe(document, {childList: true, subtree: true});
"""


def first_load(base: str, runs: int = 5) -> dict:
    """Cold loads: bytes of the first page load, time until the map frame shows a picture of
    the map, and time until the map itself is drawn (MapLibre has painted every area)."""
    times, pictures, loads = [], [], []
    for _ in range(runs):
        with chromium() as driver:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PICTURE_SEEN_JS})
            driver.get(base + "/")
            drawn = wait(driver, lambda: driver.execute_script(MAP_DRAWN_JS, "#map", 25))
            times.append(drawn)
            pictures.append(driver.execute_script("return window.__pictureSeen"))
            loads.append(step_bytes(settle(driver)))
    biggest = max(loads, key=lambda x: x["bytes"])
    seen = [p for p in pictures if p is not None]
    return {
        "time_to_map_ms": statistics.median(times),
        "time_to_map_runs_ms": times,
        "time_to_picture_ms": statistics.median(seen) if len(seen) == len(pictures) else None,
        "bytes": biggest["bytes"],
        "requests": biggest["requests"],
    }


def interactions(base: str) -> tuple[dict, dict]:
    """Bytes for a metric switch, a level switch (department -> district), a threshold
    change in the gaps view, a unit added, a suggestion and a CSV export; also returns the recorded callback request bodies (for the
    server-time replay)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    out, bodies = {}, {}

    def posts(events, marker):
        return [e["post"] for e in events if e["post"] and marker in e["post"]]

    with chromium() as driver:
        driver.get(base + "/")
        wait(driver, lambda: driver.execute_script(MAP_DRAWN_JS, "#map", 25))
        settle(driver)

        def select(css, value):
            driver.find_element(By.CSS_SELECTOR, f"{css} option[value='{value}']").click()

        select("#metric", "rural_share")
        events = settle(driver)
        out["metric_switch"] = step_bytes(events)
        bodies["metric_switch"] = posts(events, "..map.figure...map-drawn")

        driver.find_element(By.CSS_SELECTOR, "label[for='_dbcprivate_radioitems_level_input_district']").click()
        wait(driver, lambda: driver.execute_script(MAP_DRAWN_JS, "#map", 500))
        events = settle(driver)
        out["level_switch_to_district"] = step_bytes(events)
        bodies["level_switch"] = posts(events, "..map.figure...map-drawn")
        select("#metric", "poverty_2018")
        events = settle(driver)
        out["metric_switch_district"] = step_bytes(events)
        bodies["metric_switch_district"] = posts(events, "..map.figure...map-drawn")

        driver.get(base + "/?tab=gaps")
        wait(driver, lambda: driver.execute_script(MAP_DRAWN_JS, "#gap-map", 25))
        settle(driver)
        thumb = driver.find_element(By.CSS_SELECTOR, "#gap-km [role='slider']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", thumb)
        thumb.send_keys(Keys.ARROW_RIGHT)
        events = settle(driver)
        out["threshold_change"] = step_bytes(events)
        bodies["threshold_change"] = posts(events, "gap-map.figure")

        def click(css):
            element = driver.find_element(By.CSS_SELECTOR, css)
            driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
            time.sleep(0.3)
            element.click()
            return element

        click("#plan-place")
        driver.switch_to.active_element.send_keys("yurimaguas")
        wait(driver, lambda: [o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text.startswith("Yurimaguas")])[0].click()
        settle(driver)
        click("#plan-add")
        events = settle(driver)
        out["add_unit"] = step_bytes(events)
        bodies["add_unit_edit"] = posts(events, '"..scenario.data')
        bodies["add_unit_view"] = posts(events, "gap-map.figure")

        click(".plan-card details summary")
        n = driver.find_element(By.CSS_SELECTOR, "#plan-n")
        n.clear()
        n.send_keys("10")
        settle(driver)
        click("#plan-suggest")
        events = settle(driver, quiet=2.0)
        out["suggest_10"] = step_bytes(events)
        bodies["suggest_10_edit"] = posts(events, '"..scenario.data')
        bodies["suggest_10_view"] = posts(events, "gap-map.figure")

        click("#gap-export-csv")  # the view's table as CSV (with the suggested units)
        events = settle(driver)
        out["export_csv"] = step_bytes(events)
        bodies["export_csv"] = posts(events, "gap-download.data")
    return out, bodies
