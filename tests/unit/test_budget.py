"""Spending a budget: greedy by gain per sol against the exact programme, hand-made first."""

import json
import math

import numpy as np
import pytest
from scipy import sparse

from analysis.budget import (
    BudgetProblem,
    check_budget,
    marginal_gains,
    solve_exact,
    solve_greedy,
)


def problem(cover_rows, n_points, missing, weights, costs, budget, types=None, max_units=20):
    """cover_rows[j] = the points place j covers."""
    rows = [j for j, pts in enumerate(cover_rows) for _ in pts]
    cols = [p for pts in cover_rows for p in pts]
    cover = sparse.csr_matrix((np.ones(len(rows), bool), (rows, cols)), shape=(len(cover_rows), n_points))
    types = types or ("upe", "fistrap", "pnp_trata")[: len(costs)]
    return BudgetProblem(cover, np.array(missing, dtype=np.int64), np.array(weights, float), tuple(types),
                         np.array(costs, float), float(budget), max_units)


def test_greedy_by_gain_per_sol_is_beaten_by_the_exact_programme():
    """Three types costing 1, 10 and 5 soles; budget 10. Children at place 0 lack only type 0
    (2 children), at place 1 only type 1 (15), at places 2 and 3 only type 2 (8 each).
    By gain per sol the greedy takes type 0 at place 0 (2/sol), then type 2 at place 2
    (1.6/sol) and cannot afford more: 10. Started from the largest single gain it takes type
    1 at place 1: 15. The optimum is type 2 at places 2 and 3: 16."""
    p = problem([[0], [1], [2], [3]], 4, [0b001, 0b010, 0b100, 0b100], [2, 15, 8, 8], [1, 10, 5], 10)
    greedy = solve_greedy(p)
    exact = solve_exact(p, time_limit_s=10)
    assert greedy.total_gain == pytest.approx(15.0)
    assert exact.total_gain == pytest.approx(16.0) and exact.optimal and not exact.stopped_early
    assert sorted(exact.units) == [("pnp_trata", 2), ("pnp_trata", 3)]
    assert exact.total_cost == 10.0 and greedy.total_cost <= 10.0


def test_classic_covering_trap_one_type():
    """One type, budget for two units: place 0 covers four points, places 1 and 2 three
    each (sharing two with place 0). Greedy takes place 0 then one more point: 5; the exact
    programme takes places 1 and 2: 6."""
    p = problem([[0, 1, 2, 3], [0, 1, 4], [2, 3, 5]], 6, [1] * 6, [1] * 6, [100], 200)
    assert solve_greedy(p).total_gain == pytest.approx(5.0)
    exact = solve_exact(p, time_limit_s=10)
    assert exact.total_gain == pytest.approx(6.0) and sorted(j for _, j in exact.units) == [1, 2]


def test_the_chain_needs_a_bundle_and_the_greedy_finds_it():
    """10 children lack all three services near place 0; 3 lack only a UPE near place 1.
    One unit alone completes nobody's chain at place 0, so the greedy must weigh the bundle
    of three units there (10 children for 3 soles) against the single UPE (3 for 1)."""
    p = problem([[0], [1]], 2, [0b111, 0b001], [10, 3], [1, 1, 1], 3)
    greedy, exact = solve_greedy(p), solve_exact(p, time_limit_s=10)
    assert greedy.total_gain == exact.total_gain == pytest.approx(10.0)
    assert sorted(greedy.units) == [("fistrap", 0), ("pnp_trata", 0), ("upe", 0)]
    assert solve_greedy(problem([[0], [1]], 2, [0b111, 0b001], [10, 3], [1, 1, 1], 4)).total_gain == pytest.approx(13.0)


def test_a_place_with_an_existing_unit_needs_only_the_missing_types():
    # the point already has a UPE within reach: FISTRAP + PNP at place 0 complete its chain
    p = problem([[0]], 1, [0b110], [7], [5, 1, 1], 2)
    plan = solve_exact(p, time_limit_s=10)
    assert plan.total_gain == pytest.approx(7.0) and plan.total_cost == 2.0
    assert sorted(s for s, _ in plan.units) == ["fistrap", "pnp_trata"]


