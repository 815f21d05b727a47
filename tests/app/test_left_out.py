"""Who is left out on the Brechas tab (issue 14): children first, the named places beyond
reach (table, search, sort, map points, downloads), the load on each unit, equity, and the
rank as a range. Real data; the figures are the ones README explains."""

from __future__ import annotations

import io
import json

import openpyxl
import plotly
import pytest
from dash import Patch

from atlas import left_out
from atlas.gaps import GapState, compute, report_for
from atlas.headline import headline
from atlas.plan import Scenario, edit
from atlas.validate import search_text
from reports.brief_content import headline_lines, top_rows
from reports.gaps import export_csv
from reports.left_out import places_csv, places_xlsx
from tests.app.dash_requests import id_key
from tests.app.test_care_confidential import assert_clean, secrets  # noqa: F401 (fixture)
from tests.app.test_every_callback_output import EXTREME, HOSTILE, Walk
from views import ids
from views.gaps import gap_update
from views.left_out import (
    equity_figure,
    load_rows,
    place_columns,
    places_trace,
    places_update,
)
from views.map_figure import trace_index

LORETO = GapState(level="district", focus="16")


def drawn_of(model, gs, lang="es"):
    return gap_update(model, gs, None, 0, [], lang)[1]


def text_of(component) -> str:
    return json.dumps(
        component, default=lambda c: c.to_plotly_json(), ensure_ascii=False
    )


# -------------------------------------------------------------------------- children


def test_headline_leads_with_rural_children_then_people(model):
    words = headline(model, LORETO, compute(model, LORETO, Scenario()), "es")
    assert (
        words.lead == "107\u00a0857"
    )  # 264,167 rural people beyond x Loreto's 0-17 share (40.8 %)
    assert words.text.startswith(
        "niñas, niños y adolescentes rurales (est.) viven a más de 50 km"
    )
    assert "de 264\u00a0167 personas rurales fuera (84,0 %)" in words.text
    english = headline(model, LORETO, compute(model, LORETO, Scenario()), "en")
    assert (
        english.lead == "107,857"
        and "rural children and adolescents (est.)" in english.text
    )


def test_children_in_hover_table_and_exports_labelled_est(model):
    figure, _, _, _, rows, _, columns, *_ = gap_update(model, LORETO, None, 0, [], "es")
    value = figure["data"][2]
    i = value["locations"].index("160803")  # Teniente Manuel Clavero: everyone beyond
    assert value["text"][i].startswith(
        "744 niñas, niños y adolescentes rurales fuera (est.)"
    )
    assert any(
        c["id"] == "rural_children_beyond" and "(est.)" in c["name"] for c in columns
    )
    assert rows[0]["rural_children_beyond"] == "744"
    text = export_csv(model, LORETO, report_for(model, LORETO), "es")
    header = text.splitlines()[0]
    assert (
        "Niñas, niños y adol. rurales fuera (est.)" in header
        and "Puesto, peor caso (95 %)" in header
    )


# ----------------------------------------------------------------------- named places


def test_named_places_of_loreto_add_up_to_the_headline(model):
    table = left_out.named_places(model, LORETO, left_out.reach_for(model, LORETO))
    assert len(table) == 1928  # rural_centres_beyond of Loreto, UPE, 50 km
    assert table["people"].sum() == pytest.approx(264_167, abs=1)
    assert table["children"].sum() == pytest.approx(107_857, abs=1)
    assert (table["km_to_nearest"] > 50).all() and table[
        "km_to_nearest"
    ].is_monotonic_decreasing
    assert (
        table.iloc[0]["name"] == "TRES FRONTERAS"
        and table.iloc[0]["province"] == "Putumayo"
    )
    assert (
        left_out.named_places(model, GapState(), left_out.reach_for(model, GapState()))
        is None
    )  # Peru: no list


def test_lima_provincias_list_leaves_out_lima_metropolitana(model):
    provincias = GapState(level="district", focus="159900")
    table = left_out.named_places(
        model, provincias, left_out.reach_for(model, provincias)
    )
    assert len(table) and not table["ubigeo"].str.startswith("1501").any()
    assert table["ubigeo"].str.startswith("15").all()


def test_search_ignores_accents_and_case_and_sorting_is_by_column(model):
    reach = left_out.reach_for(model, LORETO)
    rows, pages, summary = places_update(model, LORETO, reach, "maranon", 0, [], "es")
    assert rows and all(
        r["province"] == "Datem del Marañón" or "MARAÑ" in r["name"] for r in rows
    )
    assert "coinciden con «maranon»" in summary
    rows, _, _ = places_update(
        model, LORETO, reach, "", 0, [{"column_id": "name", "direction": "asc"}], "es"
    )
    names = [r["name"] for r in rows]
    assert names == sorted(names)
    rows, pages, _ = places_update(model, LORETO, reach, "zzzz-nothing", 0, [], "es")
    assert rows == [] and pages == 1
    # forged page and sort fall back to the first page, farthest first
    rows, _, _ = places_update(
        model, LORETO, reach, "", 10**9, [{"column_id": "<script>"}], "es"
    )
    assert rows[0]["name"] == "TRES FRONTERAS"


