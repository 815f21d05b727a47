"""Sub-commands for analysts and checks. Each command module defines
``add_parser(subparsers)`` that registers a parser with ``func=run``."""

from __future__ import annotations

import argparse
import importlib
import sys
COMMAND_MODULES: tuple[str, ...] = ("analysis.coverage_cli", "analysis.suggest_cli", "analysis.trata_cli",
                                     "analysis.travel_cli", "analysis.access_cli", "analysis.budget_cli")


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
