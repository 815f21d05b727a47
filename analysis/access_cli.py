"""``python -m analysis places|access|equity``: who is left out, the load on each unit, and
how fair coverage is, as JSON or CSV. Children 0–17 are estimates (department 2020 share).

Examples::

    python -m analysis places --service upe --km 50 --department 16 --format csv
    python -m analysis access --service upe --km 50 --level department --format json
    python -m analysis equity --service upe --km 50 --format json
    python -m analysis places --service upe --hours 6 --department 16 --format csv

Every command takes ``--hours H`` instead of ``--km``: the threshold (the catchment, for
``access``) is then in modelled travel hours (analysis/travel, central speeds), a model and
not a measurement; a centre with no modelled access within 7 days is beyond any threshold.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from dataclasses import dataclass

import numpy as np

from .cli import (
    add_area,
    add_format,
    add_service_and_km,
    checked_threshold,
    load_catalog,
    travel_hours,
)
from .coverage import CHAIN
from .index import GAP_SERVICES


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "places",
        help="the rural populated centres beyond reach of a service (named list, est. people and children)",
        description="Rural INEI populated centres more than --km (straight line) or --hours (modelled "
        "travel time) from the nearest unit; people are the district's 2023 rural population spread "
        "evenly over its rural centres, children (est.) = people x department 0-17 share 2020. "
        "With --hours the column hours replaces km_to_nearest; it is empty and no_modelled_access "
        "true for a centre with no modelled access within 7 days.",
    )
    add_service_and_km(p, GAP_SERVICES + (CHAIN,), hours=True)
    p.add_argument("--department", required=True,
                   help="2-digit department code, or a 4-digit province code (e.g. 16 or 1601)")
    add_format(p)
    p.set_defaults(func=run_places)

    p = subparsers.add_parser(
        "access",
        help="capacity-aware access (2SFCA): units per 100,000 children within reach, load per unit",
        description="Two-step floating catchment area on straight-line km, or with --hours on "
        "catchments of modelled travel hours (a model, step decay only): supply 1 per unit, "
        "demand = children 0-17 (est.) at every populated centre.",
    )
    add_service_and_km(p, GAP_SERVICES, "catchment distance threshold", hours=True)
    add_area(p)
    p.add_argument("--decay", default="step", choices=("step", "gaussian"),
                   help="distance decay in the catchment: step (classic 2SFCA, default) or gaussian (E2SFCA)")
    p.add_argument("--per-unit", action="store_true", help="print each unit's children_in_catchment instead of areas")
    add_format(p)
    p.set_defaults(func=run_access)

    p = subparsers.add_parser(
        "equity",
        help="share of rural children beyond reach by district poverty quintile, concentration index",
        description="Districts in population-weighted quintiles of 2018 monetary poverty "
        "(midpoint of the 95% interval; quintile 1 = poorest fifth of rural children); beyond "
        "--km (straight line) or --hours (modelled travel time).",
    )
    add_service_and_km(p, GAP_SERVICES + (CHAIN,), hours=True)
    add_area(p, level=False, department_help="only districts of this 2-digit department code")
    add_format(p)
    p.set_defaults(func=run_equity)

    p = subparsers.add_parser(
        "ranks",
        help="gap-index rank as a range over the 2018 poverty interval, with rural children (est.)",
        description="Seeded Monte Carlo over each district's 95% poverty interval; the range is the "
        "2.5-97.5 percentile of the rank. Default gap-index weights. Coverage beyond --km "
        "(straight line) or --hours (modelled travel time).",
    )
    add_service_and_km(p, GAP_SERVICES + (CHAIN,), hours=True)
    add_area(p)
    p.add_argument("--draws", type=int, default=200, help="Monte Carlo draws, 1-2000 (default 200)")
    p.add_argument("--seed", type=int, default=0)
    add_format(p)
    p.set_defaults(func=run_ranks)


def _loaded(service: str):
    """Catalog and coverage index, or a clear ValueError."""
    from .index import coverage_index

    catalog = load_catalog()
    index = coverage_index(catalog)
    if index is None or service not in index.km:
        raise ValueError(f"service {service} is unavailable: {catalog.errors}")
    return catalog, index


HOURS_METHOD = ("modelled travel hours to the nearest unit (analysis/travel, central speeds; a model, not a "
                "measurement; no modelled access within 7 days counts as beyond)")


HOURS_CATCHMENT = ("catchments in modelled travel hours from each populated centre to the unit (analysis/travel, "
                   "central speeds; a model, not a measurement; step decay)")


@dataclass(frozen=True)
class Measure:
    """What a command compares with its threshold: straight-line km (`distances` None: the
    coverage index's own) or modelled hours (`travel`, `distances` per demand point)."""

    threshold: float
    hours: bool
    distances: np.ndarray | None = None
    travel: object | None = None

    @property
    def field(self) -> dict[str, float]:
        """The threshold as the outputs name it: {"km": 50.0} or {"hours": 6.0}."""
        return {"hours" if self.hours else "km": self.threshold}

    def method(self, km_words: str = "straight-line km", hours_words: str = HOURS_METHOD) -> str:
        return hours_words if self.hours else km_words


def _measured(args):
    """(catalog, index, Measure) of a command: bounds checked before any data is read."""
    km, hours = checked_threshold(args)
    catalog, index = _loaded(args.service)
    if hours is None:
        return catalog, index, Measure(km, False)
    travel, distances = travel_hours(catalog, args.service)
    return catalog, index, Measure(hours, True, distances, travel)


def _department(catalog, code: str | None, allow_province: bool = False) -> str | None:
    if code is None:
        return None
    code = code.strip()
    known = set(catalog.geo.codes("department"))
    if allow_province and len(code) == 4 and code.isdigit():
        if code not in set(catalog.geo.codes("province")):
            raise ValueError(f"unknown province code: {code}")
        return code
    code = code.zfill(2)
    if code not in known:
        raise ValueError(f"unknown department code: {code}")
    return code


def _clean(value, digits: int = 4):
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, digits)
    return value


