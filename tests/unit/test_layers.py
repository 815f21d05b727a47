"""Every registered layer loads from the data directory, says where it comes from, and
keys its rows by well-formed UBIGEO text."""

import re

import pandas as pd
import pytest

from layers import REGISTRY
from layers.base import AREA_COLUMNS, CODE_LENGTH, COUNT_COLUMNS, LEVELS, POINT_COLUMNS

LAYER_IDS = [layer.id for layer in REGISTRY]


@pytest.mark.parametrize("layer", REGISTRY, ids=LAYER_IDS)
def test_layer_loads_with_provenance(catalog, layer):
    assert catalog.available(layer.id), catalog.errors.get(layer.id)
    prov = layer.provenance
    for pair in (layer.title, prov.source, prov.level):
        assert pair["es"].strip() and pair["en"].strip()
    assert prov.year.strip()
    assert prov.licence["es"].strip() and prov.licence["en"].strip()
    assert prov.url.strip()
    assert prov.files or prov.authored_files or getattr(layer, "user_files", False)
    for path in prov.files:
        assert path in catalog.data_dir.manifest, f"{path} not in data/manifest.csv"


@pytest.mark.parametrize("layer", [l for l in REGISTRY if l.kind == "area"], ids=lambda l: l.id)
def test_area_values_are_keyed_by_codes_of_their_level(catalog, layer):
    frame = catalog.frame(layer.id)
    assert list(frame.columns) == AREA_COLUMNS
    for metric in layer.metrics:
        rows = frame[frame["metric"] == metric.id]
        assert set(rows["level"]) == set(metric.levels), metric.id
        assert set(rows["year"]) == set(metric.years), metric.id
        for level in metric.levels:
            codes = rows.loc[rows["level"] == level, "code"]
            assert codes.str.fullmatch(rf"\d{{{CODE_LENGTH[level]}}}").all(), (metric.id, level)
            assert set(codes) <= set(catalog.geo.codes(level)), (metric.id, level)


@pytest.mark.parametrize("layer", [l for l in REGISTRY if l.kind == "points"], ids=lambda l: l.id)
def test_service_points_are_inside_peru_with_statuses(catalog, layer):
    frame = catalog.frame(layer.id)
    assert list(frame.columns) == POINT_COLUMNS
    assert len(frame) > 0
    assert frame["lat"].between(-18.6, 0.1).all() and frame["lon"].between(-81.5, -68.5).all()
    assert set(frame["status"]) <= {"verified", "weak", "claim"}
    located = frame[frame["ubigeo"] != ""]
    assert (located["ubigeo"].str[:2] == located["ubigeo_dep"]).all()


def test_expected_counts_of_areas(geo):
    assert {level: len(geo.codes(level)) for level in LEVELS} == {
        "district": 1891,
        "province": 196,
        "department": 25,
        "region": 26,
    }


def test_codes_nest_district_in_province_in_department(geo):
    districts = geo.districts
    assert (districts["ubigeo_prov"] == districts.index.str[:4]).all()
    assert (districts["ubigeo_dep"] == districts.index.str[:2]).all()
    assert set(districts.index.str[:4]) == set(geo.codes("province"))
    assert set(districts.index.str[:2]) == set(geo.codes("department"))
    regions = set(geo.codes("region"))
    assert {"150100", "159900"} <= regions and "150000" not in regions


def test_all_26_upes(catalog):
    upe = catalog.frame("upe")
    assert len(upe) == 26
    by_dep = upe.groupby("ubigeo_dep").size()
    assert by_dep["15"] == 3 and by_dep["07"] == 1
    assert "19" not in by_dep.index  # none in Pasco


def test_poverty_2018_reports_the_17_districts_it_lacks(catalog):
    report = next(j for j in catalog.loaded["poverty2018"].joins)
    assert len(report.unmatched) == 17
    assert {"080915", "080916", "080917", "080918"} <= set(report.unmatched)  # 4 in Cusco
    frame = catalog.frame("poverty2018")
    district = frame[(frame["level"] == "district")].set_index("code")
    assert district.loc[list(report.unmatched), "value"].isna().all()  # sin dato, not 0


