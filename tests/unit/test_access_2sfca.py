"""Two-step floating catchment: a 3x3 grid done by hand, then the real UPE network."""

import json

import numpy as np
import pytest

from analysis.access import (
    PER_CHILDREN,
    access_from_index,
    decay_weight,
    distance_pairs,
    per_area,
    point_tree,
    two_step_fca,
)
from analysis.distance import haversine_km


def grid():
    """3x3 grid at the equator, 0.1° apart (11.12 km; diagonals 15.73 km). Every point has
    100 children except the centre (400). Unit A at the corner (0, 0), unit B at the centre."""
    row, col = np.meshgrid(np.arange(3), np.arange(3), indexing="ij")
    lat, lon = 0.1 * row.ravel(), 0.1 * col.ravel()
    children = np.full(9, 100.0)
    children[4] = 400.0
    return lat, lon, children, np.array([0.0, 0.1]), np.array([0.0, 0.1])


def test_2sfca_on_a_3x3_grid_by_hand():
    """Catchment 15 km: A reaches (0,0), (0,1), (1,0): load 300; B reaches the centre and
    its 4 edge neighbours: load 400 + 4 x 100 = 800. A point then gets 1/300 per unit A and
    1/800 per unit B it reaches; the far corners get nothing (0, not unknown)."""
    lat, lon, children, ulat, ulon = grid()
    result = two_step_fca(lat, lon, children, ulat, ulon, 15.0)
    assert result.load.tolist() == pytest.approx([300.0, 800.0])
    expected = np.array([1 / 300, 1 / 300 + 1 / 800, 0, 1 / 300 + 1 / 800, 1 / 800, 1 / 800, 0, 1 / 800, 0])
    assert result.per_point == pytest.approx(expected)
    assert result.cell_km == 0.0
    # the two units are shared out, never created
    assert float(children @ result.per_point) == pytest.approx(2.0)


def test_per_area_is_the_children_weighted_mean_per_100000():
    lat, lon, children, ulat, ulon = grid()
    result = two_step_fca(lat, lon, children, ulat, ulon, 15.0)
    groups = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])  # the three rows of the grid
    table = per_area(result, children, groups, 4)
    row0 = (100 / 300 + 100 * (1 / 300 + 1 / 800)) / 300
    assert table["children"].tolist()[:3] == [300.0, 600.0, 300.0]
    assert table.loc[0, "units_per_100k_children"] == pytest.approx(PER_CHILDREN * row0)
    assert table.loc[2, "units_per_100k_children"] == pytest.approx(PER_CHILDREN * (100 / 800) / 300)
    assert np.isnan(table.loc[3, "units_per_100k_children"])  # no children: unknown, not 0


def test_gaussian_decay_is_one_at_the_unit_and_zero_at_the_catchment_edge():
    w = decay_weight(np.array([0.0, 7.5, 15.0, 16.0]), 15.0, "gaussian")
    half = np.exp(-0.5)
    assert w.tolist() == pytest.approx([1.0, (np.exp(-0.125) - half) / (1 - half), 0.0, 0.0])
    assert decay_weight(np.array([0.0, 15.0, 15.1]), 15.0, "step").tolist() == [1.0, 1.0, 0.0]


def test_gaussian_2sfca_weighs_near_children_more():
    lat, lon, children, ulat, ulon = grid()
    result = two_step_fca(lat, lon, children, ulat, ulon, 15.0, decay="gaussian")
    w_edge = decay_weight(np.array([haversine_km(0, 0, 0, 0.1)]), 15.0, "gaussian")[0]
    assert result.load[0] == pytest.approx(100 + 2 * 100 * w_edge)
    assert result.load[1] == pytest.approx(400 + 4 * 100 * w_edge)
    assert float(children @ result.per_point) == pytest.approx(2.0)


def test_distance_pairs_are_great_circle_km():
    pairs = distance_pairs(np.array([0.0]), np.array([0.0]), np.array([1.0, 0.0, 3.0]), np.array([0.0, 0.0, 0.0]), 200)
    assert pairs.shape == (1, 3) and pairs.nnz == 2
    assert pairs[0, 0] == pytest.approx(111.19508, rel=1e-6)
    assert 0 < pairs[0, 1] < 1e-6  # a unit on the point is kept, at (almost) 0 km


