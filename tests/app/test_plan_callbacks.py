"""The plan panel as plain functions: scenario validation, edits, costs, gains."""

import json

import pytest

from views.gaps import GapState, gap_update
from atlas.plan import message_text, all_gains, area_capital, edit, scenario_from
from views.plan import Scenario, summary
from atlas.plan import bounded_int


def text_of(component) -> str:
    return json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def test_forged_scenarios_are_cleaned(model):
    scenario, problems = scenario_from(model, {
        "units": [
            {"service": "upe", "place": "160302"},
            {"service": "care", "place": "160101"},  # shelters cannot be planned as points
            {"service": "upe", "place": "999999"},
            {"service": "upe", "place": "160302", "origin": "<script>"},
            "junk",
        ],
        "costs": {"upe": "250000", "fistrap": -1, "sar": "abc", "zzz": 5},
    })
    assert [(u.service, u.place) for u in scenario.units] == [("upe", "160302")]
    assert scenario.costs == {"upe": 250000.0}
    assert set(problems) == {"units", "cost"}
    assert scenario_from(model, "not a dict") == (Scenario(), ["scenario"])
    assert scenario_from(model, {"units": [{"service": "upe", "place": "160302"}] * 100})[0].units.__len__() == 40


def test_add_remove_clear(model):
    scenario, message = edit(model, Scenario(), "add", service="upe", place="160302")
    assert message is None and scenario.units[0].name.startswith("Parinari")
    scenario, message = edit(model, scenario, "add", service="upe", place="../../etc")
    assert message == "plan.msg.bad_place" and len(scenario.units) == 1
    scenario, message = edit(model, scenario, "remove", remove=7)
    assert message == "plan.msg.bad_unit" and len(scenario.units) == 1
    scenario, _ = edit(model, scenario, "remove", remove=0)
    assert scenario.units == ()
    scenario, _ = edit(model, Scenario(), "add", service="sar", place="210101")
    assert edit(model, scenario, "clear")[0].units == ()


def test_clicking_an_area_places_the_unit_at_its_capital(model):
    assert area_capital(model, "district", "160302") == "160302"
    assert area_capital(model, "province", "1603") == "160301"
    assert area_capital(model, "department", "16") == "160101"
    assert area_capital(model, "region", "150100") == "150101"
    assert area_capital(model, "district", "999999") is None


def test_suggest_replaces_earlier_suggestions_of_the_same_service_only(model):
    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160302")
    request = {"service": "upe", "n": 3, "departments": ["16"], "candidates": "capitals", "min_size": 0, "km": 50}
    scenario, message = edit(model, scenario, "suggest", suggestion=request)
    assert message is None
    assert [u.origin for u in scenario.units] == ["manual", "suggested", "suggested", "suggested"]
    again, _ = edit(model, scenario, "suggest", suggestion={**request, "n": 2})
    assert [u.origin for u in again.units] == ["manual", "suggested", "suggested"]


@pytest.mark.parametrize("n", [0, 21, 10**6, "5; DROP", None, 2.5])
def test_suggest_refuses_out_of_range_counts_with_a_message(model, n):
    request = {"service": "upe", "n": n, "departments": ["16"], "km": 50}
    scenario, message = edit(model, Scenario(), "suggest", suggestion=request)
    assert message == "plan.msg.bad_n" and scenario.units == ()


@pytest.mark.parametrize("km", [20_000, -1, 10**400, 1e6])
def test_a_forged_threshold_reaching_suggest_gets_the_same_bound_as_the_ui(model, km):
    request = {"service": "upe", "n": 20, "departments": list(model.geo.codes("department")),
               "candidates": "centres", "min_size": 0, "km": km}
    scenario, message = edit(model, Scenario(), "suggest", suggestion=request)
    assert message == ("plan.msg.out_of_range", {"low": 1.0, "high": 300.0}) and scenario.units == ()
    assert message_text("es", message) == "El umbral debe estar entre 1 y 300 km."


def test_the_largest_legal_suggestion_holds_a_bounded_coverage_structure(model, monkeypatch):
    """Every department, 300 km and every populated centre as a candidate: the sets held at
    once stay under the pair budget (measured as allocated bytes, not time)."""
    import analysis.mclp as mclp
    import analysis.scenario as scenario_module
    from analysis.limits import MAX_COVERAGE_PAIRS

    held = []

    def spy(*args, **kwargs):
        sets = mclp.coverage_sets(*args, **kwargs)
        held.append(mclp.nbytes(sets))
        return sets

    monkeypatch.setattr(scenario_module, "coverage_sets", spy)
    for service, km in (("upe", 300), ("fistrap", 50), ("sar", 25)):
        request = {"service": service, "n": 20, "departments": list(model.geo.codes("department")),
                   "candidates": "centres", "min_size": 0, "km": km}
        scenario, message = edit(model, Scenario(), "suggest", suggestion=request)
        assert len(scenario.units) == 20
    assert held and max(held) <= MAX_COVERAGE_PAIRS * 5 + 2_000_000  # bool + int32 per pair, plus the rest


def test_bounded_int():
    assert bounded_int("7", 1, 20, 5) == (7, True)
    assert bounded_int(1e6, 1, 20, 5) == (5, False)
    assert bounded_int(float("nan"), 1, 20, 5) == (5, False)


