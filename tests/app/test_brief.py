"""The one-page brief: geometry inlined for offline rendering, the map PNG, the PDF."""

from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import replace

import pytest
from pypdf import PdfReader

from reports import brief as brief_module
from reports.brief import (
    BRIEF_MAP_SIZE,
    Brief,
    brief_map_size,
    ExportError,
    brief_pdf,
    fit_view,
    inline_geometry,
    map_png,
    model_geojson,
    print_figure,
)
from views.map_figure import build_figure
from atlas.model import MapState

A4_LANDSCAPE = (841.89, 595.28)


def pdf_text(pdf: bytes) -> tuple[int, str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"[\s\u00a0]+", " ", text), reader


def tiny_png(width: int = 140, height: int = 100) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 100, 80), fill="#d7301f")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sample_brief(lang: str = "es", **changes) -> Brief:
    es = lang == "es"
    names = ["Trompeteros", "Urarinas", "Pastaza", "Andoas", "Morona", "Yavarí", "Putumayo",
             "Teniente Manuel Clavero", "Balsapuerto", "Jenaro Herrera", "Nauta", "Tigre"]
    rows = [[str(i + 1), name, f"{(12 - i) * 1000:,}".replace(",", "\u00a0" if es else ","), f"{90 - i}{',' if es else '.'}5"]
            for i, name in enumerate(names)]
    brief = Brief(
        lang=lang,
        title="Brechas de cobertura: UPE en Loreto" if es else "Coverage gaps: UPE in Loreto",
        subtitle=("Servicio: UPE · Umbral: 50 km · Nivel: distrito · Enfoque: Loreto" if es
                  else "Service: UPE · Threshold: 50 km · Level: district · Focus: Loreto"),
        headline=(["264\u00a0167 personas rurales (84,0 %) viven a más de 50 km de una UPE en Loreto"] if es
                  else ["264,167 rural people (84.0 %) live more than 50 km from a UPE in Loreto"]),
        scenario=(["+12\u00a0400 personas rurales a 50 km con 3 unidades nuevas; S/ 750\u00a0000; S/ 60,5 por persona"] if es
                  else ["+12,400 rural people within 50 km with 3 new units; S/ 750,000; S/ 60.5 per person"]),
        map_png=tiny_png(),
        map_caption="Población rural a más de 50 km" if es else "Rural population beyond 50 km",
        table_columns=(["Puesto", "Área", "Personas rurales fuera", "% rural fuera"] if es
                       else ["Rank", "Area", "Rural people beyond", "% rural beyond"]),
        table_rows=rows,
        assumptions=(["Distancia en línea recta al servicio más cercano.", "La población se reparte por igual entre los centros poblados."]
                     if es else ["Straight-line distance to the nearest service.", "Population spread evenly over populated centres."]),
        sources=["INEI, Centros poblados (2023); CC BY 4.0", "MIMP, Unidades de Protección Especial (2024)"],
        date="2026-11-23",
        url=f"https://cobertura.example.pe/?tab=gaps&focus=16&lang={lang}",
    )
    return replace(brief, **changes)


# ------------------------------------------------------------------- geometry


@pytest.fixture(scope="module")
def loreto_figure(model):
    state, problems = model.state(level="district", focus="16", services=["upe"])  # poverty, its latest year
    assert not problems
    return build_figure(model, state, "es")


def test_inline_geometry_replaces_every_url_with_the_features_it_names(model, loreto_figure):
    inlined = inline_geometry(loreto_figure, model_geojson(model))
    assert "/geo/" not in json.dumps(inlined)
    shapes = {t["name"]: t for t in inlined["data"] if t["type"] == "choroplethmap"}
    loreto = model.area_table("district", "16")
    for name in ("base", "value"):
        features = shapes[name]["geojson"]["features"]
        assert len(features) == len(loreto) > 40
        assert {f["id"] for f in features} == set(loreto.index)
    assert len(shapes["context"]["geojson"]["features"]) == len(model.geo.codes("department"))
    # the input is untouched: the app still sends URLs
    assert all(isinstance(t["geojson"], str) for t in loreto_figure["data"] if t["type"] == "choroplethmap")


