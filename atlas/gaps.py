"""Brechas / Gaps, the state: GapState and its validator, the report of a view (computed
once per request: `compute`), table paging and the caveats. No Dash components.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.coverage import CHAIN, CHAIN_MEMBERS, GAP_LEVELS
from analysis.gap_index import COMPONENTS, DEFAULT_WEIGHTS, MAX_WEIGHT
from analysis.gaps import gap_report
from analysis.limits import THRESHOLD_KM
from atlas import hours as travel_hours
from atlas import left_out
from atlas.i18n import fmt_number, pick, t
from atlas.model import NATIONAL, MapState, Model
from atlas.plan import Scenario, all_gains
from atlas.validate import finite_number

DEFAULT_KM = 50.0


KM_MIN, KM_MAX = THRESHOLD_KM


PAGE_SIZE = 12


COLOURS = ("pct", "index")


MAX_SUGGESTED_PAGE = 10_000


@dataclass(frozen=True)
class GapState:
    service: str = "upe"
    km: float = DEFAULT_KM
    level: str = "department"
    focus: str = ""
    colour: str = "pct"
    weights: tuple[float, ...] = tuple(DEFAULT_WEIGHTS[c] for c in COMPONENTS)
    measure: str = travel_hours.KM  # or travel_hours.TRAVEL: modelled hours (atlas/hours.py)
    hours: float = travel_hours.DEFAULT_HOURS

    @property
    def weight_map(self) -> dict[str, float]:
        return dict(zip(COMPONENTS, self.weights))

    @property
    def members(self) -> tuple[str, ...]:
        return CHAIN_MEMBERS if self.service == CHAIN else (self.service,)


def gap_services(model: Model) -> tuple[str, ...]:
    if model.coverage is None:
        return ()
    return model.coverage.services


def gap_state(
    model: Model,
    service: object = None,
    km: object = None,
    level: object = None,
    focus: object = None,
    colour: object = None,
    weights: object = None,
    measure: object = None,
    hours: object = None,
) -> tuple[GapState, list[str]]:
    """A GapState from untrusted values, plus the names of what was out of range. Hours
    asked for where the travel index (or the service's hours) is unavailable fall back to
    km with the problem "measure"."""
    problems: list[str] = []
    services = gap_services(model)
    default = GapState()
    if service in (None, ""):
        service = default.service if default.service in services else (services[0] if services else "")
    elif service not in services:
        problems.append("service")
        service = default.service if default.service in services else (services[0] if services else "")
    if km in (None, ""):
        km = default.km
    else:
        number = finite_number(km)
        if number is None or not KM_MIN <= number <= KM_MAX:
            problems.append("km")
            number = default.km
        km = number
    if level in (None, ""):
        level = default.level
    elif level not in GAP_LEVELS:
        problems.append("level")
        level = default.level
    if focus in (None, "", NATIONAL):
        focus = ""
    elif not model.geo.is_focus(focus):
        problems.append("focus")
        focus = ""
    if colour in (None, ""):
        colour = default.colour
    elif colour not in COLOURS:
        problems.append("colour")
        colour = default.colour
    clean = list(default.weights)
    if weights not in (None, ""):
        if isinstance(weights, str):
            weights = weights.split(",")
        values = [finite_number(w) for w in weights] if isinstance(weights, (list, tuple)) else [None]
        if len(values) == len(COMPONENTS) and all(v is not None and 0 <= v <= MAX_WEIGHT for v in values):
            clean = values
        else:
            problems.append("weights")
    hours, hours_problem = travel_hours.hours_choice(hours)
    if hours_problem:
        problems.append("hours")
    if measure in (None, ""):
        measure = default.measure
    elif measure not in travel_hours.MEASURES:
        problems.append("measure")
        measure = default.measure
    if measure == travel_hours.TRAVEL and not travel_hours.hours_available(model, service):
        problems.append("measure")
        measure = travel_hours.KM
    return GapState(service, float(km), level, focus, colour, tuple(clean), measure, float(hours)), problems


def report_for(model: Model, gs: GapState, km: np.ndarray | None = None) -> pd.DataFrame:
    """Rows of the view (focus areas, in map order) with a rank within the view."""
    def build() -> pd.DataFrame:
        if gs.measure == travel_hours.TRAVEL:  # `km` holds the scenario's hours then
            return travel_hours.hours_report(model, gs, km)
        return gap_report(model.coverage, gs.service, gs.km, gs.level, model.need[gs.level], gs.weight_map, km=km)

    # the report without a scenario is the same for every user of the same view, whatever
    # the focus (it is national, then reindexed): built once
    report = build() if km is not None else model.frame_memo(("gap-report", replace(gs, focus="")), build)
    codes = model.area_table(gs.level, gs.focus).index
    view = report.reindex(codes)
    view["national_rank"] = view["rank"]
    view["rank"] = view["gap_index"].rank(ascending=False, method="min")
    view["name"] = model.area_table(gs.level, gs.focus)["name"].reindex(codes)
    view = left_out.with_children(model, view)
    return left_out.with_rank_ranges(model, gs, left_out.reach_of(model, gs, km), view)


def service_label(model: Model, service: str, lang: str) -> str:
    if service == CHAIN:
        return t(lang, "gaps.chain")
    return pick(model.catalog.layer(service).short, lang)


def view_words(model: Model, gs: GapState, lang: str) -> dict[str, str]:
    """The words a report's subtitle names the view by: its service, km and place."""
    return {
        "service": service_label(model, gs.service, lang),
        "km": fmt_number(gs.km, 0, lang),
        "where": model.geo.focus_name(gs.focus) if gs.focus else t(lang, "focus.national"),
    }


def map_state(gs: GapState) -> MapState:
    return MapState(level=gs.level, focus=gs.focus, services=gs.members)


TABLE_COLUMNS = (
    ("rank", 0),
    ("name", None),
    ("code", None),
    ("rural_population", 0),
    ("pct_rural_beyond", 1),
    ("rural_beyond", 0),
    ("rural_children_beyond", 0),
    ("median_km", 0),
    ("rural_centres_beyond", 0),
    ("need", 2),
    ("poverty", 1),
    ("rural_share", 1),
    ("foreign_per_1000", 1),
    ("cem_per_10000", 1),
    ("gap_index", 1),
)


def sort_choice(sort_by: object) -> tuple[str | None, bool]:
    """(the column asked for, ascending) from the table's `sort_by` (browser input); None:
    no column asked for (or not a name any column could have)."""
    if isinstance(sort_by, list) and sort_by and isinstance(sort_by[0], dict):
        wanted = sort_by[0].get("column_id")
        if isinstance(wanted, str) and len(wanted) <= 64:
            return wanted, sort_by[0].get("direction") != "desc"
    return None, True


def sort_view(view: pd.DataFrame, sort_by: object) -> pd.DataFrame:
    frame = view.rename_axis(None).assign(code=view.index)
    column, ascending = "rank", True
    wanted, wanted_ascending = sort_choice(sort_by)
    if wanted in frame.columns:
        column, ascending = wanted, wanted_ascending
    return frame.sort_values([column, "code"], ascending=[ascending, True], na_position="last", kind="mergesort")


def page_key(page: object, sort_by: object) -> tuple:
    """What `table_page` reads of a page and a sort order, hashable (for the view memo)."""
    return (page if isinstance(page, int) and not isinstance(page, bool) else None, sort_choice(sort_by))


def table_page(view: pd.DataFrame, gs: GapState, page: object, sort_by: object, lang: str) -> tuple[list[dict], int]:
    ordered = sort_view(view, sort_by)
    pages = max(1, math.ceil(len(ordered) / PAGE_SIZE))
    page = page if isinstance(page, int) and 0 <= page < pages else 0
    rows = []
    decimals = dict(travel_hours.with_median(gs, TABLE_COLUMNS)) | {"pct_population_within": 1}
    for code, row in ordered.iloc[page * PAGE_SIZE : (page + 1) * PAGE_SIZE].iterrows():
        record = {"code": row["code"], "name": row["name"]}
        for column, places in decimals.items():
            if places is None:
                continue
            value = row.get(column)
            record[column] = "" if value is None or pd.isna(value) else fmt_number(value, places, lang)
        if "median_hours" in record and row["rural_population"] > 0:
            record["median_hours"] = travel_hours.fmt_hours(row["median_hours"], lang).removesuffix(" h")
        if row["rural_population"] == 0:
            record["pct_rural_beyond"] = t(lang, "gaps.no_rural_short")
        if row.get("rank_label"):  # "3 (2–6)": the rank's range over the poverty interval
            record["rank"] = row["rank_label"] + ("\u00a0*" if row.get("top10_uncertain") else "")
        rows.append(record)
    return rows, pages


def state_from_record(model: Model, record: object) -> GapState:
    """The choices kept in the drawn record (validated again: it comes from the browser)."""
    if not isinstance(record, dict) or not isinstance(record.get("values"), list) or len(record["values"]) != 4:
        return GapState()
    service, km, colour, weights = record["values"]
    gs, _ = gap_state(model, service, km, record.get("level"), record.get("focus"), colour, weights,
                      record.get("measure"), record.get("hours"))
    return gs


def scenario_record(drawn: object, seed: object) -> object:
    """The scenario record to show: the one drawn with the gaps tab (kept on a language
    switch), else the one read from the URL (first opening). Validated by the caller."""
    return drawn.get("plan") if isinstance(drawn, dict) and "plan" in drawn else seed


def caveat_texts(gs: GapState, lang: str) -> list[str]:
    """What the gap figures assume, for the screen, the exports and the brief."""
    first = "gaps.caveat_hours" if gs.measure == travel_hours.TRAVEL else "gaps.caveat_straight"
    items = [t(lang, first), t(lang, "gaps.caveat_population")]
    for service in gs.members:  # CARE's own caveat comes in here, once
        key = f"gaps.caveat_{service}"
        if t(lang, key) != key:
            items.append(t(lang, key))
    return items


@dataclass(frozen=True)
class GapView:
    """The view's figures, computed once per request and shared by the map, the headline,
    the table, the exports and the brief."""

    view: pd.DataFrame  # with the scenario's units when there are any
    baseline: pd.DataFrame | None  # without them (None when there is no scenario)
    gains: list[float]  # each unit's rural persons newly within the threshold
    speed_range: tuple[float, float] | None = None  # hours: % beyond with high and low speeds
    no_access: float = 0.0  # hours: rural persons of the view with no modelled access within 7 days


def compute(model: Model, gs: GapState, scenario: Scenario) -> GapView:
    """The view of (state, units), computed once: switching back to a saved scenario (issue
    15) is served from the model's bounded memo of recent views."""
    return model.view_memo((gs, scenario.units), lambda: _compute(model, gs, scenario))


def _compute(model: Model, gs: GapState, scenario: Scenario) -> GapView:
    if gs.measure == travel_hours.TRAVEL:
        return travel_hours_compute(model, gs, scenario)
    km = model.scenario_km(scenario.units, gs.service) if scenario.units else None
    view = report_for(model, gs, km)
    baseline = report_for(model, gs, None) if km is not None else None
    return GapView(view, baseline, all_gains(model, scenario.units, gs.km))


def travel_hours_compute(model: Model, gs: GapState, scenario: Scenario) -> GapView:
    """`compute` in modelled hours: the scenario's units by bounded searches, plus the range."""
    raw = travel_hours.scenario_hours(model, scenario.units, gs.service) if scenario.units else None
    view = report_for(model, gs, raw)
    baseline = report_for(model, gs, None) if raw is not None else None
    speed_range = travel_hours.hours_range(model, gs, view.index, scenario.units)
    no_access = travel_hours.no_access_people(model, gs, view.index, scenario.units)
    gains = travel_hours.hours_gains(model, scenario.units, gs.hours)
    return GapView(view, baseline, gains, speed_range, no_access)