def test_costs_give_cost_per_additional_rural_person(model):
    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160201")  # Yurimaguas
    scenario, _ = edit(model, scenario, "costs", costs={"upe": 300000})
    gains = all_gains(model, scenario.units, 50)
    assert gains[0] > 30000
    text = text_of(summary(model, scenario, gains, 50, "en"))
    per_person = 300000 / gains[0]
    assert f"S/ {per_person:,.1f}" in text


def test_scenario_changes_the_gap_view_by_the_units_gain(model):
    gs = GapState(level="department", focus="16")
    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160201")
    before = gap_update(model, gs, None, 0, [], "en")
    after = gap_update(model, gs, None, 0, [], "en", scenario=scenario)
    from analysis.scenario import scenario_km

    gain = all_gains(model, scenario.units, 50)[0]  # all Peru: Yurimaguas also serves San Martín
    km = scenario_km(model.coverage, scenario.units, "upe")
    in_loreto = (model.coverage.summary("upe", 50, "department").loc["16", "rural_beyond"]
                 - model.coverage.summary("upe", 50, "department", km=km).loc["16", "rural_beyond"])
    assert 0 < in_loreto < gain
    headline = text_of(after[2])
    assert f"With the scenario: +{in_loreto:,.0f} rural people" in headline
    value_before = before[0]["data"][2]["z"][0]
    value_after = after[0]["data"][2]["z"][0]
    assert value_before - value_after == pytest.approx(100 * in_loreto / 314534, abs=0.001)
    assert after[0]["data"][-1]["lat"] and after[0]["data"][-1]["name"] == "plan-units"


def test_scenario_table_and_xlsx_sheet(model):
    import io

    import openpyxl

    from reports.gaps import export_xlsx
    from atlas.gaps import report_for
    from atlas.plan import message_text
    from reports.gaps import scenario_frame

    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160201")
    scenario, _ = edit(model, scenario, "costs", costs={"upe": 300000})
    gains = all_gains(model, scenario.units, 50)
    frame = scenario_frame(model, scenario, gains, "es")
    assert list(frame.iloc[0])[:5] == ["UPE", "agregada", "160201", "Yurimaguas (Yurimaguas, Loreto)", "160201"]
    gs = GapState(level="department")
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(model, gs, report_for(model, gs), "en", scenario)))
    assert book.sheetnames == ["Gaps", "Method and sources", "Scenario"]
    assert book["Scenario"]["B2"].value == "added" and book["Scenario"]["I2"].value == 300000


def test_scenario_xlsx_holds_the_units_their_gain_and_the_method(model):
    import io

    import openpyxl

    from reports.gaps import scenario_xlsx

    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160201")
    scenario, _ = edit(model, scenario, "costs", costs={"upe": 300000})
    gain = all_gains(model, scenario.units, 60)[0]
    book = openpyxl.load_workbook(io.BytesIO(scenario_xlsx(model, GapState(km=60, focus="16"), scenario, "es")))
    assert book.sheetnames == ["Escenario", "Método y fuentes"]
    units = book["Escenario"]
    assert units["D2"].value.startswith("Yurimaguas") and units["H2"].value == pytest.approx(gain, abs=0.05)
    assert units["J2"].value == pytest.approx(300000 / gain, abs=0.01)
    method = {row[0].value: row[1].value for row in book["Método y fuentes"].iter_rows()}
    assert "60 km" in method.values() and "Loreto" in method.values()


def test_exported_text_cells_cannot_run_as_formulas():
    import pandas as pd

    from reports.tables import csv_text

    frame = pd.DataFrame({"=HYPERLINK(1)": ["=cmd|' /C calc'!A0", "+1", "ok"], "n": [1, -2, 3]})
    text = csv_text(frame)
    assert "'=HYPERLINK(1)" in text and "'=cmd|" in text and "'+1" in text
    assert ",-2\n" in text  # numbers stay numbers, even negative ones


def test_moving_a_unit_keeps_its_service_and_rank_and_changes_the_gain(model):
    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160302")  # Parinari
    scenario, _ = edit(model, scenario, "add", service="sar", place="210101")
    before = all_gains(model, scenario.units, 50)
    moved, message = edit(model, scenario, "move", remove=0, place="160201")  # to Yurimaguas
    assert message is None
    assert [(u.service, u.place) for u in moved.units] == [("upe", "160201"), ("sar", "210101")]
    assert moved.units[0].name.startswith("Yurimaguas") and moved.units[0].origin == "manual"
    after = all_gains(model, moved.units, 50)
    assert after[0] != before[0] and after[1] == before[1]
    # the moved unit counts exactly like one added there
    fresh, _ = edit(model, Scenario(), "add", service="upe", place="160201")
    assert after[0] == pytest.approx(all_gains(model, fresh.units, 50)[0])


@pytest.mark.parametrize("index", [5, -1, None, "0", True])
def test_moving_a_unit_that_does_not_exist_changes_nothing(model, index):
    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160302")
    moved, message = edit(model, scenario, "move", remove=index, place="160201")
    assert message == "plan.msg.bad_unit" and moved == scenario


def test_moving_a_unit_to_an_unknown_place_changes_nothing(model):
    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160302")
    moved, message = edit(model, scenario, "move", remove=0, place="../../etc")
    assert message == "plan.msg.bad_place" and moved == scenario