def test_inline_geometry_drops_hidden_traces_and_hover_data(model, loreto_figure):
    inlined = inline_geometry(loreto_figure, model_geojson(model))
    hidden = [t for t in loreto_figure["data"] if t.get("visible") is False]
    assert hidden, "the figure should have hidden services to drop"
    assert len(inlined["data"]) == len(loreto_figure["data"]) - len(hidden)
    assert "care" not in {t.get("name") for t in inlined["data"]}  # CARE outline not shown
    upe = [t for t in inlined["data"] if t["type"] == "scattermap"]
    assert upe and all(t["visible"] is True for t in upe)
    for trace in inlined["data"]:
        assert not {"customdata", "text", "hovertemplate"} & set(trace)
    assert "uirevision" not in inlined["layout"]


def test_a_geometry_url_fetched_once_per_figure(model, loreto_figure):
    calls = []
    source = model_geojson(model)

    def counting(url):
        calls.append(url)
        return source(url)

    inline_geometry(loreto_figure, counting)
    assert len(calls) == len(set(calls)) == 2  # districts of Loreto (base + value), departments


def test_model_geojson_reads_the_app_urls_and_refuses_others(model):
    source = model_geojson(model)
    assert source("/geo/district-16.json?v=abc") == model.geo.geojson_bytes("district", "16")
    assert source("/cobertura/geo/department-pe.json") == model.geo.geojson_bytes("department", None)
    if model.care is not None:
        assert json.loads(source("/geo/care-provinces.json?v=1"))["features"]
    for bad in ("/geo/district-99.json", "/geo/planet-pe.json", "/etc/passwd", "https://example.org/x.json", ""):
        with pytest.raises(ValueError):
            source(bad)


def test_a_geometry_that_cannot_be_read_is_an_export_error(loreto_figure):
    def broken(url):
        raise FileNotFoundError(url)

    with pytest.raises(ExportError) as err:
        inline_geometry(loreto_figure, broken)
    assert err.value.key == "brief.error.geometry"
    assert "Falta la geometría del mapa" in str(err.value) and "map geometry is missing" in str(err.value)
    with pytest.raises(ExportError):
        inline_geometry(loreto_figure, lambda url: b'{"type": "Point", "coordinates": [0, 0]}')


def test_print_figure_fits_the_areas_beside_the_colour_bar(model, loreto_figure):
    inlined = inline_geometry(loreto_figure, model_geojson(model))
    fig = print_figure(inlined, 1400, 1200, lang="es")
    layout = fig["layout"]
    assert layout["map"]["style"] == "white-bg"  # never the internet basemap
    assert layout["map"]["domain"]["x"][0] > 0.1  # a strip for the colour bar
    assert layout["separators"][0] == ","
    value = next(t for t in fig["data"] if t["name"] == "value")
    assert value["colorbar"]["x"] == 0 and value["colorbar"]["xanchor"] == "left"
    # the colour bar's title stands above it, wrapped to the strip, as an annotation
    [title] = layout["annotations"]
    assert "<br>" in title["text"] and title["text"].replace("<br>", " ").startswith("% de la población")
    assert "title" not in value["colorbar"]
    # the view is fitted to Loreto in the bigger box: more zoomed in than the app's
    assert layout["map"]["zoom"] > loreto_figure["layout"]["map"]["zoom"]
    assert -6 < layout["map"]["center"]["lat"] < -2 and -77 < layout["map"]["center"]["lon"] < -72
    with pytest.raises(ExportError):
        print_figure(loreto_figure, 1400, 1000)  # URLs left: a clear error, not a blank map


def test_fit_view_zooms_one_level_per_doubling_of_the_box():
    box = (-80.0, -18.0, -68.0, 0.0)
    (_, z1), (_, z2) = fit_view(box, 500, 500), fit_view(box, 1000, 1000)
    assert z2 - z1 == pytest.approx(1, abs=1e-3)


def test_a_malformed_figure_is_an_export_error():
    for bad in ({"data": "nope", "layout": {}}, {"data": [], "layout": {"map": {"zoom": "nope"}}}):
        with pytest.raises(ExportError) as err:
            map_png(bad, 400, 300)
        assert err.value.key == "brief.error.render"


# ------------------------------------------------------------------------ PDF


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_brief_is_one_a4_landscape_page_holding_the_headline_figures(lang):
    pages, text, reader = pdf_text(brief_pdf(sample_brief(lang)))
    assert pages == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    if lang == "es":
        expected = ["264 167 personas rurales (84,0 %) viven a más de 50 km de una UPE en Loreto",
                    "+12 400 personas rurales", "S/ 60,5 por persona", "Supuestos", "Fuentes", "Escenario",
                    "Las 10 áreas con mayor brecha", "Fecha: 2026-11-23", "Enlace:", "Protección", "Yavarí",
                    "Población rural", "Área"]
    else:
        expected = ["264,167 rural people (84.0 %) live more than 50 km from a UPE in Loreto", "S/ 60.5 per person",
                    "Assumptions", "Sources", "Scenario", "Top 10 areas by gap", "Date: 2026-11-23", "Link:", "Yavarí"]
    for phrase in expected:
        assert phrase in text, phrase
    assert "Tigre" not in text and "Nauta" not in text  # rows 11 and 12: a top 10 only


