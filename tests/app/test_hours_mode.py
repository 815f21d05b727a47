"""Brechas in modelled travel hours (issue 13): state, URL, figures, words, scenario, profile."""

import copy
import io
import json
import re

import numpy as np
import openpyxl
import pytest

from analysis.travel.engine import Points
from atlas.gaps import GapState, compute, gap_state, table_page
from atlas.headline import headline
from atlas.hours import DEFAULT_HOURS, hours_choice, nearest_trips, scenario_hours
from atlas.plan import Scenario, edit, message_text
from atlas.url import query_from_view, view_from_query
from reports.gaps import export_csv, export_xlsx
from tests.app.test_every_callback_output import domain, plain_map, secrets  # noqa: F401 (fixtures)
from views.gaps import gap_update, gaps_tab
from views.hours import travel_section

LORETO_HOURS = GapState(
    service="upe", level="district", focus="16", measure="hours", hours=6.0
)


def texts(node) -> str:
    return json.dumps(
        node.to_plotly_json() if hasattr(node, "to_plotly_json") else node,
        default=str,
        ensure_ascii=False,
    )


FORGED_HOURS = [  # value, what the notice says
    (1e6, "1\u00a0000\u00a0000 está fuera del rango 1–72; se usó 72."),
    (-1, "-1 está fuera del rango 1–72; se usó 1."),
    ("abc", "«abc» no es un número; se usó 6."),
    (float("nan"), "no es un número; se usó 6."),
    (float("inf"), "no es un número; se usó 6."),
    (True, "«True» no es un número; se usó 6."),
    (10**400, "no es un número; se usó 6."),
]


@pytest.mark.parametrize("forged, said", FORGED_HOURS)
def test_forged_hours_get_the_clear_bound(model, forged, said):
    gs, problems = gap_state(
        model, "upe", 50, "district", "16", None, None, "hours", forged
    )
    assert "hours" in problems and 1 <= gs.hours <= 72 and gs.measure == "hours"
    used, problem = hours_choice(forged)
    assert used == gs.hours
    text = problem.text("es", name="Umbral en horas")
    assert text.startswith("Umbral en horas: ") and text.endswith(said)


def test_hours_inside_the_bound_are_kept_and_out_of_range_clamped(model):
    assert gap_state(model, measure="hours", hours=12)[0].hours == 12.0
    assert gap_state(model, measure="hours", hours="1,5")[0].hours == 1.5
    assert gap_state(model, measure="hours", hours=1e6)[0].hours == 72.0
    assert gap_state(model, measure="hours", hours=-1)[0].hours == 1.0
    assert gap_state(model, measure="hours")[0].hours == DEFAULT_HOURS
    gs, problems = gap_state(model, measure="minutes")
    assert gs.measure == "km" and problems == ["measure"]


def test_without_the_travel_index_hours_fall_back_to_km_and_are_offered_disabled(model):
    bare = copy.copy(model)
    bare.travel = None
    gs, problems = gap_state(bare, "upe", 50, "district", "16", None, None, "hours", 6)
    assert gs.measure == "km" and "measure" in problems
    tab = texts(gaps_tab(bare, "es", gs))
    assert "El tiempo de viaje modelado no está disponible" in tab
    switch = next(
        c
        for c in _walk(gaps_tab(bare, "es", gs))
        if getattr(c, "id", None) == "gap-measure"
    )
    assert [o["disabled"] for o in switch.options if o["value"] == "hours"] == [True]
    _, _, head, *_ = gap_update(bare, gs, None, 0, [], "es")  # km, never a crash
    assert "en línea recta" in texts(head)


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    for child in (
        children
        if isinstance(children, (list, tuple))
        else ([children] if children is not None else [])
    ):
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_hours_view_round_trips_through_the_url(model):
    query = "?metric=poverty_2018&year=2018&tab=gaps&gservice=upe&km=50&glevel=district&gfocus=16&measure=hours&hours=6"
    view, problems = view_from_query(model, query)
    assert problems == [] and view.gaps == LORETO_HOURS
    assert query_from_view(view) == query
    view, problems = view_from_query(model, "?tab=gaps&measure=hours&hours=1e6")
    assert view.gaps.hours == 72.0 and "hours" in problems


