"""How sure the gap-index ranking is: the rank as a range, e.g. "3 (2–6)".

The 2018 district poverty map publishes a 95 % interval for each district. A small, seeded
Monte Carlo redraws every district's poverty independently from a normal distribution with
the published midpoint and a standard deviation of (high − low) / (2 × 1.96), clipped to
0–100 %; provinces, regions and departments take the population-weighted mean (2020
population of the map) of their districts' draws, as the layer does for the published
figure. Each draw recomputes the need score (min–max scaling across all areas of the level)
and the gap index (`analysis.gap_index.gap_table`); the range is the 2.5th to 97.5th
percentile of the area's rank over the draws, and always contains the published rank. An
area whose range straddles 10 has a top-10 place that depends on the assumption.

The other assumption, the spread of district population evenly over its populated centres,
is not varied here (no per-centre figure exists to vary it against).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .gap_index import gap_table

Z95 = 1.959964
DEFAULT_DRAWS = 200
MAX_DRAWS = 2_000
TOP = 10


def area_poverty(draws: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Population-weighted mean poverty (%) per area for each draw.

    Parameters
    ----------
    draws
        (n_draws, n_districts) poverty %, NaN = unknown (left out of the mean).
    weights
        Population per district (persons; NaN or 0 = left out).
    groups
        Area index (0..n_groups-1) of each district.

    Returns
    -------
    (n_draws, n_groups) array; NaN for an area with no known district.
    """
    draws = np.atleast_2d(np.asarray(draws, float))
    w = np.nan_to_num(np.asarray(weights, float), nan=0.0)
    known = ~np.isnan(draws) & (w > 0)
    vw = np.where(known, draws * w, 0.0)
    wk = np.where(known, w, 0.0)
    out = np.full((draws.shape[0], n_groups), np.nan)
    for k in range(draws.shape[0]):
        num = np.bincount(groups, weights=vw[k], minlength=n_groups)
        den = np.bincount(groups, weights=wk[k], minlength=n_groups)
        has = den > 0
        out[k, has] = num[has] / den[has]
    return out