def test_the_unit_limit_holds_for_both_solvers():
    p = problem([[0], [1], [2]], 3, [1, 1, 1], [5, 4, 3], [1], 100, max_units=2)
    assert len(solve_greedy(p).units) == len(solve_exact(p, time_limit_s=10).units) == 2


def test_gains_are_marginal_in_the_listed_order_and_add_up():
    p = problem([[0, 1], [1, 2]], 3, [1, 1, 1], [5, 4, 3], [1], 2)
    assert marginal_gains(p, [(0, 0), (0, 1)]) == [9.0, 3.0]
    plan = solve_greedy(p)
    assert plan.total_gain == pytest.approx(sum(plan.gains)) == pytest.approx(12.0)


@pytest.mark.parametrize("seed", range(12))
def test_exact_is_never_below_greedy_and_both_keep_within_budget_on_random_instances(seed):
    rng = np.random.default_rng(seed)
    n_places, n_points = 12, 60
    n_types = 1 + seed % 3
    cover = [sorted(rng.choice(n_points, rng.integers(2, 12), replace=False).tolist()) for _ in range(n_places)]
    missing = rng.integers(1, 1 << n_types, n_points)
    costs = rng.integers(1, 6, n_types).astype(float)
    budget = float(rng.integers(int(costs.min()), 20))
    p = problem(cover, n_points, missing, rng.uniform(1, 10, n_points), costs, budget)
    greedy, exact = solve_greedy(p), solve_exact(p, time_limit_s=20)
    assert exact.optimal
    assert exact.total_gain >= greedy.total_gain - 1e-6
    assert greedy.total_cost <= budget and exact.total_cost <= budget
    assert greedy.total_gain == pytest.approx(sum(greedy.gains)) and exact.total_gain == pytest.approx(sum(exact.gains))
    if n_types == 1:  # submodular: the better of the two greedy runs reaches (1 - 1/e)/2 at least
        assert greedy.total_gain >= (1 - 1 / math.e) / 2 * exact.total_gain


def test_the_exact_solver_says_when_it_stopped_at_its_time_limit():
    rng = np.random.default_rng(3)
    n_places, n_points = 150, 3000
    cover = [sorted(rng.choice(n_points, 60, replace=False).tolist()) for _ in range(n_places)]
    p = problem(cover, n_points, rng.integers(1, 8, n_points), rng.uniform(1, 10, n_points), [3, 4, 5], 40)
    plan = solve_exact(p, time_limit_s=0.1)
    assert plan.stopped_early and not plan.optimal
    assert plan.total_cost <= 40 and any("time limit" in note for note in plan.notes)


@pytest.mark.parametrize("budget", [-1, 0, float("nan"), float("inf"), 1e11, "abc", None, True, 10**400])
def test_a_budget_that_is_not_a_sensible_amount_is_refused_clearly(budget):
    with pytest.raises(ValueError, match=r"budget \(soles\) must be a number between 1 and 1e\+10"):
        check_budget(budget, {"upe": 250_000}, "service:upe")


@pytest.mark.parametrize("cost", [-250_000, 0, float("nan"), 1e12, "mucho"])
def test_a_unit_cost_that_is_not_a_sensible_amount_is_refused_clearly(cost):
    with pytest.raises(ValueError, match=r"cost of upe \(soles\) must be a number between 1 and 1e\+10"):
        check_budget(1_000_000, {"upe": cost}, "service:upe")


def test_a_budget_too_small_for_any_unit_is_refused():
    with pytest.raises(ValueError, match="buys no unit: the cheapest \\(upe\\) costs S/ 250,000"):
        check_budget(100_000, {"upe": 250_000, "fistrap": 400_000, "pnp_trata": 300_000}, "chain")


