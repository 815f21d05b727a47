"""Plotly colour strings and colour scales as numbers, for pictures drawn without plotly.js
(the map frame's first picture, the printed map): no figures, no drawing."""

from __future__ import annotations

import itertools
import re

_FUNCTION = re.compile(r"^\s*rgba?\(\s*([^)]*)\)\s*$", re.IGNORECASE)
NAMED = {"white": (255, 255, 255, 1.0), "black": (0, 0, 0, 1.0), "transparent": (0, 0, 0, 0.0)}


def parse_colour(colour: str) -> tuple[int, int, int, float]:
    """(r, g, b, alpha) of a CSS colour as plotly writes them: "#rgb", "#rrggbb", "rgb(r, g, b)",
    "rgba(r, g, b, a)" (a from 0 to 1) or a few names. Raises ValueError for anything else."""
    text = str(colour).strip().lower()
    if text in NAMED:
        return NAMED[text]
    if text.startswith("#") and len(text) in (4, 7) and all(c in "0123456789abcdef" for c in text[1:]):
        digits = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 1.0
    match = _FUNCTION.match(text)
    if match:
        parts = [p.strip() for p in match.group(1).split(",")]
        if len(parts) in (3, 4):
            try:
                r, g, b = (min(max(round(float(p)), 0), 255) for p in parts[:3])
                a = min(max(float(parts[3]), 0.0), 1.0) if len(parts) == 4 else 1.0
                return r, g, b, a
            except ValueError:
                pass
    raise ValueError(f"not a colour: {colour!r}")


def scale_rgba(colorscale: list[list], t: float) -> tuple[int, int, int, float]:
    """The colour at `t` (0..1, clipped) of a plotly colour scale, interpolated between the two
    stops around it in RGB (and alpha), as plotly.js does."""
    t = min(max(float(t), 0.0), 1.0)
    for (t0, c0), (t1, c1) in itertools.pairwise(colorscale):
        if t <= t1:
            f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            a, b = parse_colour(c0), parse_colour(c1)
            r, g, bl = (round(x + (y - x) * f) for x, y in zip(a[:3], b[:3]))
            return r, g, bl, a[3] + (b[3] - a[3]) * f
    return parse_colour(colorscale[-1][1])


def scale_colour(colorscale: list[list], t: float) -> str:
    """`scale_rgba` as "#rrggbb" (the alpha left out)."""
    r, g, b, _ = scale_rgba(colorscale, t)
    return f"#{r:02x}{g:02x}{b:02x}"
