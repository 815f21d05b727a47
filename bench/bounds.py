"""The worst legal requests, each in a fresh process: time and peak extra memory.

Issue 17's budget: the heaviest suggestion the UI allows (every department, 300 km,
populated centres of any size as candidates, 20 sites) within 3 s and 500 MB above the
process's resident memory before the request. Peak memory is the process's peak RSS during
the call (Linux's VmHWM, reset just before it through /proc/self/clear_refs) minus its RSS
just before it. `ru_maxrss` alone, as before, also counted the peak of loading the data:
with a cold cache that peak (about 1.9 GB) made every case read about 1.66 GB "extra", even
the district-capital case that allocates almost nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, os, resource, time
import psutil
from app import Settings
from layers.catalog import Catalog
from analysis.index import coverage_index
from analysis.places import build_places
from analysis.scenario import suggest
catalog = Catalog.load(Settings().data())  # COBERTURA_DATA_DIR, as the app reads it
index = coverage_index(catalog)
places = build_places(catalog.geo.districts, index.demand)
departments = sorted(set(catalog.geo.codes("department")))
kind, size, km, service = {args}
candidates = places.candidates(kind, size)
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS to the current RSS
    reset = True
except OSError:
    reset = False
before = psutil.Process().memory_info().rss
start = time.perf_counter()
found = suggest(index, service, km, departments, candidates, 20)
seconds = time.perf_counter() - start
peak = hwm() if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "extra_mb": max(0, peak - before) / 1e6, "cell_km": found.cell_km,
                  "candidates": len(candidates), "sites": len(found.units), "gain": sum(found.gains)}))
"""

CASES = {
    "every department, 300 km, centres of any size": ("centres", 0, 300.0, "upe"),
    "every department, 50 km, centres of any size": ("centres", 0, 50.0, "sar"),
    "every department, 300 km, district capitals": ("capitals", 0, 300.0, "sar"),
    "every department, 100 km, centres of any size": ("centres", 0, 100.0, "cem"),
}


def run() -> dict:
    out = {}
    for label, args in CASES.items():
        done = subprocess.run([sys.executable, "-c", CHILD.replace("{args}", repr(args))],
                              capture_output=True, text=True, check=True)
        out[label] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def markdown(result: dict) -> str:
    lines = ["| request (suggest 20 sites) | candidates | time | peak extra memory | grouped into cells of |",
             "|---|---:|---:|---:|---:|"]
    for label, r in result.items():
        cell = f"{r['cell_km']:.1f} km" if r["cell_km"] else "not grouped"
        lines.append(f"| {label} | {r['candidates']:,} | {r['seconds']:.2f} s | {r['extra_mb']:.0f} MB | {cell} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(run()))
