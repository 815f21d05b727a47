"""The gaps view as plain functions: validation, Patch on threshold change, table, exports."""

import io
import json

import openpyxl
import plotly
import pytest
from dash import Patch, no_update

from views.gaps import GapState, gap_update, table_page
from atlas.gaps import report_for
from ingest.text import safe_cell
from reports.gaps import export_csv, export_xlsx
from atlas.gaps import gap_state
from views.map_figure import VALUE


def record_for(gs, lang="es"):
    return {"level": gs.level, "focus": gs.focus, "lang": lang,
            "values": [gs.service, gs.km, gs.colour, list(gs.weights)], "services": list(gs.members)}


def test_forged_gap_arguments_fall_back_with_named_problems(model):
    gs, problems = gap_state(model, "nuclear", "1e9", "planet", "99", "rainbow", [1, 2])
    assert gs == GapState()
    assert set(problems) == {"service", "km", "level", "focus", "colour", "weights"}
    for km in (-1, 0, float("nan"), float("inf"), "abc", [50]):
        assert gap_state(model, km=km)[0].km == 50.0
    assert gap_state(model, weights=[0, 0, 0, 6])[1] == ["weights"]
    assert gap_state(model, service="chain", km="120", weights="0,1,2,3")[0] == GapState(
        service="chain", km=120.0, weights=(0.0, 1.0, 2.0, 3.0)
    )


def test_first_view_sends_a_figure_and_a_threshold_change_a_patch(model):
    gs = GapState(level="district", focus="16")
    figure, drawn, *_ = gap_update(model, gs, None, 0, [], "es")
    assert isinstance(figure, dict) and figure["data"][VALUE]["geojson"].startswith("/geo/district-16.json")
    wider = GapState(level="district", focus="16", km=100)
    patch, _, headline, _, rows, pages, *_ = gap_update(model, wider, drawn, 0, [], "es")
    assert isinstance(patch, Patch)
    places = drawn["plan_trace"]  # the named places beyond reach, redrawn for the new km
    operations = patch.to_plotly_json()["operations"]
    body = json.dumps([o for o in operations if o["location"][:2] != ["data", places]], cls=plotly.utils.PlotlyJSONEncoder)
    assert "geojson" not in body and len(body) < 30_000
    named = json.dumps([o for o in operations if o["location"][:2] == ["data", places]], cls=plotly.utils.PlotlyJSONEncoder)
    assert 1_000 < len(named) < 150_000  # about 1,700 places at 100 km, rounded coordinates
    assert pages == 5 and len(rows) == 12  # 53 Loreto districts, 12 per page


def test_page_or_sort_change_leaves_the_map_alone(model):
    gs = GapState()
    _, drawn, *_ = gap_update(model, gs, None, 0, [], "es")
    figure, *_ = gap_update(model, gs, drawn, 1, [{"column_id": "median_km", "direction": "desc"}], "es")
    assert figure is no_update


def test_map_values_match_the_report(model):
    gs = GapState(level="department")
    figure, *_ = gap_update(model, gs, None, 0, [], "en")
    value = figure["data"][VALUE]
    i = value["locations"].index("16")
    assert value["z"][i] == pytest.approx(83.99, abs=0.01)
    assert "264,167 of 314,534" in value["text"][i]
    callao = value["locations"].index("07")
    assert value["z"][callao] is None and value["text"][callao] == "no rural population"


def test_table_is_ranked_paged_and_sortable(model):
    gs = GapState(level="province")
    view = report_for(model, gs)
    rows, pages = table_page(view, gs, 0, [], "en")
    assert pages == 17 and [r["rank"].split(" ")[0] for r in rows[:3]] == ["1", "2", "3"]  # "1 (1–3)": with its range
    rows, _ = table_page(view, gs, 0, [{"column_id": "rural_population", "direction": "desc"}], "en")
    assert [r["code"] for r in rows[:3]] == ["1403", "1206", "0601"]  # Lambayeque, Satipo, Cajamarca
    rows, _ = table_page(view, gs, 999, [{"column_id": "<script>", "direction": "sideways"}], "en")
    assert rows[0]["rank"].startswith("1 (")  # out-of-range page and unknown column fall back


def test_cem_figures_are_known_in_every_department(model):
    gs = GapState(service="cem", level="department")
    view = report_for(model, gs)
    rural = view.drop(index="07")  # Callao has no rural population: its share is undefined
    assert view.loc["07", "rural_population"] == 0
    assert rural["pct_rural_beyond"].notna().all() and rural["gap_index"].notna().sum() == 24
    assert view.loc["16", "pct_rural_beyond"] > view.loc["15", "pct_rural_beyond"]  # Loreto worse than Lima


def test_chain_adds_the_share_within_all_three(model):
    gs = GapState(service="chain", level="department")
    _, _, headline, _, rows, _, columns, *_ = gap_update(model, gs, None, 0, [], "en")
    assert any(c["id"] == "pct_population_within" for c in columns)
    assert "all three services" in json.dumps(headline, default=lambda c: c.to_plotly_json())


def test_csv_export_holds_every_row_of_the_view_with_translated_headers(model):
    gs = GapState(level="district", focus="17")
    text = export_csv(model, gs, report_for(model, gs), "es")
    assert text.startswith("\ufeffPuesto,Área,UBIGEO,Población rural")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 11  # Madre de Dios has 11 districts


def test_xlsx_export_has_the_table_and_the_method(model):
    gs = GapState(service="fistrap", km=100)
    data = export_xlsx(model, gs, report_for(model, gs), "en")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Gaps", "Method and sources"]
    assert book["Gaps"].max_row == 26
    method = " ".join(str(c.value) for row in book["Method and sources"].iter_rows() for c in row)
    assert "100 km" in method and "need" in method and "seat-city" in method
    assert "data/fistrap_pnp_sedes.csv" in method  # the FISTRAP seats' source is listed


def test_formula_cells_are_neutralised():
    assert safe_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert safe_cell("+1") == "'+1" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Iquitos") == "Iquitos" and safe_cell(3.5) == 3.5