def test_goal_and_cost_types_are_checked():
    with pytest.raises(ValueError, match="goal must be 'chain' or 'service:<type>'"):
        check_budget(1e6, {"upe": 1}, "upe")
    with pytest.raises(ValueError, match="give a unit cost for fistrap, pnp_trata"):
        check_budget(1e6, {"upe": 1}, "chain")
    with pytest.raises(ValueError, match="unknown service type in costs: police"):
        check_budget(1e6, {"upe": 1, "police": 3}, "service:upe")
    assert check_budget("2,000,000", {"upe": "250000"}, "service:upe")[:2] == (2e6, {"upe": 250_000.0})


@pytest.fixture(scope="module")
def real(catalog):
    from analysis.index import coverage_index
    from analysis.left_out import child_shares_from_catalog
    from analysis.places import build_places

    index = coverage_index(catalog)
    places = build_places(catalog.geo.districts, index.demand)
    return index, places.candidates(), child_shares_from_catalog(catalog)


COSTS = {"upe": 250_000, "fistrap": 400_000, "pnp_trata": 300_000}


def test_loreto_and_puno_chain_budget_greedy_matches_the_exact_optimum(real):
    """S/ 2 million for the chain in Loreto and Puno at 50 km: two full chains (UPE + FISTRAP
    + PNP, S/ 950,000 each) in Puno, where rural children are dense; no single unit would
    complete anyone's chain in Loreto, which has only Iquitos."""
    from analysis.budget import build_problem

    index, candidates, shares = real
    setup = build_problem(index, candidates, shares, 2_000_000, COSTS, "chain", 50, ["16", "21"])
    greedy = solve_greedy(setup.problem)
    exact = solve_exact(setup.problem, time_limit_s=120)
    assert greedy.total_cost == exact.total_cost == 1_900_000
    assert exact.total_gain == pytest.approx(greedy.total_gain, rel=1e-9)
    assert greedy.total_gain == pytest.approx(71_058, abs=1)
    places = {setup.places.place[j] for _, j in greedy.units}
    assert all(p.startswith("21") for p in places) and len(places) == 2


def test_one_service_budget_exact_is_at_least_greedy_and_greedy_is_close(real):
    from analysis.budget import build_problem

    index, candidates, shares = real
    setup = build_problem(index, candidates, shares, 2_000_000, COSTS, "service:upe", 50, ["16", "21"])
    greedy, exact = solve_greedy(setup.problem), solve_exact(setup.problem, time_limit_s=60)
    assert len(greedy.units) == len(exact.units) == 8 and greedy.total_cost == exact.total_cost == 2_000_000
    assert exact.total_gain >= greedy.total_gain
    assert greedy.total_gain >= 0.97 * exact.total_gain
    # nothing already within reach is counted again
    assert setup.baseline_children + exact.total_gain <= setup.rural_children



ISSUE_ARGS = ("budget", "--budget", "2000000", "--cost", "upe=250000", "--cost", "fistrap=400000",
              "--cost", "pnp_trata=300000", "--goal", "chain", "--km", "50", "--departments", "16,21")


