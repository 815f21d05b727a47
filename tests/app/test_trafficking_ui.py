"""Children, reported trafficking and imported series in the callbacks (as plain functions)."""

import base64
import json
from pathlib import Path

import pytest

from views.layout import metric_options, year_options
from views.map import caption, map_update
from views.map_figure import VALUE, build_figure
from atlas.model import MapState
from views.profile import area_profile
from views.sources import sources_panel
from atlas.trafficking import UserSeries, newest_metric
from callbacks.trafficking import process_upload
from atlas.url import view_from_query

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "muestras_oficiales"
MININTER = SAMPLES / "mininter_trata_lambayeque_2017_2023.csv"
MPFN = SAMPLES / "mpfn_delitos_lambayeque_2019_2023.csv"


def text_of(component) -> str:
    return json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def upload(model, path, current=None, lang="es"):
    contents = "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()
    return process_upload(model, contents, path.name, 1_700_000_000, current, lang)


@pytest.fixture(scope="module")
def store(model):
    data, status = upload(model, MININTER)
    assert data is not None, text_of(status)
    return data


# ------------------------------------------------------------ estimates labelled


def test_district_children_read_as_estimates_in_hover_caption_and_profile(model):
    state = MapState(level="district", focus="21", metric="child_population", year="2020")
    fig = build_figure(model, state, "es")
    assert all(t.endswith("(estimación)") for t in fig["data"][VALUE]["text"] if t != "sin dato")
    assert "estimación" in text_of(caption(model, state, "es"))
    assert "(estimate)" in text_of(area_profile(model, state, "210101", "en"))
    department = build_figure(model, MapState(level="department", metric="child_population", year="2020"), "es")
    assert not any("estimación" in t for t in department["data"][VALUE]["text"])


def test_cumulative_trafficking_caption_names_the_period_and_lower_bounds_show(model):
    state = MapState(level="department", metric="trata_mp_cumulative", year="2009–2014")
    fig = build_figure(model, state, "es")
    texts = dict(zip(fig["data"][VALUE]["locations"], fig["data"][VALUE]["text"]))
    assert texts["15"].startswith("≥ 350") and texts["09"] == "sin dato"
    text = text_of(caption(model, state, "es"))
    assert "2009–2014" in text and "no es una cifra anual" in text
    assert "2009–2014" in fig["data"][VALUE]["hovertemplate"]


def test_profile_lists_recent_cited_figures_with_links_and_periods(model):
    state = MapState(level="department")
    text = text_of(area_profile(model, state, "08", "es"))
    assert "Cifras de trata citadas" in text and "2020–2025" in text
    assert "324" in text and "447" in text and "veeduriamiradaciudadana" in text
    puno = text_of(area_profile(model, MapState(level="district"), "210101", "en"))
    assert "department of Puno" in puno and "Police (PNP/MININTER)" in puno and "Public Prosecutor" in puno


def test_small_cited_counts_read_less_than_five(model):
    text = text_of(area_profile(model, MapState(level="department"), "05", "es"))  # Ayacucho 2020: 3 police complaints
    assert '"<5"' in text


@pytest.mark.parametrize("lang, title, words", [("es", "Datos faltantes", "Base de datos trata de personas"),
                                                ("en", "Data gaps", "Base de datos trata de personas")])
def test_sources_panel_has_a_data_gaps_section(model, lang, title, words):
    text = text_of(sources_panel(model, lang))
    assert title in text and words in text and "mpfn-delitos" in text
    assert "Censos Nacionales 2025" in text or "2025 National Censuses" in text


# ------------------------------------------------------------- imported series


def test_an_upload_builds_a_checked_store_with_its_metrics(model, store):
    user = UserSeries.from_store(store, model)
    ids = list(user.metrics)
    assert len(ids) == 3 and all(i.startswith("upload_") for i in ids)
    assert newest_metric(store, model) == ids[0]
    values = user.area_values(ids[0], "department", "2020", model.geo.codes("department"))
    assert values.loc["14", "value"] == 25 and values["value"].notna().sum() == 1
    layer, _ = model.lookup(ids[0], user)
    assert "Importado por el usuario: mininter_trata_lambayeque_2017_2023.csv" in layer.provenance.source["es"]
    assert len(json.dumps(store)) < 20_000  # posted with every map request: values only, no codes
    other_server = {**store, "uploads": [{**store["uploads"][0], "geo": "0000000000"}]}
    assert UserSeries.from_store(other_server, model) is None  # made for another geography


