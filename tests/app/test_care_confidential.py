"""No CARE shelter location finer than its province ever reaches the browser."""

import itertools
import json

import pandas as pd
import plotly
import pytest

from views.layout import build_layout
from views.map_figure import build_figure
from atlas.model import FOCUS_DEPARTMENTS, MapState
from views.profile import area_profile
from views.sources import sources_panel
from layers.base import LEVELS
from layers.mimp_directorio import is_shelter


@pytest.fixture(scope="module")
def secrets(data_dir, catalog):
    """What a leak would look like: every shelter's name (the national MIMP directory's
    shelter rows: every CAR type, HRT, CARPAM, CAN) and district, and the point inside each
    shelter district that a geocoder would give it (the public file withholds coordinates)."""
    from analysis.index import district_centroids

    raw = pd.read_csv(data_dir.path("facilities/mimp_directorio_nacional.csv"), dtype=str)
    raw = raw[is_shelter(raw["tipo"])]
    assert len(raw) == 102 and raw["lat"].isna().all()
    districts = set(raw["ubigeo"].str.zfill(6))
    inside = district_centroids(catalog).reindex(sorted(districts)).dropna()
    coords = list(zip(inside["lat"], inside["lon"]))
    names = {n.split("(")[0].strip() for n in raw["nombre"]}
    return coords, names, districts


def dump(obj) -> str:
    return json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def assert_clean(text: str, secrets):
    """Neither a shelter's name nor both of its coordinates (to 4 decimals, ~10 m) appear,
    and no point drawn in a figure lies within 50 m of a shelter."""
    coords, names, _ = secrets
    for name in names:
        assert name not in text, f"CARE name in output: {name}"
    for lat, lon in coords:
        assert not (f"{lat:.4f}" in text and f"{lon:.4f}" in text), f"CARE coordinates in output: {lat}, {lon}"
    doc = json.loads(text)
    traces = doc.get("data", []) if isinstance(doc, dict) else []
    for trace in traces:
        for plat, plon in zip(trace.get("lat", []), trace.get("lon", [])):
            for lat, lon in coords:
                assert abs(plat - lat) > 0.00045 or abs(plon - lon) > 0.00045, (trace.get("name"), plat, plon)


def test_map_figures_at_every_level_and_focus(model, secrets):
    for level, focus in itertools.product(LEVELS, ("",) + FOCUS_DEPARTMENTS):
        fig = build_figure(model, MapState(level=level, focus=focus, services=tuple(model.service_ids)), "es")
        assert_clean(dump(fig), secrets)


def test_layout_and_sources(model, secrets):
    assert_clean(dump(build_layout(model)), secrets)
    for lang in ("es", "en"):
        assert_clean(dump(sources_panel(model, lang)), secrets)


def test_profiles_of_every_area_holding_a_care(model, secrets):
    _, _, care_districts = secrets
    for level in LEVELS:
        codes = {c for c in model.geo.codes(level) if any(d.startswith(c[:4] if level != "district" else c) for d in care_districts)}
        if level in ("department", "region"):
            codes = {c for c in model.geo.codes(level) if any(d[:2] == c[:2] for d in care_districts)}
        for code in sorted(codes):
            profile = area_profile(model, MapState(level=level), code, "es")
            assert_clean(dump(profile), secrets)


def test_district_profiles_only_speak_of_the_province(model, secrets):
    _, _, care_districts = secrets
    district = sorted(care_districts)[0]
    text = dump(area_profile(model, MapState(level="district"), district, "es"))
    assert "CARE en la provincia" in text


def test_geometry_route_for_care_has_only_provinces(model):
    body = json.loads(model.geo.geojson_bytes("province", None, codes=tuple(model.care["ubigeo_prov"])))
    assert {len(f["id"]) for f in body["features"]} == {4}


def test_the_check_catches_a_leaked_point_or_name(secrets):
    coords, names, _ = secrets
    lat, lon = coords[0]
    leaked_point = {"data": [{"type": "scattermap", "lat": [round(lat, 5)], "lon": [round(lon, 5)]}]}
    with pytest.raises(AssertionError):
        assert_clean(dump(leaked_point), secrets)
    with pytest.raises(AssertionError):
        assert_clean(dump({"text": sorted(names)[0]}), secrets)
