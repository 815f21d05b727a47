"""Maximal covering and scenarios: hand-made cases, then greedy against the exact optimum."""

import math

import numpy as np
import pytest

from analysis.coverage import CHAIN, CoverageIndex, Sites
from analysis.mclp import CoverageSets, coverage_sets, covered_by, exact_sites, greedy_sites, merge_demand
from analysis.scenario import Candidates, Unit, scenario_km, suggest, unit_gains
from scipy import sparse

from test_coverage import demand_two_districts  # same folder (pytest puts it on sys.path)


def sets_from(rows, weights):
    """Coverage sets from explicit lists of covered demand indices per site."""
    n = len(weights)
    matrix = sparse.csr_matrix(
        (np.ones(sum(len(r) for r in rows), bool), ([i for i, r in enumerate(rows) for _ in r], [j for r in rows for j in r])),
        shape=(len(rows), n),
    )
    return CoverageSets(matrix, np.asarray(weights, float))


def test_coverage_includes_a_point_exactly_at_the_distance():
    one_degree = 111.19508
    sets = coverage_sets(np.array([0.0]), np.array([0.0]), np.array([1.0]), np.array([0.0]), np.array([5.0]), one_degree + 1e-6)
    assert covered_by(sets).tolist() == [True]
    sets = coverage_sets(np.array([0.0]), np.array([0.0]), np.array([1.0]), np.array([0.0]), np.array([5.0]), one_degree - 0.01)
    assert covered_by(sets).tolist() == [False]


def test_greedy_picks_the_obvious_sites():
    weights = [10, 10, 5, 1]
    candidates = sets_from([[0, 1], [2], [0], [3]], weights)
    chosen, gains = greedy_sites(candidates, np.zeros(4, bool), 2)
    assert chosen == [0, 1] and gains == [20.0, 5.0]


def test_greedy_keeps_existing_coverage_fixed():
    weights = [10, 10, 5, 1]
    candidates = sets_from([[0, 1], [2], [0], [3]], weights)
    already = np.array([True, True, False, False])  # an existing unit covers 0 and 1
    chosen, gains = greedy_sites(candidates, already, 3)
    assert chosen == [1, 3] and gains == [5.0, 1.0]  # nothing else adds anyone


def test_greedy_equals_exact_where_the_optimum_is_obvious():
    weights = [10, 10, 5, 1]
    candidates = sets_from([[0, 1], [2], [0], [3]], weights)
    existing = sets_from([], weights)
    chosen, covered = exact_sites(existing, candidates, 2)
    assert chosen == [0, 1] and covered == pytest.approx(25.0)


def test_greedy_can_be_beaten_but_not_by_more_than_one_minus_one_over_e():
    # classic trap: the big middle site overlaps both halves that together are optimal
    weights = [4, 4, 3, 3]
    candidates = sets_from([[0, 2], [1, 3], [0, 1]], weights)
    chosen, gains = greedy_sites(candidates, np.zeros(4, bool), 2)
    _, optimum = exact_sites(sets_from([], weights), candidates, 2)
    assert optimum == pytest.approx(14.0)
    assert sum(gains) == pytest.approx(11.0)  # 8 from the middle site, then 3
    assert sum(gains) >= (1 - 1 / math.e) * optimum


@pytest.mark.parametrize("seed", range(12))
def test_greedy_reaches_at_least_63_percent_of_the_exact_optimum_on_random_instances(seed):
    rng = np.random.default_rng(seed)
    n_demand, n_candidates = 120, 25
    lat, lon = rng.uniform(-10, -8, n_demand), rng.uniform(-76, -74, n_demand)
    weights = rng.integers(1, 200, n_demand).astype(float)
    candidates = coverage_sets(rng.uniform(-10, -8, n_candidates), rng.uniform(-76, -74, n_candidates), lat, lon, weights, 35)
    existing = coverage_sets(np.array([-9.0]), np.array([-75.0]), lat, lon, weights, 35)
    already = covered_by(existing)
    _, gains = greedy_sites(candidates, already, 4)
    greedy_total = weights[already].sum() + sum(gains)
    chosen, optimum = exact_sites(existing, candidates, 4)
    assert len(chosen) == 4
    assert greedy_total <= optimum + 1e-6
    assert greedy_total >= (1 - 1 / math.e) * optimum


