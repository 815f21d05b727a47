"""Named scenarios A..F: the URL codec, edits, the comparison and the difference map."""

import pytest

from atlas.compare import comparison, difference
from atlas.gaps import GapState, compute
from atlas.headline import headline
from atlas.i18n import fmt_number
from atlas.plan import Scenario
from atlas.plan import edit as plan_edit
from atlas.scenarios import (
    SLOTS,
    Named,
    clean_name,
    difference_pair,
    edit,
    records,
    scenarios_from,
)
from atlas.url import query_from_view, view_from_query

PLACES = ["160302", "160201", "210101", "080101", "250101", "170101"]


def plan(model, *pairs, costs=None):
    scenario = Scenario()
    for service, place in pairs:
        scenario, message = plan_edit(
            model, scenario, "add", service=service, place=place
        )
        assert message is None
    return Scenario(scenario.units, costs or {})


def two_plans(model) -> tuple[Scenario, Scenario]:
    """A: a UPE and a FISTRAP in Loreto, priced; B: two other UPEs."""
    a = plan(
        model,
        ("upe", "160302"),
        ("fistrap", "160201"),
        costs={"upe": 250000, "fistrap": 400000},
    )
    return a, plan(model, ("upe", "160201"), ("upe", "160401"), costs={"upe": 250000})


def test_six_named_scenarios_survive_the_url_round_trip(model):
    saved = tuple(
        Named(
            slot,
            f"Opción {slot}, río & sierra",
            plan(
                model,
                ("upe", p),
                ("fistrap", PLACES[(i + 1) % 6]),
                costs={"upe": 250000, "fistrap": 400000.5},
            ),
        )
        for i, (slot, p) in enumerate(zip(SLOTS, PLACES))
    )
    view, problems = view_from_query(model, "?tab=gaps&gfocus=16")
    query = query_from_view(
        type(view)(
            view.lang, view.map, view.tab, view.gaps, view.scenario, records(saved)
        )
    )
    assert all(f"s{s.lower()}=" in query for s in SLOTS)
    again, problems = view_from_query(model, query)
    assert problems == []
    assert again.scenarios == records(saved)
    assert query_from_view(again) == query  # canonical: a reload writes the same link


def test_a_link_without_scenarios_decodes_as_before(model):
    query = "?tab=gaps&gservice=upe&km=50&glevel=district&gfocus=16&units=upe:160302&cost=upe:250000"
    view, problems = view_from_query(model, query)
    assert problems == [] and view.scenarios == []
    assert [u["place"] for u in view.scenario["units"]] == ["160302"] and view.scenario[
        "costs"
    ] == {"upe": 250000}
    assert (
        "sa=" not in query_from_view(view)
        and view_from_query(model, query_from_view(view))[0] == view
    )


@pytest.mark.parametrize(
    "value",
    [
        "A~upe:160302",  # too few parts
        "A~upe:160302~~~x",  # too many
        "A~upe~~",  # a unit without a place
        "A~upe:999999~~",  # a place that does not exist
        "A~care:160101~~",  # shelters are never planned as points
        "A~upe:160302~~upe:-5",  # a negative cost
        "A~upe:160302~~upe:abc",
    ],
)
def test_a_malformed_scenario_is_ignored_with_a_notice_and_the_rest_applies(
    model, value
):
    from urllib.parse import quote

    view, problems = view_from_query(
        model, f"?tab=gaps&gfocus=16&sa={quote(value)}&sb=Bueno~upe:160302~~"
    )
    assert "sa" in problems
    assert [s["slot"] for s in view.scenarios] == ["B"] and view.scenarios[0][
        "name"
    ] == "Bueno"
    assert view.gaps.focus == "16"


def test_the_notice_names_the_dropped_scenario_in_both_languages(model):
    from views.url import notice

    _, problems = view_from_query(model, "?sc=1&sa=broken")
    for lang in ("es", "en"):
        assert "sa" in str(notice(lang, problems).to_plotly_json())


def test_names_are_cleaned():
    assert clean_name("  Loreto\n~ UPE\x00 ", "A") == "Loreto - UPE"
    assert (
        clean_name("", "B") == "B"
        and clean_name(None, "C") == "C"
        and clean_name(7, "D") == "D"
    )
    assert len(clean_name("x" * 500, "A")) == 40


