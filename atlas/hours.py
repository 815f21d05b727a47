"""Brechas in modelled travel hours: the measure switch's state helpers, the report, the
low/high-speed range, scenarios and gains in hours, the words that change with the measure.
No Dash components.

The hours come from `Model.travel` (analysis.travel, computed once at start or read from the
disk cache). A centre with no modelled access within 7 days has inf hours here (NaN in
`TravelIndex.hours`): it counts as beyond any threshold and its area's median reads
"sin acceso modelado", never a number.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.coverage import CHAIN, CHAIN_MEMBERS
from analysis.distance import haversine_km
from analysis.gaps import gap_report
from analysis.limits import HOURS
from analysis.scenario import Unit, members_of
from analysis.travel.engine import Route
from analysis.travel.nearest import nearest_by_time
from atlas.i18n import catalog, fmt_number, t
from atlas.validate import Problem, bounded_float

KM, TRAVEL = "km", "hours"
MEASURES = (TRAVEL, KM)  # the order the switch offers them
DEFAULT_HOURS = 6.0
HOURS_MIN, HOURS_MAX = HOURS
CENTRAL = "central"
RANGE_VARIANTS = ("low", "high")  # slow and fast speeds: the ends of the range


def hours_available(model, service: str | None = None) -> bool:
    """Modelled hours exist (for `service`, when given)."""
    travel = getattr(model, "travel", None)
    if travel is None:
        return False
    return service is None or (CENTRAL, service) in travel.hours


def hours_choice(value: object) -> tuple[float, Problem | None]:
    """The hour threshold from an untrusted value: clamped into 1–72 (analysis.limits.HOURS),
    the default 6 for anything that is not a number, with the Problem to show."""
    return bounded_float(value, HOURS_MIN, HOURS_MAX, DEFAULT_HOURS)


def threshold_tag(gs) -> str:
    """The threshold in a file name: "50km" or "6h"."""
    return f"{gs.hours:g}h" if gs.measure == TRAVEL else f"{int(gs.km)}km"


def with_median(gs, columns: Sequence):
    """`columns` (names, or (name, decimals) pairs) with median_km swapped for median_hours in hours mode."""
    if gs.measure != TRAVEL:
        return list(columns)
    out = []
    for c in columns:
        if isinstance(c, tuple):
            out.append(("median_hours", 1) if c[0] == "median_km" else c)
        else:
            out.append("median_hours" if c == "median_km" else c)
    return out


# ------------------------------------------------------------------------------ words


def measure_key(gs, key: str) -> str:
    """`key`, or its hours variant (`key` + "_hours") in hours mode when the locale has it."""
    if gs is not None and gs.measure == TRAVEL and f"{key}_hours" in catalog("es"):
        return f"{key}_hours"
    return key


def fmt_threshold_hours(hours: float, lang: str) -> str:
    return fmt_number(hours, 0 if float(hours).is_integer() else 1, lang)


def mt(lang: str, gs, key: str, **values: object) -> str:
    """`t` with the text for the view's measure: the hours variant of `key` gets `hours`."""
    if gs is None:
        return t(lang, key, **values)
    return t(
        lang, measure_key(gs, key), hours=fmt_threshold_hours(gs.hours, lang), **values
    )


