"""What the callbacks read: the loaded catalog plus lookups computed once at start-up.

Read-only after construction, so sharing it between users and threads is safe. Per-user
state lives in the browser (component values, the URL), never here.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Hashable
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from analysis.areas import care_counts, service_counts
from analysis.coverage import CoverageIndex
from analysis.index import coverage_index
from analysis.need import need_frame
from analysis.places import Places, build_places
from analysis.scenario import scenario_km
from analysis.travel.index import TravelIndex
from atlas.travel_layer import TravelHoursLayer, travel_layer, travel_values
from ingest.registry import USER_SERVICE
from layers.base import LEVELS, Layer, Metric
from layers.boundaries import Geography
from layers.catalog import Catalog
from layers.ubigeo import fold_name

FOCUS_DEPARTMENTS = ("15", "08", "16", "21", "17")  # the mission's: Lima, Cusco, Loreto, Puno, Madre de Dios
LIMA_REGIONS = ("150100", "159900")  # Lima Metropolitana, Lima Provincias: foci of their own
DEFAULT_METRIC = "poverty_2018"
DEFAULT_LEVEL = "department"
NATIONAL = "PE"  # the focus value meaning "all Peru"
log = logging.getLogger("cobertura")
GEOMETRY_NAME = re.compile(r"^(?P<level>[a-z]+)-(?P<focus>pe|\d{2}|\d{6})$")
GEOMETRY_ROUTE = "/geo/<name>.json"  # where the app serves Model.geometry(name); see geometry_url
CARE_GEOMETRY = "care-provinces"


def geometry_url(name: str, version: str, prefix: str = "/") -> str:
    """The address of a geometry: `<prefix>geo/<name>.json?v=<version>` (the version makes
    a year of browser caching safe)."""
    return f"{prefix}geo/{name}.json?v={version}"


def geometry_name(url: str) -> str | None:
    """The geometry name in an address made by `geometry_url` (any path prefix and query
    ignored), or None when the address is not one."""
    path = "/" + urlsplit(url).path.lstrip("/")
    folder, _, file = path.rpartition("/")
    if not (folder == "/geo" or folder.endswith("/geo")) or not file.endswith(".json"):
        return None
    return file[: -len(".json")]


@dataclass(frozen=True)
class MapState:
    """A validated view of the map. Built only through `Model.state`, never trusted raw."""

    level: str = DEFAULT_LEVEL
    focus: str = ""
    metric: str = DEFAULT_METRIC
    year: str = ""
    services: tuple[str, ...] = ()
    basemap: bool = False


@dataclass
class Model:
    catalog: Catalog
    travel_cache: Path | None = None  # the travel-time cache directory (None: ~/.cache/cobertura/travel)
    derived: dict | None = field(default=None, repr=False)  # `derived_parts()` of an earlier start (atlas/warm.py)
    geo: Geography = field(init=False)
    values: dict[tuple[str, str, str], pd.DataFrame] = field(init=False)
    points: pd.DataFrame = field(init=False)
    care: pd.DataFrame | None = field(init=False)
    counts: dict[str, pd.DataFrame] = field(init=False)
    geo_version: str = field(init=False)
    coverage: CoverageIndex | None = field(init=False)
    need: dict[str, pd.DataFrame] = field(init=False)
    places: Places | None = field(init=False)
    travel: TravelIndex | None = field(init=False)  # modelled hours (None: hours are offered disabled)
    travel_layer: TravelHoursLayer | None = field(init=False)  # its Mapa-tab metrics (atlas/travel_layer.py)
    _memo: OrderedDict = field(init=False, repr=False, default_factory=OrderedDict)
    _memo_lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _building: dict = field(init=False, repr=False, default_factory=dict)  # (store, key) -> Event, while built
    BUILD_WAIT_S = 60.0  # a request waits at most this long for another one's build of the same value
    shared_memo: Any = field(init=False, repr=False, default=None)  # atlas.celery_jobs.SharedMemo, with Redis
    _frames: OrderedDict = field(init=False, repr=False, default_factory=OrderedDict)
    MEMO_SIZE = 512
    FRAME_MEMO_SIZE = 64  # a district-level table is about 0.25 MB: at most ~16 MB here
    _views: OrderedDict = field(init=False, repr=False, default_factory=OrderedDict)
    VIEW_MEMO_SIZE = 48  # computed gap views (a report and its baseline each) and comparison rows
    _scenario_km: OrderedDict = field(init=False, repr=False, default_factory=OrderedDict)
    SCENARIO_MEMO_SIZE = 16  # a scenario's distances: one float per demand point (95,000: 0.76 MB each)

    DERIVED = ("values", "points", "care", "counts", "coverage", "need", "places", "geo_version")

    def __post_init__(self) -> None:
        self.geo = self.catalog.geo
        if self.derived is not None:  # restored from the start-up cache, built from the same data and code
            for name in self.DERIVED:
                setattr(self, name, self.derived[name])
            self.derived = None
        else:
            self._derive()
        self.travel = load_travel(self.catalog, self.coverage, self.travel_cache)
        self.travel_layer = travel_layer(self.travel)

    def derived_parts(self) -> dict:
        """What `__post_init__` derives from the catalog (restored with `Model(..., derived=)`)."""
        return {name: getattr(self, name) for name in self.DERIVED}

    def _derive(self) -> None:
        table = self.catalog.area_values()
        self.values = {
            key: frame.set_index("code")[["value", "low", "high", "flag"]]
            for key, frame in table.groupby(["metric", "level", "year"], sort=False)
        }
        self.points = self.catalog.service_points()
        self.care = self.catalog.frame("care") if self.catalog.available("care") else None
        self.counts = {}
        for level in LEVELS:
            codes = self.geo.codes(level)
            counts = service_counts(self.points, codes, level) if len(self.points) else pd.DataFrame(index=codes)
            if self.care is not None:
                counts["care"] = care_counts(self.care, codes, level)
            self.counts[level] = counts
        self.coverage = coverage_index(self.catalog)
        self.need = {level: need_frame(table, self.geo.codes(level), level) for level in LEVELS}
        self.places = build_places(self.geo.districts, self.coverage.demand) if self.coverage else None
        digest = hashlib.sha256()
        for level in LEVELS:
            digest.update(self.geo.geojson_bytes(level)[:4096])
            digest.update(str(len(self.geo.geojson_bytes(level))).encode())
        self.geo_version = digest.hexdigest()[:10]

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """A derived, read-only value (hover texts, traces) built once per key and shared.

        Values depend only on the data and the key (level, focus, language...), never on a
        user, so sharing them between users is safe. Bounded (least recently used out).
        With `shared_memo` set (several servers on one Redis), a value one server built is
        read by the others instead of built again.
        """
        if self.shared_memo is None:
            return self._bounded(self._memo, self.MEMO_SIZE, key, build)
        return self._bounded(self._memo, self.MEMO_SIZE, key, lambda: self.shared_memo.get_or_build(key, build))

    def memo_peek(self, key: Hashable) -> Any | None:
        """What `memo` holds for `key` in this process, or None; nothing is built."""
        with self._memo_lock:
            return self._memo.get(key)

    def _bounded(self, store: OrderedDict, size: int, key: Hashable, build: Callable[[], Any]) -> Any:
        """`store[key]`, built once: the first request for a key builds it while the others
        asking at the same time wait for that value instead of building it again each (many
        users opening the same view at once)."""
        flight = (id(store), key)
        while True:
            with self._memo_lock:
                if key in store:
                    store.move_to_end(key)
                    return store[key]
                pending = self._building.get(flight)
                if pending is None:  # nobody builds it: this request does
                    pending = self._building[flight] = threading.Event()
                    break
            if not pending.wait(self.BUILD_WAIT_S):
                return build()  # the other build takes too long: this request builds its own
            # built (then found above) or failed (then this request builds it)
        try:
            value = build()
            with self._memo_lock:
                store[key] = value
                while len(store) > size:
                    store.popitem(last=False)
            return value
        finally:
            with self._memo_lock:
                self._building.pop(flight, None)
            pending.set()

    def frame_memo(self, key: Hashable, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """Like `memo`, for derived tables (this process only, a smaller bound). The caller
        never modifies the table it gets (it reindexes or copies it)."""
        return self._bounded(self._frames, self.FRAME_MEMO_SIZE, key, build)

    def view_memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """Like `frame_memo`, for the last few computed gap views (this process only)."""
        return self._bounded(self._views, self.VIEW_MEMO_SIZE, key, build)

    def scenario_km(self, units: Sequence, service: str) -> np.ndarray | None:
        """`analysis.scenario.scenario_km` on this model's coverage, memoised by what it reads
        (the service, and each unit's service and position, in order): the gaps view, its
        named places and its exports of one scenario share one search instead of one each.
        The array is shared, so it is read-only."""
        key = (service, tuple((u.service, float(u.lat), float(u.lon)) for u in units))

        def build() -> np.ndarray | None:
            km = scenario_km(self.coverage, units, service)
            if km is not None:
                km = km.view()  # read-only here; the index's own arrays are not touched
                km.flags.writeable = False
            return km

        return self._bounded(self._scenario_km, self.SCENARIO_MEMO_SIZE, key, build)

    # ------------------------------------------------------------- catalogue views

    @property
    def metrics(self) -> dict[str, tuple[Layer, Metric]]:
        return {**self.catalog.metrics, **self.derived_metrics}

    @property
    def derived_metrics(self) -> dict[str, tuple[Layer, Metric]]:
        """Metrics computed here rather than loaded (modelled travel hours)."""
        layer = self.travel_layer
        return {} if layer is None else {m.id: (layer, m) for m in layer.metrics}

    @property
    def service_layers(self) -> list[Layer]:
        """Point layers and CARE counts that loaded, in registry order."""
        return [
            layer
            for layer in self.catalog.layers_of_kind("points", "counts")
            if self.catalog.available(layer.id)
        ]

    @property
    def service_ids(self) -> tuple[str, ...]:
        return tuple(layer.id for layer in self.service_layers)

    def metric(self, metric_id: str, user=None) -> Metric:
        return self.lookup(metric_id, user)[1]

    def lookup(self, metric_id: str, user=None) -> tuple[Layer, Metric]:
        """(layer, metric) of a catalogue metric, or of a series the user imported in the
        browser (`user`: views.trafficking.UserSeries, checked, or None)."""
        if user is not None and metric_id in user.metrics:
            return user.metrics[metric_id]
        return self.metrics[metric_id]

    def area_values(self, metric: str, level: str, year: str, codes: pd.Index, user=None) -> pd.DataFrame:
        """Values for `codes` (NaN = sin dato), in the order of `codes`."""
        if user is not None and metric in user.metrics:
            return user.area_values(metric, level, year, codes)
        frame = self.values.get((metric, level, year))
        if frame is None and metric in self.derived_metrics and year in self.derived_metrics[metric][1].years:
            frame = self.memo(("travel-values", metric, level), lambda: travel_values(self.travel, metric, level))
        if frame is None:
            return pd.DataFrame(
                {"value": np.nan, "low": np.nan, "high": np.nan, "flag": ""}, index=codes
            )
        out = frame.reindex(codes)
        out["flag"] = out["flag"].fillna("")
        return out

    # ----------------------------------------------------------------- validation

    def state(
        self,
        level: object = None,
        focus: object = None,
        metric: object = None,
        year: object = None,
        services: object = None,
        basemap: object = None,
        user=None,
    ) -> tuple[MapState, list[str]]:
        """A MapState from untrusted values (URL, callback arguments), plus what was wrong.

        Every unknown value falls back to a default; the returned problems name the
        parameter (e.g. "level") so the UI can say which part of a link was ignored. A metric
        the user imported in the browser is accepted only when it is in `user` (their store).
        """
        known = self.metrics if user is None else {**self.metrics, **user.metrics}
        problems: list[str] = []
        for name, value in (("level", level), ("focus", focus), ("metric", metric), ("year", year)):
            if value is not None and not isinstance(value, str):  # forged: a list, a dict, a number
                problems.append(name)
        level, focus, metric, year = (v if isinstance(v, str) else None for v in (level, focus, metric, year))
        if level in (None, ""):
            level = DEFAULT_LEVEL
        elif level not in LEVELS:
            problems.append("level")
            level = DEFAULT_LEVEL
        if focus in (None, "", NATIONAL):
            focus = ""
        elif not self.geo.is_focus(focus):
            problems.append("focus")
            focus = ""
        if metric in (None, ""):
            metric = DEFAULT_METRIC if DEFAULT_METRIC in self.metrics else next(iter(self.metrics), "")
        elif not isinstance(metric, str) or metric not in known:
            problems.append("metric")
            metric = DEFAULT_METRIC if DEFAULT_METRIC in self.metrics else next(iter(self.metrics), "")
        years = known[metric][1].years if metric else ()
        if year in (None, ""):
            year = years[-1] if years else ""
        elif year not in years:
            problems.append("year")
            year = years[-1] if years else ""
        if services in (None, ""):
            services = ()
        if isinstance(services, str):
            services = tuple(s for s in services.split(",") if s)
        if not isinstance(services, (list, tuple)) or not all(isinstance(s, str) for s in services):
            problems.append("services")
            services = ()
        unknown = [s for s in services if s not in self.service_ids and s != USER_SERVICE]
        if unknown:
            problems.append("services")
        chosen = tuple(s for s in self.service_ids if s in services)
        if USER_SERVICE in services:  # the user's own uploaded units (callbacks/user_units.py)
            chosen += (USER_SERVICE,)
        if basemap in (None, "", False, "0", 0, "off"):
            basemap = False
        elif basemap in (True, "1", 1, "on", "osm"):
            basemap = True
        else:
            problems.append("basemap")
            basemap = False
        return (
            MapState(level=level, focus=focus, metric=metric, year=year, services=chosen, basemap=basemap),
            problems,
        )

    @lru_cache(maxsize=64)
    def area_table(self, level: str, focus: str) -> pd.DataFrame:
        """Areas of a level within the focus, with names for hover."""
        table = self.geo.areas[level]
        if focus:
            table = table[self.geo.focus_mask(level, focus)]
        return table

    @property
    def focus_codes(self) -> tuple[str, ...]:
        """Every focus the selectors offer, in their order: the mission's five departments,
        the two halves of Lima as regions, then the other 20 departments by name."""
        departments = self.geo.areas["department"]
        others = departments.drop(list(FOCUS_DEPARTMENTS)).sort_values("name", key=lambda n: n.map(fold_name)).index
        return FOCUS_DEPARTMENTS + LIMA_REGIONS + tuple(others)

    def geometry(self, name: str) -> bytes | None:
        """Display GeoJSON for a geometry name as served at `/geo/<name>.json`:
        `<level>-<focus>` (focus "pe" = all Peru, a department or a Lima region code) or
        `care-provinces`; None for any other name."""
        if name == CARE_GEOMETRY:
            if self.care is None:
                return None
            return self.geo.geojson_bytes("province", None, codes=tuple(self.care["ubigeo_prov"]))
        match = GEOMETRY_NAME.match(name)
        if not match or match.group("level") not in LEVELS:
            return None
        focus = match.group("focus")
        if focus != "pe" and not self.geo.is_focus(focus):
            return None
        return self.geo.geojson_bytes(match.group("level"), None if focus == "pe" else focus)

    def __hash__(self) -> int:  # lru_cache on methods: one model per app
        return id(self)


def load_travel(catalog: Catalog, coverage: CoverageIndex | None, cache: Path | None = None) -> TravelIndex | None:
    """The modelled travel hours for the coverage's demand and services (disk cache keyed by
    the data), or None when they cannot be built: the app then offers hours disabled."""
    if coverage is None or not catalog.available("centros_poblados"):
        return None
    from analysis.travel.index import peru_land, travel_index

    try:
        travel = travel_index(coverage, catalog.frame("centros_poblados"), catalog.geo.districts, data=catalog.data_dir,
                              cache=cache)
        travel.land = peru_land(catalog)
    except Exception:  # a missing or bad network file: km keep working, hours say why not
        log.exception("travel time is unavailable")
        return None
    return travel


MAP_WIDTH_PX, MAP_HEIGHT_PX = 700, 540  # a typical map box, for the initial zoom


COLORBAR_PX = 185  # the colour bar and its title, on the left of the map box


BLANK_STYLE = "white-bg"  # plotly's built-in style with no sources: nothing is fetched


def map_view(
    bbox: tuple[float, float, float, float],
    width_px: float = MAP_WIDTH_PX,
    height_px: float = MAP_HEIGHT_PX,
    *,
    left_px: float = COLORBAR_PX,
    margin: float = 0.1,
    min_zoom: float = 1.0,
) -> tuple[dict, float]:
    """Centre and zoom that fit a lon/lat box in a map box of `width_px` x `height_px`
    (web mercator, 512-px tiles as MapLibre uses), leaving `left_px` on the left free for
    the colour bar so that it never hides an area of the focus; `margin` is in zoom steps.
    """
    minx, miny, maxx, maxy = bbox

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    usable = max(width_px - left_px, 1.0)
    dx = max(maxx - minx, 1e-6)
    dy = max(merc(maxy) - merc(miny), 1e-6)
    zoom_x = math.log2(usable * 360 / (512 * dx))
    zoom_y = math.log2(height_px * 2 * math.pi / (512 * dy))
    zoom = max(min_zoom, min(zoom_x, zoom_y) - margin)
    y_mid = (merc(maxy) + merc(miny)) / 2
    lat_mid = math.degrees(2 * math.atan(math.exp(y_mid)) - math.pi / 2)
    # the box is centred in the part right of the colour bar: move the view left_px / 2 west
    lon_mid = (minx + maxx) / 2 - (left_px / 2) * 360 / (512 * 2**zoom)
    return {"lat": round(lat_mid, 4), "lon": round(lon_mid, 4)}, round(zoom, 3)