def test_imported_metric_is_accepted_only_with_the_users_store(model, store):
    user = UserSeries.from_store(store, model)
    metric = newest_metric(store, model)
    state, problems = model.state(metric=metric, year="2020", user=user)
    assert state.metric == metric and not problems
    state, problems = model.state(metric=metric, year="2020")
    assert state.metric != metric and "metric" in problems
    view, problems = view_from_query(model, f"?metric={metric}&year=2019", user)
    assert view.map.metric == metric and view.map.year == "2019" and not problems


def test_imported_metric_colours_the_map_and_is_offered(model, store):
    user = UserSeries.from_store(store, model)
    metric = newest_metric(store, model)
    state = MapState(level="department", metric=metric, year="2017")
    fig, drawn = map_update(model, None, state, "es", user=user)
    value = fig["data"][VALUE]
    i = value["locations"].index("14")
    assert value["text"][i] == "<5 denuncias" and value["z"][i] is None  # 3 complaints: suppressed
    assert value["text"][value["locations"].index("08")] == "sin dato"
    later, _ = map_update(model, drawn, MapState(level="department", metric=metric, year="2022"), "es", user=user)
    assert later["data"][VALUE]["z"] is not None  # a Patch
    assert "importado" in text_of(caption(model, state, "es", user)).lower()
    assert any(o["value"] == metric and not o["disabled"] for o in metric_options(model, "department", "es", user))
    assert [o["value"] for o in year_options(model, metric, user)] == ["2017", "2018", "2019", "2020", "2021", "2022"]
    assert "Denuncias policiales por trata" in text_of(area_profile(model, state, "14", "es", user))


def test_a_second_file_of_another_kind_is_kept_beside_the_first(model, store):
    both, _ = upload(model, MPFN, current=store)
    user = UserSeries.from_store(both, model)
    kinds = {m.id.rsplit("_", 2)[-2] for _, m in user.metrics.values()}
    assert len(both["uploads"]) == 2 and "mp" in kinds
    district = [m for m in user.metrics if m.endswith("mp_denuncias")][0]
    values = user.area_values(district, "district", "2023", model.geo.codes("district"))
    assert values.loc["140101", "value"] == 11


@pytest.mark.parametrize(
    "forged",
    [None, "x", [], {"version": 1}, {"version": 1, "uploads": "x"}, {"version": 1, "uploads": [{"id": "../x"}]},
     {"version": 1, "uploads": [{"id": "abc", "file": "f", "date": "d", "source": "mininter",
                                 "metrics": [{"id": "poverty_2018", "years": ["2018"], "levels": ["department"],
                                              "title": {"es": "a", "en": "b"}, "unit": {"es": "a", "en": "b"}}],
                                 "values": {}}]},
     {"version": 1, "uploads": [{"id": "abc", "file": "f", "date": "d", "source": "x",
                                 "metrics": [{"id": "upload_abc_x", "years": ["2020"], "levels": ["department"],
                                              "title": {"es": "a", "en": "b"}, "unit": {"es": "a", "en": "b"}}],
                                 "values": {"upload_abc_x": {"department": {"2020": {"f": "x" * 25, "v": ["<script>", 3]},
                                                                          "2019": {"f": "s" * 24, "v": []}},
                                            "region": {"2020": {"f": "." * 26, "v": ["<b>"] * 26}}}}}]}],
)
def test_a_forged_store_is_ignored_without_an_error(model, forged):
    for upload in (forged or {}).get("uploads", []) if isinstance(forged, dict) and isinstance(forged.get("uploads"), list) else []:
        upload.setdefault("geo", model.geo_version)  # made for this server: only its content is wrong
    user = UserSeries.from_store(forged, model)
    assert user is None or all(m.startswith("upload_abc_") for m in user.metrics)
    state, _ = model.state(metric="upload_abc_x", year="2020", user=user)
    fig, _ = map_update(model, None, state, "es", user=user)
    assert fig["data"][VALUE]["z"] is not None


def test_a_bad_upload_says_why_and_keeps_what_the_user_had(model, store):
    contents = "data:text/csv;base64," + base64.b64encode(b"nombre;edad\nAna;3\n").decode()
    data, status = process_upload(model, contents, "lista.csv", None, store, "es")
    assert data is None  # the store is not replaced (no_update in the callback)
    assert "formato no reconocido" in text_of(status)
    data, status = process_upload(model, "garbage", "x.csv", None, store, "en")
    assert data is None and "could not be read" in text_of(status)


def test_every_cited_registry_and_indicator_has_a_label_in_both_languages(catalog):
    from atlas.i18n import catalog as texts

    figures = catalog.loaded["trata_reportada"].source
    keys = {f"cited.{i}" for i in figures["indicator"]} | {f"series.{s}" for s in figures["series"]}
    for lang in ("es", "en"):
        assert keys <= set(texts(lang)), keys - set(texts(lang))
