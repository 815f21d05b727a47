"""``python -m analysis route``: the fastest modelled route between two points in Peru.

Example::

    python -m analysis route --from -13.5183,-71.9781 --to -12.5933,-69.1891 --format json

Prints hours, km_network, km_straight and the legs (mode, hours, km). A point outside Peru,
at sea, or with no modelled route within 7 days is a clear error (exit code 2).
"""

from __future__ import annotations

import json
import math
import re
import sys

from .cli import add_format, load_catalog, travel_cache
from .travel.params import BOATS, VARIANTS


def parse_point(text: str, option: str) -> tuple[float, float]:
    """"LAT,LON" in degrees -> (lat, lon); ValueError naming the option otherwise."""
    parts = str(text).replace(" ", "").split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f"{option} must be LAT,LON in decimal degrees (e.g. -12.05,-77.04), got {text[:40]!r}") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{option}: {text[:40]!r} is not a latitude between -90 and 90 and a longitude between -180 and 180")
    return lat, lon


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "route",
        help="modelled travel time (road, river, foot) between two points in Peru",
        description="Fastest route on the modelled network (national roads, navigable Selva rivers, "
        "walking legs); speeds from data/parametros_viaje.csv. Modelled, not measured.",
    )
    # "-13.5,-71.9" starts with "-": let argparse read it as a value, not an option
    # (its own test for negative numbers does not know "LAT,LON"; `--from=-13.5,-71.9` also works)
    p._negative_number_matcher = re.compile(r"^-\d+$|^-\d*\.\d+$|^-?\d*\.?\d+,\s*-?\d*\.?\d+$")
    p.add_argument("--from", dest="origin", required=True, metavar="LAT,LON")
    p.add_argument("--to", dest="destination", required=True, metavar="LAT,LON")
    p.add_argument("--variant", default="central", choices=VARIANTS, help="speed variant (default central)")
    p.add_argument("--boat", default="lancha", choices=BOATS, help="boat type on rivers (default lancha)")
    add_format(p, ("json", "text"))
    p.set_defaults(func=run)


def result(args) -> dict:
    from .travel.index import from_catalog

    origin = parse_point(args.origin, "--from")  # before any data is read
    destination = parse_point(args.destination, "--to")
    catalog = load_catalog()
    travel = from_catalog(catalog, cache=travel_cache())
    if travel is None:
        raise ValueError(f"travel time is unavailable: {catalog.errors}")
    route = travel.route(*origin, *destination, variant=args.variant, boat=args.boat)
    out = route.as_dict()
    out.update({"from": list(origin), "to": list(destination), "variant": args.variant, "boat": args.boat,
                "measure": "tiempo de viaje modelado / modelled travel time",
                "source": "Red Vial Nacional (MTC) trazada por Travel Mapping (© OpenStreetMap contributors); "
                          "ríos GSHHG 2.3.7 (Wessel & Smith); velocidades y supuestos: data/parametros_viaje.csv; "
                          "método: analysis/travel/METHOD.md"})
    return out


def run(args) -> int:
    out = result(args)
    if args.format == "json":
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(f"{out['hours']:.1f} h (modelado / modelled) · {out['km_network']:.0f} km por la red · "
              f"{out['km_straight']:.0f} km en línea recta")
        print(out["text_es"])
    return 0
