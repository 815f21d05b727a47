"""Modelled travel time: hand-made networks first, then the shipped network and data."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analysis.distance import haversine_km
from analysis.travel.engine import NoRoute, Points, TravelModel
from analysis.travel.graph import RegionLookup, build_graph
from analysis.travel.params import REQUIRED, load_params
from layers.network import Lines, Network

ROOT = Path(__file__).resolve().parents[2]
SELVA = 2


def params(**changes):
    p = load_params("central", "lancha")
    return replace(p, values={**p.values, **changes})


def region_everywhere(code=SELVA):
    lat, lon = np.array([-4.0, -10.0]), np.array([-70.0, -75.0])
    return RegionLookup(lat, lon, np.array([code, code]))


def line(lon0, lon1, lat, step=0.05):
    lons = np.arange(lon0, lon1 + step / 2, step)
    return np.column_stack([lons, np.full(len(lons), lat)])


def network(rivers=(), roads=()):
    rivers, roads = list(rivers), list(roads)
    return Network(
        roads=Lines(tuple(roads) or (np.array([[-75.0, -10.0], [-75.01, -10.0]]),),
                    {"route": np.array(["x"] * max(1, len(roads)))}),
        rivers=Lines(tuple(r for r, _ in rivers), {"class": np.array([c for _, c in rivers], dtype=int)}),
    )


def model_of(net, p=None, demand=None, region=None):
    p = p or params()
    region = region or region_everywhere()
    graph = build_graph(net, p, region)
    demand = demand or Points(np.array([-4.0]), np.array([-70.0]), np.array([SELVA]))
    return TravelModel(graph, demand, region)


# A river running east along 4 S into the Amazon outlet box (water leaves Peru at its east end).
RIVER = (line(-70.6, -68.6, -4.0), 1)
UP_TOWN = (-4.0, -70.5)  # lat, lon
DOWN_TOWN = (-4.0, -69.0)


def test_two_towns_on_a_river_downstream_is_faster_than_upstream():
    m = model_of(network(rivers=[RIVER]))
    down = m.route(*UP_TOWN, *DOWN_TOWN)
    up = m.route(*DOWN_TOWN, *UP_TOWN)
    assert [leg.mode for leg in down.legs] == ["walk", "river_down", "walk"]
    assert [leg.mode for leg in up.legs] == ["walk", "river_up", "walk"]
    p = m.params
    km = haversine_km(-4.0, -70.5, -4.0, -69.0)
    assert down.legs[1].hours == pytest.approx(km / p["lancha_down_kmh"], rel=0.02)
    assert up.legs[1].hours == pytest.approx(km / p["lancha_up_kmh"], rel=0.02)
    assert up.hours > down.hours * 1.4


def test_a_river_with_no_known_outlet_flows_east_in_the_selva():
    # the same river shifted west, far from every outlet box: the fallback drains it eastwards
    m = model_of(network(rivers=[(line(-74.0, -73.0, -6.0), 1)]))
    east = m.route(-6.0, -73.95, -6.0, -73.05)
    assert "river_down" in [leg.mode for leg in east.legs]


def test_a_road_shortcut_beats_the_river():
    road = np.array([[-70.5, -4.0], [-69.75, -4.05], [-69.0, -4.0]])
    m = model_of(network(rivers=[RIVER], roads=[road]))
    by_road = m.route(*DOWN_TOWN, *UP_TOWN)
    by_boat = m.route(*DOWN_TOWN, *UP_TOWN, roads=False)
    assert "road" in [leg.mode for leg in by_road.legs]
    assert "road" not in [leg.mode for leg in by_boat.legs]
    assert by_road.hours < by_boat.hours / 3


def test_a_centre_off_the_network_walks_to_it_first():
    road = np.array([[-70.5, -4.0], [-69.0, -4.0]])
    centre = Points(np.array([-4.09]), np.array([-70.5]), np.array([SELVA]))  # 10 km south of the road end
    m = model_of(network(roads=[road]), demand=centre)
    site = Points(np.array([-4.0]), np.array([-69.0]), np.array([SELVA]))
    hours = m.hours_to(site)[0]
    p = m.params
    walk = 10.0 * p["walk_detour"] / p["walk_kmh_selva"]
    drive = haversine_km(-4.0, -70.5, -4.0, -69.0) * p["road_length_factor"] / p["road_kmh_selva"]
    assert hours == pytest.approx(walk + drive, rel=0.03)
    route = m.route(-4.09, -70.5, -4.0, -69.0)
    assert route.legs[0].mode == "walk" and route.legs[0].km == pytest.approx(10.0, rel=0.02)


def test_walking_straight_to_a_unit_is_used_when_it_is_faster():
    road = np.array([[-70.5, -4.0], [-69.0, -4.0]])
    centre = Points(np.array([-4.2]), np.array([-69.8]), np.array([SELVA]))
    m = model_of(network(roads=[road]), demand=centre)
    site = Points(np.array([-4.25]), np.array([-69.8]), np.array([SELVA]))  # 5.6 km away, road 22 km away
    p = m.params
    assert m.hours_to(site)[0] == pytest.approx(5.56 * p["walk_detour"] / p["walk_kmh_selva"], rel=0.02)


def test_an_isolated_centre_has_no_modelled_access_not_a_number():
    road = np.array([[-70.5, -4.0], [-69.0, -4.0]])
    far = Points(np.array([-4.0, -8.0]), np.array([-70.4, -72.0]), np.array([SELVA, SELVA]))  # the second is 450 km away
    m = model_of(network(roads=[road]), demand=far)
    hours = m.hours_to(Points(np.array([-4.0]), np.array([-69.0]), np.array([SELVA])))
    assert np.isfinite(hours[0]) and np.isnan(hours[1])


def test_a_trip_longer_than_the_cutoff_is_no_modelled_access():
    m = model_of(network(rivers=[RIVER]), p=params(cutoff_h=10.0),
                 demand=Points(np.array([-4.0]), np.array([-69.0]), np.array([SELVA])))
    site = Points(np.array([UP_TOWN[0]]), np.array([UP_TOWN[1]]), np.array([SELVA]))  # upstream: about 20 h
    assert np.isnan(m.hours_to(site)[0])
    with pytest.raises(NoRoute, match="sin acceso modelado"):
        m.route(*DOWN_TOWN, *UP_TOWN)


def test_adding_a_unit_with_a_bounded_search_equals_a_full_recomputation():
    road = np.array([[-70.5, -4.0], [-69.75, -4.3], [-69.0, -4.0]])
    lat = np.array([-4.0, -4.1, -4.3, -3.9, -4.05])
    lon = np.array([-70.45, -69.9, -69.7, -69.1, -68.8])
    demand = Points(lat, lon, np.full(5, SELVA))
    m = model_of(network(rivers=[RIVER], roads=[road]), demand=demand)
    one = Points(np.array([-4.0]), np.array([-70.5]), np.array([SELVA]))
    raw = m.raw_hours(one)
    merged = m.with_unit(raw, -3.95, -69.05)
    both = Points(np.array([-4.0, -3.95]), np.array([-70.5, -69.05]), np.array([SELVA, SELVA]))
    np.testing.assert_allclose(merged, m.raw_hours(both), rtol=1e-9)
    assert (merged < raw).any()


# --- the parameters file ------------------------------------------------------------------------

def test_every_parameter_has_three_values_a_source_and_a_reason():
    with open(ROOT / "data" / "parametros_viaje.csv", newline="", encoding="utf-8") as f:
        rows = {r["param"]: r for r in csv.DictReader(f)}
    assert set(REQUIRED) <= set(rows)
    for name, row in rows.items():
        low, central, high = (float(row[c]) for c in ("low", "central", "high"))
        assert row["source_url"].startswith("http") and row["reason"].strip(), name
        if name.endswith("_kmh") or name == "max_walk_km":  # low variant = slower trips
            assert low <= central <= high, name
        elif name in ("walk_detour", "road_length_factor", "port_transfer_h"):
            assert low >= central >= high, name


def test_an_authored_road_link_without_a_cited_page_is_refused(monkeypatch, tmp_path):
    from analysis.travel import index

    bad = tmp_path / "enlaces_viales_citados.csv"
    bad.write_text("id,from_name,from_lat,from_lon,to_name,to_lat,to_lon,km,surface,region_natural,source_url\n"
                   "x,A,-4,-73,B,-4.5,-73.5,90,paved,Selva,\n", encoding="utf-8")
    monkeypatch.setattr(index, "AUTHORED_DIR", tmp_path)
    with pytest.raises(ValueError, match="source_url"):
        index.read_links()


# --- the shipped network ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalog():
    from app import Settings
    from layers.catalog import Catalog

    return Catalog.load(Settings().data())  # COBERTURA_DATA_DIR, as the app reads it


@pytest.fixture(scope="module")
def travel(catalog, tmp_path_factory):
    from analysis.travel.index import from_catalog

    return from_catalog(catalog, cache=tmp_path_factory.mktemp("travel-cache"))


CUSCO, PUERTO_MALDONADO = (-13.5183, -71.9781), (-12.5933, -69.1891)
YURIMAGUAS, LAGUNAS = (-5.8961, -76.1114), (-5.2269, -75.6753)
PUNO, JULIACA = (-15.8402, -70.0219), (-15.4997, -70.1333)


def test_cusco_to_puerto_maldonado_on_the_interoceanica(travel):
    route = travel.route(*CUSCO, *PUERTO_MALDONADO)
    assert [leg.mode for leg in route.legs] == ["walk", "road", "walk"]
    # quoted 10-11 h by bus; the validation band 0.67-1.5
    assert 10 * 0.67 <= route.hours <= 11 * 1.5
    assert 400 <= route.km_network <= 560 and route.km_straight == pytest.approx(319, abs=3)


def test_huallaga_between_yurimaguas_and_lagunas_is_faster_downstream(travel):
    down = travel.route(*YURIMAGUAS, *LAGUNAS, roads=False)
    up = travel.route(*LAGUNAS, *YURIMAGUAS, roads=False)
    assert "river_down" in [leg.mode for leg in down.legs] and "river_up" in [leg.mode for leg in up.legs]
    assert down.hours < up.hours
    rapido_up = travel.route(*LAGUNAS, *YURIMAGUAS, boat="rapido", roads=False)
    assert 5.5 * 0.67 <= rapido_up.hours <= 7.5 * 1.5  # quoted 5.5-7.5 h upstream by rápido


def test_puno_to_juliaca_by_road(travel):
    route = travel.route(*PUNO, *JULIACA)
    assert "road" in [leg.mode for leg in route.legs]
    # quoted 45 min; the model's worst group (see bench/TRAVEL_VALIDATION.md): walking at both city
    # ends and one Sierra road speed for the fast altiplano road, so the ratio is about 3
    assert 0.75 * 0.67 <= route.hours <= 0.75 * 3.5
    assert route.hours > 0.75


def test_the_amazon_at_iquitos_flows_towards_brazil(travel):
    iquitos, santa_rosa = (-3.7491, -73.2538), (-4.221, -69.955)
    down = travel.route(*iquitos, *santa_rosa, roads=False)
    boat = [leg for leg in down.legs if leg.mode.startswith("river")]
    assert sum(leg.hours for leg in boat if leg.mode == "river_down") > 0.9 * sum(leg.hours for leg in boat)


def test_median_model_to_quoted_ratio_stays_in_the_validation_band(travel):
    from bench.travel_validation import BAND, evaluate, medians

    rows = evaluate(travel, "central")
    assert len(rows) >= 20
    assert {"road", "river downstream", "river upstream"} <= {r["group"] for r in rows}
    median = medians(rows)["all"]
    assert BAND[0] <= median <= BAND[1]


def test_hours_are_nan_not_numbers_where_there_is_no_modelled_access(travel):
    hours = travel.of("upe")
    assert hours.dtype.kind == "f" and np.isnan(hours).any() and np.isfinite(hours).any()
    assert np.nanmax(hours) <= 168


def test_the_cache_round_trips_and_a_changed_input_is_a_new_key(travel, tmp_path):
    from analysis.travel.index import TravelIndex

    path = travel.save(tmp_path)
    again = TravelIndex(travel.coverage, travel.region_at, travel.data, travel.boat)
    assert again.load(tmp_path) and again.from_cache
    for key, value in travel.hours.items():
        np.testing.assert_array_equal(again.hours[key], value)
    other = TravelIndex(travel.coverage, travel.region_at, travel.data, "rapido")
    assert other.key() != travel.key() and not other.load(tmp_path)
    assert path.name == f"hours-{travel.key()}.npz"


def test_a_hypothetical_unit_on_the_real_network_matches_the_full_search(travel):
    from analysis.travel.engine import Points

    model = travel.model()
    sites = travel.sites("upe")
    raw = model.raw_hours(sites)
    lat, lon = -4.5083, -73.5833  # Nauta
    merged = model.with_unit(raw, lat, lon)
    full = model.raw_hours(Points(np.r_[sites.lat, lat], np.r_[sites.lon, lon], np.r_[sites.region, model.points(lat, lon).region]))
    np.testing.assert_allclose(merged, full, rtol=1e-9)
    assert (merged < raw).sum() > 100


def test_area_summary_in_hours_weights_rural_population(travel):
    out = travel.summary("upe", 6, "department")
    assert {"median_hours", "pct_rural_beyond", "rural_population"} <= set(out.columns)
    loreto = out.loc["16"]
    assert 0 <= loreto["pct_rural_beyond"] <= 100
    low = travel.summary("upe", 6, "department", variant="low").loc["16", "pct_rural_beyond"]
    high = travel.summary("upe", 6, "department", variant="high").loc["16", "pct_rural_beyond"]
    assert high <= loreto["pct_rural_beyond"] <= low
    with pytest.raises(ValueError, match="hours must be a number between 1 and 72"):
        travel.summary("upe", 100, "department")
    with pytest.raises(ValueError, match="no modelled travel time for service 'demuna'"):
        travel.summary("demuna", 6, "department")


def test_suggest_by_hours_brings_people_within_the_threshold(travel, catalog):
    from analysis.places import build_places
    from analysis.travel.suggest import exact_sites_milp, suggest_hours

    places = build_places(catalog.geo.districts, travel.coverage.demand)
    found, sets, _ = suggest_hours(travel, "upe", 6, ["16", "17"], places.candidates(), 3, return_sets=True)
    assert len(found.units) == 3 and found.gains == sorted(found.gains, reverse=True) and found.gains[0] > 0
    _, optimum = exact_sites_milp(sets, 3)
    assert sum(found.gains) <= optimum + 1e-6 and sum(found.gains) >= 0.9 * optimum


# --- the CLI ------------------------------------------------------------------------------------

def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_route_command_prints_hours_and_legs():
    out = run("route", "--from", "-13.5183,-71.9781", "--to", "-12.5933,-69.1891", "--format", "json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {"hours", "km_network", "km_straight", "legs"} <= set(result)
    assert {"mode", "hours", "km"} <= set(result["legs"][0])
    assert result["hours"] == pytest.approx(sum(leg["hours"] for leg in result["legs"]), rel=1e-3)


@pytest.mark.parametrize("point,words", [("4.71,-74.07", "outside Peru"), ("-12.0,-78.5", "at sea")])
def test_route_from_outside_peru_or_at_sea_exits_2_with_a_message(point, words):
    out = run("route", "--from", point, "--to", "-12.05,-77.04")
    assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr


def test_route_with_a_malformed_point_exits_2():
    out = run("route", "--from", "north", "--to", "-12.05,-77.04")
    assert out.returncode == 2 and "LAT,LON" in out.stderr and "Traceback" not in out.stderr


def test_coverage_hours_out_of_bounds_exits_2():
    out = run("coverage", "--service", "upe", "--hours", "500")
    assert out.returncode == 2 and "--hours must be a number between 1 and 72" in out.stderr
