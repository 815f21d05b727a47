"""Who is left out, for the Brechas view: children 0–17 (est.) beyond the threshold, the
named populated centres beyond it, each unit's load (2SFCA), equity by poverty quintile and
natural region, and the gap-index rank as a range. No Dash components.

Every figure here takes the view's `Reach`: per demand point the measure compared with the
threshold (straight-line km today, with a scenario's units added) and the threshold in the
same unit, so a travel-time measure plugs in by building a `Reach` of hours. Results are
memoised on the model (they depend only on the data and the view's choices, never on a user).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.access import access_from_index, point_tree
from analysis.coverage import CHAIN
from analysis.equity import equity_from_index
from analysis.left_out import child_shares_from_catalog, children_summary, places_beyond
from analysis.uncertainty import area_poverty_draws, rank_range
from atlas.i18n import fmt_number, t
from atlas.model import Model
from ingest.text import fold

if TYPE_CHECKING:  # atlas.gaps imports this module
    from atlas.gaps import GapState
    from atlas.plan import Scenario

PLACES_PAGE_SIZE = 15
PLACE_SORTS = ("name", "district", "province", "people", "children", "km_to_nearest")
TOP_LOADED = 10
RANK_DRAWS = 200


@dataclass(frozen=True)
class Reach:
    """What the view compares with its threshold.

    Attributes
    ----------
    distances : per demand point, km to the nearest unit (straight line; with the scenario's
        units) or, for a travel-time view, hours
    threshold : the threshold in the same unit
    unit : "km" or "h"
    key : a hashable identity of `distances` (service, measure, scenario units) for memos
    """

    distances: np.ndarray
    threshold: float
    unit: str
    key: tuple

    @property
    def cached(self) -> bool:
        """True when `distances` are the coverage index's own km (no scenario, no other measure)."""
        return self.key[:1] == ("km",) and len(self.key) == 2


HOURS_MEASURE = (
    "hours"  # GapState.measure of a view in modelled travel hours (atlas.hours.TRAVEL)
)


def in_hours(gs: GapState) -> bool:
    return getattr(gs, "measure", "km") == HOURS_MEASURE


def reach_of(model: Model, gs: GapState, distances: np.ndarray | None = None) -> Reach:
    """The view's measure from what the view compares with its threshold (`distances`: a
    scenario's km, or hours in an hours view; None for the unit's own cached figures)."""
    unit, threshold = ("h", float(gs.hours)) if in_hours(gs) else ("km", float(gs.km))
    if distances is None:
        own = (
            model.travel.coverage_view("central").km[gs.service]
            if unit == "h"
            else model.coverage.km[gs.service]
        )
        return Reach(own, threshold, unit, (unit, gs.service))
    digest = hashlib.sha1(
        np.ascontiguousarray(distances, dtype=float).tobytes()
    ).hexdigest()
    return Reach(
        np.asarray(distances, float), threshold, unit, (unit, gs.service, digest)
    )


def reach_for(model: Model, gs: GapState, scenario: Scenario | None = None) -> Reach:
    """The view's measure to the nearest unit of the view's service, scenario included."""
    units = tuple(scenario.units) if scenario is not None else ()
    if not units:
        return reach_of(model, gs)
    if in_hours(gs):
        from atlas.hours import scenario_hours  # the hours view's own scenario search

        return reach_of(model, gs, scenario_hours(model, units, gs.service))
    return reach_of(model, gs, model.scenario_km(units, gs.service))


def child_shares(model: Model) -> pd.Series | None:
    """Department -> 2020 share aged 0–17, or None when the layer is unavailable (sin dato)."""

    def build():
        try:
            return child_shares_from_catalog(model.catalog)
        except ValueError:
            return None

    return model.memo(("child-shares",), build)


def with_children(model: Model, view: pd.DataFrame) -> pd.DataFrame:
    """The view with ``rural_children`` and ``rural_children_beyond`` (persons aged 0–17,
    est.; NaN where unknown)."""
    shares = child_shares(model)
    if shares is None:
        return view.assign(rural_children=np.nan, rural_children_beyond=np.nan)
    return children_summary(view, shares)


# ------------------------------------------------------------------------ named places


def places_area(focus: str) -> tuple[str, str | None] | None:
    """(area code for `places_beyond`, a province to leave out) of a focus; None for Peru.
    Lima Metropolitana is province 1501; Lima Provincias is the rest of department 15."""
    if not focus:
        return None
    if focus == "150100":
        return "1501", None
    if focus == "159900":
        return "15", "1501"
    return focus[:2], None


def named_places(model: Model, gs: GapState, reach: Reach) -> pd.DataFrame | None:
    """Rural INEI populated centres of the focus beyond the threshold, farthest first
    (`analysis.left_out.PLACE_COLUMNS`, ``km_to_nearest`` in the reach's unit); None for a
    national view or when children shares or the service's data are unavailable."""
    area = places_area(gs.focus)
    shares = child_shares(model)
    if area is None or shares is None:
        return None

    def build():
        try:
            table = places_beyond(
                model.coverage,
                gs.service,
                reach.threshold,
                area[0],
                shares,
                model.geo.districts,
                distances=reach.distances,
            )
        except ValueError:
            return None
        if area[1]:
            table = table[~table["ubigeo"].str.startswith(area[1])].reset_index(
                drop=True
            )
        return table

    return model.memo(("named-places", gs.focus, reach.key, reach.threshold), build)


