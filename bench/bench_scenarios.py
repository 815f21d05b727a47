"""Named scenarios (issue 15), server time through the Flask test client, in process
(python bench/bench_scenarios.py):

- switching between saved scenarios: the "open" request (the saved plan goes to the Plan
  panel) plus the gaps view's update for that plan (map patch, headline, table, plan list),
  cycling through six saved scenarios of 3 to 8 units each;
- the comparison of those six scenarios with today's units (table), and the difference map;
- the same comparison with Brechas in modelled hours: the first time (the scenarios are new:
  one bounded travel search per unit, in a fresh app whose travel model the hours view has
  already built, as in use) and repeated;
- a budget proposal from the UI path (`atlas.spend.propose`: five departments, the chain).

Prints markdown tables and rewrites its section of bench/RESULTS.md (and its budget rows);
`python -m bench` runs it too, with the others.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
HERE = Path(__file__).resolve().parent

from bench.common import p50, p95, write_results

HOURS = 6  # the hours view's default threshold
HOURS_ROUNDS = 3  # fresh apps, each with six scenarios new to it

FOCUS = "16"
PLANS = [  # (service, place) per scenario: Loreto's capitals
    [("upe", "160302"), ("fistrap", "160201"), ("pnp_trata", "160401")],
    [("upe", "160201"), ("upe", "160401"), ("upe", "160601"), ("fistrap", "160302")],
    [
        ("upe", "160501"),
        ("upe", "160701"),
        ("pnp_trata", "160801"),
        ("fistrap", "160601"),
        ("sar", "160302"),
    ],
    [("upe", s) for s in ("160201", "160302", "160401", "160501", "160601", "160701")],
    [("fistrap", "160201"), ("pnp_trata", "160201"), ("upe", "160801")],
    [
        ("upe", "160302"),
        ("upe", "160501"),
        ("fistrap", "160701"),
        ("pnp_trata", "160601"),
        ("upe", "160801"),
        ("sar", "160401"),
        ("cem", "160201"),
        ("upe", "160601"),
    ],
]


def setup():
    from app import create_app
    from atlas.plan import Scenario, edit
    from atlas.scenarios import SLOTS, Named, records
    from tests.app.dash_requests import DashRequests

    app = create_app()
    model = app.cobertura_model
    saved = []
    for slot, pairs in zip(SLOTS, PLANS):
        scenario = Scenario()
        for service, place in pairs:
            scenario, message = edit(
                model, scenario, "add", service=service, place=place
            )
            assert message is None, (service, place, message)
        saved.append(
            Named(
                slot,
                f"Opción {slot}",
                Scenario(scenario.units, {"upe": 250000, "fistrap": 400000}),
            )
        )
    return app, model, DashRequests(app), records(tuple(saved))


def find(requests_, output_part: str):
    """The app's callback whose output names `output_part`."""
    return next(cb for cb in requests_.callbacks if output_part in cb.output)


def gap_values() -> dict:
    """The gap controls of the benched view: UPE, 50 km, Loreto's districts, Spanish."""
    from views import ids

    return {
        key(ids.GAP_SERVICE, "value"): "upe",
        key(ids.GAP_KM, "value"): 50,
        key(ids.GAP_LEVEL, "value"): "district",
        key(ids.GAP_FOCUS, "value"): FOCUS,
        key(ids.LANG, "value"): "es",
    }


def key(cid, prop):
    from tests.app.dash_requests import id_key

    return (id_key(cid), prop)


def timed_call(requests_, callback, values, changed=None):
    start = time.perf_counter()
    status, text = requests_.call(callback, values, changed)
    elapsed = time.perf_counter() - start
    assert status == 200, text[:300]
    return elapsed, json.loads(text)["response"]