@pytest.mark.parametrize(
    "query",
    [  # as main wrote them before hours existed
        "?metric=poverty_2018&year=2018",
        "?metric=poverty_2018&year=2018&tab=gaps&gservice=upe&km=50&glevel=department",
        "?metric=poverty_2018&year=2018&tab=gaps&gservice=upe&km=120&glevel=district&gfocus=16&units=upe:160302&cost=upe:250000",
        (
            "?level=district&focus=08&metric=poverty_2018&year=2018&tab=gaps&gservice=chain&km=75&glevel=province"
            "&gfocus=08&gcolour=index&w=0,1,2,3"
        ),
    ],
)
def test_km_links_read_and_write_exactly_as_before(model, query):
    view, problems = view_from_query(model, query)
    assert problems == [] and view.gaps.measure == "km"
    assert query_from_view(view) == query
    assert "measure" not in query_from_view(view) and "hours" not in query_from_view(
        view
    )


def test_headline_says_hours_modelled_and_the_speed_range(model):
    computed = compute(model, LORETO_HOURS, Scenario())
    low, high = computed.speed_range
    pct = (
        100
        * computed.view["rural_beyond"].sum()
        / computed.view["rural_population"].sum()
    )
    assert low <= pct <= high and low < high  # fast speeds: fewer people beyond
    words = headline(model, LORETO_HOURS, computed, "es")
    assert (
        "6 h" in words.text
        and "tiempo de viaje modelado" in words.text
        and "velocidades centrales" in words.text
    )
    assert f"({round(low)}–{round(high)} %)" in words.text
    assert "km" not in words.text
    assert words.no_access and "sin acceso modelado" not in words.lead


def test_a_threshold_in_hours_changes_the_figures(model):
    six = compute(model, LORETO_HOURS, Scenario()).view["rural_beyond"].sum()
    longer = GapState(**{**LORETO_HOURS.__dict__, "hours": 24.0})
    assert compute(model, longer, Scenario()).view["rural_beyond"].sum() < six


def test_no_modelled_access_is_words_never_a_number(model):
    computed = compute(model, LORETO_HOURS, Scenario())
    view = computed.view
    assert np.isinf(
        view["median_hours"]
    ).any()  # Loreto has districts with no modelled access
    rows, _ = table_page(
        view,
        LORETO_HOURS,
        0,
        [{"column_id": "median_hours", "direction": "desc"}],
        "es",
    )
    medians = [r["median_hours"] for r in rows]
    assert "sin acceso modelado" in medians and not any("inf" in m for m in medians)
    csv = export_csv(model, LORETO_HOURS, view, "es")
    assert "Mediana horas" in csv and "inf" not in csv.lower().replace("informa", "")
    assert "sin acceso modelado" in csv


def test_map_table_and_exports_are_in_hours(model):
    figure, drawn, _head, caveats, _rows, _pages, columns, *_ = gap_update(
        model, LORETO_HOURS, None, 0, [], "es"
    )
    assert drawn["measure"] == "hours" and drawn["hours"] == 6.0
    assert "Tiempo de viaje modelado (velocidades centrales)" in texts(caveats)
    assert "median_hours" in [c["id"] for c in columns] and "median_km" not in [
        c["id"] for c in columns
    ]
    title = json.dumps(figure["data"], ensure_ascii=False)
    assert "6 h" in title and "tiempo de viaje modelado" in title
    book = openpyxl.load_workbook(
        io.BytesIO(
            export_xlsx(
                model, LORETO_HOURS, compute(model, LORETO_HOURS, Scenario()).view, "es"
            )
        )
    )
    method = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert method["Umbral"].startswith("6 h") and "modelado" in method["Umbral"]


