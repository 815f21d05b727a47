"""The travel graph: national roads, navigable rivers and ports, as a directed sparse matrix
of hours (scipy.sparse CSR; row = from node, column = to node).

How it is built (every number from `data/parametros_viaje.csv`, see METHOD.md):

- Road links: consecutive Travel Mapping waypoints of each national route, both directions;
  length = great-circle km x `road_length_factor` (the waypoints cut curves); speed by the
  natural region (Costa / Sierra / Selva) at the segment's midpoint. Authored links
  (`data/enlaces_viales_citados.csv`, e.g. Iquitos-Nauta) are added with their stated km.
- River links: consecutive vertices of river lines of class 0 to `navigable_class_max`
  (GSHHG: double-lined, permanent major, additional major). Boats are slower upstream: the
  downstream direction of every link is inferred from the network itself. Water leaves Peru
  at known outlets (the Amazon into Brazil/Colombia beyond Santa Rosa, the Madre de Dios into
  Bolivia); a river piece connected to none of them drains to Lake Titicaca when it touches
  the lake's basin, to the Pacific when it lies west of the Andes divide, else eastwards to
  the Amazon plain. The network distance (km along rivers) from every vertex to its outlet is
  computed by a multi-source shortest path; a link runs downstream when it gets closer.
- Joins: vertices of different lines closer than `line_snap_km` are merged (tile seams,
  road junctions); the two banks of a double-lined river, and a tributary's end near another
  river, are linked when closer than `river_join_km` (a boat crosses).
- Boats run only where the river is in the Selva (natural region of the nearest populated
  centre's district): the Andean stretches of the big rivers have rapids.
- Ports: a road vertex within `port_snap_km` of a navigable river is linked to it both ways,
  costing `port_transfer_h` (waiting and boarding) plus the drive to the bank at the local
  road speed (GSHHG lines lie up to several km from the real bank in river towns).

Distances are great-circle (haversine) km; node search uses a KD-tree on 3-D unit vectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from layers.network import Network

from ..distance import chord_to_km, haversine_km, km_to_chord, unit_vectors
from .params import REGIONS, Params

WALK, ROAD, DOWN, UP, ACROSS, PORT = range(6)
MODE_IDS = ("walk", "road", "river_down", "river_up", "river_across", "port")
MODE_LABELS = {
    "walk": ("a pie", "on foot"),
    "road": ("carretera", "road"),
    "river_down": ("bote río abajo", "boat downstream"),
    "river_up": ("bote río arriba", "boat upstream"),
    "river_across": ("bote (cruce o confluencia)", "boat (crossing or confluence)"),
    "port": ("puerto (espera y embarque)", "port (waiting and boarding)"),
}
MIN_HOURS = 1e-6  # csgraph ignores zero-weight entries of a sparse matrix in places; keep every edge positive

# Where water leaves Peru's rivers (boxes in degrees: lon_min, lon_max, lat_min, lat_max).
OUTLETS = {
    "amazonas_brasil": (-69.3, -68.4, -5.0, -2.5),  # the Amazon beyond Santa Rosa / Tabatinga
    "madre_de_dios_bolivia": (-68.75, -68.4, -13.0, -11.5),  # below Puerto Pardo
}
TITICACA_BASIN = (-71.2, -68.6, -16.9, -14.3)
TITICACA_CENTRE = (-69.35, -15.85)  # lon, lat


def pacific_side(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """West of a straight stand-in for the Andes divide, from (79.5 W, 5 S) to (70 W, 17 S),
    or north-west of Peru's Andes (Piura, Tumbes) — an approximation for orphan river pieces."""
    divide_lon = -79.5 + (-5.0 - lat) * (9.5 / 12.0)
    return (lon < divide_lon - 0.3) & (lat < -3.3)


