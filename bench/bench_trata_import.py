"""How long a national-size official file takes to import (python bench/bench_trata_import.py).

The Lambayeque samples are repeated for all 25 departments (MININTER: 2 provinces each, with
its repeated blocks; Ministerio Público: 10 districts each) to reach the size of the national
files (tens of MB). Prints MB, rows and seconds; results are recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.trafficking import import_trata  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "muestras_oficiales"


def national_mininter() -> bytes:
    lines = (SAMPLES / "mininter_trata_lambayeque_2017_2023.csv").read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    for dep in range(1, 26):
        for copy in range(2):
            out += [
                line.replace(";14;LAMBAYEQUE;", f";{dep:02d};DEP{dep:02d};").replace(";CHICLAYO;", f";P{copy};", 1)
                for line in lines[1:]
            ]
    return ("\ufeff" + "\n".join(out) + "\n").encode("utf-8")


def national_mpfn() -> bytes:
    lines = (SAMPLES / "mpfn_delitos_lambayeque_2019_2023.csv").read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    for dep in range(1, 26):
        for district in range(1, 11):
            out += [line.replace(";140101;", f";{dep:02d}{district:02d}01;") for line in lines[1:]]
    return ("\ufeff" + "\n".join(out) + "\n").encode("utf-8")


def main() -> None:
    for name, build in (("MININTER", national_mininter), ("Ministerio Público", national_mpfn)):
        data = build()
        start = time.perf_counter()
        result = import_trata(data, name)
        seconds = time.perf_counter() - start
        print(f"{name}: {len(data) / 1e6:.1f} MB, {result.rows_read:,} rows, {seconds:.1f} s, "
              f"{len(result.series):,} series rows, {result.repeated_rows:,} repeated rows dropped")


if __name__ == "__main__":
    main()