def test_forged_store_content_is_cleaned(model):
    saved, problems = scenarios_from(
        model,
        [
            {
                "slot": "A",
                "name": "<b>uno</b>",
                "units": [{"service": "upe", "place": "160302"}],
            },
            {"slot": "A", "name": "twice"},
            {"slot": "Z"},
            "junk",
            {
                "slot": "B",
                "units": [{"service": "upe", "place": "../../etc"}],
                "costs": {"upe": 10**400},
            },
        ],
    )
    assert [n.slot for n in saved] == ["A", "B"] and saved[1].scenario.units == ()
    assert set(problems) == {"scenarios", "sb"}
    assert scenarios_from(model, "x") == ((), ["scenarios"])
    assert scenarios_from(model, [{"slot": "A"}] * 10**4)[0][0].slot == "A"


def test_save_rename_duplicate_open_update_delete(model):
    one, two = plan(model, ("upe", "160302")), plan(model, ("sar", "210101"))
    saved, message, _ = edit((), "save", name="Loreto", current=one)
    assert (
        message == "scenarios.msg.saved"
        and saved[0].slot == "A"
        and saved[0].name == "Loreto"
    )
    assert edit(saved, "save", current=Scenario())[1] == "scenarios.msg.empty"
    saved, _, _ = edit(saved, "duplicate", slot="A")
    assert [(n.slot, n.name) for n in saved] == [("A", "Loreto"), ("B", "Loreto (2)")]
    saved, _, _ = edit(saved, "rename", slot="B", name="Puno")
    saved, message, _ = edit(saved, "update", slot="B", current=two)
    assert (
        message == "scenarios.msg.updated"
        and saved[1].scenario == two
        and saved[1].name == "Puno"
    )
    _, message, opened = edit(saved, "open", slot="B")
    assert opened == two
    saved, _, _ = edit(saved, "delete", slot="A")
    saved, _, _ = edit(saved, "save", current=one)  # the freed slot is used again
    assert [n.slot for n in saved] == ["A", "B"] and saved[0].name == "A"
    assert edit(saved, "open", slot="Q")[1] == "scenarios.msg.pick"
    for _ in range(4):
        saved, _, _ = edit(saved, "save", current=one)
    assert (
        len(saved) == 6 and edit(saved, "save", current=one)[1] == "scenarios.msg.full"
    )


@pytest.mark.parametrize("focus", ["16", ""])
def test_the_comparison_says_the_headline_numbers(model, focus):
    gs = GapState(service="upe", km=50, level="district", focus=focus)
    a, b = two_plans(model)
    rows = comparison(model, gs, (Named("A", "uno", a), Named("B", "dos", b)), "hoy")
    assert [r.slot for r in rows] == ["base", "A", "B"]
    assert rows[0].people["upe"] == 0 and rows[0].cost == 0
    for r, scenario in zip(rows[1:], (a, b)):
        change = headline(model, gs, compute(model, gs, scenario), "es").change
        assert f"+{fmt_number(r.people['upe'], 0, 'es')} personas" in change
        assert f"→ {fmt_number(r.pct_beyond, 1, 'es')} %" in change
    assert rows[1].cost == 650000 and rows[2].cost == 500000
    assert rows[1].cost_per_child == pytest.approx(650000 / rows[1].children["upe"])
    assert rows[1].people["fistrap"] > 0 and rows[2].people["fistrap"] == 0
    assert rows[1].concentration_change is not None


def test_a_type_without_cost_leaves_the_cost_unknown_not_zero(model):
    gs = GapState(service="upe", km=50, level="district", focus="16")
    rows = comparison(
        model, gs, (Named("A", "a", plan(model, ("upe", "160302"))),), "hoy"
    )
    assert rows[1].cost is None and rows[1].cost_per_child is None


def test_the_difference_map_shows_where_b_gains_and_loses(model):
    gs = GapState(service="upe", km=50, level="district", focus="16")
    a, b = plan(model, ("upe", "160302")), plan(model, ("upe", "160201"))
    frame = difference(model, gs, a, b)
    assert (frame["change"] > 0).any() and (frame["change"] < 0).any()
    assert frame.loc["160302", "change"] < 0 and frame.loc["160201", "change"] > 0
    assert difference(model, gs, a, a)["change"].abs().max() == 0


def test_the_difference_map_follows_the_newest_scenario():
    assert difference_pair(["A"], [], None, None) == ("base", "A")  # a link just opened
    assert difference_pair(["A", "B"], ["base", "A"], "base", "A") == (
        "A",
        "B",
    )  # B saved: B against A
    assert difference_pair(["A", "B"], ["base", "A", "B"], "B", "A") == (
        "B",
        "A",
    )  # the user's choice stays
    assert difference_pair(["B"], ["base", "A", "B"], "A", "B") == (
        "base",
        "B",
    )  # A deleted
    assert difference_pair(["A"], ["base", "A"], [1], {"x": 1}) == (
        "base",
        "A",
    )  # forged


