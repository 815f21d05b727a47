"""Planificar / Plan, the state: the Scenario, its validator, the edit state machine and the
cost arithmetic (`service_totals`). No Dash components.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.limits import MAX_UNITS, OutOfBounds
from analysis.places import CANDIDATE_KINDS, CAPITALS
from analysis.scenario import MAX_SUGGESTIONS, PLANNABLE, Unit, suggest, unit_gains
from atlas.hours import TRAVEL, hours_available, suggest_by_hours
from atlas.i18n import fmt_number, t
from atlas.model import Model
from atlas.validate import finite_number
from layers.boundaries import capital_district

MAX_COST = 1e10  # soles per unit


SEARCH_LIMIT = 40


RING = {"manual": "#212529", "suggested": "#d4a106"}


@dataclass(frozen=True)
class Scenario:
    units: tuple[Unit, ...] = ()
    costs: dict[str, float] = field(default_factory=dict)

    def record(self) -> dict:
        return {
            "units": [{"service": u.service, "place": u.place, "origin": u.origin} for u in self.units],
            "costs": dict(self.costs),
        }


def scenario_from(model: Model, data: object) -> tuple[Scenario, list[str]]:
    """A Scenario from untrusted store/URL content, plus what was dropped."""
    problems: list[str] = []
    if data in (None, ""):
        return Scenario(), problems
    if not isinstance(data, dict):
        return Scenario(), ["scenario"]
    units: list[Unit] = []
    raw_units = data.get("units") or []
    if not isinstance(raw_units, list):
        raw_units, problems = [], problems + ["units"]
    for item in raw_units[: MAX_UNITS + 1]:
        if not isinstance(item, dict):
            problems.append("units")
            continue
        service, place, origin = item.get("service"), item.get("place"), item.get("origin", "manual")
        unit = model.places.unit(service, place, origin) if service in plannable(model) and origin in RING else None
        if unit is None:
            problems.append("units")
            continue
        units.append(unit)
    if len(units) > MAX_UNITS:
        units, problems = units[:MAX_UNITS], problems + ["units"]
    costs: dict[str, float] = {}
    raw_costs = data.get("costs") or {}
    if isinstance(raw_costs, dict):
        for service, raw in raw_costs.items():
            value = finite_number(raw)
            if value is None:
                problems.append("cost")
                continue
            if service in PLANNABLE and 0 <= value <= MAX_COST:
                costs[service] = value
            elif value is not None:
                problems.append("cost")
    else:
        problems.append("cost")
    return Scenario(tuple(units), costs), sorted(set(problems))


def plannable(model: Model) -> tuple[str, ...]:
    if model.coverage is None:
        return ()
    return tuple(s for s in PLANNABLE if s in model.coverage.km)


def area_capital(model: Model, level: str, code: str) -> str | None:
    """District code of the capital of an area clicked on the map."""
    if model.geo.area(level, code) is None:
        return None
    return capital_district(level, code)


def clicked_code(click: object) -> str | None:
    try:
        value = click["points"][0]["customdata"][0]  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return None
    return value if isinstance(value, str) and value.isdigit() and len(value) <= 6 else None


def bounded_int(value: object, low: int, high: int, default: int) -> tuple[int, bool]:
    """An integer within [low, high]; (default, False) for anything else."""
    number = finite_number(value)
    if number is None or not number.is_integer() or not low <= number <= high:
        return default, False
    return int(number), True


Message = str | tuple[str, dict]


def message_text(lang: str, message: "Message | None") -> str | None:
    """The text of an edit's message in `lang` (None when there is none)."""
    if not message:
        return None
    if isinstance(message, tuple):
        key, values = message
        return t(lang, key, **{k: fmt_number(v, 0 if float(v).is_integer() else 1, lang) for k, v in values.items()})
    return t(lang, message)


def valid_index(index: object, units: list) -> bool:
    return isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(units)


