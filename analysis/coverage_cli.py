"""``python -m analysis coverage``: coverage figures per area, as JSON or CSV.

Example::

    python -m analysis coverage --service upe --km 50 --level department --format json
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from .coverage import CHAIN, GAP_LEVELS
from .gap_index import COMPONENTS, DEFAULT_WEIGHTS, MAX_WEIGHT
from .index import GAP_SERVICES

MAX_KM = 2000.0
FIELDS = [
    "ubigeo", "name", "rural_population", "rural_beyond", "pct_rural_beyond", "median_km",
    "rural_centres", "rural_centres_beyond", "population", "pct_population_within",
    "poverty", "rural_share", "foreign_per_1000", "cem_per_10000", "need", "gap_index", "rank",
]
WHOLE = {"rural_centres", "rural_centres_beyond", "rank"}


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "coverage",
        help="share of rural population beyond a distance from a service, per area",
        description="Straight-line (great-circle) distance from every INEI populated centre "
        "to the nearest unit; district population spread evenly over its centres.",
    )
    p.add_argument("--service", required=True, choices=GAP_SERVICES + (CHAIN,))
    p.add_argument("--km", type=float, default=50.0, help="distance threshold in km (default 50)")
    p.add_argument("--level", default="department", choices=GAP_LEVELS)
    p.add_argument("--department", default=None, help="only areas of this 2-digit department code")
    p.add_argument("--format", default="json", choices=("json", "csv"))
    for c in COMPONENTS:
        p.add_argument(f"--w-{c.replace('_', '-')}", type=float, default=DEFAULT_WEIGHTS[c], dest=f"w_{c}",
                       help=f"gap-index weight of {c} (0-{MAX_WEIGHT:g}, default 1)")
    p.set_defaults(func=run)


def records(args) -> list[dict]:
    from layers.catalog import Catalog

    from .gaps import gap_report
    from .index import coverage_index
    from .need import need_frame

    if not (0 < args.km <= MAX_KM) or math.isnan(args.km):
        raise ValueError(f"--km must be between 0 and {MAX_KM:g}")
    catalog = Catalog.load()
    if catalog.fatal:
        raise ValueError(catalog.fatal)
    index = coverage_index(catalog)
    if index is None or (args.service != CHAIN and args.service not in index.services):
        raise ValueError(f"service {args.service} is unavailable: {catalog.errors}")
    codes = catalog.geo.codes(args.level)
    need = need_frame(catalog.area_values(), codes, args.level)
    weights = {c: getattr(args, f"w_{c}") for c in COMPONENTS}
    report = gap_report(index, args.service, args.km, args.level, need, weights)
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
        out.append(record)
    return out


def run(args) -> int:
    rows = records(args)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0
