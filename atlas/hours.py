"""Brechas in modelled travel hours: the measure switch's state helpers, the report, the
low/high-speed range, scenarios and gains in hours, the words that change with the measure.
No Dash components.

The hours come from `Model.travel` (analysis.travel, computed once at start or read from the
disk cache). A centre with no modelled access within 7 days has inf hours here (NaN in
`TravelIndex.hours`): it counts as beyond any threshold and its area's median reads
"sin acceso modelado", never a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.coverage import CHAIN, CHAIN_MEMBERS
from analysis.distance import haversine_km
from analysis.gaps import gap_report, totals
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


def threshold_of(gs) -> float:
    """The view's threshold in its own unit (km or hours)."""
    return gs.hours if gs.measure == TRAVEL else gs.km


def threshold_tag(gs) -> str:
    """The threshold in a file name: "50km" or "6h"."""
    return f"{gs.hours:g}h" if gs.measure == TRAVEL else f"{int(gs.km)}km"


def median_column(gs) -> str:
    return "median_hours" if gs.measure == TRAVEL else "median_km"


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
    if service == CHAIN:
        return np.max(
            np.vstack([replaced.get(m, travel.raw(m, variant)) for m in CHAIN_MEMBERS]),
            axis=0,
        )
    return replaced[service]


def member_hours(
    model, service: str, variant: str, units: tuple[Unit, ...]
) -> np.ndarray:
    """Raw hours of one service with `units` (all of that service) added, in order."""
    travel = model.travel
    if not units:
        return travel.raw(service, variant)

    def build() -> np.ndarray:
        before = member_hours(model, service, variant, units[:-1])
        return travel.model(variant).with_unit(before, units[-1].lat, units[-1].lon)

    return model.memo(("member_hours", service, variant, units), build)


def hours_report(
    model, gs, raw: np.ndarray | None = None, variant: str = CENTRAL
) -> pd.DataFrame:
    """The gap report (analysis.gaps) on modelled hours: same columns, `median_hours` in
    place of `median_km` (inf: the median rural person has no modelled access)."""
    index = model.travel.coverage_view(variant)
    report = gap_report(
        index,
        gs.service,
        gs.hours,
        gs.level,
        model.need[gs.level],
        gs.weight_map,
        km=raw,
    )
    return report.rename(columns={"median_km": "median_hours"})


def hours_range(
    model, gs, codes: pd.Index, units: Sequence[Unit] = ()
) -> tuple[float, float] | None:
    """The share of the view's rural population beyond the threshold with the high and the
    low speeds (%, smaller first); None when a variant is missing or nothing is known."""
    travel = model.travel
    shares = []
    for variant in RANGE_VARIANTS:
        if (variant, gs.service) not in travel.hours:
            return None
        raw = scenario_hours(model, units, gs.service, variant) if units else None
        summary = (
            travel.coverage_view(variant)
            .summary(gs.service, gs.hours, gs.level, km=raw)
            .reindex(codes)
        )
        share = totals(summary)["pct_rural_beyond"]
        if not math.isfinite(share):
            return None
        shares.append(share)
    return min(shares), max(shares)


def hours_gains(model, units: Sequence[Unit], hours: float) -> list[float]:
    """Each unit's marginal rural persons newly within `hours` of modelled travel for its
    own service, in the order added (searches bounded by the threshold)."""
    travel = model.travel
    d = model.coverage.demand
    rural_weight = np.where(d.rural, d.weight, 0.0)
    gains = [0.0] * len(units)
    for service in dict.fromkeys(u.service for u in units):
        if (CENTRAL, service) not in travel.hours:
            continue
        engine = travel.model(CENTRAL)
        raw = travel.raw(service)
        within = raw <= hours
        for i, unit in enumerate(units):
            if unit.service != service:
                continue
            raw = engine.with_unit(raw, unit.lat, unit.lon, limit=hours)
            now = raw <= hours
            gains[i] = float(rural_weight[now & ~within].sum())
            within = now
    return gains


def gains_for(model, gs, units: Sequence[Unit]) -> list[float]:
    """Each unit's marginal rural persons within the view's threshold, in its measure."""
    if gs.measure == TRAVEL:
        return hours_gains(model, units, gs.hours)
    from atlas.plan import all_gains

    return all_gains(model, units, gs.km)


def suggest_by_hours(model, suggestion: dict, departments, candidates, n: int):
    """Sites maximising the rural population of `departments` newly within the hour
    threshold (analysis.travel.suggest, greedy, existing units fixed); raises OutOfBounds
    for hours outside 1–72. The scenario's own units are not fixed in the choice (their
    gains, shown afterwards, are exact)."""
    from analysis.travel.suggest import suggest_hours

    return suggest_hours(
        model.travel,
        suggestion["service"],
        suggestion.get("hours"),
        departments,
        candidates,
        n,
    )


def no_access_people(model, gs, codes: pd.Index, units: Sequence[Unit] = ()) -> float:
    """Rural persons of the view's areas with no modelled access within 7 days (with the
    scenario's units, when given)."""
    travel = model.travel
    d = model.coverage.demand
    raw = scenario_hours(model, units, gs.service) if units else None
    raw = travel.raw(gs.service) if raw is None else raw
    level_codes, inverse = model.coverage.groups[gs.level]
    in_view = np.isin(level_codes, np.asarray(codes))[inverse]
    return float(np.where(d.rural & in_view & ~np.isfinite(raw), d.weight, 0.0).sum())


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
