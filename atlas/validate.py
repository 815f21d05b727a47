"""Untrusted numbers and choices from callback arguments or the URL, made safe.

Every helper returns ``(value, problem)``: a value that is always usable (clamped into
range, or the default) and ``None`` or a `Problem` to show the user, e.g.::

    n, problem = bounded_int(n_sites, 1, 50, default=5)
    if problem:
        notices.append(problem.text(lang, name=label))  # label: the input's name in lang

A forged ``n = 10**6`` becomes 50 with the message "1000000 is outside 1–50; 50 was used",
never a million-site computation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from atlas.i18n import fmt_number, t
from ingest.registry import echo

MAX_TEXT = 40  # characters of an untrusted value quoted back in a message


@dataclass(frozen=True)
class Problem:
    """What was wrong with an input, as a locale key plus the values for its text."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str, name: str = "") -> str:
        """The message in `lang`; `name` labels the input (e.g. "Umbral")."""
        message = t(lang, self.key, **{k: _show(v, lang) for k, v in self.values.items()})
        return f"{name}: {message}" if name else message


def _show(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and abs(value) < 10**15:
        return fmt_number(value, 0, lang)
    if isinstance(value, float) and math.isfinite(value):
        return fmt_number(value, 0 if value.is_integer() else 2, lang)
    return echo(value)[:MAX_TEXT]


def finite_number(value: object) -> float | None:
    """A finite number from an int, float or numeric string; None otherwise: bools, NaN,
    infinities, integers too large for a float (JSON allows 10**400) and long strings."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def bounded_float(value: object, low: float, high: float, default: float) -> tuple[float, Problem | None]:
    """A number in [low, high]: out of range is clamped, anything else gives `default`."""
    if value is None or value == "":
        return default, None
    number = finite_number(value)
    if number is None:
        return default, Problem("input.not_a_number", {"value": value, "used": default})
    if number < low or number > high:
        used = min(max(number, low), high)
        return used, Problem("input.out_of_range", {"value": number, "low": low, "high": high, "used": used})
    return number, None


def bounded_int(value: object, low: int, high: int, default: int) -> tuple[int, Problem | None]:
    """A whole number in [low, high]: out of range is clamped, a fraction or anything
    that is not a number gives `default`."""
    if value is None or value == "":
        return default, None
    number = finite_number(value)
    if number is None:
        return default, Problem("input.not_a_number", {"value": value, "used": default})
    if not number.is_integer():
        return default, Problem("input.not_whole", {"value": number, "used": default})
    if number < low or number > high:
        used = int(min(max(number, low), high))
        return used, Problem("input.out_of_range", {"value": int(number) if abs(number) < 1e18 else number,
                                                    "low": low, "high": high, "used": used})
    return int(number), None


def one_of(value: object, allowed: Iterable[str], default: str) -> tuple[str, Problem | None]:
    """One of the allowed ids (layer ids, levels, ...), or the default with a problem."""
    allowed = tuple(allowed)
    if value is None or value == "":
        return default, None
    if isinstance(value, str) and value in allowed:
        return value, None
    return default, Problem("input.unknown", {"value": value, "used": default})


MAX_SEARCH = 60  # characters of a table search


def search_text(value: object) -> tuple[str, Problem | None]:
    """A table search: text up to MAX_SEARCH characters; anything else searches nothing."""
    if value is None or value == "":
        return "", None
    if isinstance(value, str) and len(value) <= MAX_SEARCH:
        return value.strip(), None
    return "", Problem("input.bad_search", {"value": value, "high": MAX_SEARCH})