def switching(requests_, saved, runs: int = 42) -> list[float]:
    from views import ids

    manage = find(requests_, "scn-notice.children")
    update = find(requests_, "gap-headline.children")
    gap = {
        **gap_values(),
        key(ids.GAP_COLOUR, "value"): "pct",
        key({"type": ids.GAP_WEIGHT, "component": "ALL"}, "value"): 1,
    }
    drawn, seen, out = None, set(), []
    for i in range(runs + 6):
        slot = saved[i % len(saved)]["slot"]
        t_open, response = timed_call(
            requests_,
            manage,
            {
                key(ids.SCN_OPEN, "n_clicks"): i + 1,
                key(ids.SCN_PICK, "value"): slot,
                key(ids.SCENARIOS, "data"): saved,
                key(ids.SCENARIO, "data"): None,
                key(ids.LANG, "value"): "es",
            },
            changed=[f"{ids.SCN_OPEN}.n_clicks"],
        )
        plan = response["scenario"]["data"]
        t_view, response = timed_call(
            requests_,
            update,
            {**gap, key(ids.SCENARIO, "data"): plan, key(ids.GAP_DRAWN, "data"): drawn},
        )
        drawn = response["gap-drawn"]["data"]
        if i:  # the first draws the whole figure (a new page); switching patches it
            out.append((t_open + t_view, t_open, t_view, slot in seen))
        seen.add(slot)
    return out


def comparing(requests_, saved, runs: int = 40) -> tuple[list[float], list[float]]:
    from views import ids

    table = next(cb for cb in requests_.callbacks if "cmp-table.children" in cb.output)
    diff = next(cb for cb in requests_.callbacks if "cmp-map.figure" in cb.output)
    gap = {
        key(ids.GAP_SERVICE, "value"): "upe",
        key(ids.GAP_KM, "value"): 50,
        key(ids.GAP_FOCUS, "value"): FOCUS,
        key(ids.GAP_LEVEL, "value"): "district",
        key(ids.SCENARIOS, "data"): saved,
        key(ids.LANG, "value"): "es",
    }
    t_table, t_diff = [], []
    for i in range(runs + 1):
        elapsed, _ = timed_call(requests_, table, gap)
        elapsed_diff, _ = timed_call(
            requests_,
            diff,
            {
                **gap,
                key(ids.CMP_A, "value"): saved[i % 6]["slot"],
                key(ids.CMP_B, "value"): saved[(i + 1) % 6]["slot"],
            },
        )
        if not i:
            cold = [elapsed]  # every row computed
        else:
            t_table.append(elapsed)
            t_diff.append(elapsed_diff)
    return t_table, t_diff, cold


def comparing_hours(
    graph_built: bool, runs: int = 20
) -> tuple[list[float], list[float], list[float]]:
    """The comparison table with Brechas in modelled hours, each round in a fresh app after
    the hours view drew itself once: the first request (six scenarios new to the app, one
    travel search per unit) and repeats (rows kept by `Model.view_memo`). `graph_built`:
    the travel graph was built before (as by a unit placed in hours); else the first
    request builds it too (its first use in the worker). Also the graph's build times."""
    from atlas.hours import CENTRAL
    from views import ids

    first, again, graph = [], [], []
    for _ in range(HOURS_ROUNDS):
        _app, model, requests_, saved = setup()
        view = find(requests_, "gap-headline.children")
        table = find(requests_, "cmp-table.children")
        hours = {
            **gap_values(),
            key(ids.GAP_MEASURE, "value"): "hours",
            key(ids.GAP_HOURS, "value"): HOURS,
        }
        timed_call(
            requests_,
            view,
            {
                **hours,
                key(ids.GAP_COLOUR, "value"): "pct",
                key({"type": ids.GAP_WEIGHT, "component": "ALL"}, "value"): 1,
                key(ids.SCENARIO, "data"): None,
                key(ids.GAP_DRAWN, "data"): None,
            },
        )
        if graph_built:
            start = time.perf_counter()
            model.travel.model(CENTRAL)
            graph.append(time.perf_counter() - start)
        compared = {**hours, key(ids.SCENARIOS, "data"): saved}
        first.append(timed_call(requests_, table, compared)[0])
    again = [timed_call(requests_, table, compared)[0] for _ in range(runs)]
    return first, again, graph