def _write(out: dict, rows_key: str, fields: list[str], fmt: str) -> int:
    if fmt == "json":
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(out[rows_key])
    for key, value in out.items():
        if key != rows_key and not isinstance(value, (list, dict)):
            sys.stdout.write(f"# {key}: {value}\n")
    return 0


def places_result(args) -> dict:
    from .left_out import (
        CHILDREN_METHOD,
        PLACE_COLUMNS,
        child_shares_from_catalog,
        places_beyond,
    )

    catalog, index, measure = _measured(args)
    area = _department(catalog, args.department, allow_province=True)
    table = places_beyond(index, args.service, measure.threshold, area, child_shares_from_catalog(catalog),
                          catalog.geo.districts, distances=measure.distances)
    rows = []
    for record in table.to_dict("records"):
        clean = {k: _clean(record[k], 6 if k in ("lat", "lon") else 1) for k in PLACE_COLUMNS}
        if measure.hours:  # to the nearest unit in hours; None (never inf) with no modelled access
            clean = {("hours" if k == "km_to_nearest" else k): v for k, v in clean.items()}
            clean["hours"] = _clean(record["km_to_nearest"], 2)
            clean["no_modelled_access"] = bool(math.isinf(record["km_to_nearest"]))
        rows.append(clean)
    return {
        "service": args.service,
        **measure.field,
        "area": area,
        "places": rows,
        "n_places": len(rows),
        "people": round(float(table["people"].sum()), 1),
        "children": round(float(table["children"].sum()), 1),
        "children_estimated": True,
        "method": measure.method("straight-line km to the nearest unit") + "; district 2023 rural population "
        "spread evenly over its rural INEI centres; " + CHILDREN_METHOD,
        "source": "INEI centros poblados; INEI population 2023; MINSA REUNIS 2020",
    }


def run_places(args) -> int:
    from .left_out import PLACE_COLUMNS

    fields = PLACE_COLUMNS
    if getattr(args, "hours", None) is not None:
        fields = ["hours" if c == "km_to_nearest" else c for c in PLACE_COLUMNS] + ["no_modelled_access"]
    return _write(places_result(args), "places", fields, args.format)