def test_a_hypothetical_unit_changes_hours_as_a_full_recomputation_would(model):
    unit = model.places.unit("upe", "160301")  # Nauta
    raw = scenario_hours(model, (unit,), "upe")
    travel = model.travel
    sites = travel.sites("upe")
    with_unit = Points(
        np.r_[sites.lat, unit.lat],
        np.r_[sites.lon, unit.lon],
        np.r_[
            sites.region, travel.region_at(np.array([unit.lat]), np.array([unit.lon]))
        ],
    )
    full = travel.model("central").raw_hours(with_unit)
    assert np.allclose(
        np.where(np.isinf(raw), -1, raw), np.where(np.isinf(full), -1, full), atol=1e-6
    )
    assert (raw <= travel.raw("upe")).all() and (raw < travel.raw("upe")).sum() > 100
    computed = compute(model, LORETO_HOURS, Scenario((unit,)))
    assert computed.gains[0] > 1000
    words = headline(model, LORETO_HOURS, computed, "es")
    assert "6 h o menos" in words.change and "modelado" in words.change


def test_suggestions_in_hours_cover_rural_people_within_the_hours(model):
    suggestion = {
        "service": "upe",
        "n": 2,
        "departments": ["16"],
        "measure": "hours",
        "hours": 6,
    }
    scenario, message = edit(model, Scenario(), "suggest", suggestion=suggestion)
    assert message is None and len(scenario.units) == 2
    gains = compute(model, LORETO_HOURS, scenario).gains
    assert all(g > 0 for g in gains) and gains[0] >= gains[1]
    for forged in (1e6, -1, "abc", float("nan")):
        same, message = edit(
            model, Scenario(), "suggest", suggestion={**suggestion, "hours": forged}
        )
        assert (
            same == Scenario()
            and message_text("es", message)
            == "El umbral debe estar entre 1 y 72 horas."
        )


def test_profile_gives_each_service_by_travel_time_with_legs_and_straight_km(model):
    area = model.geo.area("district", "160601")  # Contamana, Loreto: by river
    trips = {
        trip.service: trip
        for trip in nearest_trips(model, float(area["lat"]), float(area["lon"]))
    }
    assert {"upe", "fistrap", "pnp_trata", "cem", "sar", "care"} <= set(trips)
    upe = trips["upe"].route
    assert upe.hours > 5 and any(leg.mode.startswith("river") for leg in upe.legs)
    assert "bote río" in upe.text("es") and " · " in upe.text("es")
    assert trips["upe"].km_straight < upe.km_network
    shown = texts(travel_section(model, area, "es"))
    assert (
        "Servicio más cercano por tiempo de viaje (modelado)" in shown
        and "en línea recta" in shown
    )


def test_map_layer_median_hours_is_modelled_and_longer_in_loreto_than_lima(model):
    state, problems = model.state(level="department", metric="travel_hours_upe")
    assert problems == [] and state.metric == "travel_hours_upe"
    layer, metric = model.lookup("travel_hours_upe")
    assert (
        "modelado" in metric.title["es"]
        and "modelled" in metric.unit["en"]
        and layer.provenance.url
    )
    values = model.area_values(
        "travel_hours_upe",
        "department",
        "2023",
        model.area_table("department", "").index,
    )
    assert values.loc["16", "value"] > 3 * values.loc["15", "value"]
    assert (
        values[["low", "high"]].isna().all().all()
    )  # never shown as a confidence interval


def test_forged_hours_through_the_gaps_callback_get_a_notice_not_a_crash(requests_):
    callback = next(
        cb for cb in requests_.callbacks if cb.output.startswith("..gap-map.figure")
    )
    for forged, said in FORGED_HOURS[:3] + [(None, None)]:
        status, text = requests_.call(
            callback,
            {
                ("gap-service", "value"): "upe",
                ("gap-km", "value"): 50,
                ("gap-level", "value"): "district",
                ("gap-focus", "value"): "16",
                ("gap-colour", "value"): "pct",
                ("gap-measure", "value"): "hours",
                ("gap-hours", "value"): forged,
                ("lang", "value"): "es",
            },
            changed=["gap-hours.value"],
        )
        assert status == 200, text[:300]
        body = json.loads(text)["response"]
        head = json.dumps(body["gap-headline"]["children"], ensure_ascii=False)
        assert "tiempo de viaje modelado" in head
        assert re.search(
            r"el \d+,\d %\((\d+)–(\d+) %\)|el \d+,\d % \((\d+)–(\d+) %\)", head
        ), head
        assert "no tienen acceso modelado en 7 días" in head
        if said is None:
            assert "Umbral en horas" not in head
        else:
            assert f"Umbral en horas: {said}" in head


