"""How the tests and the benchmarks start headless Chromium: one list of flags.

Debian's `chromium` and `chromium-driver` (see /work/shared/NOTES.md); no background
traffic to the internet, a fixed window so that screenshots and map fills compare.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def chromium_options(
    binary: str = CHROMIUM,
    extra: tuple[str, ...] = (),
    logs: tuple[str, ...] = ("browser", "performance"),
):
    """Selenium options for headless Chromium with the shared flags (plus `extra`), and the
    log types to keep (`driver.get_log`)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS + tuple(extra):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {kind: "ALL" for kind in logs})
    return options