def fmt_hours(value: float | None, lang: str) -> str:
    """e.g. "4,2 h"; inf: "sin acceso modelado"; NaN / None: "" (no figure)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if math.isinf(value):
        return t(lang, "hours.no_access")
    if value < 0.05:  # a unit in the same place: never "0,0 h"
        return f"< {fmt_number(0.1, 1, lang)} h"
    return f"{fmt_number(value, 1, lang)} h"


def legs_text(route: Route, lang: str) -> str:
    """The route's legs as read ("a pie 0,6 h · bote río abajo 4,2 h"), leaving out legs of
    under 0,05 h (a road crossing, a step to the bank) unless there is nothing else."""
    legs = [leg for leg in route.legs if leg.hours >= 0.05] or list(route.legs[:1])
    return " · ".join(f"{leg.label(lang)} {fmt_hours(leg.hours, lang)}" for leg in legs)


def fmt_range(low: float, high: float, lang: str) -> str:
    """e.g. "64–79 %" (the speed range of a share)."""
    return f"{fmt_number(low, 0, lang)}–{fmt_number(high, 0, lang)} %"


# ----------------------------------------------------------------------------- figures


def scenario_hours(
    model, units: Sequence[Unit], service: str, variant: str = CENTRAL
) -> np.ndarray | None:
    """Raw hours (inf = no modelled access) for `service` with the scenario's units added;
    None when no unit serves it. Each unit is one bounded single-source search merged with
    the current minimum (`TravelModel.with_unit`), memoised by the list of units so far: a
    unit added to a scenario costs one search, not one per unit."""
    travel = model.travel
    members = [m for m in members_of(service) if (variant, m) in travel.hours]
    mine = {m: tuple(u for u in units if u.service == m) for m in members}
    if not any(mine.values()):
        return None
    replaced = {m: member_hours(model, m, variant, mine[m]) for m in members}
    if (
        service == CHAIN
    ):  # memoised too: the same scenario gives the same array (see hours_report)
        key = ("chain_hours", variant, tuple(u for m in members for u in mine[m]))
        return model.memo(
            key,
            lambda: np.max(
                np.vstack(
                    [replaced.get(m, travel.raw(m, variant)) for m in CHAIN_MEMBERS]
                ),
                axis=0,
            ),
        )
    return replaced[service]


def member_hours(
    model, service: str, variant: str, units: tuple[Unit, ...]
) -> np.ndarray:
    """Raw hours of one service with `units` (all of that service) added, in order.

    Central speeds: searches bounded by the cutoff (every figure, medians included, exact).
    The low and high speeds only give the share beyond a threshold of at most 72 h, so
    their searches stop at 72 h: exact for every threshold a user can choose, and cheaper."""
    travel = model.travel
    if not units:
        return travel.raw(service, variant)
    limit = None if variant == CENTRAL else HOURS_MAX

    def build() -> np.ndarray:
        before = member_hours(model, service, variant, units[:-1])
        return travel.model(variant).with_unit(
            before, units[-1].lat, units[-1].lon, limit=limit
        )

    return model.memo(("member_hours", service, variant, units), build)


# Bounds (h) of the searches a threshold test needs (the comparison: `raw <= hours`): a
# search stops at the first bound at or above the threshold, so that a threshold moved
# within a step reuses it. From a Loreto capital a 6 h search reaches about a hundred
# network nodes and an unbounded one about 21,000 (1 ms against 9 ms); past 24 h a bounded
# search costs about as much as a full one, and the exact hours are used.
WITHIN_BOUNDS = (3.0, 6.0, 12.0, 24.0)


def member_within(
    model, service: str, units: tuple[Unit, ...], hours: float
) -> np.ndarray:
    """Raw hours (central speeds) of one service with `units` added, exact wherever they
    are at most `hours`; elsewhere only known to be more. Enough for `raw <= hours`.

    The exact hours (`member_hours`) when they are in the memo already (a gaps view drew
    these units) or the threshold is above 24 h; else one search per unit bounded by the
    first of WITHIN_BOUNDS at or above `hours`, memoised by that bound and the units so
    far. Exact below the bound by induction: a bounded search finds every value within its
    bound exactly, and a value it misses is left at one that was already above it."""
    if not units:
        return model.travel.raw(service)
    bound = next((b for b in WITHIN_BOUNDS if hours <= b), None)
    exact = model.memo_peek(("member_hours", service, CENTRAL, units))
    if bound is None or exact is not None:
        return member_hours(model, service, CENTRAL, units) if exact is None else exact

    def build() -> np.ndarray:
        before = member_within(model, service, units[:-1], hours)
        return model.travel.model(CENTRAL).with_unit(
            before, units[-1].lat, units[-1].lon, limit=bound
        )

    return model.memo(("member_within", service, bound, units), build)


def hours_report(
    model, gs, raw: np.ndarray | None = None, variant: str = CENTRAL
) -> pd.DataFrame:
    """The gap report (analysis.gaps) on modelled hours: same columns, `median_hours` in
    place of `median_km` (inf: the median rural person has no modelled access). With a
    scenario's hours (`raw`, a memoised array of `scenario_hours`), the medians, which do
    not depend on the threshold, are cached with it: a threshold change only re-aggregates."""
    index = model.travel.coverage_view(variant)
    if raw is not None:
        index = scenario_view(model, index, gs.service, raw)
    report = gap_report(
        index, gs.service, gs.hours, gs.level, model.need[gs.level], gs.weight_map
    )
    return report.rename(columns={"median_km": "median_hours"})


def scenario_view(model, index, service: str, raw: np.ndarray):
    """A copy of the hours CoverageIndex `index` with `raw` for `service` and its own
    medians cache, kept while `raw` (the very same array) is in use."""

    def build():
        view = copy.copy(index)
        view.km = {**index.km, service: raw}
        view._medians = {}
        return raw, view

    kept, view = model.memo(("hours_view", service, id(raw)), build)
    if kept is not raw:  # an id reused by another array: never read its figures
        kept, view = build()
    return view


def hours_range(
    model, gs, codes: pd.Index, units: Sequence[Unit] = ()
) -> tuple[float, float] | None:
    """The share of the view's rural population beyond the threshold with the high and the
    low speeds (%, smaller first); None when a variant is missing or nothing is known.
    Same definition as `analysis.gaps.totals` over the view's areas (no medians needed)."""
    travel = model.travel
    shares = []
    for variant in RANGE_VARIANTS:
        if (variant, gs.service) not in travel.hours:
            return None
        raw = scenario_hours(model, units, gs.service, variant) if units else None
        share = share_beyond(
            model, gs, travel.raw(gs.service, variant) if raw is None else raw, codes
        )
        if not math.isfinite(share):
            return None
        shares.append(share)
    return min(shares), max(shares)


