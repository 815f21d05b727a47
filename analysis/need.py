"""Need components per area, taken from the loaded area layers."""

from __future__ import annotations

import pandas as pd

# component -> (metric id, year); CEM is department-level only and is broadcast down
NEED_METRICS = {
    "poverty": ("poverty_2018", "2018"),
    "rural_share": ("rural_share", "2023"),
    "foreign_per_1000": ("foreign_born_per_1000", "2025"),
    "cem_per_10000": ("cem_cases_per_10000", "2025"),
}


def need_frame(values: pd.DataFrame, codes: pd.Index, level: str) -> pd.DataFrame:
    """One column per need component for `codes` of `level` (NaN where unknown).

    Parameters
    ----------
    values
        The tidy area-values table of all area layers (AREA_COLUMNS).
    codes
        Area codes of the level.
    level
        department, region, province or district.
    """
    out = pd.DataFrame(index=codes)
    for component, (metric, year) in NEED_METRICS.items():
        rows = values[(values["metric"] == metric) & (values["year"] == year)]
        at_level = rows[rows["level"] == level].set_index("code")["value"]
        if len(at_level):
            out[component] = at_level.reindex(codes).to_numpy(float)
            continue
        by_department = rows[rows["level"] == "department"].set_index("code")["value"]
        out[component] = by_department.reindex(codes.str[:2]).to_numpy(float)
    return out