def nearest_text(value: float, lang: str) -> str:
    """Km (or hours) to the nearest unit as text; no modelled access (inf) says so."""
    if np.isinf(value):
        return t(lang, "left_out.no_access")
    return fmt_number(value, 0, lang)


def measure_key(reach_unit: str, key: str) -> str:
    """The locale key of a text that names the measure: `key` for km, `key`_hours for hours."""
    return f"{key}_hours" if reach_unit == "h" else key


def places_page(
    table: pd.DataFrame, search: str, page: object, sort_by: object, lang: str
) -> tuple[list[dict], int, int]:
    """One page of the named list: (rows as text, page count, places matching `search`).

    `search` (already validated) matches name, district or province, accents and case
    ignored; `sort_by` is the DataTable's, unknown columns fall back to farthest first."""
    if search:  # accents and case ignored; folded here, only when someone searches
        wanted = fold(search)
        folded = [
            fold(f"{a} {b} {c}")
            for a, b, c in zip(table["name"], table["district"], table["province"])
        ]
        table = table[[wanted in f for f in folded]]
    column, ascending = "km_to_nearest", False
    wanted = (
        sort_by[0]
        if isinstance(sort_by, list) and sort_by and isinstance(sort_by[0], dict)
        else {}
    )
    if wanted.get("column_id") in PLACE_SORTS:
        column, ascending = wanted["column_id"], wanted.get("direction") != "desc"
    table = table.sort_values(
        [column, "ccpp"], ascending=[ascending, True], kind="mergesort"
    )
    pages = max(1, math.ceil(len(table) / PLACES_PAGE_SIZE))
    page = (
        page
        if isinstance(page, int) and not isinstance(page, bool) and 0 <= page < pages
        else 0
    )
    rows = []
    for record in table.iloc[
        page * PLACES_PAGE_SIZE : (page + 1) * PLACES_PAGE_SIZE
    ].to_dict("records"):
        rows.append(
            {
                "ccpp": record["ccpp"],
                "name": record["name"],
                "district": record["district"],
                "province": record["province"],
                "people": fmt_number(record["people"], 0, lang),
                "children": fmt_number(record["children"], 0, lang),
                "km_to_nearest": nearest_text(record["km_to_nearest"], lang),
            }
        )
    return rows, pages, len(table)


# -------------------------------------------------------------------------------- load


def _access_points(model: Model):
    return model.memo(
        ("access-points",),
        lambda: point_tree(model.coverage.demand.lat, model.coverage.demand.lon),
    )


def unit_loads(model: Model, gs: GapState) -> pd.DataFrame:
    """Children 0–17 (est.) in each existing unit's catchment of the view's km (2SFCA, step
    decay, supply 1 per unit), for every service of the view, most loaded first.

    Columns: service, id, name, ubigeo, department, children_in_catchment,
    units_per_100k_in_catchment. Hypothetical units are not in it (their load is the Plan
    panel's gain). Empty when children shares are unavailable.
    """
    shares = child_shares(model)
    services = [s for s in gs.members if s in model.coverage.sites and s != "care"]
    if shares is None or not services:
        return pd.DataFrame(
            columns=[
                "service",
                "id",
                "name",
                "ubigeo",
                "department",
                "children_in_catchment",
                "units_per_100k_in_catchment",
            ]
        )

    def build():
        frames = []
        for service in services:
            _, units = access_from_index(
                model.coverage,
                service,
                gs.km,
                "department",
                shares,
                points=_access_points(model),
            )
            frame = model.catalog.frame(service)
            names = (
                dict(zip(frame["id"].astype(str), frame["name"].astype(str)))
                if "id" in frame
                else {}
            )
            seats = (
                dict(zip(frame["id"].astype(str), frame["ubigeo"].astype(str)))
                if "ubigeo" in frame
                else {}
            )
            units = units.reset_index()
            units["id"] = units["id"].astype(str)
            units["service"] = service
            units["name"] = units["id"].map(names).fillna("")
            units["ubigeo"] = units["id"].map(seats).fillna("")
            frames.append(units)
        out = pd.concat(frames, ignore_index=True)
        out["department"] = [
            model.geo.name("department", u[:2]) if len(u) >= 2 else ""
            for u in out["ubigeo"]
        ]
        return out.sort_values(
            "children_in_catchment", ascending=False, kind="stable"
        ).reset_index(drop=True)

    return model.memo(("unit-loads", tuple(services), float(gs.km)), build)


def loads_in_view(model: Model, gs: GapState) -> pd.DataFrame:
    """`unit_loads` of the units in the focus (all of Peru without one), most loaded first."""
    loads = unit_loads(model, gs)
    area = places_area(gs.focus)
    if area is not None:
        keep = loads["ubigeo"].str.startswith(area[0])
        if area[1]:
            keep &= ~loads["ubigeo"].str.startswith(area[1])
        loads = loads[keep]
    return loads


