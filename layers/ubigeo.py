"""UBIGEO codes: normalising them, and rolling district values up the hierarchy.

Codes are text: 2 digits department, 4 province, 6 district. The "region" level splits
Lima Metropolitana (province 1501, region code 150100) from Lima Provincias (rest of
department 15, region code 159900); every other region is its department (``DD0000``).
Roll-ups use the code prefix, not a join to the boundaries, so a district newer than the
boundary file (e.g. 160405 Santa Rosa de Loreto) still counts in its province.
"""

from __future__ import annotations


import numpy as np
import pandas as pd


from ingest.text import fold as fold_name  # noqa: F401  (place names are matched folded)

from .base import FLAG_PARTIAL

LIMA_METRO_REGION = "150100"
LIMA_PROVINCIAS_REGION = "159900"


def normalize_code(series: pd.Series, length: int = 6) -> pd.Series:
    """Text codes with leading zeros restored ('10101' -> '010101', 10101.0 -> '010101')."""
    s = series.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    return s.str.zfill(length)


def region_of(district_codes: pd.Series | np.ndarray | list) -> pd.Series:
    """Region code for each district (or province) code."""
    codes = pd.Series(district_codes, dtype="string")
    dep = codes.str[:2]
    region = dep + "0000"
    lima = dep == "15"
    region = region.mask(lima, LIMA_PROVINCIAS_REGION)
    region = region.mask(lima & (codes.str[:4] == "1501"), LIMA_METRO_REGION)
    return region


def area_code(district_codes: pd.Series, level: str) -> pd.Series:
    """The code of the area at `level` that contains each district code."""
    codes = pd.Series(district_codes, dtype="string")
    if level == "district":
        return codes
    if level == "province":
        return codes.str[:4]
    if level == "department":
        return codes.str[:2]
    if level == "region":
        return region_of(codes)
    raise ValueError(f"unknown level {level!r}")


def rollup_sum(
    values: pd.Series, level: str, members: pd.Series | None = None
) -> pd.DataFrame:
    """Sum district values into areas of `level`.

    Parameters
    ----------
    values
        Values indexed by district code; NaN is *sin dato*.
    level
        Target level.
    members
        All district codes that belong to the areas (to detect members with no row);
        defaults to the index of `values`.

    Returns
    -------
    DataFrame with columns code, value, flag: value is the sum of known members, NaN if
    none is known; flag is "partial" if some members are unknown.
    """
    frame = pd.DataFrame({"district": values.index.astype("string"), "value": values.to_numpy()})
    if members is not None:
        extra = pd.Index(members.astype("string")).difference(frame["district"])
        if len(extra):
            frame = pd.concat(
                [frame, pd.DataFrame({"district": extra, "value": np.nan})], ignore_index=True
            )
    frame["code"] = area_code(frame["district"], level).to_numpy()
    frame["missing"] = frame["value"].isna().astype(int)
    grouped = frame.groupby("code", sort=True)
    out = pd.DataFrame(
        {
            "value": grouped["value"].sum(min_count=1),
            "n_missing": grouped["missing"].sum(),  # vectorised: no Python call per area
        }
    ).reset_index()
    out["flag"] = np.where((out["n_missing"] > 0) & out["value"].notna(), FLAG_PARTIAL, "")
    return out[["code", "value", "flag"]]


def rollup_weighted_mean(
    values: pd.Series, weights: pd.Series, level: str, members: pd.Series | None = None
) -> pd.DataFrame:
    """Weighted mean of district values into areas of `level` (e.g. poverty rate by population).

    Districts with an unknown value or weight are left out of the mean and make the area
    "partial"; an area with no known district is NaN (sin dato).
    """
    index = values.index.union(weights.index)
    if members is not None:
        index = index.union(pd.Index(members.astype("string")))
    v = values.reindex(index).astype(float)
    w = weights.reindex(index).astype(float)
    frame = pd.DataFrame({"district": index.astype("string"), "v": v.to_numpy(), "w": w.to_numpy()})
    frame["code"] = area_code(frame["district"], level).to_numpy()
    known = frame["v"].notna() & frame["w"].notna() & (frame["w"] > 0)
    frame["vw"] = np.where(known, frame["v"] * frame["w"], 0.0)
    frame["wk"] = np.where(known, frame["w"], 0.0)
    frame["missing"] = (~known).astype(int)
    g = frame.groupby("code", sort=True)[["vw", "wk", "missing"]].sum()
    value = np.where(g["wk"] > 0, g["vw"] / g["wk"].where(g["wk"] > 0, 1.0), np.nan)
    out = pd.DataFrame({"code": g.index.astype("string"), "value": value})
    out["flag"] = np.where((g["missing"].to_numpy() > 0) & ~np.isnan(value), FLAG_PARTIAL, "")
    return out