def test_budget_command_as_in_the_issue(cli):
    code, out, _ = cli(*ISSUE_ARGS, "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert {"service", "ubigeo", "name", "lat", "lon", "cost", "gain"} <= set(result["units"][0])
    assert result["total_cost"] <= 2_000_000 and result["total_cost"] == sum(u["cost"] for u in result["units"])
    assert result["total_gain"] == pytest.approx(sum(u["gain"] for u in result["units"]), abs=1)
    assert result["solver"] == "greedy" and result["children_estimated"] is True
    one = [a if a != "chain" else "service:upe" for a in ISSUE_ARGS]
    code, out, _ = cli(*one, "--format", "json")
    greedy = json.loads(out)
    code, out, _ = cli(*one, "--exact", "--format", "json")
    exact = json.loads(out)
    assert exact["solver"] == "exact" and exact["optimal"] and not exact["stopped_early"]
    assert exact["total_gain"] >= greedy["total_gain"] - 0.1 and exact["upper_bound"] == exact["total_gain"]


@pytest.mark.parametrize("argv, message", [
    (("--budget", "-5"), "budget (soles) must be a number between 1 and 1e+10"),
    (("--budget", "abc"), "budget (soles) must be a number between 1 and 1e+10"),
    (("--budget", "1e12"), "budget (soles) must be a number between 1 and 1e+10"),
    (("--budget", "100000"), "buys no unit"),
    (("--cost", "upe"), "--cost must look like TYPE=SOLES"),
    (("--departments", "99"), "unknown department code(s): 99"),
    (("--km", "0"), "--km must be a number between 1 and 300"),
])
def test_budget_command_refuses_bad_input_with_exit_2(cli, argv, message):
    args = list(ISSUE_ARGS)
    for flag, value in zip(argv[::2], argv[1::2]):
        if flag == "--cost":
            args += [flag, value]
        else:
            args[args.index(flag) + 1] = value
    code, out, err = cli(*args)
    assert code == 2 and message in err and out == ""


HOURS_ARGS = ("budget", "--budget", "1000000", "--cost", "upe=250000", "--cost", "fistrap=400000",
              "--cost", "pnp_trata=300000", "--hours", "6", "--departments", "16")


@pytest.mark.parametrize("goal", ["service:upe", "chain"])
def test_budget_in_hours_on_one_department_greedy_is_at_most_exact_and_both_within_budget(cli, goal):
    plans = {}
    for solver in ("greedy", "exact"):
        code, out, err = cli(*HOURS_ARGS, "--goal", goal, "--format", "json", *(["--exact"] if solver == "exact" else []))
        assert code == 0, err
        plans[solver] = json.loads(out)
    greedy, exact = plans["greedy"], plans["exact"]
    for plan in (greedy, exact):
        assert plan["hours"] == 6.0 and "km" not in plan and "modelled travel hours" in plan["method"]
        assert 0 < plan["total_cost"] <= 1_000_000
        assert plan["total_cost"] == sum(u["cost"] for u in plan["units"])
        assert plan["total_gain"] == pytest.approx(sum(u["gain"] for u in plan["units"]), abs=1)
        assert all(u["ubigeo"].startswith("16") for u in plan["units"])
        assert plan["rural_children_within_before"] + plan["total_gain"] <= plan["rural_children"]
    assert exact["optimal"] and greedy["total_gain"] <= exact["total_gain"] + 0.1
    assert greedy["total_gain"] > 0


def test_budget_in_hours_is_not_the_budget_in_km(cli):
    """The same budget by modelled hours and by straight-line km: a threshold in another unit,
    so other places or other gains (the hours are used, not the km)."""
    argv = [a for a in HOURS_ARGS if a not in ("--hours", "6")]
    by_hours, by_km = (json.loads(cli(*argv, *threshold, "--goal", "service:upe", "--format", "json")[1])
                       for threshold in (("--hours", "6"), ("--km", "50")))
    assert by_hours["rural_children"] == pytest.approx(by_km["rural_children"])
    assert by_hours["rural_children_within_before"] != pytest.approx(by_km["rural_children_within_before"])


@pytest.mark.parametrize("argv", [("--hours", "0"), ("--hours", "1e6"), ("--hours", "nan")])
def test_budget_refuses_a_forged_hour_threshold(cli, argv):
    args = [a for a in HOURS_ARGS if a not in ("--hours", "6")] + list(argv)
    code, out, err = cli(*args)
    assert code == 2 and out == "" and "--hours must be a number between 1 and 72" in err


def test_budget_refuses_km_and_hours_together(cli, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli(*HOURS_ARGS, "--km", "50")
    assert stopped.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_budget_in_hours_without_travel_time_says_so(cli, monkeypatch):
    import analysis.travel.index

    monkeypatch.setattr(analysis.travel.index, "from_catalog", lambda *a, **k: None)
    code, out, err = cli(*HOURS_ARGS, "--goal", "service:upe")
    assert code == 2 and out == "" and "travel time is unavailable for upe" in err