def test_the_brief_link_is_clickable():
    _, _, reader = pdf_text(brief_pdf(sample_brief("es")))
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    assert links == ["https://cobertura.example.pe/?tab=gaps&focus=16&lang=es"]


def test_the_map_image_is_embedded_on_the_page():
    _, text, reader = pdf_text(brief_pdf(sample_brief("es")))
    images = reader.pages[0].images
    assert len(images) == 1 and images[0].image.size == (140, 100)
    assert "Mapa no disponible" not in text


@pytest.mark.parametrize("png", [None, b"", b"not a png at all"])
def test_no_map_or_a_broken_one_reads_as_map_unavailable(png):
    pages, text, reader = pdf_text(brief_pdf(sample_brief("es", map_png=png)))
    assert pages == 1 and "Mapa no disponible" in text and not reader.pages[0].images
    _, text_en, _ = pdf_text(brief_pdf(sample_brief("en", map_png=png)))
    assert "Map unavailable" in text_en


def test_long_inputs_still_fit_one_page_cut_with_an_ellipsis():
    base = sample_brief("es")
    long = replace(
        base,
        title=base.title * 6,
        subtitle=base.subtitle * 8,
        headline=list(base.headline) * 30,
        scenario=list(base.scenario) * 20,
        table_columns=list(base.table_columns) + ["Extra A", "Extra B", "Extra C", "Extra D"],
        table_rows=[[cell * 7 for cell in row] + ["1", "2", "3", "4"] for row in base.table_rows],
        assumptions=[a + " " + "palabra " * 80 for a in base.assumptions] * 12,
        sources=list(base.sources) * 40,
        url=base.url + "&x=" + "a" * 3000,
    )
    pdf = brief_pdf(long)
    pages, text, _ = pdf_text(pdf)
    assert pages == 1
    assert "264 167" in text  # the first headline survives the cut
    assert "…" in text and re.search(r"y \d+ más", text)
    assert "Supuestos" in text and "Fuentes" in text and "Fecha: 2026-11-23" in text
    assert brief_pdf(long) == pdf  # cut deterministically


def test_an_almost_empty_brief_is_still_a_page():
    pages, text, _ = pdf_text(brief_pdf(Brief(lang="en", title="Cobertura")))
    assert pages == 1 and "Cobertura" in text and "Map unavailable" in text


def test_text_is_drawn_literally_and_unusual_characters_survive():
    brief = sample_brief(
        "es",
        title="<b>Lima & Callao</b> <script>",
        headline=["≥ 50 km: niñas y niños — señalización «clara»\x00\x07 ☃"],
        table_rows=[["1", "Ñuñoa & <Cía>", "5", "1,0"]],
    )
    pages, text, _ = pdf_text(brief_pdf(brief))
    assert pages == 1
    assert "<b>Lima & Callao</b> <script>" in text
    assert re.search(r"(≥|>=) 50 km: niñas y niños — señalización «clara»", text)
    assert "Ñuñoa & <Cía>" in text


def test_the_map_size_follows_the_room_the_texts_leave():
    usual = brief_map_size(sample_brief("es"))
    assert usual[0] == 1400 and 900 < usual[1] < 1400 and usual[1] % 2 == 0
    crowded = brief_map_size(sample_brief("es", sources=["Fuente con un nombre largo, " * 6] * 8))
    assert crowded[0] == 1400 and crowded[1] < usual[1]  # less height left: a wider picture


def test_same_brief_same_bytes():
    assert brief_pdf(sample_brief("en")) == brief_pdf(sample_brief("en"))


def test_numbers_right_aligned_names_left():
    assert brief_module._is_numeric_column(["1\u00a0052", "27,6", "<5", "12 %", "sin pobl. rural"]) is True
    assert brief_module._is_numeric_column(["Trompeteros", "Yavarí", "12"]) is False
    assert brief_module._is_numeric_column(["", "…"]) is False


# ------------------------------------------------------------------ the map PNG


def non_white_share(png: bytes) -> float:
    from PIL import Image

    import numpy as np

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return float((pixels.min(axis=2) < 235).mean())


