"""Named scenarios (issue 15), server time through the Flask test client, in process
(python bench/bench_scenarios.py):

- switching between saved scenarios: the "open" request (the saved plan goes to the Plan
  panel) plus the gaps view's update for that plan (map patch, headline, table, plan list),
  cycling through six saved scenarios of 3 to 8 units each;
- the comparison of those six scenarios with today's units (table), and the difference map;
- a budget proposal from the UI path (`atlas.spend.propose`: five departments, the chain).

Prints markdown tables (the figures in bench/RESULTS.md come from here).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import p50, p95

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

    manage = next(
        cb for cb in requests_.callbacks if "scn-notice.children" in cb.output
    )
    update = next(
        cb for cb in requests_.callbacks if "gap-headline.children" in cb.output
    )
    gap = {
        key(ids.GAP_SERVICE, "value"): "upe",
        key(ids.GAP_KM, "value"): 50,
        key(ids.GAP_LEVEL, "value"): "district",
        key(ids.GAP_FOCUS, "value"): FOCUS,
        key(ids.GAP_COLOUR, "value"): "pct",
        key({"type": ids.GAP_WEIGHT, "component": "ALL"}, "value"): 1,
        key(ids.LANG, "value"): "es",
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

    table = next(cb for cb in requests_.callbacks if cb.output == "cmp-table.children")
    diff = next(cb for cb in requests_.callbacks if cb.output == "cmp-map.figure")
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
        "budget": (len(found.scenario.units), found.total_cost, found.total_gain),
    }


def markdown(result: dict) -> str:
    lines = [
        "| named scenarios (issue 15), Loreto, district level, UPE 50 km | runs | p50 | p95 | budget |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, n, mid, high, limit in result["rows"]:
        lines.append(f"| {label} | {n} | {mid:.1f} ms | {high:.1f} ms | {limit} |")
    units, cost, gain = result["budget"]
    lines += [
        "",
        (
            "Six saved scenarios of 3 to 8 units, opened in turn (the first visit of each computes the "
            "view; switching back, 42 times, is served from the last 24 computed views, "
            "`Model.view_memo`). The "
            "comparison keeps its rows the same way and tests reach only inside the threshold balls of each scenario's units (KD-tree of the "
            f"demand points). Budget proposal: {units} units, S/ {cost:,.0f}, +{gain:,.0f} rural children (est.) "
            "within reach of the whole chain."
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    print(markdown(run()))


if __name__ == "__main__":
    main()
