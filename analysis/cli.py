"""Sub-commands for analysts and checks. Each command module defines
``add_parser(subparsers)`` that registers a parser with ``func=run``."""

from __future__ import annotations

import argparse
import importlib
import sys

from .coverage import GAP_LEVELS
from .limits import HOURS, THRESHOLD_KM, check_range


def km_help(what: str = "distance threshold") -> str:
    return f"{what} in km, {THRESHOLD_KM[0]:g}-{THRESHOLD_KM[1]:g} (default 50)"


DEPARTMENT_HELP = "only areas of this 2-digit department code"
COMMAND_MODULES: tuple[str, ...] = ("analysis.coverage_cli", "analysis.suggest_cli", "analysis.trata_cli",
                                     "analysis.travel_cli", "analysis.access_cli", "analysis.budget_cli")


# ------------------------------------------------------- what the commands share


def hours_help(what: str = "threshold") -> str:
    return f"{what} in modelled travel hours, {HOURS[0]:g}-{HOURS[1]:g} (travel time instead of km)"


def add_service_and_km(parser, services, what: str = "distance threshold", hours: bool = False) -> None:
    """--service (one of `services`) and --km (default 50; bounded where it is used); with
    `hours`, --hours too, and --km and --hours exclude each other."""
    parser.add_argument("--service", required=True, choices=services)
    add_threshold(parser, what, hours)


def add_threshold(parser, what: str = "distance threshold", hours: bool = False) -> None:
    """--km (default 50); with `hours`, --hours too, and the two exclude each other."""
    group = parser.add_mutually_exclusive_group() if hours else parser
    group.add_argument("--km", type=float, default=50.0, help=km_help(what))
    if hours:
        group.add_argument("--hours", type=float, default=None, help=hours_help(what.replace("distance ", "")))


def checked_threshold(args) -> tuple[float, float | None]:
    """(km, hours) of a command's arguments, each checked against its bound (the UI's,
    analysis.limits) before any data is read; hours is None without --hours."""
    km = check_range("--km", args.km, THRESHOLD_KM)
    hours = getattr(args, "hours", None)
    return km, None if hours is None else check_range("--hours", hours, HOURS)


def travel_hours(catalog, service: str):
    """Modelled hours (central speeds, inf = no modelled access within 7 days) per demand
    point to the nearest unit of `service`, or a ValueError when travel time is unavailable."""
    from .travel.index import from_catalog

    travel = from_catalog(catalog, cache=travel_cache())
    if travel is None or ("central", service) not in travel.hours:
        raise ValueError(f"travel time is unavailable for {service}")
    return travel, travel.raw(service)


def add_area(parser, level: bool = True, department_help: str | None = DEPARTMENT_HELP) -> None:
    """--level (default department) and an optional --department filter."""
    if level:
        parser.add_argument("--level", default="department", choices=GAP_LEVELS)
    if department_help:
        parser.add_argument("--department", default=None, help=department_help)


def add_format(parser, choices: tuple[str, ...] = ("json", "csv")) -> None:
    parser.add_argument("--format", default=choices[0], choices=choices)


def settings():
    """The app's settings (app.Settings: every environment variable, read there and only
    there). The commands are entry points like app.py, so they may read them."""
    from app import Settings

    return Settings()


def travel_cache():
    """Where the travel-time index is cached: <COBERTURA_CACHE_DIR>/travel, else the default."""
    base = settings().cache_dir
    return base / "travel" if base else None


def load_catalog():
    """The loaded Catalog of the configured data directory, or a ValueError with the reason
    it cannot load."""
    from layers.catalog import Catalog

    catalog = Catalog.load(settings().data())
    if catalog.fatal:
        raise ValueError(catalog.fatal)
    return catalog


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Cobertura analyses")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
