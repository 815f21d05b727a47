"""The unit nearest by modelled travel time from one place (the area profile), on hand-made
networks: the person travels to the unit, so downstream beats a nearer unit upstream."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.travel.engine import Points
from analysis.travel.nearest import nearest_by_time
from tests.unit.test_travel import RIVER, SELVA, line, model_of, network


def units(*places):
    lat = np.array([p[0] for p in places])
    lon = np.array([p[1] for p in places])
    return Points(lat, lon, np.full(len(places), SELVA))


def test_a_farther_unit_downstream_is_nearer_in_hours_than_a_closer_one_upstream():
    m = model_of(network(rivers=[RIVER]))
    origin = (-4.0, -69.8)
    upstream, downstream = (-4.0, -70.5), (-4.0, -69.0)  # 78 km up, 89 km down
    best, hours = nearest_by_time(m, *origin, units(upstream, downstream))
    assert best == 1
    route = m.route(*origin, *downstream)
    assert hours == pytest.approx(route.hours, rel=1e-6)
    assert hours < m.route(*origin, *upstream).hours


def test_a_unit_within_walking_distance_is_reached_on_foot():
    m = model_of(network(rivers=[RIVER]))
    best, hours = nearest_by_time(m, -4.5, -72.0, units((-4.51, -72.0), (-4.0, -69.0)))
    assert best == 0 and hours < 1


def test_no_unit_within_the_cutoff_is_none_never_a_number():
    m = model_of(network(rivers=[(line(-70.6, -68.6, -4.0), 1)]))
    assert (
        nearest_by_time(m, -9.5, -74.5, units((-4.0, -69.0))) is None
    )  # far off the network, no walk
    assert nearest_by_time(m, -4.0, -70.0, units()) is None


def test_a_travel_index_that_cannot_be_built_leaves_the_app_in_km(catalog, monkeypatch):
    import analysis.travel.index as travel_index
    from atlas.model import load_travel
    from layers.base import DataFileError

    def broken(*args, **kwargs):
        raise DataFileError("network/rios_gshhg_wdb2_peru.geojson", "missing")

    monkeypatch.setattr(travel_index, "travel_index", broken)
    from analysis.index import coverage_index

    assert load_travel(catalog, coverage_index(catalog)) is None
    assert load_travel(catalog, None) is None


def test_the_app_model_keeps_its_travel_cache_where_settings_say(catalog, tmp_path):
    from atlas.model import Model

    model = Model(catalog, travel_cache=tmp_path)
    assert model.travel is not None and list(tmp_path.glob("hours-*.npz"))
