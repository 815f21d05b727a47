"""The gap-index rank as a range over the poverty interval: hand-made cases, then real data."""

import numpy as np
import pandas as pd
import pytest

from analysis.uncertainty import area_poverty, draw_poverty, rank_label, rank_range


def need(poverty):
    return pd.DataFrame({"poverty": poverty}, index=["a", "b", "c"])


def test_a_rank_that_no_draw_changes_has_no_range():
    # a is far poorer and equally uncovered: first whatever the draws say about b and c
    base = need([90.0, 40.0, 10.0])
    beyond = pd.Series([80.0, 80.0, 80.0], index=base.index)
    draws = np.array([[90.0, 40.0, 10.0], [88.0, 45.0, 12.0], [91.0, 35.0, 8.0]])
    out = rank_range(base, beyond, draws, {"poverty": 1.0})
    assert out["rank"].tolist() == [1, 2, 3] and out["rank_label"].tolist() == ["1", "2", "3"]
    assert not out["top10_uncertain"].any()


def test_overlapping_intervals_give_a_rank_range_that_holds_the_published_rank():
    base = need([60.0, 58.0, 10.0])
    beyond = pd.Series([50.0, 50.0, 50.0], index=base.index)
    draws = np.array([[60.0, 58.0, 10.0], [55.0, 62.0, 10.0], [61.0, 57.0, 11.0]])
    out = rank_range(base, beyond, draws, {"poverty": 1.0}, quantiles=(0.0, 1.0))
    assert out["rank_label"].tolist() == ["1 (1–2)", "2 (1–2)", "3"]
    assert (out["rank_low"] <= out["rank"]).all() and (out["rank"] <= out["rank_high"]).all()


def test_ranks_within_a_view_count_only_its_areas_while_scales_stay_national():
    # b and c form the view (a focus): a stays in the scaling but not in their ranks
    base = need([60.0, 58.0, 10.0])
    beyond = pd.Series([50.0, 50.0, 50.0], index=base.index)
    draws = np.array([[60.0, 58.0, 10.0], [55.0, 62.0, 10.0], [61.0, 57.0, 11.0]])
    out = rank_range(base, beyond, draws, {"poverty": 1.0}, quantiles=(0.0, 1.0),
                     within=np.array([False, True, True]))
    assert out.index.tolist() == ["b", "c"]
    assert out["rank_label"].tolist() == ["1", "2"]  # b is first of the view in every draw


def test_an_unranked_area_has_no_range():
    base = need([60.0, 58.0, 10.0])
    beyond = pd.Series([50.0, np.nan, 50.0], index=base.index)
    out = rank_range(base, beyond, np.array([[60.0, 58.0, 10.0]]), {"poverty": 1.0})
    assert np.isnan(out.loc["b", "rank_high"]) and out.loc["b", "rank_label"] == ""


def test_rank_labels():
    assert rank_label(3, 2, 6) == "3 (2–6)"
    assert rank_label(3, 3, 3) == "3"
    assert rank_label(float("nan"), float("nan"), float("nan")) == ""


def test_poverty_draws_are_seeded_clipped_and_spread_as_the_interval_says():
    mid, low, high = np.array([50.0, 1.0, 30.0]), np.array([40.2, 0.0, 30.0]), np.array([59.8, 4.0, 30.0])
    a = draw_poverty(mid, low, high, 4000, seed=7)
    assert np.array_equal(a, draw_poverty(mid, low, high, 4000, seed=7))
    assert a.min() >= 0 and a.max() <= 100
    assert a[:, 0].std() == pytest.approx(9.8 / 1.96, rel=0.05)  # sd = (high - low) / 3.92
    assert np.mean((a[:, 0] >= 40.2) & (a[:, 0] <= 59.8)) == pytest.approx(0.95, abs=0.015)
    assert (a[:, 2] == 30.0).all()  # no interval: no spread
    with pytest.raises(ValueError, match="low end above its high end"):
        draw_poverty(mid, high, low, 2)


def test_area_poverty_is_the_population_weighted_mean_of_known_districts():
    draws = np.array([[10.0, 30.0, np.nan, 50.0]])
    out = area_poverty(draws, np.array([1.0, 3.0, 5.0, 2.0]), np.array([0, 0, 0, 1]), 3)
    assert out[0, 0] == pytest.approx((10 + 90) / 4) and out[0, 1] == pytest.approx(50.0)
    assert np.isnan(out[0, 2])


