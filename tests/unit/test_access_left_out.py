"""Children left out and the named places beyond reach: hand-made cases, then real data."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.coverage import CoverageIndex, Sites
from analysis.left_out import (
    CHILDREN_METHOD,
    children_figures,
    children_summary,
    places_beyond,
    point_children,
)
from tests.unit.test_coverage import demand_two_districts

DEG = 111.19508  # km per degree of latitude on the 6,371.0088 km sphere


def tiny_index():
    """Department 01 (child share 0.4): rural centres at 0.3°, 1° and -1° from a unit at the
    origin (33 km, 111 km, 111 km); department 02 (share 0.25): no rural centre, so its
    centroid (5.5°, 5°) stands in for 90 rural people."""
    demand = demand_two_districts()  # the hand-computed demand of test_coverage, with centre codes
    return CoverageIndex(demand, {"upe": Sites(np.array([0.0]), np.array([0.0]))})


SHARES = pd.Series({"01": 0.4, "02": 0.25})


def test_children_of_a_record_are_rural_people_times_the_department_share():
    figures = children_figures({"rural_population": 1000.0, "rural_beyond": 250.0}, 0.3)
    assert figures["rural_children"] == pytest.approx(300.0)
    assert figures["rural_children_beyond"] == pytest.approx(75.0)
    assert figures["children_estimated"] is True and figures["children_method"] == CHILDREN_METHOD


def test_unknown_coverage_stays_unknown_in_children():
    figures = children_figures({"rural_population": 1000.0, "rural_beyond": float("nan")}, 0.3)
    assert figures["rural_children"] == pytest.approx(300.0) and figures["rural_children_beyond"] is None


def test_a_share_outside_0_1_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        children_figures({"rural_population": 1.0, "rural_beyond": 1.0}, 1.5)


def test_children_summary_applies_each_department_share_to_its_districts():
    index = tiny_index()
    summary = children_summary(index.summary("upe", 50, "district"), SHARES)
    # 010101: 300 rural, 200 beyond 50 km (B and C); 020101: 90 rural, all beyond (~830 km)
    assert summary.loc["010101", "rural_children"] == pytest.approx(120.0)
    assert summary.loc["010101", "rural_children_beyond"] == pytest.approx(80.0)
    assert summary.loc["020101", "rural_children_beyond"] == pytest.approx(22.5)


def test_a_department_without_a_share_has_unknown_children_not_zero():
    children = point_children(np.array([10.0, 10.0]), np.array(["010101", "030101"]), SHARES)
    assert children[0] == pytest.approx(4.0) and np.isnan(children[1])


def test_named_places_are_the_real_rural_centres_beyond_the_threshold_farthest_first():
    index = tiny_index()
    table = places_beyond(index, "upe", 50, "01", SHARES)
    assert table["name"].tolist() == ["B", "C"]  # A is 33 km away; the urban town does not count
    assert table["km_to_nearest"].tolist() == pytest.approx([DEG, DEG], rel=1e-6)
    assert table["people"].tolist() == pytest.approx([100.0, 100.0])
    assert table["children"].tolist() == pytest.approx([40.0, 40.0])
    assert table["ccpp"].tolist() == ["0101010002", "0101010003"]
    # department 02 has only a centroid stand-in: not a place, so nothing is listed
    assert places_beyond(index, "upe", 50, "02", SHARES).empty
    assert places_beyond(index, "upe", 120, "01", SHARES).empty


def test_named_places_take_the_views_own_measure():
    """With the view's array (a scenario's km, or hours with an hour threshold) instead of the
    cached km: the same centres compared with that measure, `km_to_nearest` holding it."""
    index = tiny_index()
    hours = np.where(index.km["upe"] > 50, 8.0, 1.0)
    hours[np.asarray(index.demand.name) == "C"] = np.inf  # no modelled access: beyond any threshold
    table = places_beyond(index, "upe", 6, "01", SHARES, distances=hours)
    assert table["name"].tolist() == ["C", "B"] and table["km_to_nearest"].tolist() == [np.inf, 8.0]
    assert places_beyond(index, "upe", 50, "01", SHARES, distances=index.km["upe"]).equals(
        places_beyond(index, "upe", 50, "01", SHARES))


@pytest.mark.parametrize("area", ["1", "016", "abc", 16, None, "160101"])
def test_named_places_refuse_an_area_that_is_not_a_department_or_province(area):
    with pytest.raises(ValueError, match="department or 4-digit province"):
        places_beyond(tiny_index(), "upe", 50, area, SHARES)


@pytest.mark.parametrize("km", [0, -5, 301, float("nan"), "50"])
def test_named_places_refuse_a_threshold_outside_1_300(km):
    with pytest.raises(ValueError, match="km must be a number between 1 and 300"):
        places_beyond(tiny_index(), "upe", km, "01", SHARES)


@pytest.fixture(scope="module")
def real(catalog):
    from analysis.index import coverage_index
    from analysis.left_out import child_shares_from_catalog

    return coverage_index(catalog), child_shares_from_catalog(catalog)


def test_loreto_upe_50_km_children_beyond(catalog, real):
    """Loreto's 264,167 rural people beyond 50 km of its only UPE (Iquitos) times Loreto's
    2020 share aged 0-17 (40.8 %): about 107,857 rural children and adolescents (est.)."""
    index, shares = real
    assert shares["16"] == pytest.approx(0.40829, abs=1e-5)
    summary = children_summary(index.summary("upe", 50, "department"), shares)
    assert summary.loc["16", "rural_children_beyond"] == pytest.approx(107_857, abs=1)
    assert summary.loc["16", "rural_children"] == pytest.approx(314_534 * shares["16"], rel=1e-9)


def test_loreto_named_list_adds_up_to_the_coverage_figures(catalog, real):
    index, shares = real
    table = places_beyond(index, "upe", 50, "16", shares, catalog.geo.districts)
    row = index.summary("upe", 50, "department").loc["16"]
    assert len(table) == row["rural_centres_beyond"] == 1928
    assert table["people"].sum() == pytest.approx(row["rural_beyond"], rel=1e-9)
    assert (table["km_to_nearest"] > 50).all() and table["km_to_nearest"].is_monotonic_decreasing
    assert (table["department"] == "Loreto").all() and (table["district"] != "").all()
    # the farthest are on the Putumayo, by the Colombian border, over 400 km from Iquitos
    assert table.iloc[0]["province"] == "Putumayo" and table.iloc[0]["km_to_nearest"] > 400


def test_a_province_code_lists_only_that_province(catalog, real):
    index, shares = real
    table = places_beyond(index, "upe", 50, "1608", shares, catalog.geo.districts)
    assert len(table) > 0 and table["ubigeo"].str.startswith("1608").all()



def test_places_command_prints_the_named_list_as_csv_and_json(cli):
    code, out, _ = cli("places", "--service", "upe", "--km", "50", "--department", "16", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split(",")[:3] == ["ccpp", "name", "ubigeo"]
    rows = [line for line in lines[1:] if not line.startswith("#")]
    assert len(rows) == 1928 and "# children_estimated: True" in lines
    code, out, _ = cli("places", "--service", "upe", "--km", "50", "--department", "16", "--format", "json")
    result = json.loads(out)
    assert result["n_places"] == 1928 and result["children_estimated"] is True
    assert result["children"] == pytest.approx(107_857, abs=1)
    assert {"name", "district", "province", "ubigeo", "people", "children", "km_to_nearest", "lat", "lon"} <= set(result["places"][0])


@pytest.mark.parametrize("argv, message", [
    (("--km", "0"), "--km must be a number between 1 and 300"),
    (("--department", "99"), "unknown department code: 99"),
    (("--department", "9999"), "unknown province code: 9999"),
])
def test_places_command_refuses_bad_input_with_exit_2(cli, argv, message):
    base = {"--km": "50", "--department": "16"}
    base.update(dict(zip(argv[::2], argv[1::2])))
    code, out, err = cli("places", "--service", "upe", *[x for kv in base.items() for x in kv])
    assert code == 2 and message in err and out == ""
