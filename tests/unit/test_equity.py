"""Equity: quintiles, concentration curve and index by hand, then the national table."""

import json

import numpy as np
import pytest

from analysis.equity import (
    concentration_curve,
    concentration_index,
    equity_from_index,
    equity_table,
    fractional_rank,
    quintile_of,
)


def test_concentration_index_on_five_areas_by_hand():
    """Five equal districts, poorest first, beyond reach 100, 80, 60, 40, 20 %: r = 0.1 ... 0.9,
    mean h 0.6, cov(h, r) = mean(0.4·-0.4, 0.2·-0.2, 0, -0.2·0.2, -0.4·0.4) = -0.08, so
    CI = 2 · -0.08 / 0.6 = -0.2667 (concentrated among the poor)."""
    h = np.array([1.0, 0.8, 0.6, 0.4, 0.2])
    w = np.ones(5)
    assert fractional_rank(w).tolist() == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    assert concentration_index(h, w) == pytest.approx(-0.08 * 2 / 0.6)
    # the same from the curve: 1 - 2 x area (trapezoids)
    curve = concentration_curve(h * w, w)
    area = np.trapezoid(curve["y"], curve["x"])
    assert area == pytest.approx(0.63333, abs=1e-5)
    assert 1 - 2 * area == pytest.approx(concentration_index(h, w))


def test_concentration_index_with_unequal_weights_by_hand():
    """Weights 2, 1, 1 and h 0.5, 1, 0: r = 0.25, 0.625, 0.875, mean h 0.5,
    cov = (0 + 0.5·0.125 - 0.5·0.375) / 4 = -0.03125, CI = -0.125."""
    h, w = np.array([0.5, 1.0, 0.0]), np.array([2.0, 1.0, 1.0])
    assert concentration_index(h, w) == pytest.approx(-0.125)
    curve = concentration_curve(h * w, w)
    assert curve["x"].tolist() == pytest.approx([0, 0.5, 0.75, 1])
    assert curve["y"].tolist() == pytest.approx([0, 0.5, 1, 1])
    assert 1 - 2 * np.trapezoid(curve["y"], curve["x"]) == pytest.approx(-0.125)


def test_equal_shares_everywhere_give_a_zero_index():
    assert concentration_index(np.full(4, 0.3), np.array([1.0, 5.0, 2.0, 3.0])) == pytest.approx(0.0)


def test_quintiles_hold_a_fifth_of_the_weight_each_without_splitting_a_district():
    assert quintile_of(np.ones(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # a heavy district belongs to the fifth holding the middle of its weight:
    # middles at 0.5, 4, 7.5, 8.5 and 9.5 of 10 -> fifths 1, 3, 4, 5, 5
    assert quintile_of(np.array([1.0, 6.0, 1.0, 1.0, 1.0])).tolist() == [1, 3, 4, 5, 5]


def test_equity_table_orders_districts_from_the_poorest_and_leaves_unknowns_out():
    codes = np.array(["a", "b", "c", "d", "e", "f", "g"])
    poverty = np.array([10.0, 70.0, 30.0, 50.0, 90.0, np.nan, 20.0])
    children = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 0.0])
    beyond = np.array([20.0, 80.0, 40.0, 60.0, 100.0, 100.0, 0.0])
    regions = np.array(["Costa", "Sierra", "Costa", "Sierra", "Selva", "Selva", "Costa"])
    out = equity_table(codes, children, beyond, poverty, regions)
    q = out["quintiles"]
    assert q["pct_beyond"].tolist() == pytest.approx([100.0, 80.0, 60.0, 40.0, 20.0])
    assert q["poverty_min"].tolist() == [90.0, 70.0, 50.0, 30.0, 10.0]
    assert out["concentration_index"] == pytest.approx(-0.2667, abs=1e-4)
    assert (out["districts_used"], out["districts_left_out"]) == (5, 2)  # no poverty; no rural children
    r = out["regions"].set_index("natural_region")
    assert r.loc["Selva", "pct_beyond"] == pytest.approx(100.0)  # f counts here: poverty is not needed
    assert r.loc["Costa", "pct_beyond"] == pytest.approx(30.0)


def test_equity_table_refuses_impossible_figures():
    with pytest.raises(ValueError, match="cannot exceed"):
        equity_table(np.array(["a"]), np.array([10.0]), np.array([11.0]), np.array([50.0]))
    with pytest.raises(ValueError, match="poverty must be between 0 and 100"):
        equity_table(np.array(["a"]), np.array([10.0]), np.array([1.0]), np.array([150.0]))
    with pytest.raises(ValueError, match="no district"):
        equity_table(np.array(["a"]), np.array([10.0]), np.array([1.0]), np.array([np.nan]))


@pytest.fixture(scope="module")
def national(catalog):
    from analysis.index import coverage_index
    from analysis.left_out import child_shares_from_catalog

    index = coverage_index(catalog)
    shares = child_shares_from_catalog(catalog)
    poverty = catalog.loaded["poverty2018"].source["poverty"]
    return index, shares, poverty


def test_national_upe_50_km_the_poorest_fifth_is_the_worst_served(catalog, national):
    """UPE, 50 km, Peru: 75.5 % of the rural children of the poorest fifth of districts
    (poverty 53.5-81.3 %) are beyond reach, against 49.7 % in the least poor fifth (0.7-24.8 %);
    the share falls from each fifth to the next, and the index is negative (-0.072)."""
    index, shares, poverty = national
    out = equity_from_index(index, "upe", 50, shares, catalog.geo.districts, poverty)
    q = out["quintiles"]
    assert q["pct_beyond"].round(1).tolist() == [75.5, 73.3, 70.2, 68.8, 49.7]
    assert q["pct_beyond"].is_monotonic_decreasing
    assert q["rural_children"].min() > 0.19 * q["rural_children"].sum()
    assert out["concentration_index"] == pytest.approx(-0.0717, abs=1e-4)
    assert (out["districts_used"], out["districts_left_out"]) == (1802, 89)
    r = out["regions"].set_index("natural_region")["pct_beyond"]
    # the Selva is the worst served: rivers, few units
    assert r.round(1).to_dict() == {"Costa": 57.1, "Sierra": 59.7, "Selva": 85.7}


def test_equity_within_a_department(catalog, national):
    index, shares, poverty = national
    out = equity_from_index(index, "upe", 50, shares, catalog.geo.districts, poverty, department="16")
    assert out["quintiles"]["districts"].sum() == out["districts_used"] <= 53



def test_equity_command_prints_quintiles_and_the_index(cli):
    code, out, _ = cli("equity", "--service", "upe", "--km", "50", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert [q["quintile"] for q in result["quintiles"]] == [1, 2, 3, 4, 5]
    assert {"rural_children", "pct_beyond"} <= set(result["quintiles"][0])
    assert result["concentration_index"] == pytest.approx(-0.0717, abs=1e-4)
    assert result["curve"][0] == {"x": 0.0, "y": 0.0} and result["children_estimated"] is True
    code, out, _ = cli("equity", "--service", "upe", "--km", "50", "--format", "csv")
    assert out.splitlines()[0].startswith("quintile,districts,rural_children") and "# concentration_index: -0.0717" in out


def test_equity_command_refuses_an_unknown_department(cli):
    code, out, err = cli("equity", "--service", "upe", "--department", "77")
    assert code == 2 and "unknown department code: 77" in err
