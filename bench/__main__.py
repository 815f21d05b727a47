"""Run every benchmark and rewrite bench/RESULTS.md (date, machine, figures, budgets)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; {platform.system()} {platform.release()}"


def main(argv: list[str]) -> int:
    from layers.catalog import Catalog

    from . import coverage, mclp

    catalog = Catalog.load()
    sections = []
    raw = {}
    raw["coverage"] = r = coverage.run(catalog)
    sections.append(("Coverage distances (issue 4)", coverage.markdown(r)))
    raw["mclp"] = r = mclp.run(catalog)
    sections.append(("Suggest 10 sites: greedy vs exact MCLP (issues 5 and 6)", mclp.markdown(r)))
    out = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now().isoformat(timespec='minutes')} on {machine()}.",
        "Command: `python -m bench`. Raw figures: `bench/results.json`.",
        "",
    ]
    for title, body in sections:
        out += [f"## {title}", "", body, ""]
    (HERE / "RESULTS.md").write_text("\n".join(out))
    (HERE / "results.json").write_text(json.dumps(raw, indent=1))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
