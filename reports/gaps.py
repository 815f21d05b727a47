"""Downloads of the gaps view, no Dash: the ranked table (CSV/XLSX) with its method sheet,
and the scenario's units.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.coverage import CHAIN
from atlas.gaps import TABLE_COLUMNS, GapState, caveat_texts, service_label, sort_view
from atlas.hours import (
    TRAVEL,
    fmt_hours,
    fmt_threshold_hours,
    gains_for,
    mt,
    threshold_tag,
    with_median,
)
from atlas.i18n import fmt_number, pick, t
from atlas.model import Model
from atlas.plan import Scenario
from reports.tables import csv_text, safe_cell, xlsx_bytes  # noqa: F401  (safe_cell: part of this module's API)

# children (est.) and the rank's range over the 2018 poverty interval (atlas.left_out)
EXTRA_EXPORT_COLUMNS = ("rural_children", "rank_low", "rank_high", "top10_uncertain")


def export_frame(model: Model, gs: GapState, view: pd.DataFrame, lang: str) -> pd.DataFrame:
    ordered = sort_view(view, None)
    columns = [c for c, _ in with_median(gs, TABLE_COLUMNS)]
    if gs.service == CHAIN:
        columns.insert(8, "pct_population_within")
    columns += [c for c in EXTRA_EXPORT_COLUMNS if c in ordered]
    out = ordered[columns].copy()
    if "median_hours" in out:  # inf: no modelled access, said in words (never a number)
        out["median_hours"] = out["median_hours"].astype(object).where(
            ~out["median_hours"].isin([float("inf")]), fmt_hours(float("inf"), lang))
    out.columns = [mt(lang, gs, f"gaps.col.{c}") for c in columns]
    return out


def method_rows(model: Model, gs: GapState, lang: str) -> list[tuple[str, str]]:
    rows = [
        (t(lang, "gaps.export.service"), service_label(model, gs.service, lang)),
        (t(lang, "gaps.export.threshold"), threshold_words(gs, lang)),
        (t(lang, "gaps.export.level"), t(lang, f"level.{gs.level}")),
        (
            t(lang, "gaps.export.focus"),
            model.geo.focus_name(gs.focus) if gs.focus else t(lang, "focus.national"),
        ),
        (
            t(lang, "gaps.export.weights"),
            ", ".join(f"{t(lang, 'gaps.col.' + c)} {fmt_number(w, 1, lang)}" for c, w in gs.weight_map.items()),
        ),
        (t(lang, "gaps.export.date"), dt.date.today().isoformat()),
        (t(lang, "gaps.export.formula"), t(lang, "gaps.formula")),
    ]
    rows += [(t(lang, "gaps.export.caveat"), text) for text in caveat_texts(gs, lang)]
    layers = ["centros_poblados", "population", "poverty2018", "migration", "cem_cases"] + [m for m in gs.members]
    for layer_id in layers:
        if model.catalog.available(layer_id):
            prov = model.catalog.layer(layer_id).provenance
            rows.append(
                (t(lang, "gaps.export.source"), f"{pick(prov.source, lang)} ({prov.year}); {pick(prov.licence, lang)}; {prov.url}")
            )
    return [(a, str(b)) for a, b in rows]


def export_csv(model: Model, gs: GapState, view: pd.DataFrame, lang: str) -> str:
    return csv_text(export_frame(model, gs, view, lang))


def export_xlsx(model: Model, gs: GapState, view: pd.DataFrame, lang: str, scenario: Scenario | None = None) -> bytes:
    method_sheet = t(lang, "gaps.export.method_sheet")
    sheets = {
        t(lang, "gaps.export.sheet"): export_frame(model, gs, view, lang),
        method_sheet: pd.DataFrame(method_rows(model, gs, lang)),
    }
    if scenario is not None and scenario.units:
        sheets[t(lang, "plan.export.sheet")] = scenario_frame(
            model, scenario, gains_for(model, gs, scenario.units), lang
        )
    return xlsx_bytes(sheets, headerless=(method_sheet,))


def scenario_xlsx(model: Model, gs: GapState, scenario: Scenario, lang: str) -> bytes:
    """The scenario's units (gain, cost, cost per person) and a sheet of method and sources."""
    method_sheet = t(lang, "gaps.export.method_sheet")
    sheets = {
        t(lang, "plan.export.sheet"): scenario_frame(model, scenario, gains_for(model, gs, scenario.units), lang),
        method_sheet: pd.DataFrame(method_rows(model, gs, lang)),
    }
    return xlsx_bytes(sheets, headerless=(method_sheet,))


def threshold_words(gs: GapState, lang: str) -> str:
    if gs.measure == TRAVEL:
        return f"{fmt_threshold_hours(gs.hours, lang)} h ({t(lang, 'gaps.measure.hours')})"
    return f"{fmt_number(gs.km, 0, lang)} km"


def export_name(model: Model, gs: GapState, extension: str) -> str:
    focus = gs.focus or "pe"
    return f"cobertura-brechas-{gs.service}-{threshold_tag(gs)}-{gs.level}-{focus}.{extension}"


def scenario_frame(model: Model, scenario: Scenario, gains: list[float], lang: str) -> pd.DataFrame:
    """The scenario's units as a table (for CSV/XLSX), costs where entered."""
    rows = []
    for unit, gain in zip(scenario.units, gains):
        found = model.places.resolve(unit.place)
        cost = scenario.costs.get(unit.service)
        rows.append(
            {
                "service": pick(model.catalog.layer(unit.service).short, lang),
                "origin": t(lang, f"plan.origin.{unit.origin}"),
                "place": unit.place,
                "name": unit.name,
                "ubigeo": found[3] if found else "",
                "lat": round(unit.lat, 6),
                "lon": round(unit.lon, 6),
                "gain": round(gain, 1),
                "cost": cost,
                "per_person": None if cost is None or gain <= 0 else round(cost / gain, 2),
            }
        )
    frame = pd.DataFrame(
        rows, columns=["service", "origin", "place", "name", "ubigeo", "lat", "lon", "gain", "cost", "per_person"]
    )
    frame.columns = [t(lang, f"plan.export.col.{c}") for c in frame.columns]
    return frame