def test_poverty_2018_district_value_is_the_interval_midpoint(catalog):
    frame = catalog.frame("poverty2018")
    district = frame[frame["level"] == "district"].dropna(subset=["value"])
    assert ((district["low"] + district["high"]) / 2 - district["value"]).abs().max() < 0.051


def test_department_poverty_is_population_weighted_mean_of_districts(catalog):
    source = catalog.loaded["poverty2018"].source
    loreto = source[source.index.str.startswith("16")]
    expected = (loreto["poverty"] * loreto["pob_2020"]).sum() / loreto["pob_2020"].sum()
    frame = catalog.frame("poverty2018")
    value = frame[(frame["level"] == "department") & (frame["code"] == "16")]["value"].iloc[0]
    assert value == pytest.approx(expected)


def test_enaho_departments_not_quoted_are_sin_dato_not_zero(catalog):
    frame = catalog.frame("poverty_enaho")
    rows = frame[(frame["level"] == "department") & (frame["year"] == "2024")].set_index("code")
    assert rows.loc["16", "value"] == 43.0  # Loreto, quoted
    assert rows["value"].isna().sum() > 0
    assert (rows["value"].dropna() > 0).all()


def test_rural_population_sums_to_departments(catalog):
    frame = catalog.frame("population")
    rural = frame[frame["metric"] == "rural_population"]
    district_total = rural[rural["level"] == "district"]["value"].sum()
    department_total = rural[rural["level"] == "department"]["value"].sum()
    assert district_total == pytest.approx(department_total)
    share = frame[(frame["metric"] == "rural_share") & (frame["level"] == "department")]
    assert share["value"].between(0, 100).all()


def test_foreign_born_national_total_matches_the_census(catalog):
    frame = catalog.frame("migration")
    deps = frame[(frame["metric"] == "foreign_born") & (frame["level"] == "department")]
    assert deps["value"].sum() == 1_052_977


def test_venezuela_blank_district_is_sin_dato_and_sums_are_lower_bounds(catalog):
    source = catalog.loaded["migration"].source
    blank = source[source["venezuela_born"].isna()].index
    frame = catalog.frame("migration")
    vz = frame[(frame["metric"] == "venezuela_born")]
    district = vz[vz["level"] == "district"].set_index("code")
    in_map = [c for c in blank if c in district.index]
    assert in_map and district.loc[in_map, "value"].isna().all()
    province = vz[vz["level"] == "province"].set_index("code")
    assert (province.loc[sorted({c[:4] for c in in_map}), "flag"] == "lower_bound").all()


def test_cem_cases_lima_only_at_department_level(catalog):
    frame = catalog.frame("cem_cases")
    cases = frame[(frame["metric"] == "cem_cases") & (frame["year"] == "2024")]
    dep = cases[cases["level"] == "department"].set_index("code")
    region = cases[cases["level"] == "region"].set_index("code")
    assert dep.loc["15", "value"] == 44093
    assert region.loc[["150100", "159900"], "value"].isna().all()
    assert region.loc["160000", "value"] == 3494  # Loreto


def test_fistrap_pnp_table_cites_every_row(catalog):
    for service in ("fistrap", "pnp_trata"):
        seats = catalog.loaded[service].source
        assert seats["source_url"].str.match(r"^(https?://|seeds/)").all()
        assert (seats["quote"].str.len() > 0).all()
    pnp = catalog.frame("pnp_trata")
    assert "01" not in set(pnp["ubigeo_dep"])  # the evaluation: every department but Amazonas
    claims = pnp[pnp["status"] == "claim"]
    assert (claims["precision"] == "department_assumed").all() and (claims["ubigeo"] == "").all()


def test_demuna_join_matches_all_names_and_lists_approximate_ones(catalog):
    exact, approximate = catalog.loaded["demuna"].joins[:2]
    assert exact.unmatched == ()
    assert any(re.search(r"Ccatcca .* Ccatca 081205", a) for a in approximate.unmatched)
    assert len(catalog.frame("demuna")) == exact.total


def test_care_layer_exposes_only_province_counts(catalog):
    care = catalog.frame("care")
    assert list(care.columns) == COUNT_COLUMNS
    assert care["count"].sum() == 12  # the directory's rows of type "CAR Especializado"
    assert care["ubigeo_prov"].str.fullmatch(r"\d{4}").all()
    assert care.set_index("ubigeo_prov").loc["1501", "count"] == 5  # Lima: five in the province


