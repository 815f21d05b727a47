import json

import numpy as np
import pytest
import shapely

from atlas.model import COLORBAR_PX, MAP_WIDTH_PX
from views.map_figure import map_view
from layers.boundaries import quantize


def test_quantize_keeps_shared_borders_identical():
    # two squares sharing the edge x = 0.12345..0.12349 (rounds to 0.123)
    left = shapely.Polygon([(0, 0), (0.123456, 0), (0.123456, 1), (0, 1)])
    right = shapely.Polygon([(0.123456, 0), (1, 0), (1, 1), (0.123456, 1)])
    a, b = quantize(np.array([left, right], dtype=object), decimals=3)
    shared = set(map(tuple, shapely.get_coordinates(a))) & set(map(tuple, shapely.get_coordinates(b)))
    assert (0.123, 0.0) in shared and (0.123, 1.0) in shared


def test_quantize_drops_rings_that_collapse():
    sliver = shapely.Polygon([(0, 0), (0.0001, 0), (0.0001, 0.0001), (0, 0.0001)])
    big = shapely.Polygon([(1, 1), (2, 1), (2, 2), (1, 2)])
    (out,) = quantize(np.array([shapely.MultiPolygon([sliver, big])], dtype=object), decimals=3)
    assert out.geom_type == "Polygon" and out.area == 1.0


def test_display_geojson_has_one_feature_per_area_and_no_properties(geo):
    for level, n in (("department", 25), ("region", 26), ("province", 196)):
        doc = json.loads(geo.geojson_bytes(level))
        assert len(doc["features"]) == n
        assert {f["id"] for f in doc["features"]} == set(geo.codes(level))
        assert all(f["properties"] == {} for f in doc["features"])


def test_focus_geometry_holds_only_that_department(geo):
    doc = json.loads(geo.geojson_bytes("district", "16"))
    ids = {f["id"] for f in doc["features"]}
    assert ids and all(i.startswith("16") for i in ids)
    assert len(ids) == len([c for c in geo.codes("district") if c.startswith("16")])


def test_department_geometry_is_light_enough_for_a_slow_link(geo):
    import gzip

    assert len(gzip.compress(geo.geojson_bytes("department"))) < 100_000


def test_capitals_give_reference_points(geo):
    iquitos = geo.area("department", "16")
    assert iquitos["capital_name"].lower().startswith("iquitos")
    assert -4 < iquitos["lat"] < -3.5
    metro = geo.area("region", "150100")
    assert metro["name"] == "Lima Metropolitana"


def _pixel_x(lon: float, center: dict, zoom: float) -> float:
    """Where a longitude falls in the MAP_WIDTH_PX-wide box (web mercator, 512-px tiles)."""
    return MAP_WIDTH_PX / 2 + (lon - center["lon"]) * 512 * 2**zoom / 360


def test_view_fits_peru_and_zooms_into_loreto(geo):
    center, zoom = map_view(geo.bbox("department"))
    assert -12 < center["lat"] < -7
    loreto_center, loreto_zoom = map_view(geo.bbox("department", "16"))
    assert loreto_zoom > zoom
    assert -6 < loreto_center["lat"] < -2


@pytest.mark.parametrize("focus", [None, "15", "08", "16", "21", "17"])
def test_focus_is_drawn_right_of_the_colour_bar(geo, focus):
    """The colour bar sits on the left of the map box: the view leaves it a strip, so it
    never covers an area of Peru or of the focus department."""
    minx, _, maxx, _ = geo.bbox("department", focus)
    center, zoom = map_view(geo.bbox("department", focus))
    west, east = _pixel_x(minx, center, zoom), _pixel_x(maxx, center, zoom)
    assert COLORBAR_PX <= west < east <= MAP_WIDTH_PX
    # and it uses the room it has: centred in the strip right of the colour bar
    assert abs((west - COLORBAR_PX) - (MAP_WIDTH_PX - east)) < 2