def test_forged_search_searches_nothing_with_a_reason():
    assert search_text("  Nauta ") == ("Nauta", None)
    for forged in (["a"], {"x": 1}, 10**400, "x" * 61, True):
        text, problem = search_text(forged)
        assert text == "" and problem is not None


def test_places_are_points_on_the_district_map_and_light(model, secrets):  # noqa: F811
    figure, drawn, *_ = gap_update(model, LORETO, None, 0, [], "es")
    points = figure["data"][drawn["plan_trace"]]
    assert points["type"] == "scattermap" and len(points["lat"]) == 1928
    assert all(round(x, 3) == x for x in points["lat"][:50])  # rounded, about 100 m
    body = json.dumps(points, ensure_ascii=False)
    assert (
        len(body.encode()) < 160_000
    )  # ~133 KB raw, ~26 KB gzipped (bench/RESULTS.md)
    assert_clean(json.dumps({"data": [points]}), secrets)
    # at province level, or without a focus, no points are drawn
    province = gap_update(
        model, GapState(level="province", focus="16"), None, 0, [], "es"
    )
    assert province[0]["data"][province[1]["plan_trace"]]["lat"] == []


def test_a_new_unit_shortens_the_list_on_the_map_and_in_the_table(model):
    scenario, _ = edit(
        model, Scenario(), "add", service="upe", place="160302"
    )  # Parinari's capital
    before = left_out.named_places(model, LORETO, left_out.reach_for(model, LORETO))
    after = left_out.named_places(
        model, LORETO, left_out.reach_for(model, LORETO, scenario)
    )
    assert 0 < len(after) < len(before)
    _, drawn, *_ = gap_update(model, LORETO, None, 0, [], "es")
    patch = gap_update(model, LORETO, drawn, 0, [], "es", "/", scenario)[0]
    assert isinstance(patch, Patch)
    ops = [
        o
        for o in patch.to_plotly_json()["operations"]
        if o["location"][:3] == ["data", drawn["plan_trace"], "lat"]
    ]
    assert len(ops) == 1 and len(ops[0]["params"]["value"]) == len(after)


def test_place_downloads_hold_every_place_with_method(model):
    table = left_out.named_places(model, LORETO, left_out.reach_for(model, LORETO))
    text = places_csv(table, "es")
    lines = text.strip().splitlines()
    assert lines[0] == (
        "\ufeffCódigo INEI,Centro poblado,UBIGEO,Distrito,Provincia,Departamento,Personas (est.),"
        "Niñas, niños y adol. (est.),km a la unidad más cercana,Latitud,Longitud".replace(
            "Niñas, niños y adol. (est.)", '"Niñas, niños y adol. (est.)"'
        )
    )
    assert len(lines) == 1 + 1928
    book = openpyxl.load_workbook(io.BytesIO(places_xlsx(model, LORETO, table, "en")))
    assert book.sheetnames == ["Places beyond reach", "Method and sources"]
    assert book["Places beyond reach"].max_row == 1 + 1928
    method = " ".join(
        str(c.value) for row in book["Method and sources"].iter_rows() for c in row
    )
    assert "0-17" in method and "50 km" in method


# -------------------------------------------------------------------------------- load


def test_iquitos_upe_load_in_table_and_hover(model):
    rows = load_rows(model, LORETO, "es")
    assert len(rows) == 1 and rows[0]["name"] == "UPE - Loreto"
    assert (
        rows[0]["children_in_catchment"] == "210\u00a0098"
    )  # README: about 210,100 at 50 km
    national = load_rows(model, GapState(), "en")
    assert (
        len(national) == 10 and national[0]["department"] == "Lima"
    )  # Lima's overlapping UPEs, 2.6 M each
    chain = load_rows(model, GapState(service="chain", focus="16"), "es")
    assert {r["name"].split(" · ")[0] for r in chain} == {
        "UPE",
        "FISTRAP",
        "PNP trata",
    }  # each member's units, named
    figure, *_ = gap_update(model, LORETO, None, 0, [], "es")
    upe = [
        figure["data"][i]
        for i in trace_index(model)["upe"]
        if figure["data"][i].get("name") != "halo"
    ]
    loaded = [cd for trace in upe for cd in trace["customdata"]]
    assert ["upe:UPE009", "210\u00a0098"] in loaded and all(
        isinstance(cd[0], str) for cd in loaded
    )
    assert "Carga: %{customdata[1]}" in upe[0]["hovertemplate"]


# ------------------------------------------------------------------------------ equity


def test_equity_national_figures_and_chart(model):
    found = left_out.equity(model, GapState(), left_out.reach_for(model, GapState()))
    sentences = left_out.equity_sentences(found, "es")
    assert (
        sentences[0].startswith("El quintil más pobre: 75,5 % ")
        and "el menos pobre: 49,7 %" in sentences[0]
    )
    assert "-0,072" in sentences[0] and "Selva 85,7 %" in sentences[1]
    figure = equity_figure(found, "es")
    assert [t["type"] for t in figure["data"]] == ["bar", "scatter", "scatter", "bar"]
    assert figure["data"][0]["y"] == [75.5, 73.3, 70.2, 68.8, 49.7]
    assert "IC -0,072" in json.dumps(
        figure["layout"]["annotations"], ensure_ascii=False
    )
    assert (
        equity_figure(None, "en")["layout"]["annotations"][0]["text"]
        == "No equity figure for this view."
    )


