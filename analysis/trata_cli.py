"""``python -m analysis import-trata FILE [--format json|csv]``: the series a file gives.

Prints one record per department (and, for the Ministerio Público, district) and year: the
complaints (denuncias) and, where the MININTER file has them, victims under 18. Counts under 5
are printed as "<5" (CSV) or null with a "suppressed" flag (JSON), as everywhere in Cobertura.
Problems in the file go to stderr as "fila N, columna C: ..." lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import pandas as pd

from layers.base import suppress_small

from ingest.trafficking import DEPARTMENTS, import_trata

FIELDS = ["source", "level", "code", "department", "year", "value", "value_flag", "under_18", "under_18_flag"]


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "import-trata",
        help="series of trafficking complaints from a MININTER or Ministerio Público file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, help="CSV from datosabiertos.gob.pe (MININTER trata / MPFN delitos)")
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    parser.add_argument("--level", choices=("department", "district", "all"), default="all")
    parser.set_defaults(func=run)


def _count(value: float) -> tuple[int | None, str]:
    """A count as printed: None with "no_data", None with "suppressed" (under 5), or the count."""
    if value is None or pd.isna(value):
        return None, "no_data"
    shown, flags = suppress_small(pd.Series([float(value)]))
    if flags.iloc[0]:
        return None, flags.iloc[0]
    return int(shown.iloc[0]), ""


def records(series: pd.DataFrame, level: str = "all") -> list[dict]:
    rows = series if level == "all" else series[series["level"] == level]
    out = []
    for r in rows.itertuples():
        value, value_flag = _count(r.denuncias)
        under, under_flag = _count(r.victims_under_18)
        out.append(
            {
                "source": r.source,
                "level": r.level,
                "code": r.code,
                "department": DEPARTMENTS.get(r.code[:2], ""),
                "year": r.year,
                "value": value,
                "value_flag": value_flag,
                "under_18": under,
                "under_18_flag": under_flag,
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    result = import_trata(path.read_bytes(), path.name)
    for message in result.messages:
        print(f"{path.name}: {message}", file=sys.stderr)
    if result.more_messages:
        print(f"{path.name}: … {result.more_messages} more", file=sys.stderr)
    if not result.ok:
        return 1
    rows = records(result.series, args.level)
    if args.format == "json":
        json.dump({"file": path.name, "source": result.source, "series": rows}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            shown = dict(row)
            for key in ("value", "under_18"):
                flag = row[f"{key}_flag"]
                shown[key] = "<5" if flag == "suppressed" else ("" if flag == "no_data" else row[key])
            writer.writerow(shown)
    return 0
