"""Shared fixtures: the real data directory, loaded once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from layers.catalog import Catalog
from app import Settings
from layers.datadir import DataDir
from tests.chromium import CHROMIUM as DEBIAN_CHROMIUM
from tests.chromium import chromium_options

REQUIRE_BROWSER = os.environ.get("COBERTURA_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("DASH_TEST_CHROMEPATH") or shutil.which("chromium") or DEBIAN_CHROMIUM


def pytest_configure(config):
    data = Settings().data().root
    if not (data / "boundaries").is_dir():
        raise pytest.UsageError(
            f"Cobertura's tests need the public data directory; {data} is missing. "
            "Set COBERTURA_DATA_DIR to the folder holding boundaries/, population/, ..."
        )


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium + chromium-driver. Locally they are skipped
    with a reason when absent; in CI (COBERTURA_REQUIRE_BROWSER=1) they must run."""
    if REQUIRE_BROWSER or (Path(CHROMIUM).exists() and shutil.which("chromedriver")):
        return
    skip = pytest.mark.skip(reason="chromium/chromedriver not installed (apt-get install chromium chromium-driver)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_setup_options():
    """Chromium flags for dash[testing]: headless, no background traffic to the internet."""
    return chromium_options(CHROMIUM)


@pytest.fixture(scope="session")
def data_dir() -> DataDir:
    """The configured data directory (COBERTURA_DATA_DIR, read by app.Settings)."""
    return Settings().data()


@pytest.fixture(scope="session")
def catalog(data_dir) -> Catalog:
    catalog = Catalog.load(data_dir)
    assert not catalog.errors, catalog.errors
    return catalog


@pytest.fixture(scope="session")
def geo(catalog):
    return catalog.geo


@pytest.fixture(scope="session")
def model(catalog):
    from atlas.model import Model

    return Model(catalog)


@pytest.fixture(scope="module")
def app():
    """The whole app on the real data, built once per test module (modules may patch it)."""
    from app import create_app

    return create_app()