# ------------------------------------------------------------------------- rank ranges


def test_rank_is_a_range_in_table_and_brief_with_the_uncertain_flagged(model):
    view = report_for(model, LORETO)
    ranked = view.dropna(subset=["rank"])
    assert (
        (ranked["rank_low"] <= ranked["rank"]) & (ranked["rank"] <= ranked["rank_high"])
    ).all()
    first = view.sort_values("rank").iloc[0]
    assert first["rank_label"] == "1 (1–2)"
    flagged = view[view["top10_uncertain"]]
    assert (
        len(flagged)
        and ((flagged["rank_low"] <= 10) & (flagged["rank_high"] > 10)).all()
    )
    _, rows = top_rows(model, LORETO, Scenario(), "es")
    assert rows[0][0] == "1 (1–2)" and any(r[0].endswith("\u00a0*") for r in rows)
    headline_text, _ = headline_lines(model, LORETO, Scenario(), "es")
    assert headline_text[0].startswith(
        "107\u00a0857 niñas, niños y adolescentes rurales (est.)"
    )
    assert any(line.startswith("El quintil más pobre:") for line in headline_text)


# --------------------------------------------------------------------------- callbacks


def left_out_callbacks(requests_):
    return [cb for cb in requests_.callbacks if "left-out" in cb.output]


def test_callbacks_follow_the_drawn_view_and_survive_forged_arguments(
    requests_,
    app,
    secrets,  # noqa: F811
):
    model = app.cobertura_model
    callbacks = left_out_callbacks(requests_)
    assert len(callbacks) == 3
    walk = Walk(requests_, secrets)
    drawn = drawn_of(model, LORETO)
    for callback in callbacks:
        base = {(id_key(c), p): None for c, p in callback.args}
        base[(id_key(ids.GAP_DRAWN), "data")] = drawn
        base[(id_key(ids.LANG), "value")] = "es"
        walk.check(callback, base)
        for key in list(base):
            for value in (
                HOSTILE
                + EXTREME
                + [{"values": ["upe", 10**400, "pct", [1, 1, 1, 1]], "focus": "16"}]
            ):
                walk.check(callback, {**base, key: value}, hostile=True)
    assert walk.failures == [], "\n".join(walk.failures[:20])
    places = next(cb for cb in callbacks if "left-out-places.data" in cb.output)
    status, text = requests_.call(
        places,
        {
            (id_key(ids.GAP_DRAWN), "data"): drawn,
            (id_key(ids.LANG), "value"): "es",
            (id_key(ids.LO_PLACES_SEARCH), "value"): "tres",
        },
    )
    assert status == 200
    response = json.loads(text)["response"]
    assert (
        len(response[ids.LO_PLACES_TABLE]["data"]) == 7
    )  # seven places called "Tres ..."
    assert "7 de 1\u00a0928 coinciden" in response[ids.LO_PLACES_SUMMARY]["children"]


def test_place_points_never_near_a_shelter_in_the_focus_departments(model, secrets):  # noqa: F811
    for focus in ("15", "08", "16", "21", "17", "150100", "159900"):
        gs = GapState(level="district", focus=focus)
        trace = places_trace(model, gs, left_out.reach_for(model, gs), "es")
        assert_clean(
            json.dumps(
                {"data": [trace]},
                cls=plotly.utils.PlotlyJSONEncoder,
                ensure_ascii=False,
            ),
            secrets,
        )


def test_who_is_left_out_follows_the_hours_measure(model):
    """In modelled hours the list, summary, headline and ranks compare hours with the hour
    threshold; no modelled access is said in words and counts as beyond."""
    if "measure" not in GapState.__dataclass_fields__:
        pytest.skip("the km/hours measure switch is not in this tree")
    gs = GapState(level="district", focus="16", measure="hours", hours=12.0)
    reach = left_out.reach_for(model, gs)
    assert reach.unit == "h" and reach.threshold == 12.0
    table = left_out.named_places(model, gs, reach)
    assert len(table) and (table["km_to_nearest"] > 12).all()
    rows, _, summary = places_update(model, gs, reach, "", 0, [], "es")
    assert "a más de 12 h de UPE (tiempo de viaje modelado)" in summary
    assert (
        rows[0]["km_to_nearest"] == "sin acceso modelado"
    )  # farthest first: no access at all
    words = headline(model, gs, compute(model, gs, Scenario()), "es")
    assert (
        "niñas, niños y adolescentes rurales (est.) viven a más de 12 h" in words.text
    )
    assert place_columns("es", "h")[-1]["name"].startswith("Horas")
    view = report_for(model, gs)
    ranked = view.dropna(subset=["rank"])
    assert (
        (ranked["rank_low"] <= ranked["rank"]) & (ranked["rank"] <= ranked["rank_high"])
    ).all()