ACCESS_FIELDS = ["ubigeo", "name", "children", "units_per_100k_children"]
UNIT_FIELDS = ["rank", "id", "name", "ubigeo", "lat", "lon", "children_in_catchment", "units_per_100k_in_catchment"]


def _unit_names(catalog, service: str) -> dict[str, tuple[str, str]]:
    """Unit id -> (name, district ubigeo); CARE ids are provinces (never finer)."""
    frame = catalog.frame(service)
    if "id" not in frame or "name" not in frame:
        return {}
    ubigeo = frame["ubigeo"] if "ubigeo" in frame else frame["id"]
    return {str(i): (str(n), str(u)) for i, n, u in zip(frame["id"], frame["name"], ubigeo)}


def access_result(args) -> dict:
    from .access import access_from_index
    from .left_out import CHILDREN_SHARE_NOTE, child_shares_from_catalog

    catalog, index, measure = _measured(args)
    department = _department(catalog, args.department)
    catchments = _hour_catchments(measure, args.service) if measure.hours else None
    areas, units = access_from_index(index, args.service, measure.threshold, args.level,
                                     child_shares_from_catalog(catalog), args.decay, catchments=catchments)
    if department:
        areas = areas[areas.index.str[:2] == department]
    names = catalog.geo.areas[args.level]["name"]
    rows = [
        {
            "ubigeo": code,
            "name": names.get(code, ""),
            "children": _clean(float(row["children"]), 1),
            "units_per_100k_children": _clean(float(row["units_per_100k_children"]), 4),
        }
        for code, row in areas.iterrows()
    ]
    known = _unit_names(catalog, args.service)
    ranked = []
    for rank, (unit_id, row) in enumerate(units.iterrows(), start=1):
        name, ubigeo = known.get(str(unit_id), ("", str(unit_id) if args.service == "care" else ""))
        ranked.append({
            "rank": rank,
            "id": str(unit_id),
            "name": name,
            "ubigeo": ubigeo,
            "lat": _clean(float(row["lat"]), 6),
            "lon": _clean(float(row["lon"]), 6),
            "children_in_catchment": _clean(float(row["children_in_catchment"]), 1),
            "units_per_100k_in_catchment": _clean(float(row["units_per_100k_in_catchment"]), 4),
        })
    if department:
        ranked = [u for u in ranked if u["ubigeo"][:2] == department]
    cell_km = areas.attrs["access"].cell_km
    return {
        "service": args.service,
        **measure.field,
        "level": args.level,
        "decay": args.decay,
        "areas": rows,
        "units": ranked,
        "children_estimated": True,
        "cell_km": cell_km,
        "method": ("two-step floating catchment (2SFCA"
                   + (", Gaussian decay" if args.decay == "gaussian" else "") + "); supply 1 per unit; "
                   "demand children 0-17 at every populated centre; " + measure.method(hours_words=HOURS_CATCHMENT)
                   + (f"; demand grouped in {cell_km:g} km cells" if cell_km else "") + "; " + CHILDREN_SHARE_NOTE),
        "source": "MIMP / PNP unit directories; INEI centros poblados; INEI population 2023; MINSA REUNIS 2020",
    }


def _hour_catchments(measure: Measure, service: str):
    """Units x demand points, true where the modelled trip from the point to the unit takes
    at most the threshold: one bounded single-source search per unit (batched), as the
    suggestions in hours (analysis.travel.suggest.coverage_sets_hours)."""
    from .travel.suggest import coverage_sets_hours

    travel = measure.travel
    n = len(travel.coverage.demand.lat)
    sets = coverage_sets_hours(travel.model(), travel.sites(service), np.arange(n), np.ones(n), measure.threshold)
    return sets.matrix


def run_access(args) -> int:
    out = access_result(args)
    if args.per_unit:
        return _write(out, "units", UNIT_FIELDS, args.format)
    return _write(out, "areas", ACCESS_FIELDS, args.format)


EQUITY_FIELDS = ["quintile", "districts", "rural_children", "rural_children_beyond", "pct_beyond",
                 "poverty_min", "poverty_max"]


