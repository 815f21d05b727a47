"""Great-circle distances.

All distances are great-circle (haversine) on a sphere of radius 6,371.0088 km (the IUGG
mean radius), in kilometres. One degree of latitude is therefore 111.195 km. Nearest
neighbours use a KD-tree on 3-D unit vectors: the chord length is a monotonic function of
the great-circle angle, so the nearest by chord is the nearest by great circle, and the
chord converts exactly to the great-circle distance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasts)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: ArrayLike, lon: ArrayLike) -> np.ndarray:
    """(n, 3) unit vectors for latitudes/longitudes in degrees."""
    phi, lmb = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)])


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Great-circle km from chord length on the unit sphere."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0.0, 1.0))


def km_to_chord(km: float | np.ndarray) -> np.ndarray:
    return 2 * np.sin(np.asarray(km) / (2 * EARTH_RADIUS_KM))


def nearest_km(
    lat: ArrayLike, lon: ArrayLike, site_lat: ArrayLike, site_lon: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km) from each point to its nearest site, and that site's index.

    With no sites, distances are +inf and indices -1.
    """
    lat = np.asarray(lat, dtype=float)
    if len(np.atleast_1d(site_lat)) == 0:
        return np.full(lat.shape, np.inf), np.full(lat.shape, -1, dtype=int)
    tree = cKDTree(unit_vectors(site_lat, site_lon))
    chord, index = tree.query(unit_vectors(lat, lon), k=1)
    return chord_to_km(chord), np.asarray(index, dtype=int)
