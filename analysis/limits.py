"""Every bound on a figure a user (or a forged request) can choose, in one place.

Analysis entry points check their own arguments against these (`check_range`), so a value
the UI would never send still gets the same clear refusal; the UI, the URL codec and the
CLI read the same numbers. The work a request may cause is bounded too: a coverage
structure never holds more than `MAX_COVERAGE_PAIRS` candidate–demand pairs (a suggestion
over many candidates and a long threshold is computed on grouped points instead).
"""

from __future__ import annotations

import math

THRESHOLD_KM = (1.0, 300.0)  # distance threshold, km (the slider offers 5–300)
HOURS = (1.0, 72.0)  # modelled travel-time threshold, hours (default 6)
SUGGESTIONS = (1, 20)  # sites one suggestion may propose
MAX_UNITS = 40  # hypothetical units in one scenario
MAX_COVERAGE_PAIRS = 3_000_000  # candidate x demand pairs held at once (about 15 MB as CSR)


class OutOfBounds(ValueError):
    """A figure outside its allowed range (or not a finite number). The message names the
    argument and the range; `name`, `low` and `high` let a UI say it in its own words."""

    def __init__(self, name: str, value: object, low: float, high: float):
        self.name, self.value, self.low, self.high = name, value, low, high
        super().__init__(f"{name} must be a number between {low:g} and {high:g} (got {str(value)[:40]})")


def check_range(name: str, value: object, bounds: tuple[float, float], whole: bool = False) -> float:
    """`value` as a float inside `bounds` (inclusive); raises OutOfBounds otherwise.

    Booleans, strings, NaN, infinities and integers too large for a float are refused.
    """
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OutOfBounds(name, value, low, high)
    try:
        number = float(value)
    except OverflowError:  # an int like 10**400
        raise OutOfBounds(name, value, low, high) from None
    if not math.isfinite(number) or not low <= number <= high or (whole and not number.is_integer()):
        raise OutOfBounds(name, value, low, high)
    return number