def test_too_many_pairs_groups_demand_and_keeps_the_supply():
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(-2, 2, 400), rng.uniform(-2, 2, 400)
    children = rng.uniform(0, 50, 400)
    ulat, ulon = rng.uniform(-2, 2, 6), rng.uniform(-2, 2, 6)
    exact = two_step_fca(lat, lon, children, ulat, ulon, 80.0)
    grouped = two_step_fca(lat, lon, children, ulat, ulon, 80.0, max_pairs=50)
    assert exact.cell_km == 0.0 and grouped.cell_km > 0.0
    assert float(children @ grouped.per_point) == pytest.approx(float(children @ exact.per_point))


@pytest.mark.parametrize("km", [0, 301, float("nan"), None, "15"])
def test_2sfca_refuses_a_catchment_outside_1_300_km(km):
    lat, lon, children, ulat, ulon = grid()
    with pytest.raises(ValueError, match="catchment km must be a number between 1 and 300"):
        two_step_fca(lat, lon, children, ulat, ulon, km)


def test_2sfca_refuses_unknown_decay_and_negative_demand():
    lat, lon, children, ulat, ulon = grid()
    with pytest.raises(ValueError, match="decay must be one of step, gaussian"):
        two_step_fca(lat, lon, children, ulat, ulon, 15.0, decay="linear")
    with pytest.raises(ValueError, match="demand must not be negative"):
        two_step_fca(lat, lon, -children, ulat, ulon, 15.0)


@pytest.fixture(scope="module")
def real(catalog):
    from analysis.index import coverage_index
    from analysis.left_out import child_shares_from_catalog

    index = coverage_index(catalog)
    return index, child_shares_from_catalog(catalog), point_tree(index.demand.lat, index.demand.lon)


def test_iquitos_upe_load_at_50_km(real):
    """Loreto's only UPE (Iquitos) holds about 210,100 children 0-17 (est.) within 50 km: the
    city's 2023 population and its rural surroundings x Loreto's 40.8 % share aged 0-17."""
    index, shares, points = real
    areas, units = access_from_index(index, "upe", 50, "department", shares, points=points)
    iquitos = units.loc["upe:UPE009"]
    assert iquitos["children_in_catchment"] == pytest.approx(210_098, abs=1)
    assert iquitos["units_per_100k_in_catchment"] == pytest.approx(PER_CHILDREN / 210_098, rel=1e-4)
    # Loreto: that one unit over all of Loreto's children, about 0.25 per 100,000
    assert areas.loc["16", "units_per_100k_children"] == pytest.approx(0.2493, abs=1e-4)


def test_lima_units_are_the_most_loaded_and_every_unit_is_shared_out(real):
    index, shares, points = real
    areas, units = access_from_index(index, "upe", 50, "department", shares, points=points)
    # Lima's four overlapping UPEs each hold over 2.5 million children in their catchment
    assert all(units.index[:3].isin(["upe:UPE016", "upe:UIT007", "upe:SEDE01", "upe:UIT006"]))
    assert units["children_in_catchment"].iloc[0] > 2_500_000
    assert units["children_in_catchment"].is_monotonic_decreasing
    # the 26 units, no more and no less, reach the children of Peru
    served = float((areas["children"] * areas["units_per_100k_children"]).sum() / PER_CHILDREN)
    assert served == pytest.approx(len(units)) and len(units) == 26


def test_access_is_the_same_with_or_without_a_kept_tree(real):
    index, shares, points = real
    a, _ = access_from_index(index, "upe", 50, "province", shares, points=points)
    b, _ = access_from_index(index, "upe", 50, "province", shares)
    assert np.allclose(a["units_per_100k_children"], b["units_per_100k_children"])



def test_access_command_gives_areas_and_units_ranked_by_load(cli):
    code, out, _ = cli("access", "--service", "upe", "--km", "50", "--level", "department", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert len(result["areas"]) == 25 and result["children_estimated"] is True
    loreto = next(a for a in result["areas"] if a["ubigeo"] == "16")
    assert loreto["units_per_100k_children"] == pytest.approx(0.2493, abs=1e-4)
    loads = [u["children_in_catchment"] for u in result["units"]]
    assert loads == sorted(loads, reverse=True) and result["units"][0]["rank"] == 1
    code, out, _ = cli("access", "--service", "upe", "--km", "50", "--per-unit", "--department", "16", "--format", "csv")
    lines = out.splitlines()
    assert lines[0].startswith("rank,id,name") and lines[1].split(",")[1:3] == ["upe:UPE009", "UPE - Loreto"]


def test_access_command_refuses_a_bad_catchment(cli):
    code, out, err = cli("access", "--service", "upe", "--km", "1000")
    assert code == 2 and "--km must be a number between 1 and 300" in err and out == ""
