"""Child population (0–17), the reported-trafficking layer and the data-directory import."""

import shutil
from pathlib import Path

import pandas as pd
import pyreadr
import pytest

from layers.base import FLAG_ESTIMATE, FLAG_LOWER_BOUND, FLAG_SUPPRESSED
from layers.catalog import Catalog
from app import Settings
from layers.datadir import DataDir
from layers.trata_reportada import EN_DASH, METRIC_ID, period_key, series_of
from layers.trata_reportada import PATH as CITED

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "muestras_oficiales"


def values(catalog, layer, metric, level, year):
    frame = catalog.frame(layer)
    rows = frame[(frame["metric"] == metric) & (frame["level"] == level) & (frame["year"] == year)]
    return rows.set_index("code")


# ------------------------------------------------------------------ children


@pytest.mark.parametrize("code, name", [("21", "PUNO"), ("16", "LORETO")])
def test_children_0_17_equal_the_sum_of_single_ages_in_the_source(catalog, code, name):
    source = next(iter(pyreadr.read_r(str(Settings().data().root / "population/minsa_poblacion_edad_departamento_2020.rds")).values()))
    row = source[source["departamento"] == name].iloc[0]
    by_hand = sum(row[f"edad_{age}"] for age in range(18))
    shown = values(catalog, "child_population", "child_population", "department", "2020")
    assert shown.loc[code, "value"] == by_hand
    assert shown.loc[code, "flag"] == ""  # a real count, not an estimate
    assert by_hand < row["total"]


def test_children_below_the_department_are_flagged_estimates(catalog, geo):
    for level in ("province", "district"):
        shown = values(catalog, "child_population", "child_population", level, "2020")
        assert len(shown) == len(geo.codes(level))
        known = shown[shown["value"].notna()]
        assert len(known) > 0.99 * len(shown)
        assert (known["flag"] == FLAG_ESTIMATE).all(), level
    regions = values(catalog, "child_population", "child_population", "region", "2020")
    assert regions.loc["150100", "flag"] == FLAG_ESTIMATE and regions.loc["160000", "flag"] == ""


def test_district_estimate_is_population_times_department_share(catalog):
    population = catalog.loaded["population"].source["total"]
    table = catalog.loaded["child_population"].source
    shown = values(catalog, "child_population", "child_population", "district", "2020")
    share = table.loc["21", "children"] / table.loc["21", "total"]
    assert shown.loc["210101", "value"] == pytest.approx(population["210101"] * share)


# ------------------------------------------------------ reported trafficking


def test_cumulative_ranges_are_never_shown_as_a_single_year(catalog):
    """Over the whole figures table: a row spanning several years is keyed by its range."""
    raw = pd.read_csv(Settings().data().root / CITED, dtype=str)
    figures = catalog.loaded["trata_reportada"].source
    ranged = raw[raw["year_from"].notna() & (raw["year_from"] != raw["year_to"])]
    assert len(ranged) > 60
    cited = figures[figures["file"] == CITED]
    for i, row in ranged.iterrows():
        assert cited.loc[i, "period"] == f"{row.year_from}{EN_DASH}{row.year_to}"
    layer_years = set(catalog.frame("trata_reportada")["year"])
    assert layer_years == {f"2007{EN_DASH}2014", f"2009{EN_DASH}2014"}
    metric = catalog.layer("trata_reportada").metrics[0]
    assert all(EN_DASH in y for y in metric.years)
    assert "no es una cifra anual" in metric.note["es"]


def test_department_value_adds_its_distritos_fiscales(catalog):
    shown = values(catalog, "trata_reportada", METRIC_ID, "department", f"2007{EN_DASH}2014")
    assert shown.loc["15", "value"] == 301 + 48 + 48 + 31 + 20 + 7  # Lima, L. Norte/Sur/Este, Huaura, Cañete
    assert shown.loc["20", "value"] == 96 + 54  # Piura + Sullana
    assert shown.loc["02", "value"] == 26 + 3  # Áncash + Santa
    later = values(catalog, "trata_reportada", METRIC_ID, "department", f"2009{EN_DASH}2014")
    assert later.loc["15", "value"] == 350 and later.loc["15", "flag"] == FLAG_LOWER_BOUND  # only DF Lima listed
    assert pd.isna(later.loc["09", "value"])  # Huancavelica absent from the table: sin dato, not 0
    regions = values(catalog, "trata_reportada", METRIC_ID, "region", f"2009{EN_DASH}2014")
    assert pd.isna(regions.loc["150100", "value"]) and regions.loc["080000", "value"] == 172