def load_by_unit(model: Model, gs: GapState) -> dict[str, float]:
    """Unit id -> children in its catchment (est.), for hovers and the area profile."""
    loads = unit_loads(model, gs)
    return dict(zip(loads["id"], loads["children_in_catchment"].astype(float)))


# ------------------------------------------------------------------------------ equity


def equity(model: Model, gs: GapState, reach: Reach) -> dict | None:
    """`analysis.equity.equity_from_index` for the view: all Peru, or the focus department
    (quintiles within it); None when the poverty map or child shares are unavailable."""
    shares = child_shares(model)
    if shares is None or not model.catalog.available("poverty2018"):
        return None
    department = gs.focus[:2] if gs.focus else None

    def build():
        poverty = model.catalog.loaded["poverty2018"].source["poverty"]
        try:
            return equity_from_index(
                model.coverage,
                gs.service,
                reach.threshold,
                shares,
                model.geo.districts,
                poverty,
                department,
                distances=reach.distances,
            )
        except ValueError:
            return None

    return model.memo(("equity", department, reach.key, reach.threshold), build)


# ------------------------------------------------------------------------- rank ranges


def rank_ranges(model: Model, gs: GapState, reach: Reach) -> pd.DataFrame | None:
    """Rank within the view and its 95 % range over the 2018 poverty interval (seeded Monte
    Carlo, `RANK_DRAWS` draws, kept per level: they do not depend on the threshold) per area
    of the view: rank, rank_low, rank_high, rank_label, top10_uncertain. None when the
    poverty map is unavailable."""
    if not model.catalog.available("poverty2018"):
        return None
    draws = model.memo(
        ("poverty-draws", gs.level),
        lambda: area_poverty_draws(model.catalog, gs.level, RANK_DRAWS),
    )

    def build():
        need = model.need[gs.level]
        summary = model.coverage.summary(
            gs.service,
            reach.threshold,
            gs.level,
            km=None if reach.cached else reach.distances,
        )
        within = model.geo.focus_mask(gs.level, gs.focus) if gs.focus else None
        return rank_range(
            need,
            summary["pct_rural_beyond"].reindex(need.index),
            draws,
            gs.weight_map,
            within=within,
        )

    return model.memo(
        ("rank-ranges", gs.level, gs.focus, gs.weights, reach.key, reach.threshold),
        build,
    )


def with_rank_ranges(
    model: Model, gs: GapState, reach: Reach, view: pd.DataFrame
) -> pd.DataFrame:
    """The view with rank_low, rank_high, rank_label ("3 (2–6)") and top10_uncertain."""
    ranges = rank_ranges(model, gs, reach)
    columns = ["rank_low", "rank_high", "rank_label", "top10_uncertain"]
    if ranges is None:
        return view.assign(
            rank_low=np.nan, rank_high=np.nan, rank_label="", top10_uncertain=False
        )
    found = ranges[columns].reindex(view.index)
    found["rank_label"] = found["rank_label"].fillna("")
    found["top10_uncertain"] = found["top10_uncertain"].fillna(False).astype(bool)
    return view.join(found)


def service_ok(model: Model, gs: GapState) -> bool:
    """Whether the view's service has distances (the chain is derived from its members)."""
    return model.coverage is not None and (
        gs.service in model.coverage.km or gs.service == CHAIN
    )


def equity_sentences(found: dict | None, lang: str) -> list[str]:
    """The equity figures in words, for the screen and the brief ("El quintil más pobre: 75,5 %
    ...; el menos pobre: 49,7 %. Índice de concentración −0,07 ..."); [] when unknown."""
    if not found:
        return []
    quintiles = found["quintiles"].set_index("quintile")["pct_beyond"]
    ci = float(found["concentration_index"])
    reading = (
        "left_out.ci_none"
        if not np.isfinite(ci) or abs(ci) < 0.005
        else ("left_out.ci_poor" if ci < 0 else "left_out.ci_rich")
    )
    out = [
        t(
            lang,
            "left_out.equity_sentence",
            poorest=fmt_number(quintiles.get(1), 1, lang),
            least=fmt_number(quintiles.get(5), 1, lang),
            ci=fmt_number(ci, 3, lang),
            reading=t(lang, reading),
        )
    ]
    regions = found.get("regions")
    if regions is not None:
        known = regions[regions["rural_children"] > 0]
        if len(known):
            percent = (
                " %" if lang == "es" else "%"
            )  # as the locale's other sentences write it
            parts = ", ".join(
                f"{r} {fmt_number(p, 1, lang)}{percent}"
                for r, p in zip(known["natural_region"], known["pct_beyond"])
            )
            out.append(t(lang, "left_out.equity_regions_sentence", regions=parts))
    return out


def uncertain_names(view: pd.DataFrame) -> list[str]:
    """Names of the view's areas whose top-10 place depends on the poverty assumption, by rank."""
    if "top10_uncertain" not in view:
        return []
    flagged = view[view["top10_uncertain"].astype(bool)].sort_values("rank")
    return [str(n) for n in flagged["name"]]