class RegionLookup:
    """Natural region (0 Costa, 1 Sierra, 2 Selva) of any point: that of the nearest
    reference point (populated centres, each with its district's `region_natural`)."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray, region: np.ndarray):
        self.tree = cKDTree(unit_vectors(lat, lon))
        self.codes = np.asarray(region, dtype=np.int8)

    @classmethod
    def from_names(cls, lat, lon, names) -> RegionLookup:
        names = np.asarray(names, dtype=str)
        codes = np.full(len(names), 2, dtype=np.int8)  # unknown: Selva (slowest walking)
        for i, region in enumerate(REGIONS):
            codes[names == region] = i
        return cls(np.asarray(lat, float), np.asarray(lon, float), codes)

    def __call__(self, lat, lon) -> np.ndarray:
        lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        _, idx = self.tree.query(unit_vectors(lat, lon), k=1)
        return self.codes[idx]


@dataclass
class TravelGraph:
    """Directed travel graph. `hours`, `km` and `mode` share one CSR structure."""

    hours: sparse.csr_matrix
    km: sparse.csr_matrix
    mode: sparse.csr_matrix  # MODE code + 1 (so that every entry is stored)
    lat: np.ndarray
    lon: np.ndarray
    is_river: np.ndarray
    params: Params
    reverse: sparse.csr_matrix = field(init=False)
    road_tree: cKDTree = field(init=False)
    river_tree: cKDTree = field(init=False)
    road_nodes: np.ndarray = field(init=False)
    river_nodes: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.reverse = self.hours.T.tocsr()
        self.road_nodes = np.flatnonzero(~self.is_river)
        self.river_nodes = np.flatnonzero(self.is_river)
        xyz = unit_vectors(self.lat, self.lon)
        self.road_tree = cKDTree(xyz[self.road_nodes])
        self.river_tree = cKDTree(xyz[self.river_nodes])

    @property
    def n(self) -> int:
        return self.hours.shape[0]

    def edge(self, u: int, v: int) -> tuple[float, float, int]:
        """(hours, km, mode) of the edge u -> v."""
        start, end = self.hours.indptr[u], self.hours.indptr[u + 1]
        cols = self.hours.indices[start:end]
        j = start + int(np.flatnonzero(cols == v)[0])
        return float(self.hours.data[j]), float(self.km.data[j]), int(self.mode.data[j]) - 1

    def walk_links(self, lat, lon, region: np.ndarray, k: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Walking legs from points to their `k` nearest road nodes and `k` nearest river
        nodes within `max_walk_km` (straight line x `walk_detour` at the terrain's walking
        speed; boarding a boat adds `port_transfer_h`).

        Returns node indices (n, 2k; -1 where none), hours (inf where none) and km.
        """
        p = self.params
        lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        xyz = unit_vectors(lat, lon)
        speeds = np.array([p.walk_kmh(r) for r in REGIONS])[np.asarray(region, int)]
        radius = float(km_to_chord(p["max_walk_km"]))
        blocks_idx, blocks_h, blocks_km = [], [], []
        for tree, nodes, extra in ((self.road_tree, self.road_nodes, 0.0), (self.river_tree, self.river_nodes, p["port_transfer_h"])):
            kk = min(k, len(nodes))
            if kk == 0:
                continue
            chord, idx = tree.query(xyz, k=kk, distance_upper_bound=radius)
            chord, idx = chord.reshape(len(xyz), kk), idx.reshape(len(xyz), kk)
            ok = np.isfinite(chord)
            km = np.where(ok, chord_to_km(np.where(ok, chord, 0.0)), np.inf)
            node = np.where(ok, nodes[np.minimum(idx, len(nodes) - 1)], -1)
            hours = np.where(ok, km * p["walk_detour"] / speeds[:, None] + extra, np.inf)
            blocks_idx.append(node)
            blocks_h.append(hours)
            blocks_km.append(km)
        return np.hstack(blocks_idx), np.hstack(blocks_h), np.hstack(blocks_km)