def full_searches() -> list[float]:
    """The first comparison in hours as it was before `atlas.hours.member_within`: every
    search unbounded (the exact hours), for the side-by-side figure."""
    import atlas.hours

    kept = atlas.hours.WITHIN_BOUNDS
    atlas.hours.WITHIN_BOUNDS = ()  # no bound: member_within uses the exact hours
    try:
        return comparing_hours(graph_built=True, runs=0)[0]
    finally:
        atlas.hours.WITHIN_BOUNDS = kept


def budget(model, runs: int = 5) -> tuple[list[float], object]:
    from atlas.spend import propose

    out, found = [], None
    costs = {"upe": 250_000, "fistrap": 400_000, "pnp_trata": 300_000}
    for _ in range(runs):
        start = time.perf_counter()
        found, message = propose(
            model, 5_000_000, costs, "chain", 50, ["15", "08", "16", "21", "17"]
        )
        out.append(time.perf_counter() - start)
        assert message is None, message
    return out, found


def run() -> dict:
    _app, model, requests_, saved = setup()
    parts = switching(requests_, saved)
    first = [p[0] for p in parts if not p[3]]
    back = [p for p in parts if p[3]]
    switch, opening, viewing = ([p[k] for p in back] for k in range(3))
    table, diff, cold = comparing(requests_, saved)
    spend, found = budget(model)
    hours_first, hours_again, graph = comparing_hours(graph_built=True)
    hours_cold, _, _ = comparing_hours(graph_built=False, runs=0)
    hours_full = full_searches()
    rows = [
        (
            "switch between 6 saved scenarios (open + gaps view update)",
            switch,
            "<= 150 ms",
        ),
        ("… first visit of a scenario (its view computed)", first, ""),
        ("… the open request alone", opening, ""),
        (
            "… the gaps view update alone (map patch, headline, table, plan)",
            viewing,
            "",
        ),
        ("comparison of 6 scenarios + today (table)", table, "<= 300 ms"),
        ("… the first comparison (every row computed)", cold, ""),
        ("difference map between two scenarios (whole figure)", diff, ""),
        (HOURS_FIRST_LABEL, hours_first, f"<= {HOURS_BUDGET_MS:g} ms"),
        ("… repeated (rows kept)", hours_again, ""),
        ("… with full searches instead (no bound near the threshold)", hours_full, ""),
        (HOURS_COLD_LABEL, hours_cold, f"<= {HOURS_BUDGET_MS:g} ms"),
        ("… the travel graph's build alone", graph, ""),
        (
            "budget proposal, UI path (S/ 5,000,000, chain, five departments)",
            spend,
            "<= 2 s",
        ),
    ]
    return {
        "rows": [
            (label, len(v), p50(v) * 1000, p95(v) * 1000, limit)
            for label, v, limit in rows
        ],
        "switch_p95_ms": p95(switch) * 1000,
        "compare_p95_ms": p95(table) * 1000,
        "compare_hours_first_ms": max(hours_first) * 1000,
        "graph_p50_ms": p50(graph) * 1000,
        "compare_hours_cold_ms": max(hours_cold) * 1000,
        "load_average": os.getloadavg(),
        "budget": (len(found.scenario.units), found.total_cost, found.total_gain),
    }


SECTION = "## Named scenarios and their comparison (issue 15)"
HOURS_FIRST_LABEL = (
    "comparison of 6 scenarios, hours, first time (travel searches built)"
)
HOURS_COLD_LABEL = (
    "… the first time being the worker's first use of travel (the graph built too)"
)
HOURS_BUDGET_MS = 300.0
# (label in the Budgets table, figure, limit in ms, the row a new one follows); the same
# labels as python -m bench's BUDGETS
BUDGET_ROWS = (
    ("Switch between saved scenarios, server p95", "switch_p95_ms", 150.0, None),
    (
        "Comparison of 6 scenarios, server p95",
        "compare_p95_ms",
        300.0,
        "Switch between saved scenarios",
    ),
    (
        "Comparison of 6 new scenarios in modelled hours, first time, server",
        "compare_hours_first_ms",
        HOURS_BUDGET_MS,
        "Comparison of 6 scenarios, server p95",
    ),
)


