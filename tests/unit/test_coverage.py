"""Coverage figures on hand-computed cases first, then one locked real-data value."""

import numpy as np
import pandas as pd
import pytest

import analysis.coverage as coverage_module
from analysis.coverage import CHAIN, CoverageIndex, Sites, weighted_median_by_group
from analysis.demand import build_demand
from analysis.gap_index import gap_table, scale_01

DEG = 111.19508  # km per degree of latitude on the 6,371.0088 km sphere


def demand_two_districts():
    """District 010101: 3 rural centres (300 rural people) and 1 urban centre (1,000).
    District 020101: no rural centre -> its centroid stands in for 90 rural people."""
    centres = pd.DataFrame(
        {
            "ubigeo": ["010101"] * 4 + ["020101"],
            "rural": [True, True, True, False, False],
            "lat": [0.3, 1.0, -1.0, 0.0, 5.0],
            "lon": [0.0, 0.0, 0.0, 0.0, 5.0],
            "name": ["A", "B", "C", "Town", "Town2"],
            "ccpp": ["0101010001", "0101010002", "0101010003", "0101010004", "0201010001"],
        }
    )
    population = pd.DataFrame({"urban": [1000.0, 10.0], "rural": [300.0, 90.0]}, index=["010101", "020101"])
    centroids = pd.DataFrame({"lat": [0.0, 5.5], "lon": [0.0, 5.0]}, index=["010101", "020101"])
    return build_demand(centres, population, centroids)


def test_population_is_spread_evenly_and_no_one_is_dropped():
    d = demand_two_districts()
    assert d.weight.sum() == pytest.approx(1400.0)
    rural_a = d.weight[(d.ubigeo == "010101") & d.rural]
    assert rural_a.tolist() == [100.0, 100.0, 100.0]
    stand_in = d.synthetic & (d.ubigeo == "020101")
    assert d.rural[stand_in].all() and d.weight[stand_in].tolist() == [90.0]
    assert (d.lat[stand_in], d.lon[stand_in]) == (5.5, 5.0)


def index_with_one_upe():
    sites = {"upe": Sites(lat=np.array([0.0]), lon=np.array([0.0]))}
    return CoverageIndex(demand_two_districts(), sites)


def test_two_centres_one_service_threshold_and_distances():
    index = index_with_one_upe()
    d = index.demand
    km = index.km["upe"]
    a = np.flatnonzero(d.name == "A")[0]
    b = np.flatnonzero(d.name == "B")[0]
    assert km[a] == pytest.approx(0.3 * DEG, rel=1e-6)
    assert km[b] == pytest.approx(DEG, rel=1e-6)  # one degree of latitude = 111.2 km
    summary = index.summary("upe", 50, "district")
    row = summary.loc["010101"]
    assert row["rural_population"] == 300
    assert row["rural_beyond"] == 200  # B and C are 111.2 km away
    assert row["pct_rural_beyond"] == pytest.approx(200 / 3)
    assert row["rural_centres"] == 3 and row["rural_centres_beyond"] == 2
    assert row["pct_population_within"] == pytest.approx(100 * 1100 / 1300)


def test_weighted_median_by_hand():
    values = np.array([10.0, 20.0, 30.0, 5.0, 7.0])
    weights = np.array([1.0, 1.0, 2.0, 3.0, 1.0])
    groups = np.array([0, 0, 0, 1, 1])
    med = weighted_median_by_group(values, weights, groups, 3)
    # group 0: cumulative 1, 2, 4 against half 2 -> 20; group 1: 3 of 4 reaches half -> 5
    assert med[0] == 20.0 and med[1] == 5.0 and np.isnan(med[2])


def test_median_km_is_rural_population_weighted():
    index = index_with_one_upe()
    median = index.summary("upe", 50, "district").loc["010101", "median_km"]
    assert median == pytest.approx(DEG, rel=1e-6)  # two of three equal weights at 111.2 km


def test_a_threshold_change_does_not_recompute_distances(monkeypatch):
    index = index_with_one_upe()
    first = index.summary("upe", 50, "department")

    def fail(*args, **kwargs):
        raise AssertionError("distances recomputed")

    monkeypatch.setattr(coverage_module, "nearest_km", fail)
    wider = index.summary("upe", 120, "department")
    assert wider.loc["01", "rural_beyond"] == 0 and first.loc["01", "rural_beyond"] == 200


