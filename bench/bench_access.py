"""Server time of the issue-14 figures after start-up (python bench/bench_access.py).

After the coverage index is built (start-up), times p50/p95 over 30 calls of: the per-area
access measure (2SFCA, UPE, 50 km) at department, province and district level, with the demand
KD-tree kept; the equity table (national and Loreto); the named list of rural centres beyond
50 km of a UPE in Loreto, Cusco and Puno; the rank range (200 draws, department and district).
Also the bytes of Loreto's named list as JSON and as the points an app would draw (lat, lon,
name, children), raw and gzipped. Budget from the issue: each at most 150 ms p95.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.access import access_from_index, point_tree  # noqa: E402
from analysis.equity import equity_from_index  # noqa: E402
from analysis.index import coverage_index  # noqa: E402
from analysis.left_out import child_shares_from_catalog, places_beyond  # noqa: E402
from analysis.uncertainty import rank_range_from_catalog  # noqa: E402
from bench.common import p50, p95, timings  # noqa: E402

BUDGET_MS = 150.0


def run(catalog, runs: int = 30) -> list[dict]:
    index = coverage_index(catalog)
    shares = child_shares_from_catalog(catalog)
    points = point_tree(index.demand.lat, index.demand.lon)  # start-up, once
    districts = catalog.geo.districts
    poverty = catalog.loaded["poverty2018"].source["poverty"]
    cases = {
        "access UPE 50 km, department": lambda: access_from_index(index, "upe", 50, "department", shares, points=points),
        "access UPE 50 km, province": lambda: access_from_index(index, "upe", 50, "province", shares, points=points),
        "access UPE 50 km, district": lambda: access_from_index(index, "upe", 50, "district", shares, points=points),
        "access CEM 50 km, district": lambda: access_from_index(index, "cem", 50, "district", shares, points=points),
        "equity UPE 50 km, Peru": lambda: equity_from_index(index, "upe", 50, shares, districts, poverty),
        "equity UPE 50 km, Loreto": lambda: equity_from_index(index, "upe", 50, shares, districts, poverty, "16"),
        "named list UPE 50 km, Loreto": lambda: places_beyond(index, "upe", 50, "16", shares, districts),
        "named list UPE 50 km, Cusco": lambda: places_beyond(index, "upe", 50, "08", shares, districts),
        "named list chain 50 km, Puno": lambda: places_beyond(index, "chain", 50, "21", shares, districts),
    }
    rows = []
    for label, fn in cases.items():
        t = timings(fn, runs=runs)
        rows.append({"case": label, "p50_ms": 1000 * p50(t), "p95_ms": 1000 * p95(t), "budget_ms": BUDGET_MS})
    for level in ("department", "district"):
        t = timings(lambda: rank_range_from_catalog(index, catalog, "upe", 50, level), runs=3)
        rows.append({"case": f"rank range, 200 draws, {level}", "p50_ms": 1000 * p50(t), "p95_ms": 1000 * p95(t),
                     "budget_ms": None})
    return rows


def list_bytes(catalog) -> dict:
    index = coverage_index(catalog)
    table = places_beyond(index, "upe", 50, "16", child_shares_from_catalog(catalog), catalog.geo.districts)
    full = json.dumps(table.round({"people": 1, "children": 1, "km_to_nearest": 1, "lat": 5, "lon": 5})
                      .to_dict("records"), ensure_ascii=False).encode()
    drawn = json.dumps({"lat": table["lat"].round(4).tolist(), "lon": table["lon"].round(4).tolist(),
                        "text": table["name"].tolist(), "children": table["children"].round(0).tolist()},
                       ensure_ascii=False).encode()
    return {"places": len(table), "list_json": len(full), "list_json_gz": len(gzip.compress(full)),
            "points_json": len(drawn), "points_json_gz": len(gzip.compress(drawn))}


def markdown(rows: list[dict], sizes: dict) -> str:
    lines = ["| figure (after start-up) | p50 | p95 | budget |", "|---|---:|---:|---|"]
    for r in rows:
        verdict = "" if r["budget_ms"] is None else (
            f"≤ {r['budget_ms']:.0f} ms: {'holds' if r['p95_ms'] <= r['budget_ms'] else 'MISSED'}")
        lines.append(f"| {r['case']} | {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {verdict} |")
    lines += ["", f"Loreto's named list ({sizes['places']:,} places): {sizes['list_json'] / 1000:.0f} KB as JSON "
              f"({sizes['list_json_gz'] / 1000:.0f} KB gzipped); as map points (lat, lon, name, children) "
              f"{sizes['points_json'] / 1000:.0f} KB ({sizes['points_json_gz'] / 1000:.0f} KB gzipped)."]
    return "\n".join(lines)


def main() -> None:
    from app import Settings
    from layers.catalog import Catalog

    catalog = Catalog.load(Settings().data())  # COBERTURA_DATA_DIR, as the app reads it
    print(markdown(run(catalog), list_bytes(catalog)))


if __name__ == "__main__":
    main()