def test_the_brief_in_hours_says_hours_modelled_with_the_range(model):
    from reports.brief_content import file_name, make_brief
    from tests.app.test_brief import pdf_text

    unit = model.places.unit("upe", "160301")
    pdf, problem = make_brief(model, LORETO_HOURS, Scenario((unit,)), "es", "")
    assert problem is None
    pages, text, _ = pdf_text(pdf)
    flat = " ".join(text.split())
    assert pages == 1
    for phrase in (
        "umbral 6 h de tiempo de viaje modelado (velocidades centrales)",
        "a más de 6 h de UPE",
        "a 6 h o menos (tiempo de viaje modelado)",
        "Mediana horas",
        "Tiempo de viaje modelado",
    ):
        assert phrase in flat, phrase
    assert re.search(r"\(\d+–\d+ %\)", flat)
    assert (
        file_name(LORETO_HOURS, "resumen", "pdf")
        == "cobertura-resumen-upe-6h-district-16.pdf"
    )


def test_the_largest_legal_suggestion_by_hours_searches_from_a_bounded_number_of_candidates(
    model, monkeypatch
):
    import analysis.travel.suggest as travel_suggest
    from atlas.hours import MAX_HOURS_CANDIDATES

    seen = []
    real = travel_suggest.suggest_hours

    def counting(travel, service, hours, departments, candidates, n, **options):
        seen.append(len(candidates))
        return real(travel, service, hours, departments, candidates, n, **options)

    monkeypatch.setattr(travel_suggest, "suggest_hours", counting)
    every = list(model.geo.codes("department"))
    suggestion = {
        "service": "upe",
        "n": 20,
        "departments": every,
        "candidates": "centres",
        "min_size": 0,
        "measure": "hours",
        "hours": 72,
    }
    scenario, message = edit(model, Scenario(), "suggest", suggestion=suggestion)
    assert seen and seen[0] <= MAX_HOURS_CANDIDATES
    assert (
        len(scenario.units) == 20
        and message[0] == "plan.msg.grouped"
        and message[1]["cell"] >= 5
    )


def test_hostile_and_extreme_values_in_the_hours_inputs_get_no_traceback(
    requests_,
    domain,  # noqa: F811
    secrets,  # noqa: F811
    plain_map,  # noqa: F811
):
    """The callback walk (tests/app/test_every_callback_output.py) on the two new inputs only:
    every callback that takes the measure or the hour threshold, each hostile and extreme value."""
    from tests.app.dash_requests import id_key
    from tests.app.test_every_callback_output import (
        EXTREME,
        HOSTILE,
        Walk,
        representative_sets,
    )

    walk = Walk(requests_, secrets)
    new = {("gap-measure", "value"), ("gap-hours", "value")}
    taking = [
        cb for cb in requests_.callbacks if new & {(id_key(c), p) for c, p in cb.args}
    ]
    assert (
        len(taking) >= 4
    )  # gaps view, threshold boxes, scenario edit and both exports
    for callback in taking:
        base = {
            **representative_sets(callback, requests_, domain)[0],
            ("gap-measure", "value"): "hours",
        }
        for key in new & {(id_key(c), p) for c, p in callback.args}:
            for value in HOSTILE + EXTREME:
                walk.check(callback, {**base, key: value}, hostile=True)
    assert walk.failures == [], "\n".join(walk.failures[:20])
    assert walk.calls >= 4 * 25


def test_the_speed_range_with_a_unit_matches_full_searches_at_every_legal_threshold(
    model,
):
    """Low/high searches stop at 72 h (the largest threshold): the range must still be exact."""
    from atlas.hours import share_beyond

    unit = model.places.unit("upe", "160301")
    travel = model.travel
    sites = travel.sites("upe")
    region = travel.region_at(np.array([unit.lat]), np.array([unit.lon]))
    with_unit = Points(
        np.r_[sites.lat, unit.lat],
        np.r_[sites.lon, unit.lon],
        np.r_[sites.region, region],
    )
    codes = model.area_table("district", "16").index
    for variant in ("low", "high"):
        full = travel.model(variant).raw_hours(with_unit)
        fast = scenario_hours(model, (unit,), "upe", variant)
        for hours in (1.0, 6.0, 30.0, 72.0):
            gs = GapState(
                service="upe",
                level="district",
                focus="16",
                measure="hours",
                hours=hours,
            )
            assert share_beyond(model, gs, fast, codes) == pytest.approx(
                share_beyond(model, gs, full, codes)
            )


