import numpy as np
import pandas as pd
import pytest

from layers.base import FLAG_PARTIAL
from layers.ubigeo import area_code, fold_name, normalize_code, region_of, rollup_sum, rollup_weighted_mean


def test_codes_keep_leading_zeros_as_text():
    codes = normalize_code(pd.Series(["10101", "150101", 80101, "10101.0"], dtype=object))
    assert codes.tolist() == ["010101", "150101", "080101", "010101"]


def test_lima_metropolitana_is_its_own_region():
    regions = region_of(pd.Series(["150101", "150143", "150801", "070101", "160405"]))
    assert regions.tolist() == ["150100", "150100", "159900", "070000", "160000"]


@pytest.mark.parametrize(
    "level, expected",
    [("district", "080915"), ("province", "0809"), ("department", "08"), ("region", "080000")],
)
def test_area_code_of_a_district(level, expected):
    assert area_code(pd.Series(["080915"]), level).iloc[0] == expected


def test_rollup_sum_adds_known_values_and_flags_unknown_members():
    values = pd.Series([10.0, 5.0, np.nan, 7.0], index=["010101", "010102", "010201", "020101"])
    out = rollup_sum(values, "department").set_index("code")
    assert out.loc["01", "value"] == 15.0
    assert out.loc["01", "flag"] == FLAG_PARTIAL
    assert out.loc["02", "value"] == 7.0
    assert out.loc["02", "flag"] == ""


def test_rollup_sum_of_only_unknowns_is_unknown_not_zero():
    values = pd.Series([np.nan, np.nan], index=["010101", "010102"])
    out = rollup_sum(values, "province").set_index("code")
    assert np.isnan(out.loc["0101", "value"])


def test_rollup_sum_counts_members_without_rows_as_unknown():
    values = pd.Series([3.0], index=["010101"])
    members = pd.Series(["010101", "010102"])
    out = rollup_sum(values, "department", members).set_index("code")
    assert out.loc["01", "value"] == 3.0 and out.loc["01", "flag"] == FLAG_PARTIAL


def test_weighted_mean_by_population():
    # 20% of 100 people and 50% of 300 people: (20*100 + 50*300) / 400 = 42.5
    values = pd.Series([20.0, 50.0], index=["210101", "210102"])
    weights = pd.Series([100.0, 300.0], index=["210101", "210102"])
    out = rollup_weighted_mean(values, weights, "province").set_index("code")
    assert out.loc["2101", "value"] == pytest.approx(42.5)
    assert out.loc["2101", "flag"] == ""


def test_weighted_mean_leaves_out_unknown_districts_and_says_so():
    values = pd.Series([20.0, np.nan], index=["210101", "210102"])
    weights = pd.Series([100.0, 300.0], index=["210101", "210102"])
    out = rollup_weighted_mean(values, weights, "department").set_index("code")
    assert out.loc["21", "value"] == pytest.approx(20.0)
    assert out.loc["21", "flag"] == FLAG_PARTIAL


def test_names_fold_accents_case_and_punctuation():
    assert fold_name("Áncash") == fold_name("ANCASH") == "ANCASH"
    assert fold_name("San Martín de Porres ") == "SAN MARTIN DE PORRES"
    assert fold_name(None) == ""