def test_chain_needs_every_member_within_the_threshold():
    sites = {
        "upe": Sites(np.array([0.0]), np.array([0.0])),
        "fistrap": Sites(np.array([0.0]), np.array([0.0])),
        "pnp_trata": Sites(np.array([1.0]), np.array([0.0])),
    }
    index = CoverageIndex(demand_two_districts(), sites)
    d = index.demand
    a = np.flatnonzero(d.name == "A")[0]
    assert index.km[CHAIN][a] == pytest.approx(0.7 * DEG, rel=1e-6)  # the PNP unit is farthest
    row = index.summary(CHAIN, 50, "district").loc["010101"]
    # A is 0.7 degrees from the PNP seat, B one degree from the UPE, C farther: none is
    # within 50 km of all three services
    assert row["rural_beyond"] == 300


def test_a_hypothetical_unit_brings_its_neighbours_within_reach():
    index = index_with_one_upe()
    after = index.with_extra_sites("upe", np.array([1.0]), np.array([0.0]))
    assert index.gain("upe", 50, after) == pytest.approx(100.0)  # B's 100 rural people
    row = index.summary("upe", 50, "district", km=after).loc["010101"]
    assert row["rural_beyond"] == 100
    assert index.summary("upe", 50, "district").loc["010101", "rural_beyond"] == 200  # cache untouched


def test_areas_outside_a_datasets_coverage_are_unknown():
    sites = {"cem": Sites(np.array([0.0]), np.array([0.0]), coverage=("01",))}
    index = CoverageIndex(demand_two_districts(), sites)
    summary = index.summary("cem", 50, "department")
    assert summary.loc["01", "pct_rural_beyond"] == pytest.approx(200 / 3)
    assert np.isnan(summary.loc["02", "pct_rural_beyond"])
    assert summary.loc["02", "rural_population"] == 90  # need is known, coverage is not


def test_gap_index_by_hand():
    need = pd.DataFrame(
        {"poverty": [10.0, 30.0, 50.0], "rural_share": [0.0, 50.0, 100.0],
         "foreign_per_1000": [1.0, 1.0, 1.0], "cem_per_10000": [np.nan, 5.0, 5.0]},
        index=["a", "b", "c"],
    )
    lack = pd.Series([100.0, 50.0, 0.0], index=need.index)
    out = gap_table(need, lack, {"poverty": 1, "rural_share": 1, "foreign_per_1000": 0, "cem_per_10000": 0})
    assert out.loc["a", "need"] == 0.0 and out.loc["b", "need"] == 0.5 and out.loc["c", "need"] == 1.0
    assert out["gap_index"].tolist() == [0.0, 25.0, 0.0]
    assert out.loc["b", "rank"] == 1
    equal = gap_table(need, lack)  # default weights: a misses CEM, scored on 3 components
    assert equal.loc["a", "n_components"] == 3
    assert equal.loc["a", "need"] == pytest.approx((0 + 0 + 0.5) / 3)
    assert gap_table(need, lack, {c: 0 for c in need})["gap_index"].tolist() == [100.0, 50.0, 0.0]


def test_scaling_a_constant_column():
    assert scale_01(pd.Series([3.0, 3.0])).tolist() == [0.5, 0.5]


def test_loreto_upe_50_km_department(catalog):
    """Locked on the real data: Loreto's only UPE is in Iquitos, and most rural Loreto lives
    along rivers far from it."""
    from analysis.index import coverage_index

    index = coverage_index(catalog)
    row = index.summary("upe", 50, "department").loc["16"]
    assert row["rural_population"] == pytest.approx(314_534)
    assert row["rural_beyond"] == pytest.approx(264_167.4, abs=1)
    assert row["pct_rural_beyond"] == pytest.approx(83.99, abs=0.01)
    assert row["median_km"] == pytest.approx(138.0, abs=0.1)
    assert (row["rural_centres"], row["rural_centres_beyond"]) == (2281, 1928)