@pytest.fixture(scope="module")
def index(catalog):
    from analysis.index import coverage_index

    return coverage_index(catalog)


def test_department_ranks_upe_50_km_are_robust_at_the_top(catalog, index):
    """Departments are averages over many districts, so their poverty barely moves: Pasco,
    Amazonas, Apurímac and Cajamarca keep ranks 1-4 in every draw; Arequipa and Puno swap 5
    and 6. The published rank always sits inside its range."""
    from analysis.gaps import gap_report
    from analysis.need import need_frame
    from analysis.uncertainty import rank_range_from_catalog

    out = rank_range_from_catalog(index, catalog, "upe", 50, "department", n_draws=100, seed=0)
    codes = catalog.geo.codes("department")
    published = gap_report(index, "upe", 50, "department", need_frame(catalog.area_values(), codes, "department"))
    assert out["rank"].equals(published["rank"].reindex(out.index))
    assert out.loc[["19", "01", "03", "06"], "rank_label"].tolist() == ["1", "2", "3", "4"]
    assert out.loc["04", "rank_label"] == "5 (5–6)" and out.loc["21", "rank_label"] == "6 (5–6)"
    ranked = out.dropna(subset=["rank"])
    assert len(ranked) == 24 and out.loc["07", "rank_label"] == ""  # Callao: no rural population
    assert (ranked["rank_low"] <= ranked["rank"]).all() and (ranked["rank"] <= ranked["rank_high"]).all()


def test_district_top_10_places_depend_on_the_poverty_interval(catalog, index):
    """Districts' intervals are wide (small-area estimates): several of the published top 10
    could fall out of it, and the ranges are much wider than at department level."""
    from analysis.uncertainty import rank_range_from_catalog

    out = rank_range_from_catalog(index, catalog, "upe", 50, "district", n_draws=60, seed=0)
    top = out.sort_values("rank").head(10)
    assert top["top10_uncertain"].sum() >= 3
    assert (top["rank_high"] - top["rank_low"]).max() >= 10


def test_ranks_command_gives_the_rank_range_and_children(catalog, monkeypatch, capsys):
    import json

    from analysis.cli import main
    from layers.catalog import Catalog

    monkeypatch.setattr(Catalog, "load", classmethod(lambda cls, *a, **k: catalog))
    assert main(["ranks", "--service", "upe", "--km", "50", "--draws", "100", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    first = result["areas"][0]
    assert (first["ubigeo"], first["rank"], first["rank_label"]) == ("19", 1, "1")
    puno = next(a for a in result["areas"] if a["ubigeo"] == "21")
    assert (puno["rank_low"], puno["rank_high"]) == (5, 6) and puno["rural_children_beyond"] > 0
    assert main(["ranks", "--service", "upe", "--draws", "5000"]) == 2
    assert "--draws must be a number between 1 and 2000" in capsys.readouterr().err


def test_vectorised_draw_ranks_equal_the_gap_table_ranks(catalog, index):
    from analysis.gap_index import gap_table
    from analysis.need import need_frame
    from analysis.uncertainty import draw_ranks

    codes = catalog.geo.codes("province")
    need = need_frame(catalog.area_values(), codes, "province")
    beyond = index.summary("upe", 50, "province")["pct_rural_beyond"].reindex(codes)
    rng = np.random.default_rng(0)
    draws = np.clip(need["poverty"].to_numpy()[None, :] + rng.normal(0, 5, (3, len(codes))), 0, 100)
    weights = {"poverty": 2.0, "rural_share": 1.0, "foreign_per_1000": 0.5, "cem_per_10000": 0.0}
    fast = draw_ranks(need, beyond, draws, weights)
    for k in range(3):
        varied = need.copy()
        varied["poverty"] = draws[k]
        slow = gap_table(varied, beyond, weights)["rank"].to_numpy(float)
        assert np.array_equal(np.isnan(fast[k]), np.isnan(slow))
        assert np.array_equal(fast[k][~np.isnan(slow)], slow[~np.isnan(slow)])
