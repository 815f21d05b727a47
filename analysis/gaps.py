"""Coverage figures and gap index for one service, threshold and level, in one table."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .coverage import SUMMARY_COLUMNS, CoverageIndex
from .gap_index import gap_table

REPORT_COLUMNS = [
    "rank",
    *SUMMARY_COLUMNS,
    "poverty",
    "rural_share",
    "foreign_per_1000",
    "cem_per_10000",
    "need",
    "gap_index",
    "n_components",
]


def gap_report(
    index: CoverageIndex,
    service: str,
    threshold_km: float,
    level: str,
    need: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    km: np.ndarray | None = None,
) -> pd.DataFrame:
    """All areas of `level` (rows of `need`) with coverage figures, need and gap index.

    Scaling of need components and ranks are national (all areas of the level); filter the
    result for a focus department afterwards.
    """
    summary = index.summary(service, threshold_km, level, km=km).reindex(need.index)
    ranked = gap_table(need, summary["pct_rural_beyond"], weights)
    report = pd.concat([summary, need, ranked[["need", "gap_index", "n_components", "rank"]]], axis=1)
    return report[REPORT_COLUMNS]


def totals(report: pd.DataFrame) -> dict[str, float]:
    """Headline figures over the rows of a report (e.g. a focus department's districts)."""
    rural = float(report["rural_population"].sum())
    known = report["pct_rural_beyond"].notna()

    def of_known(column: str) -> pd.Series:  # one column's rows (not every column's, then one)
        return report[column][known]

    rural_known = float(of_known("rural_population").sum())
    beyond = float(of_known("rural_beyond").sum())
    population = float(of_known("population").sum())
    within = float((of_known("pct_population_within") * of_known("population") / 100).sum())
    return {
        "rural_population": rural,
        "rural_beyond": beyond,
        "pct_rural_beyond": 100.0 * beyond / rural_known if rural_known else float("nan"),
        "rural_centres_beyond": float(report["rural_centres_beyond"].sum()),
        "pct_population_within": 100.0 * within / population if population else float("nan"),
        "areas_known": int(known.sum()),
        "areas": int(len(report)),
    }