def test_map_png_draws_the_districts_in_this_process(model, loreto_figure):
    from PIL import Image

    inlined = inline_geometry(loreto_figure, model_geojson(model))
    png = map_png(inlined, 1400, 1000, lang="es")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1400, 1000)
    assert non_white_share(png) > 0.25  # Loreto's districts, not a blank page
    colours = {c for _, c in image.convert("RGB").getcolors(1400 * 1000)}
    reds = [c for c in colours if c[0] > c[2] + 60]  # the poverty palette (OrRd), many shades
    assert len(reds) > 20
    assert Image.open(io.BytesIO(map_png(inlined, *BRIEF_MAP_SIZE, lang="es"))).size == BRIEF_MAP_SIZE


def test_each_district_is_drawn_in_its_own_colour_where_it_lies(model, loreto_figure):
    """Read back the PNG at a point inside each district: the colour is its value's on the
    trace's scale, at the trace's opacity over the grey base, so the projection, the fit of
    the view and the colours are all right."""
    import numpy as np
    import shapely
    from PIL import Image

    from atlas.colours import parse_colour, scale_rgba
    from reports.draw_map import _View

    inlined = inline_geometry(loreto_figure, model_geojson(model))
    printable = print_figure(inlined, 700, 500, "es")
    pixels = np.asarray(Image.open(io.BytesIO(map_png(inlined, 1400, 1000, lang="es"))).convert("RGB")).astype(int)
    view = _View(printable["layout"], 2)  # 2 device px per CSS px, as map_png lays out 1400 x 1000
    traces = {t["name"]: t for t in printable["data"]}
    value, base = traces["value"], traces["base"]
    grey = np.array(parse_colour(base["colorscale"][0][1])[:3])
    opacity = value["marker"]["opacity"]
    shapes = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in value["geojson"]["features"]}
    checked = matched = 0
    for code, z in zip(value["locations"], value["z"]):
        shape = shapes[code]
        inner = shape.buffer(-0.08)  # well inside: away from outlines
        if z is None or inner.is_empty:
            continue
        point = inner.representative_point()
        x, y = view.point(point.x, point.y)
        x, y = round(x + view.box[0]), round(y + view.box[1])
        t = (z - value["zmin"]) / (value["zmax"] - value["zmin"])
        expected = np.array(scale_rgba(value["colorscale"], t)[:3]) * opacity + grey * (1 - opacity)
        checked += 1
        matched += int(np.abs(pixels[y, x] - expected).max() <= 3)
    assert checked > 40  # Loreto has 53 districts
    assert matched == checked


def test_a_hand_made_figure_is_drawn_where_and_as_it_says():
    """One square area with a hole, one area with no value, one marker: each where the Web
    Mercator projection puts it, in its colour, with the hole left white."""
    import numpy as np
    from PIL import Image

    from reports.draw_map import draw_png

    square = [[-76, -11], [-74, -11], [-74, -9], [-76, -9], [-76, -11]]
    hole = [[-75.4, -10.4], [-74.6, -10.4], [-74.6, -9.6], [-75.4, -9.6], [-75.4, -10.4]]
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "A", "geometry": {"type": "Polygon", "coordinates": [square, hole]}},
        {"type": "Feature", "id": "B", "geometry": {"type": "Polygon", "coordinates": [
            [[-73.5, -11], [-72, -11], [-72, -9], [-73.5, -9], [-73.5, -11]]]}},
    ]}
    figure = {
        "data": [
            {"type": "choroplethmap", "geojson": geojson, "locations": ["A", "B"], "z": [10, None],
             "zmin": 0, "zmax": 20, "colorscale": [[0, "#000000"], [1, "#ffffff"]],
             "marker": {"line": {"width": 0}}},
            {"type": "scattermap", "lat": [-10.0], "lon": [-70.0], "mode": "markers",
             "marker": {"size": 20, "color": "rgba(0, 0, 255, 0.5)"}},
        ],
        "layout": {"width": 400, "height": 200, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
                   "map": {"center": {"lat": -10, "lon": -74}, "zoom": 4}},
    }
    pixels = np.asarray(Image.open(io.BytesIO(draw_png(figure))).convert("RGB")).astype(int)
    world = 512 * 2**4 / 360  # px per degree of longitude at zoom 4

    def at(lon, lat):
        x = 200 + (lon + 74) * world
        merc = lambda d: np.log(np.tan(np.pi / 4 + np.radians(d) / 2))  # noqa: E731
        y = 100 - (merc(lat) - merc(-10)) * 512 * 2**4 / (2 * np.pi)
        return pixels[round(y), round(x)]

    def close(rgb, expected):  # within one step of 255 (alpha is kept in 8 bits)
        return np.abs(rgb - np.array(expected)).max() <= 1

    assert close(at(-75.7, -10), [128, 128, 128])  # z 10 of 0..20: half way from black to white
    assert close(at(-75, -10), [255, 255, 255])  # the hole
    assert close(at(-72.7, -10), [255, 255, 255])  # no value: not drawn, as plotly leaves it out
    assert close(at(-70, -10), [128, 128, 255])  # half-transparent blue over white
    assert close(at(-70 + 12 / world, -10), [255, 255, 255])  # 12 px east: outside the 10 px radius
    assert close(at(-70 + 8 / world, -10), [128, 128, 255])  # 8 px east: inside it


