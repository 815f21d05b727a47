"""``python -m analysis coverage``: coverage figures per area, as JSON or CSV.

Example::

    python -m analysis coverage --service upe --km 50 --level department --format json
    python -m analysis coverage --service upe --hours 6 --level department --format json

With ``--hours`` the coverage figures (rural_beyond, pct_rural_beyond, rural_centres_beyond,
pct_population_within, need ranking) are for a threshold in modelled travel hours
(analysis/travel), median_km stays the straight-line median, and each record adds
median_hours, pct_rural_beyond_low / _high (the range from the low and high speeds) and
median_no_access (true when the median rural person has no modelled access within 7 days).
"""

from __future__ import annotations

import json
import math
import sys

from .cli import add_area, add_format, add_service_and_km, load_catalog, travel_cache
from .coverage import CHAIN
from .gap_index import COMPONENTS, DEFAULT_WEIGHTS, MAX_WEIGHT
from .index import GAP_SERVICES
from .limits import HOURS, THRESHOLD_KM, check_range

FIELDS = [
    "ubigeo", "name", "rural_population", "rural_beyond", "pct_rural_beyond", "median_km",
    "rural_centres", "rural_centres_beyond", "population", "pct_population_within",
    "poverty", "rural_share", "foreign_per_1000", "cem_per_10000", "need", "gap_index", "rank",
    # issue 14, after the fields above so that they keep their order: children 0-17 (est.) and
    # the rank's range over the 2018 poverty interval
    "rural_children", "rural_children_beyond", "rank_low", "rank_high",
]
WHOLE = {"rural_centres", "rural_centres_beyond", "rank", "rank_low", "rank_high"}
HOURS_FIELDS = ["hours", "median_hours", "median_no_access", "pct_rural_beyond_low", "pct_rural_beyond_high"]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "coverage",
        help="share of rural population beyond a distance from a service, per area",
        description="Straight-line (great-circle) distance from every INEI populated centre "
        "to the nearest unit; district population spread evenly over its centres.",
    )
    add_service_and_km(p, GAP_SERVICES + (CHAIN,))
    p.add_argument("--hours", type=float, default=None,
                   help=f"threshold in modelled travel hours, {HOURS[0]:g}-{HOURS[1]:g} (travel time instead of km)")
    add_area(p)
    add_format(p)
    for c in COMPONENTS:
        p.add_argument(f"--w-{c.replace('_', '-')}", type=float, default=DEFAULT_WEIGHTS[c], dest=f"w_{c}",
                       help=f"gap-index weight of {c} (0-{MAX_WEIGHT:g}, default 1)")
    p.set_defaults(func=run)


def records(args) -> list[dict]:

    from .gaps import gap_report
    from .index import coverage_index
    from .need import need_frame

    check_range("--km", args.km, THRESHOLD_KM)  # the UI's bound (analysis.limits), before any data is read
    hours = getattr(args, "hours", None)
    if hours is not None:
        hours = check_range("--hours", hours, HOURS)
    catalog = load_catalog()
    index = coverage_index(catalog)
    if index is None or (args.service != CHAIN and args.service not in index.services):
        raise ValueError(f"service {args.service} is unavailable: {catalog.errors}")
    codes = catalog.geo.codes(args.level)
    need = need_frame(catalog.area_values(), codes, args.level)
    weights = {c: getattr(args, f"w_{c}") for c in COMPONENTS}
    report = gap_report(index, args.service, args.km, args.level, need, weights)
    extra = None
    distances, threshold = index.km[args.service], args.km
    if hours is not None:
        report, extra = _hours_report(catalog, index, args, hours, need, weights, report)
        distances, threshold = _travel_hours(catalog, args.service), hours
    report = _with_children_and_ranks(catalog, index, args, report, weights, distances, threshold)
    if args.department:
        report = report[report.index.str[:2] == args.department]
    names = catalog.geo.areas[args.level]["name"]
    out = []
    for code, row in report.iterrows():
        record = {"ubigeo": code, "name": names.get(code, "")}
        for field in FIELDS[2:]:
            value = float(row[field])
            if math.isnan(value):
                record[field] = None
            else:
                record[field] = int(value) if field in WHOLE else round(value, 4)
        if extra is not None:
            record.update(extra[code])
        out.append(record)
    return out


def _with_children_and_ranks(catalog, index, args, report, weights, distances, threshold):
    """The report with rural_children, rural_children_beyond (est.: department 0-17 share 2020)
    and rank_low / rank_high (95 % range of the national rank over the 2018 poverty interval,
    200 seeded draws); NaN where unknown. `distances` and `threshold` are the measure the
    coverage figures used (km, or hours)."""
    import numpy as np

    from .left_out import child_shares_from_catalog, children_summary
    from .uncertainty import rank_range_from_catalog

    try:
        report = children_summary(report, child_shares_from_catalog(catalog))
    except ValueError:  # no child population layer: unknown, never 0
        report = report.assign(rural_children=np.nan, rural_children_beyond=np.nan)
    try:
        ranks = rank_range_from_catalog(index, catalog, args.service, threshold, args.level, weights,
                                        distances=distances)
        return report.join(ranks[["rank_low", "rank_high"]])
    except (ValueError, KeyError):  # no poverty map
        return report.assign(rank_low=np.nan, rank_high=np.nan)


def _travel_hours(catalog, service):
    from .travel.index import from_catalog

    return from_catalog(catalog).raw(service)


def _hours_report(catalog, index, args, hours, need, weights, km_report):
    """The report with coverage at an hour threshold (median_km kept from km_report) and the
    extra hour fields per area."""
    import numpy as np

    from .gaps import gap_report
    from .travel.index import from_catalog

    travel = from_catalog(catalog, cache=travel_cache())
    if travel is None or (args.service, "central") not in {(s, v) for v, s in travel.hours}:
        raise ValueError(f"travel time is unavailable for {args.service}")
    report = gap_report(index, args.service, hours, args.level, need, weights, km=travel.raw(args.service))
    median_hours = report["median_km"].astype(float)
    report["median_km"] = km_report["median_km"]
    ranges = {v: travel.summary(args.service, hours, args.level, variant=v)["pct_rural_beyond"] for v in ("low", "high")}
    extra = {}
    for code in report.index:
        m = float(median_hours.get(code, np.nan))
        rural = float(report.at[code, "rural_population"])
        known = not math.isnan(float(report.at[code, "pct_rural_beyond"]))
        extra[code] = {
            "hours": hours,
            "median_hours": round(m, 3) if math.isfinite(m) else None,
            "median_no_access": bool(known and rural > 0 and math.isinf(m)),
            "pct_rural_beyond_low": _rounded(ranges["low"].get(code)),
            "pct_rural_beyond_high": _rounded(ranges["high"].get(code)),
        }
    return report, extra


def _rounded(value):
    if value is None or math.isnan(float(value)):
        return None
    return round(float(value), 4)


def run(args) -> int:
    rows = records(args)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        import csv

        fields = FIELDS + (HOURS_FIELDS if getattr(args, "hours", None) is not None else [])
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0