def test_police_and_prosecutor_figures_are_separate_series(catalog):
    figures = catalog.loaded["trata_reportada"].source
    assert series_of("PNP RETA via Diario Correo Puno") == "police"
    assert series_of("Ministerio Publico via CHS Alternativo") == "prosecutor"
    assert series_of("US State Dept TIP Report 2019 (police data)") == "police"
    # the map adds prosecutor figures only: police rows of Puno never reach it
    police_puno = figures[(figures["series"] == "police") & (figures["ubigeo_dep"] == "21")]
    assert len(police_puno) >= 2
    tables = catalog.loaded["trata_reportada"].extra["tables"]
    assert all((t["series"] == "prosecutor").all() for t in tables.values())


def test_recent_cusco_and_puno_figures_are_kept_with_source_and_period(catalog):
    figures = catalog.loaded["trata_reportada"].source
    recent = figures[(figures["period"] == f"2020{EN_DASH}2025") & figures["ubigeo_dep"].isin(["08", "21"])]
    assert sorted(recent["value"]) == [324, 447, 626, 1779]
    assert recent["url"].str.startswith("http").all()


def test_period_keys():
    assert period_key("2021", "2021") == "2021"
    assert period_key("2009", "2014") == f"2009{EN_DASH}2014"
    assert period_key(float("nan"), float("nan")) == ""


# ------------------------------------------------------ data-directory import


@pytest.fixture(scope="module")
def imported_catalog(tmp_path_factory, data_dir):
    folder = tmp_path_factory.mktemp("imports")
    for name in ("mininter_trata_lambayeque_2017_2023.csv", "mpfn_delitos_lambayeque_2019_2023.csv"):
        shutil.copy(SAMPLES / name, folder / name)
    shutil.copy(SAMPLES / "mininter_trata_lambayeque_2017_2023.csv", folder / "z_copia_mininter.csv")  # same data again
    (folder / "notas.txt").write_text("esto no es un archivo oficial\n", encoding="utf-8")
    yield Catalog.load(DataDir(data_dir.root, verify=data_dir.verify, import_dir=folder))


def test_files_in_the_import_folder_become_a_layer(imported_catalog):
    layer = imported_catalog.layer("trata_importada")
    ids = {m.id for m in layer.metrics}
    assert {"import_pnp_denuncias", "import_pnp_victimas_menores", "import_pnp_menores_por_10000", "import_mp_denuncias"} <= ids
    assert "import_mp_denuncias" in imported_catalog.metrics
    source = layer.provenance.source
    assert "Importado por el usuario" in source["es"] and "imported by the user" in source["en"].lower()
    assert "mininter_trata_lambayeque_2017_2023.csv" in source["es"]
    assert "sin entrada en data/manifest.csv" in layer.provenance.licence["es"]
    assert "no entry in data/manifest.csv" in layer.provenance.licence["en"]
    assert not layer.provenance.files  # no manifest entry: the user's files


def test_imported_values_are_suppressed_under_5_and_sin_dato_elsewhere(imported_catalog):
    shown = values(imported_catalog, "trata_importada", "import_pnp_denuncias", "department", "2020")
    assert shown.loc["14", "value"] == 25  # a second file with the same department-years adds nothing
    assert pd.isna(shown.loc["08", "value"]) and shown.loc["08", "flag"] == ""  # not in the file
    early = values(imported_catalog, "trata_importada", "import_pnp_denuncias", "department", "2017")
    assert pd.isna(early.loc["14", "value"]) and early.loc["14", "flag"] == FLAG_SUPPRESSED  # 3 -> "<5"
    rate = values(imported_catalog, "trata_importada", "import_pnp_menores_por_10000", "department", "2020")
    children = imported_catalog.loaded["child_population"].source.loc["14", "children"]
    assert rate.loc["14", "value"] == pytest.approx(10_000 * 18 / children)
    district = values(imported_catalog, "trata_importada", "import_mp_denuncias", "district", "2023")
    assert district.loc["140101", "value"] == 11
    assert district.loc["140102", "flag"] == FLAG_SUPPRESSED  # a covered district with no row: 0 -> "<5"


def test_an_unrecognised_file_in_the_folder_is_reported_not_fatal(imported_catalog):
    joins = [j for j in imported_catalog.loaded["trata_importada"].joins if "notas.txt" in j.description["es"]]
    assert joins and "formato no reconocido" in joins[0].unmatched[0]
    assert not imported_catalog.errors


def test_the_registry_instance_is_not_changed_by_an_import(imported_catalog, catalog):
    from layers import LAYERS

    assert LAYERS["trata_importada"].metrics == ()
    assert "import_mp_denuncias" not in catalog.metrics