class _Nodes:
    def __init__(self):
        self.lat: list[np.ndarray] = []
        self.lon: list[np.ndarray] = []
        self.line: list[np.ndarray] = []
        self.river: list[np.ndarray] = []
        self.klass: list[np.ndarray] = []
        self.count = 0
        self.lines = 0

    def add_line(self, xy: np.ndarray, river: bool, klass: int = -1) -> np.ndarray:
        m = len(xy)
        ids = np.arange(self.count, self.count + m)
        self.lon.append(xy[:, 0])
        self.lat.append(xy[:, 1])
        self.line.append(np.full(m, self.lines))
        self.river.append(np.full(m, river))
        self.klass.append(np.full(m, klass))
        self.count += m
        self.lines += 1
        return ids

    def arrays(self):
        return (np.concatenate(self.lat), np.concatenate(self.lon), np.concatenate(self.line),
                np.concatenate(self.river).astype(bool), np.concatenate(self.klass))


def _merge_close(xyz: np.ndarray, line: np.ndarray, river: np.ndarray, km: float) -> np.ndarray:
    """Representative node of each node: nodes of different lines (same kind) within `km`
    are merged (union of the pairs, via connected components)."""
    n = len(xyz)
    pairs = cKDTree(xyz).query_pairs(float(km_to_chord(km)), output_type="ndarray")
    if len(pairs):
        keep = (line[pairs[:, 0]] != line[pairs[:, 1]]) & (river[pairs[:, 0]] == river[pairs[:, 1]])
        pairs = pairs[keep]
    adj = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)) if len(pairs) else sparse.coo_matrix((n, n))
    _, labels = connected_components(adj, directed=False)
    first = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    return first[labels]