def test_directory_shelters_never_become_points(catalog):
    points = catalog.service_points()
    assert not points["name"].str.contains(r"\bCAR\b|Hogar|Refugio|Acogida", case=False, regex=True).any()


def test_populated_centres(catalog):
    centres = catalog.frame("centros_poblados")
    assert len(centres) == 94_922
    assert centres["rural"].sum() == 91_175
    report = catalog.loaded["centros_poblados"].joins[0]
    assert len(report.unmatched) == 17


def test_units_in_districts_without_a_polygon_are_reported(catalog):
    reports = [j for j in catalog.loaded["sar"].joins if j.unmatched]
    assert any("160405" in u for r in reports for u in r.unmatched)


def test_cem_and_sar_cover_all_25_departments(catalog):
    for service, expected in (("cem", 439), ("sar", 68)):
        frame = catalog.frame(service)
        assert len(frame) == expected
        assert catalog.layer(service).coverage is None  # national: no "s/d" outside five departments
    assert catalog.frame("cem")["ubigeo_dep"].nunique() == 25
    assert catalog.layer("demuna").coverage == ("15", "08", "16", "21", "17")  # DEMUNA stays five


def test_directory_units_are_checked_against_their_stated_district(catalog):
    for service in ("upe", "cem", "sar"):
        frame = catalog.frame(service)
        report = catalog.loaded[service].joins[0]
        source = catalog.loaded[service].source
        # the source's verified coordinates all fall within 2 km of their district
        assert not any(", verificada," in u for u in report.unmatched)
        assert report.total == frame["lat"].notna().sum()
        assert set(frame["precision"]) <= {"exact", "other_district", "approximate"}
        assert (frame["precision"] == "exact").sum() == (source["calidad"] == "verificada").sum()
    sar = catalog.loaded["sar"].joins[0].unmatched
    assert any(u.startswith("Tigre (160303, otro_distrito") for u in sar)  # a river base 113 km away


def directory_copy(tmp_path, data_dir, edit):
    """A data directory whose national MIMP file was edited (other files linked)."""
    import os

    from layers.datadir import read_manifest

    root = tmp_path / "data"
    for path in read_manifest():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path != "facilities/mimp_directorio_nacional.csv":
            os.symlink(data_dir.root / path, target)
    frame = pd.read_csv(data_dir.path("facilities/mimp_directorio_nacional.csv"), dtype=str)
    edit(frame)
    frame.to_csv(root / "facilities/mimp_directorio_nacional.csv", index=False)
    return root


def test_a_verified_unit_far_from_its_district_is_listed_and_downgraded(tmp_path, data_dir):
    from layers.catalog import Catalog
    from layers.datadir import DataDir

    def move_a_cem_to_the_sea(frame):
        row = frame.index[(frame["tipo"] == "CEM") & (frame["calidad"] == "verificada")][0]
        frame.loc[row, "lat"] = str(float(frame.loc[row, "lat"]) + 0.3)  # about 33 km north
        frame.loc[row, "nombre"] = "CEM movido"

    catalog = Catalog.load(DataDir(directory_copy(tmp_path, data_dir, move_a_cem_to_the_sea), verify=False))
    cem = catalog.frame("cem").set_index("name")
    assert cem.loc["CEM movido", "precision"] == "other_district"
    listed = catalog.loaded["cem"].joins[0].unmatched
    assert any(u.startswith("CEM movido (") and ", verificada, 3" in u for u in listed)


def test_a_directory_whose_shelters_carry_coordinates_is_refused(tmp_path, data_dir):
    from layers.catalog import Catalog
    from layers.datadir import DataDir

    def reveal_a_shelter(frame):
        row = frame.index[frame["tipo"] == "HRT"][0]
        frame.loc[row, ["lat", "lon"]] = ["-12.05", "-77.03"]

    catalog = Catalog.load(DataDir(directory_copy(tmp_path, data_dir, reveal_a_shelter), verify=False))
    for service in ("upe", "cem", "sar"):
        assert "shelter row(s) carry coordinates" in catalog.errors[service]