def share_beyond(model, gs, raw: np.ndarray, codes: pd.Index) -> float:
    """% of the rural population of the areas `codes` (of gs.level) beyond gs.hours, areas
    outside the service's data coverage left out (sin dato); NaN when none is known."""
    d = model.coverage.demand
    level_codes, inverse = model.coverage.groups[gs.level]
    rural = np.where(d.rural, d.weight, 0.0)
    frame = pd.DataFrame(
        {
            "rural": np.bincount(inverse, weights=rural, minlength=len(level_codes)),
            "beyond": np.bincount(
                inverse,
                weights=np.where(raw > gs.hours, rural, 0.0),
                minlength=len(level_codes),
            ),
        },
        index=level_codes,
    ).reindex(codes)
    covered = model.coverage.coverage_of(gs.service)
    if covered is not None:
        frame = frame[frame.index.str[:2].isin(covered)]
    total = float(frame["rural"].sum())
    return 100.0 * float(frame["beyond"].sum()) / total if total else float("nan")


def hours_gains(model, units: Sequence[Unit], hours: float) -> list[float]:
    """Each unit's marginal rural persons newly within `hours` of modelled travel for its
    own service, in the order added, from the memoised hours with the units so far (no
    search once a scenario has been seen)."""
    travel = model.travel
    d = model.coverage.demand
    rural_weight = np.where(d.rural, d.weight, 0.0)
    gains = [0.0] * len(units)
    for service in dict.fromkeys(u.service for u in units):
        if (CENTRAL, service) not in travel.hours:
            continue
        mine = [i for i, u in enumerate(units) if u.service == service]
        within = travel.raw(service) <= hours
        for k, i in enumerate(mine):
            now = (
                member_hours(
                    model, service, CENTRAL, tuple(units[j] for j in mine[: k + 1])
                )
                <= hours
            )
            gains[i] = float(rural_weight[now & ~within].sum())
            within = now
    return gains


def gains_for(model, gs, units: Sequence[Unit]) -> list[float]:
    """Each unit's marginal rural persons within the view's threshold, in its measure."""
    if gs.measure == TRAVEL:
        return hours_gains(model, units, gs.hours)
    from atlas.plan import all_gains

    return all_gains(model, units, gs.km)


MAX_HOURS_CANDIDATES = 600  # candidates one suggestion by hours may search from (about 10 batched searches)


@dataclass(frozen=True)
class HoursSites:
    """Suggested units by hours, their gains, and the grid cell (km) candidates were thinned to (0: none)."""

    units: list
    gains: list
    cell_km: float = 0.0