def build_graph(network: Network, params: Params, region_at: RegionLookup, links: list[dict] | None = None) -> TravelGraph:
    """The travel graph for one parameter variant and boat type (see the module docstring)."""
    p = params
    nodes = _Nodes()
    road_speed = np.array([p.road_kmh(r) for r in REGIONS])

    # roads
    road_u, road_v, road_km, road_h = [], [], [], []
    for xy in network.roads.coords:
        ids = nodes.add_line(xy, river=False)
        km = haversine_km(xy[:-1, 1], xy[:-1, 0], xy[1:, 1], xy[1:, 0]) * p["road_length_factor"]
        mid_region = region_at((xy[:-1, 1] + xy[1:, 1]) / 2, (xy[:-1, 0] + xy[1:, 0]) / 2)
        road_u.append(ids[:-1]); road_v.append(ids[1:]); road_km.append(km); road_h.append(km / road_speed[mid_region])
    for link in links or ():
        xy = np.array([[float(link["from_lon"]), float(link["from_lat"])], [float(link["to_lon"]), float(link["to_lat"])]])
        ids = nodes.add_line(xy, river=False)
        km = float(link["km"])
        region = REGIONS.index(link["region_natural"]) if link.get("region_natural") in REGIONS else int(region_at(xy[:, 1].mean(), xy[:, 0].mean())[0])
        road_u.append(ids[:1]); road_v.append(ids[1:]); road_km.append(np.array([km])); road_h.append(np.array([km / road_speed[region]]))

    # navigable rivers
    river_u, river_v, river_km = [], [], []
    ends: list[int] = []
    klass_max = int(p["navigable_class_max"])
    selva = REGIONS.index("Selva")
    for xy, klass in zip(network.rivers.coords, network.rivers.attrs["class"]):
        if klass > klass_max:
            continue
        # boats only in the Selva: Andean stretches of the big rivers have rapids
        in_selva = region_at(xy[:, 1], xy[:, 0]) == selva
        for piece in _runs(in_selva):
            part = xy[piece]
            if len(part) < 2:
                continue
            ids = nodes.add_line(part, river=True, klass=int(klass))
            river_u.append(ids[:-1]); river_v.append(ids[1:])
            river_km.append(haversine_km(part[:-1, 1], part[:-1, 0], part[1:, 1], part[1:, 0]))
            ends += [int(ids[0]), int(ids[-1])]

    lat, lon, line, river, klass = nodes.arrays()
    xyz = unit_vectors(lat, lon)
    rep = _merge_close(xyz, line, river, p["line_snap_km"])

    ru = rep[_cat(road_u, int)]; rv = rep[_cat(road_v, int)]
    rkm = _cat(road_km, float); rh = _cat(road_h, float)
    wu = rep[_cat(river_u, int)]; wv = rep[_cat(river_v, int)]; wkm = _cat(river_km, float)

    # joins between rivers: the two banks of a double-lined river, and line ends near another river
    join_u, join_v, join_km = _river_joins(lat, lon, xyz, line, river, klass, np.array(ends), p["river_join_km"])
    join_u, join_v = rep[join_u], rep[join_v]

    # flow direction: network km to the outlet, from every river node
    n = len(lat)
    und = sparse.coo_matrix((np.concatenate([wkm, join_km]) + MIN_HOURS,
                             (np.concatenate([wu, join_u]), np.concatenate([wv, join_v]))), shape=(n, n)).tocsr()
    to_outlet = _km_to_outlet(und, lat, lon, river & (rep == np.arange(n)))
    down_kmh, up_kmh = p.boat_kmh(True), p.boat_kmh(False)
    mean_kmh = 2.0 / (1.0 / down_kmh + 1.0 / up_kmh)

    def river_hours(a, b, km):
        da, db = to_outlet[a], to_outlet[b]
        downstream = db < da
        upstream = db > da
        speed = np.where(downstream, down_kmh, np.where(upstream, up_kmh, mean_kmh))
        mode = np.where(downstream, DOWN, np.where(upstream, UP, ACROSS))
        return km / speed, mode

    h_fw, m_fw = river_hours(wu, wv, wkm)
    h_bw, m_bw = river_hours(wv, wu, wkm)

    # ports: each road node within port_snap_km of a navigable river node
    road_nodes = np.unique(np.concatenate([ru, rv]))
    river_nodes = np.unique(np.concatenate([wu, wv]))
    pu, pv, pkm = _ports(xyz, road_nodes, river_nodes, p["port_snap_km"])
    port_region = region_at(lat[pu], lon[pu]) if len(pu) else np.zeros(0, int)
    # in a river town the road reaches the bank: the link is driven, then one waits and boards
    ph = p["port_transfer_h"] + pkm / road_speed[port_region] if len(pu) else np.zeros(0)

    u = np.concatenate([ru, rv, wu, wv, join_u, join_v, pu, pv])
    v = np.concatenate([rv, ru, wv, wu, join_v, join_u, pv, pu])
    km = np.concatenate([rkm, rkm, wkm, wkm, join_km, join_km, pkm, pkm])
    hours = np.concatenate([rh, rh, h_fw, h_bw, join_km / mean_kmh, join_km / mean_kmh, ph, ph])
    mode = np.concatenate([np.full(2 * len(ru), ROAD), m_fw, m_bw, np.full(2 * len(join_u), ACROSS), np.full(2 * len(pu), PORT)])
    keep = u != v
    u, v, km, hours, mode = u[keep], v[keep], km[keep], hours[keep], mode[keep]
    # one edge per (u, v): the fastest
    order = np.lexsort((hours, v, u))
    u, v, km, hours, mode = u[order], v[order], km[order], hours[order], mode[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, km, hours, mode = u[first], v[first], km[first], np.maximum(hours[first], MIN_HOURS), mode[first]

    # keep only nodes that carry an edge, renumbered
    used = np.unique(np.concatenate([u, v]))
    new = np.full(n, -1, dtype=np.int64)
    new[used] = np.arange(len(used))
    u, v = new[u], new[v]
    m = len(used)

    def csr(values):
        return sparse.csr_matrix((values, (u, v)), shape=(m, m))

    hours_m = csr(hours)
    km_m = csr(km)
    mode_m = csr((mode + 1).astype(np.float64))
    return TravelGraph(hours_m, km_m, mode_m, lat[used], lon[used], river[used], params)


def _river_joins(lat, lon, xyz, line, river, klass, ends, join_km):
    """Links across a double-lined river (class 0: a vertex to the nearest vertex of the
    other bank) and from each river line end to the nearest vertex of another river line."""
    radius = float(km_to_chord(join_km))
    us, vs = [], []
    banks = np.flatnonzero(river & (klass == 0))
    if len(banks) > 1:
        # along-line position, to tell the other bank from the next vertex on the same bank
        step = np.zeros(len(banks))
        step[1:] = haversine_km(lat[banks[:-1]], lon[banks[:-1]], lat[banks[1:]], lon[banks[1:]])
        step[1:][line[banks[1:]] != line[banks[:-1]]] = 0.0
        along = np.cumsum(step)
        tree = cKDTree(xyz[banks])
        kk = min(12, len(banks))
        chord, idx = tree.query(xyz[banks], k=kk, distance_upper_bound=radius)
        for i in range(len(banks)):
            for c, j in zip(chord[i], idx[i]):
                if not np.isfinite(c) or j == i:
                    continue
                gap = abs(along[j] - along[i])
                if gap > 3.0 + 4.0 * float(chord_to_km(c)):  # far along the line but close across: the other bank
                    us.append(banks[i]); vs.append(banks[j])
                    break
    rivers = np.flatnonzero(river)
    if len(ends) and len(rivers):
        tree = cKDTree(xyz[rivers])
        kk = min(30, len(rivers))
        chord, idx = tree.query(xyz[ends], k=kk, distance_upper_bound=radius)
        for e, crow, irow in zip(ends, chord, idx):
            for c, j in zip(crow, irow):
                if not np.isfinite(c):
                    break
                if line[rivers[j]] != line[e]:
                    us.append(e); vs.append(rivers[j])
                    break
    us, vs = np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
    km = haversine_km(lat[us], lon[us], lat[vs], lon[vs]) if len(us) else np.zeros(0)
    return us, vs, km


def _km_to_outlet(und: sparse.csr_matrix, lat, lon, is_river_node) -> np.ndarray:
    """Network km from every node to the outlet of its river system (inf for road nodes)."""
    n = und.shape[0]
    n_comp, comp = connected_components(und, directed=False)
    outlet = np.zeros(n, dtype=bool)
    for lon0, lon1, lat0, lat1 in OUTLETS.values():
        # the river leaves Peru eastwards: its last vertices in the box (both banks of the
        # double-lined Amazon end at the data's edge) are the outlet
        in_box = is_river_node & (lon >= lon0) & (lon <= lon1) & (lat >= lat0) & (lat <= lat1)
        if in_box.any():
            outlet |= in_box & (lon >= lon[in_box].max() - 0.02)
    has_outlet = np.zeros(n_comp, dtype=bool)
    has_outlet[comp[outlet]] = True
    river_idx = np.flatnonzero(is_river_node)
    for c in np.unique(comp[river_idx]):
        if has_outlet[c]:
            continue
        members = river_idx[comp[river_idx] == c]
        mlat, mlon = lat[members], lon[members]
        b = TITICACA_BASIN
        in_basin = (mlon >= b[0]) & (mlon <= b[1]) & (mlat >= b[2]) & (mlat <= b[3])
        if in_basin.any():
            pick = members[np.argmin(haversine_km(mlat, mlon, TITICACA_CENTRE[1], TITICACA_CENTRE[0]))]
        elif pacific_side(mlon, mlat).mean() > 0.5:
            pick = members[np.argmin(mlon)]
        else:
            pick = members[np.argmax(mlon)]
        outlet[pick] = True
    sources = np.flatnonzero(outlet)
    if len(sources) == 0:
        return np.full(n, np.inf)
    return dijkstra(und, directed=False, indices=sources, min_only=True)


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _runs(mask: np.ndarray) -> list[slice]:
    """Slices of consecutive True values."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return [slice(a, b) for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))]


def _ports(xyz, road_nodes, river_nodes, snap_km):
    """Each road node within `snap_km` of a navigable river node, with its nearest one."""
    if len(road_nodes) == 0 or len(river_nodes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    tree = cKDTree(xyz[river_nodes])
    chord, idx = tree.query(xyz[road_nodes], k=1, distance_upper_bound=float(km_to_chord(snap_km)))
    ok = np.isfinite(chord)
    return road_nodes[ok], river_nodes[idx[ok]], chord_to_km(chord[ok])
