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
import time
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


def ui_run(catalog, runs: int = 30) -> list[dict]:
    """Server time of the Brechas tab's issue-14 work (atlas/views functions the callbacks
    call), each call at a threshold not seen before (nothing memoised): Loreto at district
    level, UPE; and the rank range of the national district view."""
    from atlas import left_out
    from atlas.gaps import GapState, report_for
    from atlas.model import Model
    from views.gaps import gap_update
    from views.left_out import equity_figure, load_rows, places_update

    model = Model(catalog)
    kms = iter(range(20, 300))  # every call a new threshold: memo misses, as a user's slider

    def fresh(level="district", focus="16"):
        return GapState(level=level, focus=focus, km=float(next(kms)))

    def places():
        gs = fresh()
        return places_update(model, gs, left_out.reach_for(model, gs), "", 0, [], "es")

    def load_and_equity():
        gs = fresh()
        found = left_out.equity(model, gs, left_out.reach_for(model, gs))
        return load_rows(model, gs, "es"), equity_figure(found, "es")

    def threshold_change():
        drawn = gap_update(model, GapState(level="district", focus="16"), None, 0, [], "es")[1]
        start = time.perf_counter()
        gap_update(model, fresh(), drawn, 0, [], "es")
        return time.perf_counter() - start

    cases = {
        "named list callback (list + one page), Loreto, new km": places,
        "load table + equity chart callback, Loreto, new km": load_and_equity,
        "rank range in the view, Peru's 1,891 districts, new km": lambda: report_for(model, fresh("district", "")),
    }
    rows = []
    for label, fn in cases.items():
        t = timings(fn, runs=runs)
        rows.append({"case": label, "p50_ms": 1000 * p50(t), "p95_ms": 1000 * p95(t), "budget_ms": BUDGET_MS})
    threshold_change()
    t = [threshold_change() for _ in range(runs)]
    rows.append({"case": "whole gap view threshold change (Patch incl. named points), Loreto districts, new km",
                 "p50_ms": 1000 * p50(t), "p95_ms": 1000 * p95(t), "budget_ms": BUDGET_MS})
    return rows


def figure_bytes(catalog) -> dict:
    """Bytes the named points add to the gap map: in the first figure and in a threshold Patch."""
    import plotly
    from dash import Patch  # noqa: F401  (the Patch's JSON is what travels)

    from atlas.gaps import GapState
    from atlas.model import Model
    from views.gaps import gap_update

    model = Model(catalog)
    gs = GapState(level="district", focus="16")
    figure, drawn, *_ = gap_update(model, gs, None, 0, [], "es")
    trace = json.dumps(figure["data"][drawn["plan_trace"]], ensure_ascii=False).encode()
    whole = json.dumps(figure, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False).encode()
    patch = gap_update(model, GapState(level="district", focus="16", km=100.0), drawn, 0, [], "es")[0]
    operations = patch.to_plotly_json()["operations"]
    named = json.dumps([o for o in operations if o["location"][:2] == ["data", drawn["plan_trace"]]],
                       cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False).encode()
    rest = json.dumps([o for o in operations if o["location"][:2] != ["data", drawn["plan_trace"]]],
                      cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False).encode()
    return {"points": len(figure["data"][drawn["plan_trace"]]["lat"]), "trace": len(trace),
            "trace_gz": len(gzip.compress(trace)), "figure": len(whole), "figure_gz": len(gzip.compress(whole)),
            "patch_named": len(named), "patch_named_gz": len(gzip.compress(named)), "patch_rest": len(rest),
            "patch_rest_gz": len(gzip.compress(rest))}


