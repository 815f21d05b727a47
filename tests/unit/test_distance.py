import numpy as np
import pytest

from analysis.distance import EARTH_RADIUS_KM, haversine_km, nearest_km


def test_one_degree_of_latitude_is_111_2_km():
    assert haversine_km(0, -75, 1, -75) == pytest.approx(111.195, abs=0.01)
    assert haversine_km(-10, -75, -11, -75) == pytest.approx(111.195, abs=0.01)


def test_one_degree_of_longitude_shrinks_with_latitude():
    at_equator = haversine_km(0, -75, 0, -74)
    at_60 = haversine_km(60, -75, 60, -74)
    assert at_60 == pytest.approx(at_equator / 2, rel=1e-3)


def test_quarter_of_a_great_circle():
    assert haversine_km(0, 0, 0, 90) == pytest.approx(np.pi / 2 * EARTH_RADIUS_KM)


def test_nearest_site_and_its_distance():
    km, index = nearest_km([0.0, -2.0], [-75.0, -75.0], [0.0, -3.0, 5.0], [-74.0, -75.0, -75.0])
    assert index.tolist() == [0, 1]
    assert km[0] == pytest.approx(111.195, abs=0.01)
    assert km[1] == pytest.approx(111.195, abs=0.01)


def test_nearest_of_no_sites_is_infinitely_far():
    km, index = nearest_km([0.0], [0.0], [], [])
    assert np.isinf(km[0]) and index[0] == -1
