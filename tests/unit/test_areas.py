import pandas as pd
import pytest

from analysis.areas import care_counts, nearest_care_province, nearest_services, service_counts
from layers.base import POINT_COLUMNS


def points(rows):
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


HANDMADE = points(
    [
        ["u1", "upe", "UPE A", "160101", "16", -3.75, -73.25, "exact", "verified", ""],
        ["u2", "upe", "UPE B", "160108", "16", -3.73, -73.24, "exact", "verified", ""],
        ["p1", "pnp_trata", "PNP Cusco", "080101", "08", -13.52, -71.97, "seat_city", "weak", ""],
        ["p2", "pnp_trata", "Áncash", "", "02", -9.53, -77.53, "department_assumed", "claim", ""],
    ]
)


def test_counts_per_district_province_department():
    codes = pd.Index(["1601", "0801", "0201"])
    counts = service_counts(HANDMADE, codes, "province")
    assert counts.loc["1601", "upe"] == 2
    assert counts.loc["0801", "pnp_trata"] == 1
    assert counts.loc["0201", "pnp_trata"] == 0  # a claim has no province


def test_claims_count_at_department_and_region_level():
    deps = service_counts(HANDMADE, pd.Index(["02", "08", "16"]), "department")
    assert deps.loc["02", "pnp_trata"] == 1 and deps.loc["16", "upe"] == 2
    regions = service_counts(HANDMADE, pd.Index(["020000", "160000"]), "region")
    assert regions.loc["020000", "pnp_trata"] == 1


def test_care_counts_district_level_reports_the_province():
    care = pd.DataFrame({"ubigeo_prov": ["1501", "1601"], "ubigeo_dep": ["15", "16"], "count": [5, 2],
                         "proxy_lat": [-12.05, -3.75], "proxy_lon": [-77.03, -73.24]})
    districts = care_counts(care, pd.Index(["150101", "150143", "160101", "080101"]), "district")
    assert districts.tolist() == [5, 5, 2, 0]
    regions = care_counts(care, pd.Index(["150100", "159900", "160000"]), "region")
    assert regions.tolist() == [5, 0, 2]


def test_nearest_services_skip_claims_and_measure_great_circle():
    nearest = nearest_services(-3.75, -74.25, HANDMADE)  # one degree of longitude west of UPE A
    assert nearest.loc["upe", "id"] == "u1"
    assert nearest.loc["upe", "km"] == pytest.approx(111.195 * 0.997859, abs=0.05)  # cos(3.75°)
    assert nearest.loc["pnp_trata", "id"] == "p1"  # the claim in Áncash is not a location


def test_nearest_care_province_uses_the_province_capital():
    care = pd.DataFrame({"ubigeo_prov": ["1601"], "ubigeo_dep": ["16"], "count": [2],
                         "proxy_lat": [-3.75], "proxy_lon": [-73.25]})
    province, km = nearest_care_province(-3.75, -73.25, care)
    assert province == "1601" and km == pytest.approx(0.0)
