"""The download registry: each entry gives what the download callbacks used to send."""

from __future__ import annotations

import base64

import pytest
from dash import dcc

from analysis.scenario import scenario_km
from atlas.gaps import GapState, report_for
from atlas.plan import scenario_from
from reports import registry
from reports.gaps import export_csv, export_name, scenario_xlsx
from reports.registry import REPORTS, send


@pytest.fixture(scope="module")
def view(model):
    scenario, _ = scenario_from(
        model, {"units": [{"service": "upe", "place": "160201"}]}
    )
    return {
        "model": model,
        "gs": GapState(level="province", focus="16", km=80),
        "scenario": scenario,
        "lang": "es",
    }


def test_the_gaps_csv_is_what_the_callback_sent_before(view):
    model, gs = view["model"], view["gs"]
    data, problem = send("gaps_csv", **view)
    table = report_for(
        model, gs, scenario_km(model.coverage, view["scenario"].units, gs.service)
    )
    assert data == dcc.send_string(
        export_csv(model, gs, table, "es"),
        export_name(model, gs, "csv"),
        type="text/csv",
    )
    assert problem is None


def test_bytes_travel_base64_with_their_mime_type(view):
    assert view["scenario"].units  # the scenario sheet is not empty
    data, _ = send("scenario_xlsx", **view)
    expected = dcc.send_bytes(
        scenario_xlsx(view["model"], view["gs"], view["scenario"], "es"), "x"
    )
    assert base64.b64decode(data["content"])[:2] == b"PK" and data["base64"] is True
    assert data["filename"] == "cobertura-escenario-80km.xlsx"
    assert data["type"] == registry.XLSX and len(data["content"]) == len(
        expected["content"]
    )


def test_the_scenario_csv_names_its_threshold(view):
    data, _ = send("scenario_csv", **view)
    assert data["filename"] == "cobertura-escenario-80km.csv" and data[
        "content"
    ].startswith("\ufeff")
    assert (
        len(data["content"].splitlines()) == 2 and "160201" in data["content"]
    )  # header, the one unit


def test_the_registry_downloads_need_no_model(model):
    from analysis.districts import DistrictIndex

    places = DistrictIndex(model.geo)
    template, _ = send("registry_template", lang="es")
    assert template["filename"] == registry.TEMPLATE_FILE and template[
        "content"
    ].startswith("\ufeff")
    report = {"errors": [{"row": 2, "column": "tipo", "key": "x"}, "forged"]}
    problems, _ = send(
        "registry_problems", report=report, lang="en", stored=None, places=places
    )
    assert (
        problems["filename"] == "cobertura-upload-problems.csv"
        and problems["content"].count("\n") == 2
    )
    units, _ = send("registry_units", stored="forged", places=places, lang="es")
    assert units["content"].startswith("\ufeff") and units["type"] == "text/csv"


def test_a_brief_problem_comes_back_as_a_locale_key(monkeypatch, view):
    monkeypatch.setitem(
        REPORTS,
        "test",
        registry.Report(
            lambda **_: (b"%PDF", "brief.no_map"), registry.PDF, lambda **_: "a.pdf"
        ),
    )
    data, problem = send("test", **view)
    assert problem == "brief.no_map" and base64.b64decode(data["content"]) == b"%PDF"


def test_every_entry_has_a_mime_type_and_a_builder():
    assert set(REPORTS) >= {
        "gaps_csv",
        "gaps_xlsx",
        "scenario_xlsx",
        "scenario_csv",
        "map_png",
        "brief_pdf",
    }
    assert all(
        "/" in r.mime and callable(r.build) and callable(r.filename)
        for r in REPORTS.values()
    )