def test_a_suggestion_in_hours_keeps_the_scenarios_own_units_fixed(model):
    suggestion = {
        "service": "upe",
        "n": 1,
        "departments": ["16"],
        "measure": "hours",
        "hours": 6,
    }
    alone, _ = edit(model, Scenario(), "suggest", suggestion=suggestion)
    best = alone.units[0]  # the best first site by hours
    placed = model.places.unit("upe", best.place)  # the same place, added by hand
    with_it, message = edit(
        model, Scenario((placed,)), "suggest", suggestion=suggestion
    )
    assert (
        message is None
        and with_it.units[0] == placed
        and with_it.units[1].place != best.place
    )
    assert compute(model, LORETO_HOURS, with_it).gains[1] > 0


def test_the_brief_download_from_the_page_is_in_hours_when_the_view_is(
    requests_,
    plain_map,  # noqa: F811
):
    import base64

    from tests.app.test_brief import pdf_text

    callback = next(cb for cb in requests_.callbacks if "brief-download" in cb.output)
    values = {
        ("brief-pdf", "n_clicks"): 1,
        ("lang", "value"): "es",
        ("gap-service", "value"): "upe",
        ("gap-level", "value"): "district",
        ("gap-focus", "value"): "16",
        ("gap-measure", "value"): "hours",
        ("gap-hours", "value"): 6,
    }
    status, text = requests_.call(callback, values, changed=["brief-pdf.n_clicks"])
    assert status == 200, text[:300]
    answer = json.loads(text)["response"]["brief-download"]["data"]
    _, page, _ = pdf_text(base64.b64decode(answer["content"]))
    assert "tiempo de viaje modelado" in " ".join(page.split()) and answer[
        "filename"
    ].endswith("6h-district-16.pdf")


def test_the_colour_bar_title_wraps_so_its_box_does_not_cover_the_map(model):
    """The hours unit is long; plotly draws the bar's white box as wide as the longest title
    line, which covered the west half of Loreto before the title wrapped."""
    figure, *_ = gap_update(model, LORETO_HOURS, None, 0, [], "es")
    bars = [
        trace["colorbar"]
        for trace in figure["data"]
        if trace.get("colorbar", {}).get("title")
    ]
    assert bars
    for bar in bars:
        lines = bar["title"]["text"].split("<br>")
        assert (
            "modelado" in bar["title"]["text"]
            and max(len(line) for line in lines) <= 24
        ), lines


def test_comparison_hours_bounded_near_the_threshold_match_full_searches(model):
    """The comparison's searches stop near the threshold (atlas.hours.member_within): who is
    within the threshold must be exactly who a full search says, at every bound and above."""
    from atlas.hours import WITHIN_BOUNDS, member_hours, member_within

    travel = model.travel
    units = tuple(model.places.unit("upe", p) for p in ("160501", "160701", "160801"))
    sites = travel.sites("upe")
    lat, lon = np.array([u.lat for u in units]), np.array([u.lon for u in units])
    full = travel.model("central").raw_hours(
        Points(
            np.r_[sites.lat, lat],
            np.r_[sites.lon, lon],
            np.r_[sites.region, travel.region_at(lat, lon)],
        )
    )
    today = travel.raw("upe")
    for hours in (1.0, 2.5, 6.0, 11.0, 24.0, 30.0):
        found = member_within(model, "upe", units, hours)
        assert ((found <= hours) == (full <= hours)).all(), hours
        assert ((found <= hours) & (today > hours)).sum() > 0, (
            hours
        )  # the units reach people
    for bound in WITHIN_BOUNDS:  # every bound searched, none of them a full search
        assert model.memo_peek(("member_within", "upe", bound, units)) is not None
    exact = model.memo_peek(("member_hours", "upe", "central", units))
    assert exact is not None  # 30 h: above the last bound, the exact hours
    assert (
        member_within(model, "upe", units, 6.0) is exact
    )  # kept exact hours are reused
    assert member_hours(model, "upe", "central", units) is exact