def draw_poverty(mid: np.ndarray, low: np.ndarray, high: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """(n, n_districts) draws of district poverty (%), normal within the 95 % interval."""
    mid, low, high = (np.asarray(a, float) for a in (mid, low, high))
    if ((low > high) & ~np.isnan(low) & ~np.isnan(high)).any():
        raise ValueError("a poverty interval has its low end above its high end")
    sd = np.nan_to_num((high - low) / (2 * Z95), nan=0.0)
    rng = np.random.default_rng(seed)
    return np.clip(mid + sd * rng.standard_normal((int(n), len(mid))), 0.0, 100.0)


def rank_range(
    need: pd.DataFrame,
    pct_rural_beyond: pd.Series,
    poverty_draws: np.ndarray,
    weights: Mapping[str, float] | None = None,
    quantiles: tuple[float, float] = (0.025, 0.975),
    within: np.ndarray | None = None,
) -> pd.DataFrame:
    """Gap-index rank and its range over poverty draws.

    Parameters
    ----------
    need
        Need components per area (as for `gap_table`), with the published ``poverty``.
    pct_rural_beyond
        % of the rural population beyond the threshold, per area.
    poverty_draws
        (n_draws, n_areas) poverty % per area, columns in the order of ``need.index``.
    weights
        Gap-index component weights.
    quantiles
        Lower and upper quantile of the rank over the draws.
    within
        Boolean mask of the areas to rank among (a focus department's districts: ranks
        within the view, scales still national); default all.

    Returns
    -------
    DataFrame indexed like `need` (the `within` rows): rank (published), rank_low (best plausible, smallest
    number), rank_high (worst plausible), rank_label ("3 (2–6)"), top10_uncertain (the
    range straddles 10). NaN/"" where the area has no gap index.
    """
    draws = np.atleast_2d(np.asarray(poverty_draws, float))
    if draws.shape[1] != len(need):
        raise ValueError("poverty draws need one column per area")
    if not 0 <= quantiles[0] <= quantiles[1] <= 1:
        raise ValueError("quantiles must be 0 <= low <= high <= 1")
    central = gap_table(need, pct_rural_beyond, weights)["gap_index"].to_numpy(float)
    values = draw_gap_index(need, pct_rural_beyond, draws, weights)
    index = need.index
    if within is not None:
        within = np.asarray(within, bool)
        central, values, index = central[within], values[:, within], index[within]
    central = min_rank_desc(central)[0]
    ranks = min_rank_desc(values)
    has = ~np.isnan(central)
    low = np.full(len(index), np.nan)
    high = np.full(len(index), np.nan)
    if has.any():
        low[has] = _quantile(ranks[:, has], quantiles[0], "lower")
        high[has] = _quantile(ranks[:, has], quantiles[1], "higher")
        low[has] = np.minimum(low[has], central[has])
        high[has] = np.maximum(high[has], central[has])
    out = pd.DataFrame({"rank": central, "rank_low": low, "rank_high": high}, index=index)
    out["rank_label"] = [rank_label(r, lo, hi) for r, lo, hi in zip(central, low, high)]
    out["top10_uncertain"] = has & (low <= TOP) & (high > TOP)
    return out


def _quantile(values: np.ndarray, q: float, method: str) -> np.ndarray:
    """Per column quantile ignoring NaN; columns without NaN (nearly all) in one vectorised
    call (``np.nanquantile`` goes column by column in Python when any NaN is present)."""
    out = np.full(values.shape[1], np.nan)
    clean = ~np.isnan(values).any(axis=0)
    if clean.any():
        out[clean] = np.quantile(values[:, clean], q, axis=0, method=method)
    if (~clean).any():
        out[~clean] = np.nanquantile(values[:, ~clean], q, axis=0, method=method)
    return out


def min_rank_desc(values: np.ndarray) -> np.ndarray:
    """Per row, rank of each value from the largest (1), ties share the smallest rank
    (pandas ``rank(ascending=False, method="min")``); NaN stays NaN."""
    values = np.atleast_2d(np.asarray(values, float))
    out = np.full(values.shape, np.nan)
    for k, row in enumerate(values):
        known = ~np.isnan(row)
        ordered = np.sort(-row[known])
        out[k, known] = np.searchsorted(ordered, -row[known], side="left") + 1
    return out


def draw_ranks(need: pd.DataFrame, pct_rural_beyond: pd.Series, draws: np.ndarray,
               weights: Mapping[str, float] | None = None) -> np.ndarray:
    """Gap-index ranks (n_draws, n_areas) with the poverty column replaced by each draw."""
    return min_rank_desc(draw_gap_index(need, pct_rural_beyond, draws, weights))


def draw_gap_index(need: pd.DataFrame, pct_rural_beyond: pd.Series, draws: np.ndarray,
                   weights: Mapping[str, float] | None = None) -> np.ndarray:
    """Gap index (n_draws, n_areas) with the poverty column replaced by each draw: the
    same arithmetic as `gap_table`, vectorised over the draws (the other components are
    scaled once)."""
    from .gap_index import COMPONENTS, DEFAULT_WEIGHTS, MAX_WEIGHT, scale_01

    w = {c: float(np.clip((weights or DEFAULT_WEIGHTS).get(c, 0.0), 0.0, MAX_WEIGHT)) for c in COMPONENTS}
    lack = pct_rural_beyond.reindex(need.index).to_numpy(float) / 100.0
    other_num = np.zeros(len(need))
    other_w = np.zeros(len(need))
    for c in COMPONENTS:
        if c == "poverty" or c not in need or w[c] == 0:
            continue
        scaled = scale_01(need[c].astype(float)).to_numpy(float)
        known = ~np.isnan(scaled)
        other_num += np.where(known, scaled * w[c], 0.0)
        other_w += known * w[c]
    draws = np.atleast_2d(np.asarray(draws, float))
    lo, hi = np.nanmin(draws, axis=1, keepdims=True), np.nanmax(draws, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_pov = np.where(hi > lo, (draws - lo) / (hi - lo), np.where(np.isnan(draws), np.nan, 0.5))
        known_p = ~np.isnan(s_pov)
        num = other_num + np.where(known_p, s_pov * w["poverty"], 0.0)
        den = other_w + known_p * w["poverty"]
        need_score = np.where(den > 0, num / den, np.nan)
    if sum(w.values()) == 0:
        need_score = np.ones_like(need_score)
    return 100.0 * need_score * lack


def rank_label(rank: float, low: float, high: float) -> str:
    """ "3 (2–6)"; "3" when the range is the rank itself; "" when unranked."""
    if np.isnan(rank):
        return ""
    if low == rank == high:
        return f"{int(rank)}"
    return f"{int(rank)} ({int(low)}–{int(high)})"


def area_poverty_draws(catalog, level: str, n_draws: int = DEFAULT_DRAWS, seed: int = 0) -> np.ndarray:
    """(n_draws, n_areas) poverty % per area of `level` (columns in `catalog.geo.codes(level)`
    order): each district drawn within its 95 % interval, areas re-averaged by the map's 2020
    population. They do not depend on the service or the threshold: keep them between calls."""
    from layers.ubigeo import area_code

    from .limits import check_range

    n_draws = int(check_range("draws", n_draws, (1, MAX_DRAWS), whole=True))
    codes = catalog.geo.codes(level)
    source = catalog.loaded["poverty2018"].source
    districts = pd.Index(catalog.geo.districts.index.astype(str))
    source = source.reindex(districts)
    draws = draw_poverty(source["poverty"], source["low"], source["high"], n_draws, seed)
    if level == "district":
        area_draws = draws
    else:
        uniques, groups = np.unique(area_code(pd.Series(districts), level).to_numpy(str), return_inverse=True)
        per_area = area_poverty(draws, source["pob_2020"].to_numpy(float), groups, len(uniques))
        area_draws = pd.DataFrame(per_area.T, index=uniques).reindex(codes).to_numpy().T
    index = districts if level == "district" else codes
    return pd.DataFrame(area_draws.T, index=index).reindex(codes).to_numpy().T


def rank_range_from_catalog(
    index, catalog, service: str, km: float, level: str,
    weights: Mapping[str, float] | None = None, n_draws: int = DEFAULT_DRAWS, seed: int = 0,
    distances: np.ndarray | None = None, within: str | None = None,
) -> pd.DataFrame:
    """`rank_range` for one service, threshold and level of the real data. Adds the
    published gap_index.

    `distances`: per demand point, the measure compared with `km` instead of the cached km (a
    scenario, or hours with an hour threshold). `within`: a department code (2 digits) or a
    Lima region code (6 digits) to rank among its areas only, as the view does; default all
    areas of the level."""
    from .limits import THRESHOLD_KM, check_range
    from .need import need_frame

    km = check_range("km", km, THRESHOLD_KM) if distances is None else float(km)
    if service not in index.km:
        raise ValueError(f"service {service!r} is unavailable")
    codes = catalog.geo.codes(level)
    need = need_frame(catalog.area_values(), codes, level)
    summary = index.summary(service, km, level, km=distances).reindex(codes)
    area_draws = area_poverty_draws(catalog, level, n_draws, seed)
    mask = None if within is None else catalog.geo.focus_mask(level, within)
    out = rank_range(need, summary["pct_rural_beyond"], area_draws, weights, within=mask)
    gap = gap_table(need, summary["pct_rural_beyond"], weights)["gap_index"]
    out.insert(0, "gap_index", gap.reindex(out.index).to_numpy(float))
    return out
