"""Per-area summaries of services: counts at each level, nearest service of each type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.ubigeo import area_code

from .distance import haversine_km


def service_counts(points: pd.DataFrame, codes: pd.Index, level: str) -> pd.DataFrame:
    """Number of units of each service in each area.

    Parameters
    ----------
    points
        Service points (POINT_COLUMNS). A unit with no district code (a department-level
        claim) counts at department and region level only.
    codes
        The areas of `level` to report (rows of the result, zeros included).
    level
        department, region, province or district.

    Returns
    -------
    DataFrame indexed by area code, one integer column per service.
    """
    services = sorted(points["service"].unique())
    has_district = points["ubigeo"].fillna("").astype(str).str.len() == 6
    located = points[has_district]
    out = pd.DataFrame(0, index=codes, columns=services, dtype=int)
    if len(located):
        keys = area_code(located["ubigeo"].astype(str), level).to_numpy()
        table = pd.crosstab(keys, located["service"].to_numpy())
        out = out.add(table.reindex(index=codes, columns=services, fill_value=0), fill_value=0)
    if level in ("department", "region"):
        claims = points[~has_district]
        if len(claims):
            dep = claims["ubigeo_dep"].astype(str)
            keys = area_code(dep + "0000", level).to_numpy() if level == "region" else dep.to_numpy()
            table = pd.crosstab(keys, claims["service"].to_numpy())
            out = out.add(table.reindex(index=codes, columns=services, fill_value=0), fill_value=0)
    return out.astype(int)


def care_counts(care: pd.DataFrame, codes: pd.Index, level: str) -> pd.Series:
    """CARE shelters per area. At district level: the count of the district's *province*."""
    provinces = care.set_index("ubigeo_prov")["count"]
    if level == "district":
        return pd.Series(provinces.reindex(codes.str[:4]).fillna(0).astype(int).to_numpy(), index=codes)
    keys = area_code(care["ubigeo_prov"].astype(str) + "00", level)
    if level == "province":
        keys = care["ubigeo_prov"].astype(str)
    summed = care.groupby(keys.to_numpy())["count"].sum()
    return summed.reindex(codes).fillna(0).astype(int)


def nearest_services(
    lat: float, lon: float, points: pd.DataFrame, exclude_status: tuple[str, ...] = ("claim",)
) -> pd.DataFrame:
    """Nearest unit of each service from one place (great-circle km).

    Claimed units with an assumed location are left out by default.

    Returns
    -------
    DataFrame indexed by service: id, name, ubigeo, km, status, precision.
    """
    usable = points[~points["status"].isin(exclude_status) & points["lat"].notna()]
    if usable.empty:
        return pd.DataFrame(columns=["id", "name", "ubigeo", "km", "status", "precision"])
    km = haversine_km(lat, lon, usable["lat"].to_numpy(), usable["lon"].to_numpy())
    frame = usable.assign(km=km)
    best = frame.loc[frame.groupby("service")["km"].idxmin()]
    return best.set_index("service")[["id", "name", "ubigeo", "km", "status", "precision"]]


def nearest_care_province(lat: float, lon: float, care: pd.DataFrame) -> tuple[str, float] | None:
    """Nearest province with a CARE, by distance to that province's capital (public point)."""
    if care.empty:
        return None
    km = haversine_km(lat, lon, care["proxy_lat"].to_numpy(), care["proxy_lon"].to_numpy())
    i = int(np.argmin(km))
    return str(care["ubigeo_prov"].iloc[i]), float(km[i])