def edit(
    model: Model,
    scenario: Scenario,
    action: str,
    *,
    service: str | None = None,
    place: str | None = None,
    remove: int | None = None,  # the unit's index, for "remove" and "move"
    suggestion: dict | None = None,
    costs: dict | None = None,
) -> tuple[Scenario, "Message | None"]:
    """Apply one user action to a scenario; returns the new scenario and a message (a
    locale key, or a key with the values of its text).

    Actions: "add"/"click" (service, place), "remove" (remove=index), "move" (remove=index,
    place: the unit goes there, same service), "clear", "suggest" (suggestion), "costs".
    """
    units = list(scenario.units)
    if action in ("add", "click"):
        if service not in plannable(model):
            return scenario, "plan.msg.bad_service"
        unit = model.places.unit(service, place) if place else None
        if unit is None:
            return scenario, "plan.msg.bad_place"
        if len(units) >= MAX_UNITS:
            return scenario, "plan.msg.too_many"
        units.append(unit)
    elif action == "remove":
        if not valid_index(remove, units):
            return scenario, "plan.msg.bad_unit"
        units.pop(remove)
    elif action == "move":  # same service, new place; the unit keeps its rank in the list
        if not valid_index(remove, units):
            return scenario, "plan.msg.bad_unit"
        moved = model.places.unit(units[remove].service, place) if place else None
        if moved is None:
            return scenario, "plan.msg.bad_place"
        units[remove] = moved  # origin "manual": a moved suggestion is the user's choice now
    elif action == "clear":
        units = []
    elif action == "suggest":
        s = suggestion or {}
        if s.get("service") not in plannable(model):
            return scenario, "plan.msg.bad_service"
        n, ok = bounded_int(s.get("n"), 1, MAX_SUGGESTIONS, 5)
        if not ok:
            return scenario, "plan.msg.bad_n"
        departments = [d for d in (s.get("departments") or []) if d in set(model.geo.codes("department"))]
        if not departments:
            return scenario, "plan.msg.no_departments"
        kind = s.get("candidates") if s.get("candidates") in CANDIDATE_KINDS else CAPITALS
        min_size, _ = bounded_int(s.get("min_size"), 0, 10_000_000, 500)
        kept = [u for u in units if not (u.origin == "suggested" and u.service == s["service"])]
        in_hours = s.get("measure") == TRAVEL and hours_available(model, s["service"])

        def search():
            if in_hours:
                return suggest_by_hours(model, s, departments, model.places.candidates(kind, min_size), n, kept)
            return suggest(
                model.coverage, s["service"], s.get("km", 50), departments, model.places.candidates(kind, min_size), n,
                kept,
            )

        # keyed by everything the search reads: the same request again (a double click, a
        # reload, another user of the same view) is answered from the bounded memo
        threshold = repr(s.get("hours")) if in_hours else repr(s.get("km", 50))
        memo_key = ("suggestion", in_hours, s["service"], threshold, tuple(departments), kind, min_size, n, tuple(kept))
        try:
            found = model.view_memo(memo_key, search)
        except OutOfBounds as err:  # the analysis checks its own bounds: a forged km stops here
            key = "plan.msg.out_of_range_hours" if in_hours else "plan.msg.out_of_range"
            return scenario, (key, {"low": err.low, "high": err.high})
        if not found.units:
            return scenario, "plan.msg.no_gain"
        units = (kept + found.units)[:MAX_UNITS]
        if getattr(found, "cell_km", 0):
            return Scenario(tuple(units), scenario.costs), ("plan.msg.grouped", {"cell": found.cell_km})
    elif action == "costs":
        clean = {}
        for svc, value in (costs or {}).items():
            number = finite_number(value) if isinstance(value, (int, float)) else None
            if svc in PLANNABLE and number is not None and 0 <= number <= MAX_COST:
                clean[svc] = number
        return Scenario(scenario.units, clean), None
    return Scenario(tuple(units), scenario.costs), None


def all_gains(model: Model, units: tuple[Unit, ...], km: float) -> list[float]:
    """Each unit's marginal gain for its own service (rural persons newly within km)."""
    gains = [0.0] * len(units)
    for service in {u.service for u in units}:
        positions = [i for i, u in enumerate(units) if u.service == service]
        for i, g in zip(positions, unit_gains(model.coverage, [units[i] for i in positions], service, km)):
            gains[i] = g
    return gains


@dataclass(frozen=True)
class ServiceTotal:
    """One service of a scenario: units, rural persons newly within km, cost, cost per person."""

    service: str
    units: int
    gain: float
    total: float | None  # soles (None: no cost entered)
    per_person: float | None  # soles per person newly within reach (None: no cost or no gain)


def service_totals(scenario: Scenario, gains: list[float]) -> list[ServiceTotal]:
    """The cost arithmetic of a scenario, per service in the order the units were added."""
    out = []
    for service in dict.fromkeys(u.service for u in scenario.units):
        n = sum(1 for u in scenario.units if u.service == service)
        gain = sum(g for u, g in zip(scenario.units, gains) if u.service == service)
        cost = scenario.costs.get(service)
        total = None if cost is None else cost * n
        out.append(ServiceTotal(service, n, gain, total, None if total is None or gain <= 0 else total / gain))
    return out