def markdown(result: dict) -> str:
    one, five, fifteen = result["load_average"]
    lines = [
        (
            f"Run {time.strftime('%Y-%m-%dT%H:%M')} with `python bench/bench_scenarios.py` (also part of "
            "`python -m bench`), in process through the Flask test client, on the 2-core machine "
            f"shared with other work (load average {one:.1f}, {five:.1f}, {fifteen:.1f} at the end "
            f"of the run). Hours: {HOURS_ROUNDS} fresh apps, each timed on its first comparison "
            "(p95: the slowest)."
        ),
        "",
        "| named scenarios (issue 15), Loreto, district level, UPE 50 km | runs | p50 | p95 | budget |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, n, mid, high, limit in result["rows"]:
        if label in (HOURS_FIRST_LABEL, HOURS_COLD_LABEL):
            limit += " (met)" if high <= HOURS_BUDGET_MS else " (**missed**)"
        lines.append(f"| {label} | {n} | {mid:.1f} ms | {high:.1f} ms | {limit} |")
    units, cost, gain = result["budget"]
    lines += [
        "",
        (
            "Six saved scenarios of 3 to 8 units, opened in turn (the first visit of each computes the "
            "view; switching back, 42 times, is served from the model's memo of recent views, "
            "`Model.view_memo`, shared with the comparison rows). The "
            "comparison keeps its rows the same way and tests reach only inside the threshold balls of each scenario's units (KD-tree of the "
            f"demand points). Budget proposal: {units} units, S/ {cost:,.0f}, +{gain:,.0f} rural children (est.) "
            "within reach of the whole chain."
        ),
        "",
        (
            "In modelled hours each unit of a new scenario needs one travel search (central speeds). "
            "The comparison only asks who is within the threshold, so its searches stop at the first "
            "of 3, 6, 12 or 24 h at or above it (`atlas.hours.member_within`, exact within it: "
            "tests/app/test_hours_mode.py checks it against full searches), or reuse the exact hours "
            "a gaps view already computed; at 6 h a search from a Loreto capital reaches about a "
            "hundred network nodes instead of about 21,000 (about 1 ms instead of 9 ms; the row "
            '"with full searches" is the same first comparison without that bound). '
            + (
                "Still **missed**: when the "
                if result["compare_hours_cold_ms"] > HOURS_BUDGET_MS
                else "Within the budget even when the "
            )
            + "comparison is the worker's first use of travel, where the same request builds the travel "
            f"graph ({result['graph_p50_ms']:,.0f} ms p50 here; profiled on 2026-12-03 at load 4.4: "
            "0.86 s, of which "
            "building the graph 0.45 s with its river joins 0.31 s, reading the network 0.14 s, "
            "the walking legs of the 94,955 centres 0.18 s). Keeping the built graph in the start-up "
            "snapshot (atlas/warm.py), or building it at start, would take it out of the request."
        ),
    ]
    return "\n".join(lines)


def write(result: dict) -> None:
    """Rewrite this bench's section of RESULTS.md and its budget rows, nothing else."""
    load = result["load_average"][0]
    note = f"(bench_scenarios, {time.strftime('%Y-%m-%d')}, load {load:.1f})"
    rows = []
    for label, figure, limit, after in BUDGET_ROWS:
        value = result[figure]
        holds = "yes" if value <= limit else "**no**"
        row = f"| {label} {note} | {value:.1f} ms | <= {limit:g} ms | {holds} |"
        rows.append((label, row, after))
    write_results(SECTION, markdown(result), rows, path=HERE / "RESULTS.md")


def main() -> None:
    result = run()
    print(markdown(result))
    write(result)


if __name__ == "__main__":
    main()
