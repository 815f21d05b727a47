"""Named scenarios (issue 15): up to six saved plans, slots A to F, each with a name, its
units and unit costs. They live in the browser (`scenarios` store) and in the URL, one
parameter per slot (``sa`` .. ``sf``)::

    sa=Loreto+UPE~upe:160302,upe:160201~fistrap:c1602010070~upe:250000
       name      ~manual units           ~suggested units    ~costs

A link without these parameters decodes exactly as before. A malformed slot is dropped
whole and named in the link notice; the rest of the link still applies. Every use
validates the slots again (`scenarios_from`): they come from the browser. No Dash here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from atlas.model import Model
from atlas.plan import Scenario, scenario_from

SLOTS = ("A", "B", "C", "D", "E", "F")
URL_KEYS = tuple("s" + s.lower() for s in SLOTS)  # sa .. sf
MAX_NAME = 40
SEPARATOR = "~"
BASELINE = "base"  # the comparison's row of today's units (no slot)


@dataclass(frozen=True)
class Named:
    """One saved scenario: its slot letter (its identity), its name and the plan."""

    slot: str
    name: str
    scenario: Scenario

    def record(self) -> dict:
        return {"slot": self.slot, "name": self.name, **self.scenario.record()}


def clean_name(value: object, default: str) -> str:
    """A name safe to show and to put in a URL: printable, one line, at most MAX_NAME
    characters, without the URL separator; `default` when nothing is left."""
    if not isinstance(value, str):
        return default
    text = unicodedata.normalize("NFC", value[: MAX_NAME * 4])
    text = "".join(
        " "
        if ch in "\r\n\t"
        else ""
        if unicodedata.category(ch).startswith("C")
        else ch
        for ch in text
    )
    text = " ".join(text.replace(SEPARATOR, "-").split())[:MAX_NAME].strip()
    return text or default


def scenarios_from(model: Model, data: object) -> tuple[tuple[Named, ...], list[str]]:
    """Saved scenarios from untrusted store content, in slot order, plus what was dropped
    (the slot's URL key, e.g. "sb"; "scenarios" for a store that is not a list)."""
    if data in (None, ""):
        return (), []
    if not isinstance(data, list):
        return (), ["scenarios"]
    found: dict[str, Named] = {}
    problems: list[str] = []
    for item in data[: len(SLOTS) * 2]:
        slot = item.get("slot") if isinstance(item, dict) else None
        if slot not in SLOTS or slot in found:
            problems.append("scenarios")
            continue
        scenario, dropped = scenario_from(
            model, {"units": item.get("units"), "costs": item.get("costs")}
        )
        if dropped:
            problems.append(URL_KEYS[SLOTS.index(slot)])
        found[slot] = Named(slot, clean_name(item.get("name"), slot), scenario)
    return tuple(found[s] for s in SLOTS if s in found), sorted(set(problems))


def records(saved: tuple[Named, ...]) -> list[dict]:
    return [n.record() for n in saved]


def by_slot(saved: tuple[Named, ...], slot: object) -> Named | None:
    return next((n for n in saved if n.slot == slot), None)


# ------------------------------------------------------------------------- URL codec


def _pairs(text: str) -> list[tuple[str, str]] | None:
    from atlas.url import _pairs as pairs  # the one 'a:b,c:d' reader of the codec

    return pairs(text)


def decode_slot(slot: str, text: object) -> dict | None:
    """The store record of one URL value (not yet validated against the data), or None
    when it is malformed."""
    if not isinstance(text, str):
        return None
    parts = text.split(SEPARATOR)
    if len(parts) != 4:
        return None
    name, manual, suggested, cost = parts
    units = []
    for part, origin in ((manual, "manual"), (suggested, "suggested")):
        pairs = _pairs(part)
        if pairs is None:
            return None
        units += [{"service": s, "place": p, "origin": origin} for s, p in pairs]
    costs = _pairs(cost)
    if costs is None:
        return None
    return {
        "slot": slot,
        "name": clean_name(name, slot),
        "units": units,
        "costs": dict(costs),
    }


def scenarios_from_query(
    model: Model, values: dict[str, str]
) -> tuple[list[dict], list[str]]:
    """Saved scenarios of a parsed query (`atlas.url.parse_query`), validated; a malformed
    slot is dropped whole and its key returned as a problem."""
    raw, problems = [], []
    for slot, key in zip(SLOTS, URL_KEYS):
        if key not in values:
            continue
        record = decode_slot(slot, values[key])
        if record is None:
            problems.append(key)
            continue
        raw.append(record)
    saved, dropped = scenarios_from(model, raw)
    # a slot whose units or costs did not all check is dropped whole, like a malformed one
    keep = [n for n in saved if URL_KEYS[SLOTS.index(n.slot)] not in dropped]
    return records(tuple(keep)), sorted(set(problems + dropped))


def query_values(saved: list[dict]) -> dict[str, str]:
    """URL values of saved scenario records (already validated), in slot order."""
    out: dict[str, str] = {}
    for item in saved:
        slot = item.get("slot")
        if slot not in SLOTS:
            continue
        units = item.get("units", [])
        parts = [clean_name(item.get("name"), slot)]
        for origin in ("manual", "suggested"):
            parts.append(
                ",".join(
                    f"{u['service']}:{u['place']}"
                    for u in units
                    if u.get("origin") == origin
                )
            )
        parts.append(
            ",".join(f"{s}:{v:.15g}" for s, v in item.get("costs", {}).items())
        )
        out[URL_KEYS[SLOTS.index(slot)]] = SEPARATOR.join(parts)
    return out


# ---------------------------------------------------------------------------- edits


def edit(
    saved: tuple[Named, ...],
    action: str,
    *,
    slot: object = None,
    name: object = None,
    current: Scenario | None = None,
) -> tuple[tuple[Named, ...], str | None, Scenario | None]:
    """One user action on the saved scenarios.

    Returns (saved scenarios, message key or None, the plan to open in the Plan panel or
    None). Actions: "save" (the current plan into the first free slot, named `name` or the
    slot letter), "update" (the current plan replaces `slot`'s, its name kept), "open"
    (`slot`'s plan goes to the Plan panel, to edit it), "rename", "duplicate", "delete".
    """
    current = current or Scenario()
    free = [s for s in SLOTS if by_slot(saved, s) is None]
    if action == "save":
        if not current.units:
            return saved, "scenarios.msg.empty", None
        if not free:
            return saved, "scenarios.msg.full", None
        new = Named(free[0], clean_name(name, free[0]), current)
        return _sorted(saved + (new,)), "scenarios.msg.saved", None
    target = by_slot(saved, slot)
    if target is None:
        return saved, "scenarios.msg.pick", None
    if action == "open":
        return saved, "scenarios.msg.opened", target.scenario
    if action == "update":
        if not current.units:
            return saved, "scenarios.msg.empty", None
        return (
            _replace(saved, Named(target.slot, target.name, current)),
            "scenarios.msg.updated",
            None,
        )
    if action == "rename":
        return (
            _replace(
                saved,
                Named(target.slot, clean_name(name, target.name), target.scenario),
            ),
            None,
            None,
        )
    if action == "duplicate":
        if not free:
            return saved, "scenarios.msg.full", None
        copy = Named(
            free[0], clean_name(f"{target.name} (2)", free[0]), target.scenario
        )
        return _sorted(saved + (copy,)), "scenarios.msg.saved", None
    if action == "delete":
        return (
            tuple(n for n in saved if n.slot != target.slot),
            "scenarios.msg.deleted",
            None,
        )
    return saved, None, None


def _sorted(saved: tuple[Named, ...]) -> tuple[Named, ...]:
    return tuple(sorted(saved, key=lambda n: SLOTS.index(n.slot)))


def _replace(saved: tuple[Named, ...], new: Named) -> tuple[Named, ...]:
    return tuple(new if n.slot == new.slot else n for n in saved)


def save_new(
    saved: tuple[Named, ...], scenario: Scenario, name: str
) -> tuple[tuple[Named, ...], str | None]:
    """A plan made elsewhere (a budget proposal) saved into the first free slot; the
    slot letter, or None when all six are taken."""
    free = [s for s in SLOTS if by_slot(saved, s) is None]
    if not free:
        return saved, None
    return _sorted(
        saved + (Named(free[0], clean_name(name, free[0]), scenario),)
    ), free[0]


def difference_pair(
    slots: list[str], shown: list[object], a: object, b: object
) -> tuple[str, str]:
    """The two scenarios of the difference map (A, B) once the saved ones change.

    `slots`: the saved slots now; `shown`: the choices offered before. A newly saved
    scenario becomes B and the previous B (when there was one) becomes A: the map shows
    what the newest changes. Otherwise valid choices stay; anything else falls back to
    today's units (A) and the last saved scenario (B). Forged values are never trusted.
    """
    valid = [BASELINE, *slots]  # a list: forged values may be unhashable
    a = a if isinstance(a, str) and a in valid else BASELINE
    b = b if isinstance(b, str) and b in valid else None
    new = [s for s in slots if s not in shown]
    if new and shown:  # (nothing shown yet: a page that just opened, not a new save)
        if b is not None and b != BASELINE:
            a = b
        b = new[-1]
    if b is None or b == a:
        b = slots[-1] if slots and slots[-1] != a else BASELINE
    return a, b
