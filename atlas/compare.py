"""Compare saved scenarios (issue 15): one row per scenario and a baseline row of today's
units, for the gaps view's threshold and focus; and the per-area difference between two of
them (the difference map). No Dash components.

Figures of a row, all in the view's focus (Peru when there is none), like the headline:

- units added by type and their cost (soles; None when a type has no unit cost);
- rural people and rural children 0–17 (est.) newly within the threshold of each chain
  service (UPE, FISTRAP, PNP), of the whole chain, and of the view's service;
- the share of the rural population beyond the threshold for the view's service (the
  headline's "before → after");
- cost per rural child newly within reach of the view's service;
- the concentration index of being beyond reach across districts ordered by poverty
  (`analysis.equity`) and its change from the baseline, when the poverty map is there.

The headline says the same numbers for the scenario on screen (a test holds them equal).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analysis.coverage import CHAIN, CHAIN_MEMBERS
from analysis.scenario import scenario_km
from atlas.gaps import GapState
from atlas.model import Model
from atlas.plan import Scenario
from atlas.scenarios import BASELINE, Named

GAIN_SERVICES = (*CHAIN_MEMBERS, CHAIN)


@dataclass(frozen=True)
class Row:
    """One row of the comparison (the baseline: slot "base", no units)."""

    slot: str
    name: str
    units: dict[str, int]  # new units by type
    cost: float | None  # soles; None when some type has no unit cost
    people: dict[
        str, float
    ]  # rural people newly within the threshold, by service (and "chain")
    children: dict[
        str, float | None
    ]  # the same in rural children 0–17 (est.); None: no share data
    pct_beyond: (
        float  # % of the rural population beyond the threshold, the view's service
    )
    cost_per_child: (
        float | None
    )  # soles per child newly within reach of the view's service
    concentration: (
        float | None
    )  # concentration index of being beyond reach (None: no poverty data)
    concentration_change: float | None = None  # from the baseline
    scenario: Scenario = field(default_factory=Scenario, compare=False)


def scope_mask(model: Model, focus: str) -> np.ndarray:
    """Demand points of the view: the focus area's districts, or all of Peru."""

    def build():
        ubigeo = model.coverage.demand.ubigeo
        if not focus:
            return np.ones(len(ubigeo), dtype=bool)
        return np.isin(ubigeo, np.asarray(model.geo.codes("district", focus), str))

    return model.memo(("scenario-scope", focus), build)


def child_share(model: Model) -> np.ndarray | None:
    """Per demand point, its department's 2020 share aged 0–17 (None: no such layer)."""

    def build():
        from analysis.left_out import child_shares_from_catalog, point_child_share

        try:
            shares = child_shares_from_catalog(model.catalog)
        except ValueError:
            return None
        return np.nan_to_num(
            point_child_share(model.coverage.demand.ubigeo, shares), nan=0.0
        )

    return model.memo("scenario-child-share", build)


def poverty(model: Model) -> pd.Series | None:
    if not model.catalog.available("poverty2018"):
        return None
    return model.catalog.loaded["poverty2018"].source["poverty"]


def demand_tree(model: Model):
    """Unit vectors of the demand points and their KD-tree, built once per model."""
    from analysis.access import point_tree

    d = model.coverage.demand
    return model.memo("scenario-demand-tree", lambda: point_tree(d.lat, d.lon))


