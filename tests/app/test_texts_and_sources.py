import json
import re
from pathlib import Path

import pytest
from dash import html

from atlas.i18n import LOCALE_DIR, catalog, fmt_number, pick, t
from views.map import caption
from views.map_figure import value_text
from atlas.model import MapState
from views.sources import sources_panel
from atlas.url import parse_query, query_from_view, view_from_query
from layers import REGISTRY

ROOT = Path(__file__).resolve().parents[2]


def text_of(component) -> str:
    return json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def test_both_languages_have_the_same_keys_and_no_empty_text():
    es, en = catalog("es"), catalog("en")
    assert set(es) == set(en)
    assert all(v.strip() for v in list(es.values()) + list(en.values()))
    differ = [k for k in es if es[k] == en[k] and not re.fullmatch(r"[<{}\w\s]*", es[k])]
    assert len(differ) < 3, differ  # texts are translated, not copied


def test_every_key_used_in_code_exists():
    used = set()
    rooms = ("callbacks", "views", "atlas", "reports", "ingest")
    for path in [p for room in rooms for p in (ROOT / room).glob("*.py")] + [ROOT / "app.py"]:
        source = path.read_text()
        used |= set(re.findall(r'\bt\(lang, ["\']([a-z_]+\.[a-z_.]+)["\']', source))
        used |= set(re.findall(r'\btr\(["\']([a-z_]+\.[a-z_.]+)["\']', source))
    used |= {f"status.{s}" for s in ("verified", "weak", "claim")}
    used |= {f"precision.{p}" for p in ("exact", "other_district", "district_centroid", "seat_city",
                                        "department_assumed", "district_capital", "unknown")}
    used |= {f"level.{lv}" for lv in ("department", "region", "province", "district")}
    keys = catalog("es")
    prefixes = {k for k in used if k.endswith(".")}  # f-strings such as f"gaps.col.{c}"
    missing = sorted(k for k in used - prefixes if k not in keys)
    missing += [p for p in prefixes if not any(k.startswith(p) for k in keys)]
    assert not missing and len(used) > 40


def test_numbers_read_as_each_language_writes_them():
    assert fmt_number(1052977, 0, "es") == "1\u00a0052\u00a0977"
    assert fmt_number(27.64, 1, "es") == "27,6"
    assert fmt_number(1052977, 0, "en") == "1,052,977"
    assert fmt_number(float("nan"), 1, "es") == "sin dato"
    assert fmt_number(None, 1, "en") == "no data"


def test_small_counts_read_as_less_than_five():
    import pandas as pd

    row = pd.Series({"value": float("nan"), "low": float("nan"), "high": float("nan"), "flag": "suppressed"})
    assert value_text(row, 0, "casos", "es") == "<5 casos"


def test_caption_names_source_year_licence_and_level(model):
    text = text_of(caption(model, MapState(metric="poverty_2018", year="2018"), "es"))
    assert "INEI" in text and "2018" in text and "licencia MIT" in text and "distrito" in text
    text_en = text_of(caption(model, MapState(level="district", metric="cem_cases", year="2024"), "en"))
    assert "exists only at level" in text_en
    poverty_en = text_of(caption(model, MapState(metric="poverty_2018", year="2018"), "en"))
    assert "licence MIT (transcription calderonsamuel/perupobreza2018)" in poverty_en
    assert "transcripción" not in poverty_en  # the English caption is English throughout


@pytest.mark.parametrize("lang", ["es", "en"])
def test_sources_panel_is_built_from_every_layers_provenance(model, lang):
    text = text_of(sources_panel(model, lang))
    for layer in REGISTRY:
        assert layer.provenance.source[lang] in text
        assert pick(layer.provenance.licence, lang) in text
        for path in layer.provenance.files:
            assert path in text
    assert "080915" in text  # the poverty join lists what did not match


def test_url_state_round_trip(model):
    query = "?lang=en&level=district&focus=16&metric=rural_share&year=2023&services=upe,care&basemap=1"
    view, problems = view_from_query(model, query)
    state = view.map
    assert (view.lang, state.level, state.focus, state.metric, state.year) == ("en", "district", "16", "rural_share", "2023")
    assert state.services == ("upe", "care") and state.basemap and not problems
    assert query_from_view(view) == query


def test_scenario_url_round_trip(model):
    query = (
        "?metric=poverty_2018&year=2018&tab=gaps&gservice=upe&km=75&glevel=district&gfocus=16&gcolour=index"
        "&w=1,0,2,1&units=upe:160302,fistrap:160201&suggested=upe:c1602010070&cost=upe:250000"
    )
    view, problems = view_from_query(model, query)
    assert not problems
    assert view.tab == "gaps" and view.gaps.km == 75 and view.gaps.focus == "16" and view.gaps.colour == "index"
    assert view.gaps.weights == (1.0, 0.0, 2.0, 1.0)
    units = view.scenario["units"]
    assert [(u["service"], u["place"], u["origin"]) for u in units] == [
        ("upe", "160302", "manual"), ("fistrap", "160201", "manual"), ("upe", "c1602010070", "suggested")
    ]
    assert view.scenario["costs"] == {"upe": 250000.0}
    assert query_from_view(view) == query


@pytest.mark.parametrize(
    "query, bad",
    [
        ("?level=planet", {"level"}),
        ("?focus=99&lang=fr", {"focus", "lang"}),
        ("?metric=poverty_2018&year=2024", {"year"}),
        ("?services=upe,<img>&hack=1", {"services", "hack"}),
        ("?" + "a" * 20_000, {"query"}),  # over MAX_QUERY (six saved scenarios fit in 16,000)
        ("?%zz=%%%", {"%zz"}),
        ("?km=1e9&gservice=nuke&glevel=x", {"km", "gservice", "glevel"}),
        ("?units=upe:999999,upe&cost=upe:-5", {"units", "cost"}),
        ("?units=" + ",".join(["upe:160302"] * 60), {"units"}),
        ("?tab=admin", {"tab"}),
    ],
)
def test_malformed_links_are_ignored_with_the_names_of_what_was_wrong(model, query, bad):
    view, problems = view_from_query(model, query)
    assert bad <= set(problems)
    assert view.map.metric in model.metrics


def test_parse_query_keeps_the_last_value():
    values, problems = parse_query("?level=district&level=province")
    assert values["level"] == "province" and not problems
