"""Hours from every populated centre to the nearest unit of a service, by road, river and foot.

- `TravelModel.field(sites)`: one multi-source shortest-path search (scipy
  `csgraph.dijkstra` on the reversed graph from a virtual source joined to every unit by its
  walking legs) gives, for every network node, the hours to the nearest unit.
- `TravelModel.hours_to(sites)`: each centre takes the best of its walking legs to the
  network plus the node's hours, or walks straight to the nearest unit when that is faster
  (within `max_walk_km`). Beyond `cutoff_h` (7 days) or with no route: NaN, "sin acceso
  modelado" — never a number.
- `TravelModel.with_unit(...)`: a hypothetical unit needs one bounded single-source search
  (limit = the threshold, or the current maximum) merged with the current minimum.
- `TravelModel.route(...)`: hours, network km, straight-line km and the legs of the fastest
  route between two points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ..distance import haversine_km, km_to_chord, nearest_km, unit_vectors
from .graph import MODE_IDS, MODE_LABELS, ROAD, WALK, RegionLookup, TravelGraph
from .params import REGIONS

NO_ACCESS = {"es": "sin acceso modelado", "en": "no modelled access"}


@dataclass(frozen=True)
class Points:
    """Points with their natural region code (0 Costa, 1 Sierra, 2 Selva)."""

    lat: np.ndarray
    lon: np.ndarray
    region: np.ndarray

    def __len__(self) -> int:
        return len(self.lat)


@dataclass(frozen=True)
class Leg:
    mode: str
    hours: float
    km: float

    def label(self, lang: str = "es") -> str:
        es, en = MODE_LABELS[self.mode]
        return es if lang == "es" else en


@dataclass(frozen=True)
class Route:
    hours: float
    km_network: float
    km_straight: float
    legs: tuple[Leg, ...]

    def text(self, lang: str = "es") -> str:
        """e.g. "a pie 0,6 h · bote río abajo 4,2 h · carretera 0,8 h" (comma decimals in Spanish)."""
        parts = []
        for leg in self.legs:
            number = f"{leg.hours:.1f}"
            parts.append(f"{leg.label(lang)} {number.replace('.', ',') if lang == 'es' else number} h")
        return " · ".join(parts)

    def as_dict(self) -> dict:
        return {
            "hours": round(self.hours, 3),
            "km_network": round(self.km_network, 2),
            "km_straight": round(self.km_straight, 2),
            "legs": [{"mode": g.mode, "label_es": g.label("es"), "label_en": g.label("en"),
                      "hours": round(g.hours, 3), "km": round(g.km, 2)} for g in self.legs],
            "text_es": self.text("es"),
            "text_en": self.text("en"),
        }


class NoRoute(ValueError):
    """No modelled route (outside Peru, at sea, or beyond the cutoff)."""


def _with_source(reverse: sparse.csr_matrix, nodes: np.ndarray, hours: np.ndarray) -> sparse.csr_matrix:
    """The reversed graph plus one virtual node (index n) with edges to `nodes`."""
    n = reverse.shape[0]
    ok = (nodes >= 0) & np.isfinite(hours)
    nodes, hours = nodes[ok], np.maximum(hours[ok], 1e-6)
    if len(nodes):  # one edge per target node: the fastest
        order = np.lexsort((hours, nodes))
        nodes, hours = nodes[order], hours[order]
        first = np.r_[True, nodes[1:] != nodes[:-1]]
        nodes, hours = nodes[first], hours[first]
    indptr = np.concatenate([reverse.indptr, [reverse.indptr[-1] + len(nodes)]])
    indices = np.concatenate([reverse.indices, nodes])
    data = np.concatenate([reverse.data, hours])
    return sparse.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))


@dataclass
class TravelModel:
    """The travel model for one parameter variant and boat type, with the demand's walking
    legs to the network precomputed."""

    graph: TravelGraph
    demand: Points
    region_at: RegionLookup
    links_node: np.ndarray = field(init=False)
    links_hours: np.ndarray = field(init=False)
    _inverse_cache: sparse.csr_matrix | None = field(init=False, default=None, repr=False)
    _tree_cache: cKDTree | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.links_node, self.links_hours, _ = self.graph.walk_links(self.demand.lat, self.demand.lon, self.demand.region)

    @property
    def params(self):
        return self.graph.params

    @property
    def cutoff(self) -> float:
        return float(self.params["cutoff_h"])

    def points(self, lat, lon) -> Points:
        lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        return Points(lat, lon, self.region_at(lat, lon))

    def field(self, sites: Points, limit: float = np.inf) -> np.ndarray:
        """Hours from every network node to the nearest of `sites` (inf beyond `limit`)."""
        n = self.graph.n
        if len(sites) == 0:
            return np.full(n, np.inf)
        nodes, hours, _ = self.graph.walk_links(sites.lat, sites.lon, sites.region)
        aug = _with_source(self.graph.reverse, nodes.ravel(), hours.ravel())
        dist = dijkstra(aug, directed=True, indices=n, limit=limit)
        return dist[:n]

    def _centre_hours(self, node_field: np.ndarray) -> np.ndarray:
        padded = np.concatenate([node_field, [np.inf]])
        via = self.links_hours + padded[self.links_node]  # -1 picks the inf pad
        return via.min(axis=1)

    def _direct_walk(self, sites: Points) -> np.ndarray:
        """Hours walking straight to the nearest site (inf beyond max_walk_km)."""
        p = self.params
        km, _ = nearest_km(self.demand.lat, self.demand.lon, sites.lat, sites.lon)
        speed = np.array([p.walk_kmh(r) for r in REGIONS])[self.demand.region]
        return np.where(km <= p["max_walk_km"], km * p["walk_detour"] / speed, np.inf)

    def raw_hours(self, sites: Points) -> np.ndarray:
        """Hours per demand point with inf for no access (for internal minimums)."""
        if len(sites) == 0:
            return np.full(len(self.demand), np.inf)
        hours = np.minimum(self._centre_hours(self.field(sites)), self._direct_walk(sites))
        hours[hours > self.cutoff] = np.inf
        return hours

    def hours_to(self, sites: Points) -> np.ndarray:
        """Hours from every demand point to the nearest site; NaN = sin acceso modelado."""
        return to_public(self.raw_hours(sites))

    def with_unit(self, raw: np.ndarray, lat: float, lon: float, limit: float | None = None) -> np.ndarray:
        """Raw hours (inf = no access) once a hypothetical unit at (lat, lon) is added.

        One single-source search bounded by `limit`, merged with the current minimum. The
        default bound is the largest current value (the cutoff while some point has no
        access), so that no point that could improve is missed; with a threshold, pass it:
        only changes within the threshold matter then.
        """
        if limit is None:
            limit = float(raw.max()) if len(raw) and np.isfinite(raw).all() else self.cutoff
        limit = min(float(limit), self.cutoff)
        unit = self.points(lat, lon)
        node_field = self.field(unit, limit=limit)
        reached = np.flatnonzero(np.isfinite(node_field))
        if len(reached) > self.graph.n // 8:  # a wide search: every point's legs, vectorised
            out = np.minimum(raw, self._centre_hours(node_field))
        else:  # only points whose walking legs reach a node the search reached can improve
            out = raw.copy()
            sub = self._inverse()[reached]
            total = sub.data + np.repeat(node_field[reached], np.diff(sub.indptr))
            np.minimum.at(out, sub.indices, total)
        # and those within walking distance of the unit
        p = self.params
        close = np.asarray(self._demand_tree().query_ball_point(unit_vectors(unit.lat, unit.lon)[0],
                                                                r=float(km_to_chord(p["max_walk_km"]))), dtype=np.int64)
        if len(close):
            km = haversine_km(self.demand.lat[close], self.demand.lon[close], float(lat), float(lon))
            speed = np.array([p.walk_kmh(r) for r in REGIONS])[self.demand.region[close]]
            np.minimum.at(out, close, km * p["walk_detour"] / speed)
        out[out > self.cutoff] = np.inf
        return out

    def _inverse(self) -> sparse.csr_matrix:
        """node -> (demand point, walking hours) for the demand's walking legs (built once)."""
        if self._inverse_cache is None:
            ok = self.links_node >= 0
            owner = np.broadcast_to(np.arange(len(self.demand))[:, None], self.links_node.shape)[ok]
            # a point's legs go to distinct nodes (k nearest road + k nearest river), so no entry is summed
            self._inverse_cache = sparse.csr_matrix((self.links_hours[ok] + 1e-12, (self.links_node[ok], owner)),
                                                    shape=(self.graph.n, len(self.demand)))
        return self._inverse_cache

    def _demand_tree(self) -> cKDTree:
        if self._tree_cache is None:
            self._tree_cache = cKDTree(unit_vectors(self.demand.lat, self.demand.lon))
        return self._tree_cache

    def route(self, from_lat: float, from_lon: float, to_lat: float, to_lon: float, roads: bool = True) -> Route:
        """The fastest modelled route; raises NoRoute when none exists within the cutoff.
        With `roads=False`, no road links: walking, ports and boats only (a river trip as
        quoted by boat)."""
        g, p = self.graph, self.params
        n = g.n
        a, b = self.points(from_lat, from_lon), self.points(to_lat, to_lon)
        a_nodes, a_hours, a_km = g.walk_links(a.lat, a.lon, a.region)
        b_nodes, b_hours, b_km = g.walk_links(b.lat, b.lon, b.region)
        straight = float(haversine_km(from_lat, from_lon, to_lat, to_lon))
        o, d = n, n + 1
        rows = [g.hours.tocoo()]
        extra_u, extra_v, extra_h, extra_km = [], [], [], []
        for node, h, km in zip(a_nodes[0], a_hours[0], a_km[0]):
            if node >= 0:
                extra_u.append(o); extra_v.append(node); extra_h.append(h); extra_km.append(km)
        for node, h, km in zip(b_nodes[0], b_hours[0], b_km[0]):
            if node >= 0:
                extra_u.append(node); extra_v.append(d); extra_h.append(h); extra_km.append(km)
        if straight <= p["max_walk_km"]:
            extra_u.append(o); extra_v.append(d)
            extra_h.append(straight * p["walk_detour"] / p.walk_kmh(REGIONS[int(a.region[0])])); extra_km.append(straight)
        coo = rows[0]
        if not roads:
            modes = g.mode.tocoo().data.astype(int) - 1
            keep = modes != ROAD  # ports stay: they stand for a river town's access to its bank
            coo = sparse.coo_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=coo.shape)
        aug = sparse.csr_matrix(
            (np.concatenate([coo.data, np.maximum(extra_h, 1e-6)]),
             (np.concatenate([coo.row, extra_u]).astype(np.int64), np.concatenate([coo.col, extra_v]).astype(np.int64))),
            shape=(n + 2, n + 2),
        )
        dist, pred = dijkstra(aug, directed=True, indices=o, return_predecessors=True, limit=self.cutoff)
        if not np.isfinite(dist[d]):
            raise NoRoute(
                f"no modelled route within {self.cutoff:g} h from ({from_lat:g}, {from_lon:g}) "
                f"to ({to_lat:g}, {to_lon:g}): {NO_ACCESS['es']} / {NO_ACCESS['en']}"
            )
        path = [d]
        while path[-1] != o:
            path.append(int(pred[path[-1]]))
        path.reverse()
        extra = {(u, v): (h, km) for u, v, h, km in zip(extra_u, extra_v, extra_h, extra_km)}
        legs: list[Leg] = []
        for u, v in zip(path[:-1], path[1:]):
            if (u, v) in extra:
                h, km = extra[(u, v)]
                mode = WALK  # a walking leg to a river bank includes the boarding wait
            else:
                h, km, mode = g.edge(u, v)
            name = MODE_IDS[mode]
            if legs and legs[-1].mode == name:
                legs[-1] = Leg(name, legs[-1].hours + h, legs[-1].km + km)
            else:
                legs.append(Leg(name, h, km))
        return Route(float(dist[d]), float(sum(leg.km for leg in legs)), straight, tuple(legs))


def to_public(raw: np.ndarray) -> np.ndarray:
    """inf (no access within the cutoff) becomes NaN: "sin acceso modelado", never a number."""
    out = np.asarray(raw, dtype=float).copy()
    out[~np.isfinite(out)] = np.nan
    return out