def within_after(
    model: Model, scenario: Scenario, services: tuple[str, ...], km: float
) -> dict[str, np.ndarray]:
    """Per service, whether each demand point is within `km` (great circle) of a unit,
    the scenario's included (the chain: of all three members).

    Only the balls around the scenario's own units are searched (KD-tree of the demand
    points), not a nearest-unit distance for every point: a comparison of six scenarios
    stays fast. The same test as the headline's (`scenario_km(...) <= km`).
    """
    from analysis.access import distance_pairs
    from analysis.limits import MAX_COVERAGE_PAIRS
    from analysis.mclp import TooManyPairs

    index = model.coverage
    d = index.demand
    out: dict[str, np.ndarray] = {}
    members = set(services) | (set(CHAIN_MEMBERS) if CHAIN in services else set())
    for service in sorted(members - {CHAIN}):
        within = index.km[service] <= km
        mine = [u for u in scenario.units if u.service == service]
        if mine:
            lat, lon = np.array([u.lat for u in mine]), np.array([u.lon for u in mine])
            try:
                pairs = distance_pairs(
                    lat,
                    lon,
                    d.lat,
                    d.lon,
                    km,
                    MAX_COVERAGE_PAIRS,
                    points=demand_tree(model),
                )
                within = within.copy()
                within[pairs.indices[pairs.data <= km]] = True
            except TooManyPairs:  # very many units at a long threshold: the plain way
                within = scenario_km(index, mine, service) <= km
        out[service] = within
    if CHAIN in services:
        out[CHAIN] = np.logical_and.reduce([out[m] for m in CHAIN_MEMBERS])
    return {s: out[s] for s in services}


def hours_after(
    model: Model, scenario: Scenario, services: tuple[str, ...], hours: float
) -> dict[str, np.ndarray]:
    """Per service with modelled hours, raw hours (inf: no modelled access, central
    speeds) with the scenario's units added, exact up to `hours` (the test is
    `raw <= hours`); the chain: the slowest of its three members. The hours with units
    come from `atlas.hours.member_within`: searches bounded near the threshold, memoised
    per list of units (a comparison repeats no search for a scenario already seen), or
    the exact hours a gaps view already computed. Services without modelled hours are
    left out."""
    from atlas.hours import hours_available, member_within

    members = set(services) | (set(CHAIN_MEMBERS) if CHAIN in services else set())
    out: dict[str, np.ndarray] = {}
    for service in sorted(members - {CHAIN}):
        if hours_available(model, service):
            mine = tuple(u for u in scenario.units if u.service == service)
            out[service] = member_within(model, service, mine, hours)
    if CHAIN in services and all(m in out for m in CHAIN_MEMBERS):
        out[CHAIN] = np.max(np.vstack([out[m] for m in CHAIN_MEMBERS]), axis=0)
    return {s: out[s] for s in services if s in out}


