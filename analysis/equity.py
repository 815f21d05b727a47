"""Equity of coverage: are the poorest the worst served?

Unit of analysis: the district. For each district, its rural children 0–17 (est.: rural
people x the department's 2020 share aged 0–17) and those beyond the threshold; its
monetary poverty 2018 (INEI district map, midpoint of the 95 % interval).

- **Quintiles** are population-weighted: districts are sorted from the poorest (highest
  poverty) to the least poor and cut so that each fifth holds about a fifth of the rural
  children (a district is never split: it belongs to the fifth holding the middle of its
  weight). Quintile 1 is the poorest fifth, 5 the least poor.
- **Concentration curve**: x = cumulative share of rural children, districts from the
  poorest; y = cumulative share of the rural children beyond reach. Above the diagonal,
  being beyond reach is concentrated among the poor.
- **Concentration index** (Kakwani, Wagstaff & van Doorslaer 1997) on grouped data:
  CI = 2 · cov_w(h, r) / μ, with h the share beyond reach in the district, r its fractional
  rank in the living-standard order (poorest first: r = cumulative weight before it + half its
  own, over the total), weights w = rural children and μ the weighted mean of h. It equals
  1 − 2 × (area under the concentration curve). Range −1 to 1; negative means being beyond
  reach is concentrated among the poorer districts.

Districts without a poverty figure (created after the map) or without rural children are left
out and counted. Ties in poverty keep the district code order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUINTILES = 5
NATURAL_REGIONS = ("Costa", "Sierra", "Selva")


def _checked(values: np.ndarray, name: str, low: float = 0.0, high: float = np.inf) -> np.ndarray:
    values = np.asarray(values, float)
    known = values[~np.isnan(values)]
    if (known < low).any() or (known > high).any():
        raise ValueError(f"{name} must be between {low:g} and {high:g}")
    return values


def poverty_order(poverty: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
    """Indices from the poorest (highest poverty %) to the least poor; ties by code."""
    poverty = np.asarray(poverty, float)
    codes = np.arange(len(poverty)).astype(str) if codes is None else np.asarray(codes, str)
    return np.lexsort((codes, -poverty))


def fractional_rank(weights: np.ndarray) -> np.ndarray:
    """Fractional rank (0–1) of units already in order: (cumulative weight before + w/2) / total."""
    weights = np.asarray(weights, float)
    total = weights.sum()
    if total <= 0:
        raise ValueError("the weights must add up to more than 0")
    return (np.cumsum(weights) - weights / 2) / total


def concentration_index(h: np.ndarray, weights: np.ndarray) -> float:
    """Concentration index of `h` (units already ordered poorest first), weights `weights`.

    CI = 2 · cov_w(h, r) / μ_w(h) with r the fractional rank; NaN when μ = 0.
    """
    h, w = np.asarray(h, float), np.asarray(weights, float)
    if len(h) != len(w) or len(h) == 0:
        raise ValueError("h and weights must be non-empty and of the same length")
    r = fractional_rank(w)
    mu = np.average(h, weights=w)
    if mu == 0:
        return float("nan")
    cov = np.average((h - mu) * (r - np.average(r, weights=w)), weights=w)
    return float(2.0 * cov / mu)


def concentration_curve(beyond: np.ndarray, children: np.ndarray) -> pd.DataFrame:
    """Points of the concentration curve (ordered poorest first), starting at (0, 0).

    x: cumulative share of rural children; y: cumulative share of those beyond reach (0–1).
    """
    beyond, children = np.asarray(beyond, float), np.asarray(children, float)
    x = np.concatenate([[0.0], np.cumsum(children) / children.sum()])
    total = beyond.sum()
    y = np.concatenate([[0.0], np.cumsum(beyond) / total]) if total > 0 else np.full(len(x), np.nan)
    return pd.DataFrame({"x": x, "y": y})


def quintile_of(weights: np.ndarray, n: int = QUINTILES) -> np.ndarray:
    """Quantile group (1..n) of units already ordered poorest first, by the middle of their
    cumulative weight (population-weighted quantiles; units are not split)."""
    r = fractional_rank(weights)
    return np.minimum((r * n).astype(int) + 1, n)


def equity_table(
    codes: np.ndarray,
    rural_children: np.ndarray,
    rural_children_beyond: np.ndarray,
    poverty: np.ndarray,
    natural_region: np.ndarray | None = None,
) -> dict[str, object]:
    """Rural children beyond reach by poverty quintile and natural region, with the
    concentration curve and index.

    Parameters
    ----------
    codes
        District codes (text).
    rural_children, rural_children_beyond
        Rural children 0–17 (est., persons) and those beyond the threshold; NaN = unknown
        (a dataset that does not cover the district): left out.
    poverty
        Monetary poverty 2018, % (0–100; NaN = unknown: left out).
    natural_region
        Costa / Sierra / Selva per district (optional).

    Returns
    -------
    dict with ``quintiles`` (DataFrame: quintile, districts, rural_children,
    rural_children_beyond, pct_beyond, poverty_min, poverty_max), ``curve`` (x, y),
    ``concentration_index``, ``regions`` (DataFrame by natural region, when given),
    ``districts_used`` and ``districts_left_out``.
    """
    codes = np.asarray(codes, str)
    children = _checked(rural_children, "rural children")
    beyond = _checked(rural_children_beyond, "rural children beyond")
    poverty = _checked(poverty, "poverty", 0.0, 100.0)
    if not (len(codes) == len(children) == len(beyond) == len(poverty)):
        raise ValueError("every district needs children, children beyond and poverty")
    if (beyond > children * (1 + 1e-9) + 1e-9).any():
        raise ValueError("children beyond reach cannot exceed the rural children")
    use = ~np.isnan(children) & ~np.isnan(beyond) & ~np.isnan(poverty) & (np.nan_to_num(children) > 0)
    if not use.any():
        raise ValueError("no district has rural children, coverage and poverty known")
    order = np.flatnonzero(use)[poverty_order(poverty[use], codes[use])]
    w, b, p = children[order], beyond[order], poverty[order]
    h = b / w
    group = quintile_of(w)
    rows = []
    for q in range(1, QUINTILES + 1):
        m = group == q
        rows.append({
            "quintile": q,
            "districts": int(m.sum()),
            "rural_children": float(w[m].sum()),
            "rural_children_beyond": float(b[m].sum()),
            "pct_beyond": 100.0 * float(b[m].sum()) / float(w[m].sum()) if w[m].sum() > 0 else float("nan"),
            "poverty_min": float(p[m].min()) if m.any() else float("nan"),
            "poverty_max": float(p[m].max()) if m.any() else float("nan"),
        })
    out: dict[str, object] = {
        "quintiles": pd.DataFrame(rows),
        "curve": concentration_curve(b, w),
        "concentration_index": concentration_index(h, w),
        "districts_used": int(use.sum()),
        "districts_left_out": int((~use).sum()),
    }
    if natural_region is not None:
        region = np.asarray(natural_region, str)
        known = ~np.isnan(children) & ~np.isnan(beyond)
        regions = []
        for name in NATURAL_REGIONS:
            m = known & (region == name)
            total = float(children[m].sum())
            regions.append({
                "natural_region": name,
                "districts": int(m.sum()),
                "rural_children": total,
                "rural_children_beyond": float(beyond[m].sum()),
                "pct_beyond": 100.0 * float(beyond[m].sum()) / total if total > 0 else float("nan"),
            })
        out["regions"] = pd.DataFrame(regions)
    return out


def equity_from_index(index, service: str, km: float, shares, districts: pd.DataFrame, poverty: pd.Series,
                      department: str | None = None, distances: np.ndarray | None = None) -> dict[str, object]:
    """`equity_table` for a service and threshold of a `CoverageIndex`, all districts of Peru
    (or of one department: quintiles are then within that department).

    `districts` is the boundaries' district table (``region_natural``); `poverty` the 2018
    district poverty % (midpoint) indexed by district code; `distances`, per demand point, the
    measure compared with `km` instead of the cached km (a scenario, or hours with an hour
    threshold).
    """
    from .left_out import children_summary
    from .limits import THRESHOLD_KM, check_range

    km = check_range("km", km, THRESHOLD_KM) if distances is None else float(km)
    if service not in index.km:
        raise ValueError(f"service {service!r} is unavailable")
    table = children_summary(index.summary(service, km, "district", km=distances), shares)
    table = table.reindex(districts.index.astype(str))
    if department is not None:
        table = table[table.index.str[:2] == department]
        if table.empty:
            raise ValueError(f"no district in department {department!r}")
    codes = table.index.to_numpy(str)
    region = districts["region_natural"].reindex(table.index).astype(str).to_numpy() if "region_natural" in districts else None
    return equity_table(
        codes,
        table["rural_children"].to_numpy(float),
        table["rural_children_beyond"].to_numpy(float),
        poverty.reindex(table.index).to_numpy(float),
        region,
    )
