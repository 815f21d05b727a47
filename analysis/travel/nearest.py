"""The unit of a service nearest to one point by modelled travel time (for the area profile).

One single-source search from the point on the forward graph (the person travels to the
unit: upstream and downstream differ) gives the hours to every network node; each unit is
reached by its own walking legs from the network, or on foot straight from the point when
that is faster (within `max_walk_km`). Beyond the cutoff (7 days): no unit, "sin acceso
modelado".
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import dijkstra

from ..distance import haversine_km
from .engine import Points, TravelModel, _with_source
from .params import REGIONS


def nearest_by_time(
    model: TravelModel, lat: float, lon: float, sites: Points
) -> tuple[int, float] | None:
    """(index into `sites`, hours) of the unit reached first from (lat, lon) in degrees;
    None when no unit is reachable within the cutoff or there are no units."""
    if len(sites) == 0:
        return None
    g, p = model.graph, model.params
    origin = model.points(lat, lon)
    nodes, hours, _ = g.walk_links(origin.lat, origin.lon, origin.region)
    forward = _with_source(g.hours.tocsr(), nodes.ravel(), hours.ravel())
    node_hours = dijkstra(forward, directed=True, indices=g.n, limit=model.cutoff)[
        : g.n
    ]
    padded = np.concatenate([node_hours, [np.inf]])
    site_nodes, site_hours, _ = g.walk_links(sites.lat, sites.lon, sites.region)
    via = (padded[site_nodes] + site_hours).min(axis=1)  # -1 picks the inf pad
    km = haversine_km(sites.lat, sites.lon, float(lat), float(lon))
    walk = np.where(
        km <= p["max_walk_km"],
        km * p["walk_detour"] / p.walk_kmh(REGIONS[int(origin.region[0])]),
        np.inf,
    )
    total = np.minimum(via, walk)
    best = int(np.argmin(total))
    if not np.isfinite(total[best]) or total[best] > model.cutoff:
        return None
    return best, float(total[best])
