"""Who is left out: rural children beyond reach, and the named populated centres where they live.

Children and adolescents (0–17) are an **estimate** everywhere in this module: no open table
gives ages below the department, so the children at a demand point (or in an area) are its
people times the 0–17 share of its department in 2020 (MINSA REUNIS, INEI estimates; layer
`child_population`). Every output therefore carries ``children_estimated: True`` and
`CHILDREN_METHOD`. Populated centres are public INEI places (name, code, coordinates), not
people; their population is itself the district's 2023 population spread evenly over its
centres (`analysis.demand`). Distances are great-circle (straight line) km.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .coverage import CoverageIndex
from .limits import THRESHOLD_KM, check_range

CHILDREN_METHOD = (
    "est.: rural people beyond the threshold x the department's 2020 share aged 0-17 "
    "(MINSA REUNIS, INEI estimates); below the department this is an estimate"
)
CHILDREN_SHARE_NOTE = (
    "children 0-17 (est.) = people x the department's 2020 share aged 0-17 (MINSA REUNIS, INEI estimates)"
)
CHILDREN_METHOD_ES = (
    "est.: personas rurales más allá del umbral x proporción de 0-17 años de su departamento "
    "en 2020 (MINSA REUNIS, estimaciones INEI); bajo el departamento es una estimación"
)
PLACE_COLUMNS = [
    "ccpp", "name", "ubigeo", "district", "province", "department", "people", "children",
    "km_to_nearest", "lat", "lon",
]


def check_shares(shares: Mapping[str, float] | pd.Series) -> pd.Series:
    """Department code (2 digits) -> share aged 0–17 (0–1), checked; raises ValueError."""
    shares = pd.Series(shares, dtype=float)
    if len(shares) == 0:
        raise ValueError("no department child shares given")
    bad = [c for c in shares.index if not (isinstance(c, str) and len(c) == 2 and c.isdigit())]
    if bad:
        raise ValueError(f"child shares must be keyed by 2-digit department codes (got {bad[:3]!r})")
    if shares.isna().any() or (shares < 0).any() or (shares > 1).any():
        raise ValueError("child shares must be fractions between 0 and 1")
    return shares


def point_child_share(ubigeo: np.ndarray, shares: Mapping[str, float] | pd.Series) -> np.ndarray:
    """Share aged 0–17 (0–1) for each demand point, from its district code's department.

    Points in a department with no share get NaN (unknown, never 0).
    """
    shares = check_shares(shares)
    departments = np.asarray(ubigeo).astype("U2")
    return shares.reindex(departments).to_numpy(float)


def point_children(weight: np.ndarray, ubigeo: np.ndarray, shares: Mapping[str, float] | pd.Series) -> np.ndarray:
    """Estimated children and adolescents 0–17 at each demand point (persons, est.)."""
    return np.asarray(weight, float) * point_child_share(ubigeo, shares)


def children_figures(record: Mapping[str, object], share: float) -> dict[str, object]:
    """The children figures of one coverage record (an area's row of `CoverageIndex.summary`).

    Parameters
    ----------
    record
        Holds ``rural_population`` and ``rural_beyond`` (persons; None/NaN = unknown).
    share
        The area's department share aged 0–17 in 2020 (0–1).

    Returns
    -------
    dict with ``rural_children`` and ``rural_children_beyond`` (persons aged 0–17, est.;
    None where unknown), ``children_estimated`` (always True) and ``children_method``.
    """
    share = float(share)
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"a child share must be between 0 and 1 (got {share})")

    def times(value: object) -> float | None:
        if value is None:
            return None
        value = float(value)
        return None if np.isnan(value) else value * share

    return {
        "rural_children": times(record.get("rural_population")),
        "rural_children_beyond": times(record.get("rural_beyond")),
        "children_estimated": True,
        "children_method": CHILDREN_METHOD,
    }


def children_summary(summary: pd.DataFrame, shares: Mapping[str, float] | pd.Series) -> pd.DataFrame:
    """Add ``rural_children`` and ``rural_children_beyond`` (est.) to a coverage summary.

    Areas nest in departments (regions included: Lima Metropolitana and Lima Provincias are in
    department 15), so the department share applies to the area's totals directly. Unknown
    stays NaN.
    """
    share = point_child_share(summary.index.to_numpy(str), shares)
    out = summary.copy()
    out["rural_children"] = summary["rural_population"].to_numpy(float) * share
    out["rural_children_beyond"] = summary["rural_beyond"].to_numpy(float) * share
    return out


def check_area_code(area: object) -> str:
    """A department (2 digits) or province (4 digits) code; raises ValueError otherwise."""
    if not (isinstance(area, str) and len(area) in (2, 4) and area.isdigit()):
        raise ValueError(f"the area must be a 2-digit department or 4-digit province code (got {str(area)[:12]!r})")
    return area


def places_beyond(
    index: CoverageIndex,
    service: str,
    km: float,
    area: str,
    shares: Mapping[str, float] | pd.Series,
    districts: pd.DataFrame | None = None,
    distances: np.ndarray | None = None,
) -> pd.DataFrame:
    """The rural INEI populated centres of `area` beyond `km` of the nearest unit of `service`.

    Parameters
    ----------
    index
        The coverage index (distances to the nearest unit, km, great-circle).
    service
        A service id or "chain" (beyond = beyond at least one of UPE, FISTRAP, PNP).
    km
        Threshold, km (1–300, checked).
    area
        Department (2 digits) or province (4 digits) code.
    shares
        Department -> share aged 0–17 (0–1).
    districts
        The boundaries' district table (columns distrito, provincia, departamento) for names;
        without it the names are blank.
    distances
        Per demand point, the measure to compare with `km` instead of the cached km (a
        scenario's km, or modelled hours with `km` an hour threshold); ``km_to_nearest``
        then holds that measure.

    Returns
    -------
    DataFrame with PLACE_COLUMNS, farthest first: ``ccpp`` (INEI centre code), ``people``
    (persons, est.), ``children`` (aged 0–17, est.), ``km_to_nearest`` (km, straight line),
    lat/lon (degrees). District-centroid stand-ins for districts without a rural centre are
    not places and are left out. Raises ValueError on a bad argument or when the service's
    data do not cover the area (unknown, not "nobody").
    """
    km = check_range("km", km, THRESHOLD_KM) if distances is None else float(km)
    area = check_area_code(area)
    if service not in index.km:
        raise ValueError(f"service {service!r} is unavailable")
    coverage = index.coverage_of(service)
    if coverage is not None and area[:2] not in coverage:
        raise ValueError(f"the {service} data do not cover department {area[:2]} (sin dato)")
    d = index.demand
    distances = index.km[service] if distances is None else np.asarray(distances, float)
    pick = d.rural & ~d.synthetic & (distances > km) & (np.asarray(d.ubigeo).astype(f"U{len(area)}") == area)
    ubigeo = d.ubigeo[pick]
    out = pd.DataFrame(
        {
            "ccpp": d.code[pick],
            "name": d.name[pick],
            "ubigeo": ubigeo,
            "people": d.weight[pick],
            "children": point_children(d.weight[pick], ubigeo, shares),
            "km_to_nearest": distances[pick],
            "lat": d.lat[pick],
            "lon": d.lon[pick],
        }
    )
    for column, source in (("district", "distrito"), ("province", "provincia"), ("department", "departamento")):
        if districts is not None and source in districts:
            out[column] = pd.Series(ubigeo).map(districts[source].astype(str)).fillna("").to_numpy()
        else:
            out[column] = ""
    out = out.sort_values(["km_to_nearest", "ccpp"], ascending=[False, True], kind="stable")
    return out[PLACE_COLUMNS].reset_index(drop=True)


def child_shares_from_catalog(catalog) -> pd.Series:
    """Department -> 2020 share aged 0–17, from the loaded `child_population` layer."""
    if not catalog.available("child_population"):
        raise ValueError("the child population layer is unavailable")
    table = catalog.loaded["child_population"].source
    return table.drop(index="00")["share"].astype(float)