def test_switching_back_to_a_scenario_reuses_its_figures_unchanged(model):
    from atlas.gaps import _compute
    from views.gaps import gap_update

    gs = GapState(service="upe", km=50, level="district", focus="16")
    a, b = two_plans(model)
    first = compute(model, gs, a)
    for scenario in (a, b, a):  # what the screen does with them must not change them
        gap_update(
            model,
            gs,
            None,
            2,
            [{"column_id": "name", "direction": "desc"}],
            "es",
            "/",
            scenario,
        )
    assert compute(model, gs, a) is first and compute(model, gs, b) is not first
    fresh = _compute(model, gs, a)
    assert (
        fresh.view.equals(first.view)
        and fresh.baseline.equals(first.baseline)
        and fresh.gains == first.gains
    )


def test_in_hours_mode_the_table_says_modelled_travel_time_not_kilometres(model):
    from reports.compare import comparison_csv
    from views.compare import comparison_note, comparison_table

    gs = GapState(service="upe", km=50, level="district", focus="16")
    a, _b = two_plans(model)
    rows = comparison(model, gs, (Named("A", "a", a),), "hoy")
    km_text = str(comparison_table(model, gs, rows, "es")) + comparison_note(gs, "es")
    assert "modelado" not in km_text and "+9" in km_text and "línea recta" in km_text
    hours = GapState(**{**gs.__dict__, "measure": "hours", "hours": 6.0})
    rows = comparison(model, hours, (Named("A", "a", a),), "hoy")
    for lang, said in (
        ("es", "tiempo de viaje modelado"),
        ("en", "modelled travel time"),
    ):
        text = str(comparison_table(model, hours, rows, lang)) + comparison_note(
            hours, lang
        )
        assert (
            said in text and "línea recta" not in text and "straight line" not in text
        )
        assert "(modelado)" in comparison_csv(model, hours, rows, "es").splitlines()[0]
    assert "a ≤ 6 h (modelado)" in str(comparison_table(model, hours, rows, "es"))


@pytest.mark.parametrize("focus", ["16", ""])
def test_in_hours_mode_each_row_says_the_hours_headline_numbers(model, focus):
    from atlas.hours import hours_available

    if not hours_available(model, "upe"):
        pytest.skip("no modelled travel time on this machine")
    gs = GapState(
        service="upe", km=50, level="district", focus=focus, measure="hours", hours=6.0
    )
    a, b = two_plans(model)
    rows = comparison(model, gs, (Named("A", "uno", a), Named("B", "dos", b)), "hoy")
    assert rows[0].people["upe"] == 0
    for r, scenario in zip(rows[1:], (a, b)):
        change = headline(model, gs, compute(model, gs, scenario), "es").change
        assert "tiempo de viaje modelado" in change
        assert f"+{fmt_number(r.people['upe'], 0, 'es')} personas" in change
        assert f"→ {fmt_number(r.pct_beyond, 1, 'es')} %" in change
    km_rows = comparison(
        model,
        GapState(service="upe", km=50, level="district", focus=focus),
        (Named("A", "uno", a),),
        "hoy",
    )
    assert km_rows[1].people["upe"] != rows[1].people["upe"]  # a different measure
    assert rows[1].people["fistrap"] > 0 and rows[2].people["fistrap"] == 0


def test_in_hours_mode_the_difference_map_counts_modelled_hours(model):
    from atlas.hours import hours_available, scenario_hours
    from views.compare import difference_figure

    if not hours_available(model, "upe"):
        pytest.skip("no modelled travel time on this machine")
    gs = GapState(
        service="upe", level="district", focus="16", measure="hours", hours=6.0
    )
    a, b = plan(model, ("upe", "160302")), plan(model, ("upe", "160201"))
    frame = difference(model, gs, a, b)
    within_b = scenario_hours(model, b.units, "upe") <= 6.0
    d = model.coverage.demand
    rural = (d.rural & (d.ubigeo == "160201")) * d.weight
    assert frame.loc["160201", "within_b"] == pytest.approx(
        float(rural[within_b].sum())
    )
    assert frame.loc["160201", "change"] > 0 and frame.loc["160302", "change"] < 0
    title = str(difference_figure(model, gs, frame, ("A", "B"), "es", "/"))
    assert "6 h o menos" in title and "tiempo de viaje modelado" in title