def suggest_by_hours(
    model, suggestion: dict, departments, candidates, n: int, units: Sequence[Unit] = ()
) -> HoursSites:
    """Sites maximising the rural population of `departments` newly within the hour
    threshold (analysis.travel.suggest, greedy, existing units fixed); raises OutOfBounds
    for hours outside 1–72. The scenario's `units` that are kept stay fixed too. At most MAX_HOURS_CANDIDATES candidates are
    searched from: beyond that, the first candidate per grid cell (cells doubled from 5 km
    until few enough), so a request's cost stays bounded."""
    from analysis.scenario import _first_per_cell
    from analysis.travel.suggest import suggest_hours

    pool = candidates.subset(np.isin(candidates.department, list(departments)))
    cell = 0.0
    while len(pool) > MAX_HOURS_CANDIDATES:
        cell = cell * 2 if cell else 5.0
        pool = pool.subset(_first_per_cell(pool.lat, pool.lon, cell))
    current = (
        scenario_hours(model, tuple(units), suggestion["service"]) if units else None
    )
    found = suggest_hours(
        model.travel,
        suggestion["service"],
        suggestion.get("hours"),
        departments,
        pool,
        n,
        current=current,
    )
    return HoursSites(found.units, found.gains, cell)


def no_access_people(model, gs, codes: pd.Index, units: Sequence[Unit] = ()) -> float:
    """Rural persons of the view's areas with no modelled access within 7 days (with the
    scenario's units, when given). Per area it does not depend on the threshold: memoised."""
    tuple_units = tuple(units)

    def per_area() -> pd.Series:
        d = model.coverage.demand
        raw = scenario_hours(model, tuple_units, gs.service) if tuple_units else None
        raw = model.travel.raw(gs.service) if raw is None else raw
        level_codes, inverse = model.coverage.groups[gs.level]
        weights = np.where(d.rural & ~np.isfinite(raw), d.weight, 0.0)
        return pd.Series(
            np.bincount(inverse, weights=weights, minlength=len(level_codes)),
            index=level_codes,
        )

    series = model.memo(("no_access", gs.service, gs.level, tuple_units), per_area)
    return float(series.reindex(codes).fillna(0.0).sum())


# ------------------------------------------------------------------------- area profile


@dataclass(frozen=True)
class Trip:
    """The unit of a service reached first from a place by modelled travel time."""

    service: str
    name: str  # the unit's name (CARE: the province holding one)
    route: Route | None  # None: sin acceso modelado
    km_straight: (
        float  # to that unit; for no access, to the nearest unit in a straight line
    )


def nearest_trips(model, lat: float, lon: float) -> list[Trip]:
    """For each service with modelled hours, the unit nearest by travel time from (lat,
    lon) with its route in legs (central speeds); memoised per place."""
    travel = model.travel
    if travel is None:
        return []
    return model.memo(
        ("nearest_trips", round(lat, 6), round(lon, 6)), lambda: _trips(model, lat, lon)
    )


def _trips(model, lat: float, lon: float) -> list[Trip]:
    travel = model.travel
    engine = travel.model(CENTRAL)
    trips = []
    for service, sites in travel.coverage.sites.items():
        if (CENTRAL, service) not in travel.hours or len(sites.lat) == 0:
            continue
        points = travel.sites(service)
        found = nearest_by_time(engine, lat, lon, points)
        if found is None:
            i = int(np.argmin(haversine_km(sites.lat, sites.lon, lat, lon)))
            route = None
        else:
            i = found[0]
            try:
                route = travel.route(lat, lon, float(sites.lat[i]), float(sites.lon[i]))
            except ValueError:  # NoRoute, or an end off Peru's land: no modelled access
                route = None
        km = float(haversine_km(float(sites.lat[i]), float(sites.lon[i]), lat, lon))
        trips.append(Trip(service, _site_name(model, service, sites, i), route, km))
    return trips


def _site_name(model, service: str, sites, i: int) -> str:
    site_id = sites.ids[i] if i < len(sites.ids) else ""
    if service == "care":  # ids are province codes: never finer than the province
        return model.geo.name("province", site_id) if site_id else ""
    match = model.points.loc[model.points["id"] == site_id, "name"]
    return str(match.iloc[0]) if len(match) else ""