def test_merging_identical_demand_keeps_the_weights():
    columns = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 0, 1, 0]], bool)).tocsc()
    groups, weights = merge_demand(columns, np.array([2.0, 3.0, 4.0, 9.0]))
    assert sorted(weights.tolist()) == [4.0, 5.0]  # point 3 is covered by nobody: dropped
    assert groups.shape == (2, 2)


# ------------------------------------------------------------------------- scenarios


def index_one_upe():
    return CoverageIndex(demand_two_districts(), {"upe": Sites(np.array([0.0]), np.array([0.0]))})


def test_adding_a_unit_where_rural_people_are_uncovered_raises_coverage_by_them():
    index = index_one_upe()  # A (0.3°) is within 50 km; B (1°N) and C (1°S) are not
    unit = Unit("upe", "x", 1.0, 0.0, "B")
    km = scenario_km(index, [unit], "upe")
    before = index.summary("upe", 50, "district").loc["010101"]
    after = index.summary("upe", 50, "district", km=km).loc["010101"]
    assert before["rural_beyond"] - after["rural_beyond"] == pytest.approx(100.0)  # B's 100 people
    assert unit_gains(index, [unit], "upe", 50) == [pytest.approx(100.0)]


def test_gains_are_marginal_in_the_order_units_were_added():
    index = index_one_upe()
    b = Unit("upe", "x", 1.0, 0.0, "B")
    twin = Unit("upe", "y", 1.01, 0.0, "next to B")
    other = Unit("fistrap", "z", -1.0, 0.0, "C")
    assert unit_gains(index, [b, twin, other], "upe", 50) == [pytest.approx(100.0), 0.0, 0.0]


def test_chain_scenario_replaces_only_the_member_that_got_a_unit():
    sites = {m: Sites(np.array([0.0]), np.array([0.0])) for m in ("upe", "fistrap", "pnp_trata")}
    index = CoverageIndex(demand_two_districts(), sites)
    assert scenario_km(index, [], CHAIN) is None
    one = scenario_km(index, [Unit("upe", "x", 1.0, 0.0, "B")], CHAIN)
    assert np.allclose(one, index.km[CHAIN])  # B still far from FISTRAP and PNP
    all_three = [Unit(m, "x", 1.0, 0.0, "B") for m in ("upe", "fistrap", "pnp_trata")]
    assert unit_gains(index, all_three, CHAIN, 50) == [0.0, 0.0, pytest.approx(100.0)]


def test_suggest_keeps_existing_units_and_picks_the_uncovered_centres():
    index = index_one_upe()
    candidates = Candidates(
        place=np.array(["near", "B", "C"]),
        lat=np.array([0.1, 1.0, -1.0]),
        lon=np.array([0.0, 0.0, 0.0]),
        name=np.array(["near A", "at B", "at C"]),
        department=np.array(["01", "01", "01"]),
    )
    found = suggest(index, "upe", 50, ["01"], candidates, 5)
    assert [u.place for u in found.units] == ["B", "C"] and found.gains == [100.0, 100.0]
    assert all(u.origin == "suggested" for u in found.units) and found.cell_km == 0
    assert suggest(index, "upe", 50, ["02"], candidates, 5).units == []  # no candidate there
    with pytest.raises(ValueError):
        suggest(index, CHAIN, 50, ["01"], candidates, 1)


def one_upe_candidates():
    return Candidates(
        place=np.array(["near", "B", "C"]),
        lat=np.array([0.1, 1.0, -1.0]),
        lon=np.array([0.0, 0.0, 0.0]),
        name=np.array(["near A", "at B", "at C"]),
        department=np.array(["01", "01", "01"]),
    )


