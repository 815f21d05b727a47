"""Map callbacks as plain functions: a new level sends a figure, a metric switch a Patch."""

import json

import plotly
import pytest
from dash import Patch

from views.map import FULL, drawn_record, map_update, plan_update
from views.map_figure import BASE, CARE, CONTEXT, FIRST_SERVICE_TRACE, VALUE, build_figure, trace_index
from atlas.model import MapState


def patch_paths(patch: Patch) -> list[tuple]:
    return [tuple(op["location"]) for op in patch._operations]


def test_metric_switch_returns_a_patch_not_a_figure(model):
    before = MapState(level="province", metric="poverty_2018", year="2018")
    after = MapState(level="province", metric="rural_share", year="2023")
    out, drawn = map_update(model, drawn_record(before, "es"), after, "es")
    assert isinstance(out, Patch)
    paths = patch_paths(out)
    assert all(p[:2] in (("data", VALUE), ("data", BASE)) for p in paths)
    assert ("data", VALUE, "z") in paths
    assert not any("geojson" in p or "locations" in p for p in paths)
    assert drawn["metric"] == "rural_share"


def test_metric_patch_is_small(model):
    before = MapState(level="district", metric="poverty_2018", year="2018")
    after = MapState(level="district", metric="rural_population", year="2023")
    out, _ = map_update(model, drawn_record(before, "es"), after, "es")
    body = json.dumps(out.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert len(body) < 200_000  # ~1,891 values and labels, no geometry


def test_level_or_language_change_sends_the_whole_figure(model):
    state = MapState(level="department")
    assert plan_update(drawn_record(state, "es"), MapState(level="district"), "es") == FULL
    assert plan_update(drawn_record(state, "es"), state, "en") == FULL
    assert plan_update(None, state, "es") == FULL
    assert plan_update("forged", state, "es") == FULL
    assert plan_update(drawn_record(state, "es"), state, "es") == set()


def test_full_figure_points_at_cached_geometry(model):
    fig = build_figure(model, MapState(level="district", focus="16"), "es")
    value = fig["data"][VALUE]
    assert isinstance(value["geojson"], str) and value["geojson"].startswith("/geo/district-16.json")
    loreto = [c for c in model.geo.codes("district") if c.startswith("16")]
    assert value["locations"] == loreto
    assert len(value["z"]) == len(loreto) == len(value["customdata"])
    assert fig["data"][CONTEXT]["locations"] and "16" not in fig["data"][CONTEXT]["locations"]
    assert fig["layout"]["map"]["zoom"] > 5


def test_sin_dato_areas_have_no_colour_and_say_so(model):
    fig = build_figure(model, MapState(level="district", metric="poverty_2018", year="2018"), "es")
    value = fig["data"][VALUE]
    i = value["locations"].index("080915")  # newer than the 2018 map
    assert value["z"][i] is None
    assert value["text"][i] == "sin dato"
    fig_en = build_figure(model, MapState(level="district", metric="poverty_2018", year="2018"), "en")
    assert fig_en["data"][VALUE]["text"][i] == "no data"


def test_hover_carries_name_code_value_and_service_counts(model):
    fig = build_figure(model, MapState(level="department", metric="poverty_2018", year="2018"), "es")
    value = fig["data"][VALUE]
    i = value["locations"].index("16")
    code, name, counts = value["customdata"][i]
    assert (code, name) == ("16", "Loreto")
    assert "UPE 1" in counts and "CEM" in counts and "CARE 2" in counts
    assert value["text"][i].endswith("% de la población")
    elsewhere = value["customdata"][value["locations"].index("04")][2]
    assert "DEMUNA s/d" in elsewhere  # the DEMUNA registry covers 5 departments only: unknown, not 0
    assert "CEM 25" in elsewhere  # Arequipa's CEMs: the directory is national


def test_district_interval_in_hover(model):
    fig = build_figure(model, MapState(level="district", metric="poverty_2018", year="2018"), "en")
    text = fig["data"][VALUE]["text"][fig["data"][VALUE]["locations"].index("160101")]
    assert "95% CI" in text


def test_toggling_upes_patches_visibility_of_26_markers(model):
    state = MapState(level="department")
    fig = build_figure(model, state, "es")
    index = trace_index(model)
    on = MapState(level="department", services=("upe",))
    patch, drawn = map_update(model, drawn_record(state, "es"), on, "es")
    visible = {p[1] for p in patch_paths(patch) if p[-1] == "visible"}
    assert set(index["upe"]) <= visible
    # the first figure holds no points of a hidden service; switching it on sends them, once
    assert all(fig["data"][i]["lat"] == [] and fig["data"][i]["text"] == [] for i in index["upe"])
    sent = {op["location"][1]: op["params"]["value"] for op in patch._operations if op["location"][-1] == "lat"}
    assert set(sent) == set(index["upe"])
    assert sum(len(sent[i]) for i in index["upe"] if fig["data"][i]["name"] != "halo") == 26
    assert drawn["loaded"] == ["upe"]
    off, drawn_off = map_update(model, drawn, state, "es")
    again, _ = map_update(model, drawn_off, on, "es")
    assert drawn_off["loaded"] == ["upe"] and not any(p[-1] == "lat" for p in patch_paths(again))
    assert not any(p[-1] == "lat" for p in patch_paths(off))
    assert all(i >= FIRST_SERVICE_TRACE for s, ix in index.items() if s != "care" for i in ix)
    assert index["care"] == [CARE]


def test_every_service_trace_index_matches_the_figure(model):
    fig = build_figure(model, MapState(services=tuple(model.service_ids) + ("user",)), "es")
    index = trace_index(model)
    assert max(i for ix in index.values() for i in ix) == len(fig["data"]) - 1
    for service, positions in index.items():
        for i in positions:
            assert fig["data"][i]["visible"] is True, (service, i)


@pytest.mark.parametrize(
    "args",
    [
        dict(level="<script>", focus="99", metric="nope", year="1900", services=["x" * 500], basemap="maybe"),
        dict(level=["district"], focus={"a": 1}, metric=42, year=None, services="upe,zzz", basemap=None),
        dict(level=None, focus=None, metric=None, year=None, services=None, basemap=None),
    ],
)
def test_forged_arguments_fall_back_to_defaults(model, args):
    state, problems = model.state(**args)
    assert state.level in ("department", "region", "province", "district")
    assert state.metric in model.metrics
    fig, _ = map_update(model, None, state, "es")
    assert fig["data"][VALUE]["z"]


def test_basemap_is_off_by_default_and_needs_no_tiles(model):
    fig = build_figure(model, MapState(), "es")
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert "http" not in json.dumps(fig)
    on = build_figure(model, MapState(basemap=True), "es")
    assert on["layout"]["map"]["style"] == "open-street-map"


def test_focus_offers_every_department_and_lima_s_two_regions(model):
    from views.layout import focus_options

    options = focus_options(model, "es")
    values = [o["value"] for o in options]
    assert values[:6] == ["PE", "15", "08", "16", "21", "17"]  # national, then the mission's five
    assert values[6:8] == ["150100", "159900"]
    assert options[6]["label"] == "Lima Metropolitana (región)"
    assert set(values[8:]) == set(model.geo.codes("department")) - {"15", "08", "16", "21", "17"}
    names = [o["label"] for o in options[8:]]
    assert names[0] == "Amazonas" and names[1] == "Áncash" and "Callao" in names  # folded order


def test_a_lima_region_focus_keeps_its_own_areas(model, app):
    metro, _ = model.state(level="district", focus="150100")
    assert metro.focus == "150100"
    districts = model.area_table("district", "150100").index
    assert len(districts) == 43 and all(c.startswith("1501") for c in districts)
    provincias = model.area_table("province", "159900").index
    assert len(provincias) == 9 and "1501" not in provincias
    assert list(model.area_table("department", "150100").index) == ["15"]
    fig = build_figure(model, metro, "es")
    context = fig["data"][CONTEXT]
    assert "/geo/region-pe.json" in context["geojson"] and "159900" in context["locations"]
    assert "150100" not in context["locations"]
    http = app.server.test_client()
    body = json.loads(http.get("/geo/district-150100.json").get_data())
    assert len(body["features"]) == 43
    assert http.get("/geo/district-160000.json").status_code == 404  # Loreto is a department focus
    assert http.get("/geo/district-999999.json").status_code == 404


def test_every_department_is_a_valid_focus_in_the_url_state(model):
    for code in model.geo.codes("department"):
        state, problems = model.state(focus=code)
        assert state.focus == code and problems == []
    state, problems = model.state(focus="99")
    assert state.focus == "" and problems == ["focus"]


def test_a_forged_or_old_drawn_record_gets_the_points_sent_again(model):
    """`loaded` comes back from the browser: malformed, or missing (a page opened before this
    record had it), it counts as nothing loaded, so the points are sent, never assumed."""
    index = trace_index(model)
    on = MapState(level="department", services=("upe",))
    for loaded in ("upe", {"upe": 1}, [1, None], None):
        drawn = drawn_record(MapState(level="department"), "es")
        if loaded is None:
            del drawn["loaded"]
        else:
            drawn["loaded"] = loaded
        patch, after = map_update(model, drawn, on, "es")
        lat = {p[1] for p in patch_paths(patch) if p[-1] == "lat"}
        assert lat == set(index["upe"]) and after["loaded"] == ["upe"], loaded