DRAW_JS = """
var done = arguments[arguments.length - 1];
var gd = document.querySelector('#gap-map .js-plotly-plot');
var m = gd._fullLayout.map._subplot.map;
var i = gd.data.findIndex(function (t) { return t.hovertemplate && t.hovertemplate.indexOf('km a la unidad') >= 0; });
function timed(visible, trace) {
  return new Promise(function (resolve) {
    var t0 = performance.now();
    Plotly.restyle(gd, {visible: visible}, [trace === undefined ? i : trace]).then(function () {
      m.once('idle', function () { resolve(performance.now() - t0); });
      m.triggerRepaint();
    });
  });
}
var out = [];
(async function () {
  // baseline: the same restyle of the (empty) scenario ring trace, a map redraw without points
  for (var k = 0; k < 5; k++) {
    out.push({off: await timed(false), on: await timed(true), base: await timed(true, i + 1)});
  }
  done({n: gd.data[i].lat.length, runs: out});
})();
"""


def draw_time(port: int = 8209) -> dict:
    """Headless Chromium: time to redraw the Loreto district gap map with the named points
    hidden and shown again (Plotly.restyle until MapLibre is idle), five times each."""
    import threading

    from werkzeug.serving import make_server

    from app import create_app
    from bench.browser import chromium

    app = create_app()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with chromium() as driver:
            driver.get(f"http://127.0.0.1:{port}/?tab=gaps&gservice=upe&km=50&glevel=district&gfocus=16")
            ready = ("var gd=document.querySelector('#gap-map .js-plotly-plot');"
                     "return !!(gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot"
                     " && gd._fullLayout.map._subplot.map.loaded() && gd.data.some(function(t){"
                     "return t.hovertemplate && t.hovertemplate.indexOf('km a la unidad')>=0 && t.lat.length>0;}));")
            end = time.time() + 90
            while time.time() < end and not driver.execute_script(ready):
                time.sleep(0.25)
            time.sleep(2)
            driver.set_script_timeout(60)
            found = driver.execute_async_script(DRAW_JS)
    finally:
        server.shutdown()
    runs = found["runs"]
    return {"points": found["n"], **{f"{k}_ms": sorted(r[k] for r in runs)[2] for k in ("off", "on", "base")}}


def ui_markdown(rows: list[dict], sizes: dict, draw: dict | None) -> str:
    lines = ["| Brechas tab (after start-up) | p50 | p95 | budget |", "|---|---:|---:|---|"]
    for r in rows:
        verdict = f"≤ {r['budget_ms']:.0f} ms: {'holds' if r['p95_ms'] <= r['budget_ms'] else 'MISSED'}"
        lines.append(f"| {r['case']} | {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {verdict} |")
    lines += ["", (f"Named points on Loreto's district gap map ({sizes['points']:,} places, coordinates rounded to "
              f"3 decimals, words in the hover template once): {sizes['trace'] / 1000:.0f} KB in the first figure "
              f"({sizes['trace_gz'] / 1000:.0f} KB gzipped; the whole figure {sizes['figure'] / 1000:.0f} KB, "
              f"{sizes['figure_gz'] / 1000:.0f} KB gzipped, its geometry fetched apart). A threshold change "
              f"50 → 100 km sends the new points in {sizes['patch_named'] / 1000:.0f} KB "
              f"({sizes['patch_named_gz'] / 1000:.0f} KB gzipped) beside {sizes['patch_rest'] / 1000:.0f} KB "
              f"({sizes['patch_rest_gz'] / 1000:.1f} KB gzipped) of colours, hovers and loads.")]
    if draw:
        lines.append(f"Draw time in headless Chromium (software WebGL), median of 5: showing the {draw['points']:,} "
                     f"points {draw['on_ms']:.0f} ms, hiding them {draw['off_ms']:.0f} ms, against "
                     f"{draw['base_ms']:.0f} ms for the same redraw of an empty trace (Plotly.restyle until "
                     "MapLibre is idle).")
    return "\n".join(lines)


def main() -> None:
    from app import Settings
    from layers.catalog import Catalog

    catalog = Catalog.load(Settings().data())  # COBERTURA_DATA_DIR, as the app reads it
    print(markdown(run(catalog), list_bytes(catalog)))
    print()
    print(ui_markdown(ui_run(catalog), figure_bytes(catalog), draw_time() if "--no-browser" not in sys.argv else None))


if __name__ == "__main__":
    main()