def reach(
    model: Model, gs: GapState, scenario: Scenario, services: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(beyond today, within with the scenario) per service, in the view's measure: km, or
    modelled hours in hours mode (the hours headline's test, `raw <= hours`; services
    without modelled hours left out)."""
    from atlas.hours import TRAVEL

    if gs.measure == TRAVEL:
        today = hours_after(model, Scenario(), services, gs.hours)
        after = hours_after(model, scenario, services, gs.hours)
        return (
            {s: h > gs.hours for s, h in today.items()},
            {s: h <= gs.hours for s, h in after.items()},
        )
    index = model.coverage
    beyond = {s: index.km[s] > gs.km for s in services}
    return beyond, within_after(model, scenario, services, gs.km)


def concentration(model: Model, gs: GapState, within: np.ndarray) -> float | None:
    """Concentration index of being beyond reach across the districts of the view's
    department (Peru without a focus), ordered by poverty, weighted by rural children."""
    from analysis.equity import equity_table

    found, share = poverty(model), child_share(model)
    if found is None or share is None:
        return None
    index = model.coverage
    d = index.demand
    uniques, inverse = index.groups["district"]
    children = np.where(d.rural, d.weight, 0.0) * share
    total = np.bincount(inverse, weights=children, minlength=len(uniques))
    beyond = np.bincount(
        inverse, weights=np.where(within, 0.0, children), minlength=len(uniques)
    )
    keep = (
        np.char.startswith(uniques.astype(str), gs.focus[:2])
        if gs.focus
        else np.ones(len(uniques), bool)
    )
    try:
        result = equity_table(
            uniques[keep],
            total[keep],
            beyond[keep],
            found.reindex(uniques[keep]).to_numpy(float),
        )
    except ValueError:
        return None
    value = float(result["concentration_index"])
    return value if math.isfinite(value) else None


def row(model: Model, gs: GapState, slot: str, name: str, scenario: Scenario) -> Row:
    """One row; its figures are kept among the recent ones (`Model.view_memo`): a
    comparison recomputes only the scenarios that changed."""
    key = (
        "compare-row",
        gs.service,
        gs.km,
        gs.measure,
        gs.hours,
        gs.focus,
        scenario.units,
        tuple(sorted(scenario.costs.items())),
    )
    return replace(
        model.view_memo(key, lambda: _row(model, gs, scenario)), slot=slot, name=name
    )


def _row(
    model: Model, gs: GapState, scenario: Scenario, slot: str = "", name: str = ""
) -> Row:
    index = model.coverage
    d = index.demand
    scope = scope_mask(model, gs.focus)
    rural = np.where(d.rural & scope, d.weight, 0.0)
    share = child_share(model)
    services = tuple(
        dict.fromkeys(s for s in (*GAIN_SERVICES, gs.service) if s in index.km)
    )
    people: dict[str, float] = {}
    children: dict[str, float | None] = {}
    beyond_today, after = reach(model, gs, scenario, services)
    services = tuple(s for s in services if s in after)
    for service in services:
        gained = after[service] & beyond_today[service]
        people[service] = float(rural[gained].sum())
        children[service] = (
            None if share is None else float((rural * share)[gained].sum())
        )
    view = after.get(gs.service)
    rural_total = float(rural.sum())
    beyond = float(rural[~view].sum()) if view is not None else float("nan")
    counts: dict[str, int] = {}
    for unit in scenario.units:
        counts[unit.service] = counts.get(unit.service, 0) + 1
    priced = all(s in scenario.costs for s in counts)
    cost = sum(scenario.costs[s] * n for s, n in counts.items()) if priced else None
    gained_children = children.get(gs.service)
    per_child = cost / gained_children if cost and gained_children else None
    return Row(
        slot=slot,
        name=name,
        units=counts,
        cost=cost,
        people=people,
        children=children,
        pct_beyond=100.0 * beyond / rural_total if rural_total else float("nan"),
        cost_per_child=per_child,
        concentration=concentration(model, gs, view) if view is not None else None,
        scenario=scenario,
    )


def comparison(
    model: Model, gs: GapState, saved: tuple[Named, ...], baseline_name: str
) -> list[Row]:
    """The baseline row, then one row per saved scenario (slot order)."""
    base = row(model, gs, BASELINE, baseline_name, Scenario())
    rows = [base]
    for named in saved:
        r = row(model, gs, named.slot, named.name, named.scenario)
        change = None
        if r.concentration is not None and base.concentration is not None:
            change = r.concentration - base.concentration
        rows.append(replace(r, concentration_change=change))
    return rows


def pick_scenario(
    saved: tuple[Named, ...], slot: object
) -> tuple[str, Scenario] | None:
    """(name, plan) of a slot, the baseline for "base"; None for anything else."""
    if slot == BASELINE:
        return BASELINE, Scenario()
    for named in saved:
        if named.slot == slot:
            return named.name, named.scenario
    return None


def difference(model: Model, gs: GapState, a: Scenario, b: Scenario) -> pd.DataFrame:
    """Per area of the view (map order): rural people within km under A and under B, and
    ``change`` = B − A in percentage points of the area's rural population (> 0: B covers
    more). Areas with no rural population are NaN."""
    index = model.coverage
    uniques, inverse = index.groups[gs.level]
    rural = np.where(index.demand.rural, index.demand.weight, 0.0)
    n = len(uniques)
    total = np.bincount(inverse, weights=rural, minlength=n)
    within = {}
    for key, scenario in (("a", a), ("b", b)):
        _, after = reach(model, gs, scenario, (gs.service,))
        found = after.get(gs.service)
        if found is None:  # no modelled hours for the service: nothing to compare
            found = np.zeros(len(rural), bool)
        within[key] = np.bincount(
            inverse, weights=np.where(found, rural, 0.0), minlength=n
        )
    frame = pd.DataFrame(
        {"rural_population": total, "within_a": within["a"], "within_b": within["b"]},
        index=pd.Index(uniques, name="code"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["change"] = np.where(
            total > 0, 100.0 * (within["b"] - within["a"]) / total, np.nan
        )
    frame["people_change"] = frame["within_b"] - frame["within_a"]
    return frame.reindex(model.area_table(gs.level, gs.focus).index)


# ------------------------------------------------------------------ words and numbers


def units_text(model: Model, units: dict[str, int], lang: str) -> str:
    from atlas.i18n import pick, t

    if not units:
        return t(lang, "compare.no_units")
    return " · ".join(
        f"{pick(model.catalog.layer(s).short, lang)} {n}" for s, n in units.items()
    )


def screen_columns(gs: GapState) -> tuple[str, ...]:
    """Column keys of the comparison shown on screen and in the brief."""
    view = () if gs.service in GAIN_SERVICES else (f"people.{gs.service}",)
    return (
        "name",
        "units",
        "cost",
        *(f"people.{s}" for s in GAIN_SERVICES),
        *view,
        f"children.{gs.service}",
        "pct_beyond",
        "cost_per_child",
        "concentration",
    )


def column_label(model: Model, key: str, lang: str, gs: GapState | None = None) -> str:
    from atlas.gaps import service_label
    from atlas.hours import mt

    kind, _, service = key.partition(".")
    if service:
        return mt(
            lang, gs, f"compare.col.{kind}", service=service_label(model, service, lang)
        )
    return mt(lang, gs, f"compare.col.{kind}")


def cell_text(model: Model, r: Row, key: str, lang: str) -> str:
    """One cell as the reader of `lang` writes it; unknown is "sin dato", never 0."""
    from atlas.i18n import fmt_number, t

    kind, _, service = key.partition(".")
    if kind == "name":
        return r.name
    if kind == "units":
        return units_text(model, r.units, lang)
    if kind == "cost":
        return (
            t(lang, "value.no_data")
            if r.cost is None
            else "S/ " + fmt_number(r.cost, 0, lang)
        )
    if kind in ("people", "children"):
        value = (r.people if kind == "people" else r.children).get(service)
        return (
            t(lang, "value.no_data")
            if value is None
            else "+" + fmt_number(value, 0, lang)
        )
    if kind == "pct_beyond":
        return (
            t(lang, "value.no_data")
            if not math.isfinite(r.pct_beyond)
            else fmt_number(r.pct_beyond, 1, lang) + " %"
        )
    if kind == "cost_per_child":
        return (
            "—"
            if r.cost_per_child is None
            else "S/ " + fmt_number(r.cost_per_child, 1, lang)
        )
    if kind == "concentration":
        if r.concentration is None:
            return t(lang, "value.no_data")
        text = fmt_number(r.concentration, 3, lang)
        if r.concentration_change is not None and r.slot != BASELINE:
            sign = "+" if r.concentration_change >= 0 else "−"
            text += f" ({sign}{fmt_number(abs(r.concentration_change), 3, lang)})"
        return text
    return ""


def table_texts(
    model: Model, gs: GapState, rows: list[Row], lang: str
) -> tuple[list[str], list[list[str]]]:
    """(column labels, rows of cell texts): what the screen and the brief show."""
    keys = screen_columns(gs)
    return [column_label(model, k, lang, gs) for k in keys], [
        [cell_text(model, r, k, lang) for k in keys] for r in rows
    ]
