"""No CARE shelter location finer than its province in any file a user can download: the
gap table (CSV, XLSX), the scenario (CSV, XLSX), the one-page brief (its text, and the map
figure it draws). Downloads travel base64-encoded, so the callback walk cannot read them:
here each file is opened and read as a person would."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from analysis.coverage import GAP_LEVELS
from reports.brief import inline_geometry, model_geojson
from reports.brief_content import make_brief
from views.gaps import gap_figure
from views.gaps import GapState
from atlas.gaps import report_for
from reports.gaps import export_csv, export_xlsx, scenario_xlsx
from reports.tables import csv_text
from views.plan import Scenario
from atlas.plan import all_gains, edit
from reports.gaps import scenario_frame
from tests.app.test_care_confidential import assert_clean, secrets  # noqa: F401 (fixture)

FOCI = ("", "15", "08", "16", "21", "17")


def xlsx_text(data: bytes) -> str:
    """Every XML part of a workbook (cells, shared strings, sheet names) as one text."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))


def clean(text: str, secrets) -> None:  # noqa: F811
    assert_clean(json.dumps(text, ensure_ascii=False), secrets)


@pytest.fixture(scope="module")
def scenario(model):
    """A unit of each plannable service, one of them in a province that holds a CARE."""
    result = Scenario()
    for service, place in (("upe", "160201"), ("sar", "210101"), ("cem", "080101")):
        result, _ = edit(model, result, "add", service=service, place=place)
    return edit(model, result, "costs", costs={"upe": 250000})[0]


@pytest.mark.parametrize("level", GAP_LEVELS)
def test_gap_table_exports_hold_no_shelter_location(model, secrets, scenario, level):  # noqa: F811
    for focus in FOCI:
        for service in ("care", "upe"):
            gs = GapState(service=service, level=level, focus=focus)
            view = report_for(model, gs)
            clean(export_csv(model, gs, view, "es"), secrets)
            clean(xlsx_text(export_xlsx(model, gs, view, "en", scenario)), secrets)


def test_scenario_exports_hold_no_shelter_location(model, secrets, scenario):  # noqa: F811
    gains = all_gains(model, scenario.units, 50)
    clean(csv_text(scenario_frame(model, scenario, gains, "es")), secrets)
    clean(xlsx_text(scenario_xlsx(model, GapState(service="care", level="district"), scenario, "es")), secrets)


@pytest.mark.parametrize("focus", FOCI)
def test_the_brief_and_its_map_hold_no_shelter_location(model, secrets, scenario, focus):  # noqa: F811
    gs = GapState(service="care", level="district", focus=focus)
    pdf, _ = make_brief(model, gs, scenario, "es", "http://127.0.0.1:8050/?tab=gaps")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "CAR" in text  # the brief is about shelters: it names the service, not a place
    clean(text, secrets)
    figure = inline_geometry(gap_figure(model, gs, scenario, "es"), model_geojson(model))  # what the PNG is drawn from
    assert_clean(json.dumps(figure, ensure_ascii=False), secrets)


def test_the_check_reads_inside_a_workbook(secrets):  # noqa: F811
    """A workbook holding a shelter's name is caught (the check can fail)."""
    import pandas as pd

    from reports.tables import xlsx_bytes

    name = sorted(secrets[1])[0]
    with pytest.raises(AssertionError, match="CARE name"):
        clean(xlsx_text(xlsx_bytes({"x": pd.DataFrame({"a": [name]})})), secrets)
