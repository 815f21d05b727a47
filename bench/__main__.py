"""Run every benchmark and rewrite bench/RESULTS.md (date, machine, figures, budgets).

    python -m bench            # everything (about 3 minutes, most of it the exact MCLP)
    python -m bench --quick    # skip the exact MCLP and use fewer runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from pathlib import Path

HERE = Path(__file__).resolve().parent

BUDGETS = [
    # (label, figure key, limit, unit, comparison)
    ("First load, national department map (compressed)", "first_load_bytes", 1_500_000, "bytes", "<="),
    ("Metric switch over the wire (department map)", "metric_switch_bytes", 50_000, "bytes", "<="),
    ("Metric switch over the wire (1,891 districts)", "metric_switch_district_bytes", 50_000, "bytes", "<="),
    ("Metric switch, server p95 (1,891 districts)", "metric_switch_p95_ms", 50, "ms", "<="),
    ("Threshold change, whole country, server p95", "threshold_change_p95_ms", 150, "ms", "<="),
    ("Suggest 10 sites, five departments (greedy)", "suggest_10_s", 1.0, "s", "<="),
    ("Suggest 10 sites: share of the exact optimum's covered population", "suggest_10_ratio", 0.97, "", ">="),
    ("Worst legal suggestion (all departments, 300 km, every centre): time", "worst_suggest_s", 3.0, "s", "<="),
    ("Worst legal suggestion: peak extra memory", "worst_suggest_mb", 500, "MB", "<="),
    ("Travel time: hours to one service, all centres", "travel_hours_per_service_s", 2.0, "s", "<="),
    ("Travel time: threshold change in hours, p95", "travel_threshold_p95_ms", 150, "ms", "<="),
    ("Travel time: add a hypothetical unit, p95", "travel_add_unit_p95_ms", 150, "ms", "<="),
    ("Travel time: suggest 10 sites by hours (greedy)", "travel_suggest_10_s", 2.0, "s", "<="),
    ("Travel time: suggest 10 by hours, share of the exact optimum", "travel_suggest_10_ratio", 0.97, "", ">="),
    ("Named list of a focus (list + one page), server p95", "left_out_places_p95_ms", 150, "ms", "<="),
    ("Load table + equity chart, server p95", "left_out_equity_p95_ms", 150, "ms", "<="),
    ("Gap view threshold change with named points (Loreto districts), server p95", "left_out_threshold_p95_ms",
     150, "ms", "<="),
    ("Brechas in hours: threshold change through the app, server p95", "hours_ui_threshold_p95_ms", 150, "ms", "<="),
    ("Switch between saved scenarios, server p95", "scenario_switch_p95_ms", 150, "ms", "<="),
    ("Comparison of 6 scenarios, server p95", "scenario_compare_p95_ms", 300, "ms", "<="),
    ("Comparison of 6 new scenarios in modelled hours, first time, server", "scenario_compare_hours_first_ms", 300, "ms", "<="),
    ("20 users: p95", "users_p95_ms", 500, "ms", "<="),
    ("20 users: errors", "users_errors", 0, "", "<="),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}; {os.cpu_count()} cores; load average before the run {load}; Python {platform.python_version()}"


def budget_table(figures: dict) -> str:
    lines = ["| budget | measured | limit | holds |", "|---|---:|---:|:---:|"]
    for label, key, limit, unit, op in BUDGETS:
        value = figures.get(key)
        if value is None:
            lines.append(f"| {label} | not measured | {op} {limit:,} {unit} | — |")
            continue
        holds = value <= limit if op == "<=" else value >= limit
        shown = f"{value:,.0f}" if unit == "bytes" else (f"{100 * value:.2f} %" if key.endswith("ratio") else f"{value:,.2f}".rstrip("0").rstrip("."))
        limit_shown = f"{100 * limit:.0f} %" if key.endswith("ratio") else f"{limit:,}"
        lines.append(f"| {label} | {shown} {unit if not key.endswith('ratio') else ''} | {op} {limit_shown} {unit if not key.endswith('ratio') else ''} | {'yes' if holds else '**no**'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="skip the exact MCLP; fewer runs")
    args = parser.parse_args()

    from app import create_app
    from layers.catalog import Catalog

    from . import (
        bench_access,
        bench_hours_ui,
        bench_scenarios,
        bench_travel,
        bounds,
        browser,
        coverage,
        mclp,
        server,
        sidebyside,
        users,
    )

    started = dt.datetime.now()
    header_machine = machine()
    app = create_app()
    model = app.cobertura_model
    catalog: Catalog = model.catalog
    raw: dict = {}
    sections: list[tuple[str, str]] = []
    figures: dict = {}

    # browser: against the production server (gunicorn, compression on)
    port = users.free_port()
    process = users.start(port)
    base = f"http://127.0.0.1:{port}"
    try:
        raw["first_load"] = first = browser.first_load(base, runs=2 if args.quick else 5)
        raw["interactions"], bodies = browser.interactions(base)
    finally:
        users.stop(process)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "bodies.json").write_text(json.dumps(bodies))  # for profiling; not committed
    inter = raw["interactions"]
    figures["first_load_bytes"] = first["bytes"]
    figures["metric_switch_bytes"] = inter["metric_switch"]["bytes"]
    figures["metric_switch_district_bytes"] = inter["metric_switch_district"]["bytes"]
    rows = [
        "| step | bytes over the wire (compressed) | requests |",
        "|---|---:|---:|",
        f"| first page load, national department map | {first['bytes']:,} | {first['requests']} |",
    ]
    labels = {
        "metric_switch": "metric switch (department map)",
        "level_switch_to_district": "level switch to 1,891 districts (geometry fetched once)",
        "metric_switch_district": "metric switch (1,891 districts)",
        "threshold_change": "gaps threshold change",
        "add_unit": "add a hypothetical unit",
        "suggest_10": "suggest 10 sites",
    }
    for key, label in labels.items():
        if key in inter:
            rows.append(f"| {label} | {inter[key]['bytes']:,} | {inter[key]['requests']} |")
    rows += [
        "",
        f"Time from navigation until the map is drawn (MapLibre loaded, every department filled), "
        f"median of {len(first['time_to_map_runs_ms'])} cold loads: **{first['time_to_map_ms'] / 1000:.2f} s** "
        f"(runs: {', '.join(f'{t / 1000:.2f}' for t in first['time_to_map_runs_ms'])} s). Headless Chromium renders "
        "WebGL in software here, so a desktop with a GPU draws faster.",
    ]
    sections.append(("Bytes and time in the browser (headless Chromium, DevTools network events)", "\n".join(rows)))

    raw["server"] = srv = server.replay(app, bodies, runs=20 if args.quick else 60)
    lines = [
        "| callback (replayed request) | first call | p50 | p95 | response (gzip) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, v in srv.items():
        lines.append(
            f"| {name} | {v['cold_ms']:.1f} ms | {v['p50_ms']:.1f} ms | {v['p95_ms']:.1f} ms | {v['response_bytes_gzip']:,} B |"
        )
    lines += [
        "",
        "A layer metric's colours and hover texts are built once per metric, year, level, focus and language and "
        "then served from memory (`Model.memo`), so only the first call pays for formatting 1,891 labels.",
    ]
    sections.append(("Server time per callback (Flask test client, in process)", "\n".join(lines)))
    if "metric_switch_district" in srv:
        figures["metric_switch_p95_ms"] = srv["metric_switch_district"]["p95_ms"]

    raw["coverage"] = cov = coverage.run(catalog)
    sections.append(("Coverage distances (issue 4)", coverage.markdown(cov)))
    figures["threshold_change_p95_ms"] = max(
        cov["threshold_change_district"]["p95_ms"], srv.get("threshold_change", {}).get("p95_ms", 0)
    )

    raw["sidebyside"] = side = sidebyside.run(model)
    sections.append(("Side by side: the naive way and ours", sidebyside.markdown(side)))

    if not args.quick:
        raw["mclp"] = mc = mclp.run(catalog)
        sections.append(("Suggest 10 sites: greedy vs exact MCLP", mclp.markdown(mc)))
        figures["suggest_10_s"] = mc["greedy_p50_s"]
        figures["suggest_10_ratio"] = mc["ratio_covered"]

    raw["travel"] = tr = bench_travel.run(catalog, quick=args.quick)
    sections.append(("Travel time (issue 13)", bench_travel.markdown(tr)))
    for key in ("hours_per_service_s", "threshold_p95_ms", "add_unit_p95_ms", "suggest_10_s", "suggest_10_ratio"):
        figures[f"travel_{key}"] = tr[key]
    raw["hours_ui"] = hu = bench_hours_ui.run(runs=20 if args.quick else 60)
    sections.append((bench_hours_ui.TITLE, bench_hours_ui.markdown(hu)))
    figures["hours_ui_threshold_p95_ms"] = hu["hours_threshold_p95_ms"]

    raw["access"] = acc = bench_access.run(catalog, runs=10 if args.quick else 30)
    raw["left_out_ui"] = ui = bench_access.ui_run(catalog, runs=10 if args.quick else 30)
    sizes, drawn = bench_access.figure_bytes(catalog), bench_access.draw_time()
    sections.append(("Who is left out (issue 14)", bench_access.markdown(acc, bench_access.list_bytes(catalog))
                     + "\n\n" + bench_access.ui_markdown(ui, sizes, drawn)))
    for row, key in zip(ui, ("left_out_places_p95_ms", "left_out_equity_p95_ms", "left_out_ranks_p95_ms",
                             "left_out_threshold_p95_ms")):
        figures[key] = row["p95_ms"]

    raw["scenarios"] = sc = bench_scenarios.run()
    sections.append(("Named scenarios and their comparison (issue 15)", bench_scenarios.markdown(sc)))
    figures["scenario_switch_p95_ms"] = sc["switch_p95_ms"]
    figures["scenario_compare_p95_ms"] = sc["compare_p95_ms"]
    figures["scenario_compare_hours_first_ms"] = sc["compare_hours_first_ms"]

    raw["bounds"] = worst = bounds.run()
    sections.append(("The worst legal requests (each in a fresh process)", bounds.markdown(worst)))
    figures["worst_suggest_s"] = max(r["seconds"] for r in worst.values())
    figures["worst_suggest_mb"] = max(r["extra_mb"] for r in worst.values())

    load_bodies = {k: v[-1] for k, v in bodies.items() if k in ("metric_switch", "threshold_change") and v}
    raw["users"] = us = users.run(load_bodies, users=20, rounds=10, seconds=120)
    sections.append(("Many users", users.markdown(us)))
    figures["users_p95_ms"] = us["p95_ms"]
    figures["users_errors"] = us["errors"]

    out = [
        "# Benchmark results",
        "",
        f"Run {started.isoformat(timespec='minutes')} ({(dt.datetime.now() - started).seconds} s) on {header_machine}.",
        "Command: `python -m bench` (see bench/README.md). Raw figures: `bench/results.json`.",
        "",
        "## Budgets",
        "",
        budget_table(figures),
        "",
    ]
    for title, body in sections:
        out += [f"## {title}", "", body, ""]
    from .scale import kept_section

    if kept := kept_section():  # issue 16's side-by-side figures (`python -m bench.scale`)
        out += [kept, ""]
    (HERE / "RESULTS.md").write_text("\n".join(out))
    (HERE / "results.json").write_text(json.dumps({"figures": figures, **raw}, indent=1, default=str))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