@pytest.mark.parametrize("km", [20_000, 300.01, 0, -1, math.nan, math.inf, 10**400, "50", True, None])
def test_suggest_refuses_a_threshold_outside_its_bounds_at_its_own_entry(km):
    """The analysis checks its own arguments: a forged km never reaches the computation
    (km = -1 used to return sites; km = 20000 used to take 10 GB)."""
    from analysis.limits import OutOfBounds

    with pytest.raises(OutOfBounds, match=r"km must be a number between 1 and 300"):
        suggest(index_one_upe(), "upe", km, ["01"], one_upe_candidates(), 5)


@pytest.mark.parametrize("n", [0, 21, 10**6, 2.5, -3, "5"])
def test_suggest_refuses_a_count_outside_1_to_20(n):
    from analysis.limits import OutOfBounds

    with pytest.raises(OutOfBounds, match=r"n must be a number between 1 and 20"):
        suggest(index_one_upe(), "upe", 50, ["01"], one_upe_candidates(), n)


@pytest.mark.parametrize("departments", [[], ["1"], ["01", 2], ["0A"], [["01"]]])
def test_suggest_refuses_malformed_departments(departments):
    with pytest.raises(ValueError, match="two-digit codes"):
        suggest(index_one_upe(), "upe", 50, departments, one_upe_candidates(), 5)


def test_coverage_sets_stop_counting_before_holding_more_pairs_than_allowed():
    from analysis.mclp import TooManyPairs

    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-1, 1, 2000), rng.uniform(-1, 1, 2000)
    full = coverage_sets(lat[:300], lon[:300], lat, lon, np.ones(2000), 500.0)
    assert full.matrix.nnz == 300 * 2000  # 500 km covers the whole 2x2 degree box
    with pytest.raises(TooManyPairs):
        coverage_sets(lat[:300], lon[:300], lat, lon, np.ones(2000), 500.0, max_pairs=100_000)


def two_clusters():
    """300 rural centres (1 person each): 200 around (0°, 0°), 100 around (0°, 3°); no
    existing unit near either; 50 candidates in each cluster."""
    import pandas as pd

    from analysis.demand import build_demand

    rng = np.random.default_rng(7)
    lat = np.concatenate([rng.normal(0, 0.03, 200), rng.normal(0, 0.03, 100)])
    lon = np.concatenate([rng.normal(0, 0.03, 200), rng.normal(3, 0.03, 100)])
    codes = ["010101"] * 200 + ["010102"] * 100
    centres = pd.DataFrame({"ubigeo": codes, "rural": True, "lat": lat, "lon": lon, "name": "c"})
    population = pd.DataFrame({"urban": [0.0, 0.0], "rural": [200.0, 100.0]}, index=["010101", "010102"])
    demand = build_demand(centres, population, pd.DataFrame({"lat": [0.0, 0.0], "lon": [0.0, 3.0]}, index=population.index))
    index = CoverageIndex(demand, {"upe": Sites(np.array([-10.0]), np.array([-60.0]))})
    clat, clon = np.concatenate([lat[:50], lat[200:250]]), np.concatenate([lon[:50], lon[200:250]])
    candidates = Candidates(np.array([f"s{i}" for i in range(100)]), clat, clon,
                            np.array(["x"] * 100), np.array(["01"] * 100))
    return index, candidates


def test_a_suggestion_over_too_many_pairs_groups_points_and_keeps_exact_gains():
    """With a small pair budget the sites are chosen on grid cells; one site per cluster
    is still found, and the gains reported are the exact persons each brings within reach."""
    index, candidates = two_clusters()
    free = suggest(index, "upe", 30, ["01"], candidates, 2)
    grouped = suggest(index, "upe", 30, ["01"], candidates, 2, max_pairs=2_000)
    assert free.cell_km == 0 and grouped.cell_km > 0
    assert free.gains == pytest.approx([200.0, 100.0])
    assert grouped.gains == pytest.approx([200.0, 100.0])
    assert {u.place < "s50" for u in grouped.units} == {True, False}  # one in each cluster
    tiny = suggest(index, "upe", 30, ["01"], candidates, 2, max_pairs=1)  # ends, however small
    assert tiny.cell_km > 0 and sum(tiny.gains) > 0
