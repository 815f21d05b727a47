"""``python -m analysis suggest``: where the next units would cover the most rural people.

Example::

    python -m analysis suggest --service upe --n 5 --km 50 --departments 16 --format json
"""

from __future__ import annotations

import json
import sys

from .cli import add_format, km_help, load_catalog
from .limits import SUGGESTIONS, THRESHOLD_KM, check_range
from .places import CANDIDATE_KINDS, CAPITALS
from .scenario import MAX_SUGGESTIONS, PLANNABLE


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "suggest",
        help="suggest sites for new units (greedy maximal covering, existing units fixed)",
        description="Greedy maximal covering location: rural population of the chosen "
        "departments, straight-line distance, existing units kept where they are.",
    )
    p.add_argument("--service", required=True, choices=PLANNABLE)
    p.add_argument("--n", type=int, default=5, help=f"number of sites, 1-{MAX_SUGGESTIONS} (default 5)")
    p.add_argument("--km", type=float, default=50.0, help=km_help("coverage distance"))
    p.add_argument("--departments", required=True, help="2-digit department codes, comma-separated (e.g. 16,21)")
    p.add_argument("--candidates", default=CAPITALS, choices=CANDIDATE_KINDS,
                   help="district capitals (default) or populated centres")
    p.add_argument("--min-size", type=float, default=500.0,
                   help="with --candidates centres: minimum estimated population of a centre")
    add_format(p)
    p.set_defaults(func=run)


def result(args) -> dict:
    from .index import coverage_index
    from .places import build_places
    from .scenario import suggest

    check_range("--n", args.n, SUGGESTIONS, whole=True)  # before any data is read
    check_range("--km", args.km, THRESHOLD_KM)
    catalog = load_catalog()
    departments = [d.strip().zfill(2) for d in args.departments.split(",") if d.strip()]
    known = set(catalog.geo.codes("department"))
    unknown = [d for d in departments if d not in known]
    if unknown or not departments:
        raise ValueError(f"unknown department code(s): {', '.join(unknown) or '(none given)'}")
    index = coverage_index(catalog)
    if index is None or args.service not in index.km:
        raise ValueError(f"service {args.service} is unavailable: {catalog.errors}")
    places = build_places(catalog.geo.districts, index.demand)
    found = suggest(index, args.service, args.km, departments, places.candidates(args.candidates, args.min_size), args.n)
    sites = []
    for unit, gain in zip(found.units, found.gains):
        _, _, _, ubigeo = places.resolve(unit.place)
        sites.append({
            "ubigeo": ubigeo,
            "place": unit.place,
            "name": unit.name,
            "lat": round(unit.lat, 6),
            "lon": round(unit.lon, 6),
            "gain": round(gain, 1),
        })
    return {
        "service": args.service,
        "km": args.km,
        "departments": departments,
        "candidates": args.candidates,
        "sites": sites,
        "total_gain": round(sum(found.gains), 1),
        "method": "greedy maximal covering; straight-line km; district 2023 rural population spread over populated centres",
    }


def run(args) -> int:
    out = result(args)
    if args.format == "json":
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=["ubigeo", "place", "name", "lat", "lon", "gain"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(out["sites"])
        sys.stdout.write(f"# total_gain,{out['total_gain']}\n")
    return 0