def test_colour_bar_ticks_are_round_and_written_as_the_language_does():
    from reports.draw_map import format_tick, nice_ticks

    assert nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0.0, 1.0, 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(3.7, 41.2, 4) == [10, 20, 30, 40]
    assert format_tick(1234.5, ",.1f", ",\u00a0") == "1\u00a0234,5"
    assert format_tick(1234.5, ",.1f", ".,") == "1,234.5"
    assert format_tick(0.25, ".0%", ",\u00a0") == "25%"
    assert format_tick(12.0, None, ",\u00a0") == "12"
    with pytest.raises(ValueError):
        format_tick(1.0, "~s", None)


def test_map_png_serves_concurrent_requests_each_its_own_image():
    figure = {
        "data": [{"type": "scattermap", "lat": [-12.05, -3.75], "lon": [-77.04, -73.25], "mode": "markers",
                  "marker": {"size": 20, "color": "#8a1538"}}],
        "layout": {"map": {"style": "white-bg", "center": {"lat": -8, "lon": -75}, "zoom": 4}},
    }
    results: list = [None] * 3

    def work(i: int) -> None:
        try:
            results[i] = map_png(figure, 400 + 100 * i, 300, scale=1)
        except Exception as err:  # noqa: BLE001
            results[i] = err

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    from PIL import Image

    sizes = [Image.open(io.BytesIO(r)).size for r in results]  # each got its own image
    assert sizes == [(400, 300), (500, 300), (600, 300)]


def test_brief_pdf_with_a_real_map(model, loreto_figure):
    inlined = inline_geometry(loreto_figure, model_geojson(model))
    png = map_png(inlined, *BRIEF_MAP_SIZE, lang="es")
    pdf = brief_pdf(sample_brief("es", map_png=png))
    pages, text, reader = pdf_text(pdf)
    assert pages == 1 and "264 167 personas rurales" in text
    assert reader.pages[0].images[0].image.size == BRIEF_MAP_SIZE
    assert len(pdf) < 2_000_000


@pytest.mark.browser
@pytest.mark.parametrize("level, focus", [("district", "16"), ("department", "")])
def test_the_drawing_agrees_with_plotly_js_and_maplibre(model, level, focus):
    """The same print figure drawn by plotly.js and MapLibre in Chromium (kaleido, a test
    dependency only): nearly every pixel they colour, ours colours the same. What differs
    is edges (their antialiasing) and text (their font hinting)."""
    import kaleido
    import numpy as np
    from PIL import Image

    from reports.draw_map import draw_png
    from tests.conftest import CHROMIUM

    state, _ = model.state(level=level, focus=focus, services=["upe"])
    figure = build_figure(model, state, "es")
    printable = print_figure(inline_geometry(figure, model_geojson(model)), 700, 500, "es")
    ours = np.asarray(Image.open(io.BytesIO(draw_png(printable, 2))).convert("RGB")).astype(int)
    theirs_png = kaleido.calc_fig_sync(printable, opts={"format": "png", "width": 700, "height": 500, "scale": 2},
                                       kopts={"path": CHROMIUM, "mathjax": False})
    theirs = np.asarray(Image.open(io.BytesIO(theirs_png)).convert("RGB")).astype(int)
    assert ours.shape == theirs.shape == (1000, 1400, 3)
    drawn = theirs.min(axis=2) < 235
    same = np.abs(ours - theirs).max(axis=2) <= 40
    assert drawn.mean() > 0.15
    print(f"\n{level}: {same[drawn].mean():.3f} of the pixels plotly.js draws are the same here")
    assert same[drawn].mean() > 0.85
