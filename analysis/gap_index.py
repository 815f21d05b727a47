"""The gap index: need times lack of coverage, with its parts kept visible.

    need(a)      = Σ_c w_c · s_c(a) / Σ_c w_c      over the components c known for area a
    s_c(a)       = (x_c(a) − min_c) / (max_c − min_c)   scaled 0–1 across all areas of the level
    lack(a)      = share of a's rural population beyond the threshold (0–1)
    gap index(a) = 100 · need(a) · lack(a)                                   (0–100)

Components (higher = more need): monetary poverty 2018 (%), rural share 2023 (%), people
born abroad per 1,000 residents (census 2025), CEM cases per 10,000 residents (department
level; provinces and districts take their department's value). Weights are the user's
(default 1 each). An area missing a component is scored on the others and flagged; with all
weights at 0, need is 1 and the index is the lack of coverage alone.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

COMPONENTS = ("poverty", "rural_share", "foreign_per_1000", "cem_per_10000")
DEFAULT_WEIGHTS = {c: 1.0 for c in COMPONENTS}
MAX_WEIGHT = 5.0


def scale_01(values: pd.Series) -> pd.Series:
    """Min–max scaling to 0–1; a constant column scales to 0.5; NaN stays NaN."""
    lo, hi = values.min(), values.max()
    if pd.isna(lo) or hi == lo:
        return values.where(values.isna(), 0.5)
    return (values - lo) / (hi - lo)


def gap_table(
    need: pd.DataFrame, pct_rural_beyond: pd.Series, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Need score, lack of coverage and gap index per area, ranked.

    Parameters
    ----------
    need
        One column per component in COMPONENTS (missing columns count as unknown), indexed
        by area code, for all areas of the level (scaling is across these areas).
    pct_rural_beyond
        % of rural population beyond the threshold, same index.
    weights
        Component -> weight (0 to MAX_WEIGHT); unknown names are ignored.

    Returns
    -------
    DataFrame with the scaled components (``s_<component>``), need (0–1), lack (0–1),
    gap_index (0–100), n_components (how many components entered need) and rank (1 = worst
    gap; areas with no index are unranked, NaN).
    """
    weights = {c: float(np.clip((weights or DEFAULT_WEIGHTS).get(c, 0.0), 0.0, MAX_WEIGHT)) for c in COMPONENTS}
    scaled = pd.DataFrame(index=need.index)
    for c in COMPONENTS:
        scaled[f"s_{c}"] = scale_01(need[c].astype(float)) if c in need else np.nan
    w = np.array([weights[c] for c in COMPONENTS])
    s = scaled[[f"s_{c}" for c in COMPONENTS]].to_numpy(float)
    known = ~np.isnan(s)
    weight_known = (known * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        need_score = np.where(weight_known > 0, np.nansum(s * w, axis=1) / weight_known, np.nan)
    if w.sum() == 0:
        need_score = np.ones(len(scaled))
    lack = pct_rural_beyond.reindex(scaled.index).to_numpy(float) / 100.0
    out = scaled.copy()
    out["need"] = need_score
    out["lack"] = lack
    out["gap_index"] = 100.0 * need_score * lack
    out["n_components"] = (known & (w > 0)).sum(axis=1)
    out["rank"] = out["gap_index"].rank(ascending=False, method="min")
    return out
