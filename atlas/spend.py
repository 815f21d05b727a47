"""Spend a budget (issue 15): the UI's side of `analysis.budget`. Untrusted budget, costs,
goal, threshold and departments are checked here first, each with its own message (es/en
locale keys), then the greedy by gain per sol proposes the units (existing units fixed) and
they become a plan that can be saved as a named scenario. No Dash here.

The work is bounded: at most `analysis.budget.DEFAULT_MAX_UNITS` units, district capitals
of the chosen departments as candidates, and the coverage structure capped by
`analysis.limits.MAX_COVERAGE_PAIRS` (a larger problem is refused with a message).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.budget import PLANNABLE, SOLES, build_problem, parse_goal, solve_greedy
from analysis.coverage import CHAIN
from analysis.limits import THRESHOLD_KM, OutOfBounds
from analysis.places import CAPITALS
from atlas.model import Model
from atlas.plan import Message, Scenario
from atlas.validate import finite_number

GOALS = (
    CHAIN,
    *(f"service:{s}" for s in ("upe", "fistrap", "pnp_trata", "cem", "sar")),
)


@dataclass(frozen=True)
class Proposal:
    scenario: Scenario
    total_cost: float  # soles, never above the budget
    total_gain: float  # rural children (est.) newly within reach of the goal
    budget: float
    hours: float | None = None  # the threshold in modelled travel hours; None: km


def _soles(value: object) -> tuple[float | None, str | None]:
    """An amount in soles, or the locale key of what is wrong with it."""
    number = finite_number(value)
    if number is None:
        return None, "budget.msg.not_a_number"
    if number <= 0:
        return None, "budget.msg.not_positive"
    if number > SOLES[1]:
        return None, "budget.msg.absurd"
    if number < SOLES[0]:
        return None, "budget.msg.not_positive"
    return number, None


def propose(
    model: Model,
    budget: object,
    costs: object,
    goal: object,
    km: object,
    departments: object,
    measure: object = None,
    hours: object = None,
) -> tuple[Proposal | None, Message | None]:
    """A budget proposal, or None and the message saying why not. With `measure` "hours"
    (the Brechas switch) the threshold is `hours` of modelled travel time and the coverage
    sets are the hours ones (`analysis.budget.build_problem` with the travel index, the
    same path as ``python -m analysis budget --hours``); `km` is then not used."""
    from atlas.hours import HOURS_MAX, HOURS_MIN, TRAVEL, hours_available

    in_hours = measure == TRAVEL
    if model.coverage is None or model.places is None:
        return None, "gaps.unavailable"
    if goal not in GOALS:
        return None, "budget.msg.bad_goal"
    types = parse_goal(goal)
    if any(t not in model.coverage.km for t in types):
        return None, "budget.msg.bad_goal"
    if in_hours and not all(hours_available(model, t) for t in types):
        return None, "budget.msg.no_hours"
    amount, problem = _soles(budget)
    if problem:
        return None, problem
    costs = costs if isinstance(costs, dict) else {}
    checked: dict[str, float] = {}
    for service in types:
        if costs.get(service) in (None, ""):
            return None, ("budget.msg.no_cost", {"service": service})
        value, problem = _soles(costs.get(service))
        if problem:
            return None, (problem + "_cost", {"service": service})
        checked[service] = value
    cheapest = min(checked.values())
    if amount < cheapest:
        return None, ("budget.msg.too_small", {"cheapest": cheapest})
    known = set(model.geo.codes("department"))
    chosen = [
        d
        for d in (departments if isinstance(departments, list) else [])[:30]
        if d in known
    ]
    if not chosen:
        return None, "plan.msg.no_departments"
    low, high = (HOURS_MIN, HOURS_MAX) if in_hours else THRESHOLD_KM
    number = finite_number(hours if in_hours else km)
    if number is None or not low <= number <= high:
        return None, (
            "plan.msg.out_of_range_hours" if in_hours else "plan.msg.out_of_range",
            {"low": low, "high": high},
        )
    from analysis.left_out import child_shares_from_catalog

    try:
        shares = child_shares_from_catalog(model.catalog)
        setup = build_problem(
            model.coverage,
            model.places.candidates(CAPITALS),
            shares,
            amount,
            checked,
            goal,
            number,
            chosen,
            travel=model.travel if in_hours else None,
        )
    except OutOfBounds:
        return None, "budget.msg.absurd"
    except ValueError:
        return None, "budget.msg.too_large_problem"
    plan = solve_greedy(setup.problem)
    units = []
    for service, j in plan.units:
        unit = model.places.unit(service, str(setup.places.place[j]), "suggested")
        if unit is not None:
            units.append(unit)
    if not units:
        return None, "plan.msg.no_gain"
    prices = {s: v for s, v in checked.items() if s in PLANNABLE}
    return Proposal(
        Scenario(tuple(units), prices),
        plan.total_cost,
        plan.total_gain,
        amount,
        number if in_hours else None,
    ), None