def _records(frame) -> list[dict]:
    return [{k: _clean(v, 4) if isinstance(v, float) else v for k, v in row.items()} for row in frame.to_dict("records")]


def equity_result(args) -> dict:
    from .equity import equity_from_index
    from .left_out import CHILDREN_METHOD, child_shares_from_catalog

    catalog, index, measure = _measured(args)
    department = _department(catalog, args.department)
    if not catalog.available("poverty2018"):
        raise ValueError("the 2018 poverty map is unavailable")
    poverty = catalog.loaded["poverty2018"].source["poverty"]
    found = equity_from_index(index, args.service, measure.threshold, child_shares_from_catalog(catalog),
                              catalog.geo.districts, poverty, department, distances=measure.distances)
    return {
        "service": args.service,
        **measure.field,
        "department": department,
        "quintiles": _records(found["quintiles"]),
        "concentration_index": _clean(found["concentration_index"], 4),
        "curve": _records(found["curve"]),
        "regions": _records(found["regions"]),
        "districts_used": found["districts_used"],
        "districts_left_out": found["districts_left_out"],
        "children_estimated": True,
        "method": "districts in rural-children-weighted quintiles of monetary poverty 2018 (midpoint of the 95% "
        "interval), quintile 1 = poorest; concentration index 2 cov(h, r)/mean(h) with h = share of rural "
        "children beyond reach, r = fractional rank poorest first (negative: concentrated among the poor); "
        + measure.method() + "; " + CHILDREN_METHOD,
        "source": "INEI Mapa de Pobreza 2018; INEI centros poblados; INEI population 2023; MINSA REUNIS 2020",
    }


def run_equity(args) -> int:
    return _write(equity_result(args), "quintiles", EQUITY_FIELDS, args.format)


RANK_FIELDS = ["ubigeo", "name", "rural_children", "rural_children_beyond", "gap_index", "rank", "rank_low",
               "rank_high", "rank_label", "top10_uncertain"]


def ranks_result(args) -> dict:
    from .left_out import CHILDREN_METHOD, child_shares_from_catalog, children_summary
    from .limits import check_range
    from .uncertainty import MAX_DRAWS, rank_range_from_catalog

    checked_threshold(args)  # both bounds before any data is read
    check_range("--draws", args.draws, (1, MAX_DRAWS), whole=True)
    catalog, index, measure = _measured(args)
    department = _department(catalog, args.department)
    threshold, distances = measure.threshold, measure.distances
    ranks = rank_range_from_catalog(index, catalog, args.service, threshold, args.level, n_draws=args.draws,
                                    seed=args.seed, distances=distances)
    children = children_summary(index.summary(args.service, threshold, args.level, km=distances),
                                child_shares_from_catalog(catalog))
    ranks = ranks.join(children[["rural_children", "rural_children_beyond"]])
    if department:
        ranks = ranks[ranks.index.str[:2] == department]
    names = catalog.geo.areas[args.level]["name"]
    rows = []
    for code, row in ranks.sort_values(["rank", "rank_low"], na_position="last").iterrows():
        record = {"ubigeo": code, "name": names.get(code, "")}
        for field in RANK_FIELDS[2:]:
            value = row[field]
            if field in ("rank", "rank_low", "rank_high"):
                record[field] = None if np.isnan(value) else int(value)
            elif field in ("rank_label", "top10_uncertain"):
                record[field] = value if field == "rank_label" else bool(value)
            else:
                record[field] = _clean(float(value), 1 if "children" in field else 4)
        rows.append(record)
    return {
        "service": args.service, **measure.field, "level": args.level, "draws": args.draws, "seed": args.seed,
        "areas": rows, "children_estimated": True,
        "method": "rank range: 2.5-97.5 percentile of the gap-index rank over a seeded Monte Carlo of district "
        "poverty within its 95% interval (normal, sd = width/3.92); " + CHILDREN_METHOD,
        "source": "INEI Mapa de Pobreza 2018 (95% interval); coverage as in python -m analysis coverage",
    }


def run_ranks(args) -> int:
    return _write(ranks_result(args), "areas", RANK_FIELDS, args.format)
