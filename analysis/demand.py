"""Where people live: populated centres weighted by their district's 2023 population.

INEI gives no population per populated centre. Each district's 2023 rural population is
spread evenly over its rural centres, and its urban population over its urban centres. A
district with no centre of a type (85 have no rural centre, 17 have none at all because they
are newer than the centre list) gets one point of that type at its centroid (a point inside
the polygon), so that nobody's population is dropped. This is an approximation and the UI
says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Demand:
    """Demand points (arrays of equal length).

    Attributes
    ----------
    lat, lon : degrees
    weight : persons (2023 population share of the point)
    rural : True for rural population
    ubigeo : district code (text)
    synthetic : True for a district-centroid point standing in for missing centres
    name : populated-centre name ("" for synthetic points)
    code : INEI populated-centre code ("" for synthetic points)
    """

    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray
    rural: np.ndarray
    ubigeo: np.ndarray
    synthetic: np.ndarray
    name: np.ndarray
    code: np.ndarray

    def __len__(self) -> int:
        return len(self.lat)

    @property
    def rural_population(self) -> float:
        return float(self.weight[self.rural].sum())


def build_demand(
    centres: pd.DataFrame, population: pd.DataFrame, centroids: pd.DataFrame
) -> Demand:
    """Spread district populations over populated centres.

    Parameters
    ----------
    centres
        Populated centres: columns ubigeo (district), rural (bool), lat, lon, name.
    population
        District population indexed by ubigeo: columns urban, rural (persons).
    centroids
        A point inside each district, indexed by ubigeo: columns lat, lon.

    Returns
    -------
    Demand, with the total weight equal to the total population of the districts in
    `population` (rural weights sum to the rural population).
    """
    frames = []
    for is_rural, column in ((True, "rural"), (False, "urban")):
        people = population[column].astype(float)
        points = centres[centres["rural"] == is_rural]
        points = points[points["ubigeo"].isin(people.index)]
        n = points.groupby("ubigeo").size()
        share = people.reindex(n.index) / n
        frames.append(
            pd.DataFrame(
                {
                    "lat": points["lat"].to_numpy(float),
                    "lon": points["lon"].to_numpy(float),
                    "weight": points["ubigeo"].map(share).to_numpy(float),
                    "rural": is_rural,
                    "ubigeo": points["ubigeo"].astype(str).to_numpy(),
                    "synthetic": False,
                    "name": points["name"].astype(str).to_numpy(),
                    "code": points["ccpp"].astype(str).to_numpy() if "ccpp" in points else "",
                }
            )
        )
        missing = people[(people > 0) & ~people.index.isin(n.index)]
        missing = missing[missing.index.isin(centroids.index)]
        if len(missing):
            frames.append(
                pd.DataFrame(
                    {
                        "lat": centroids.loc[missing.index, "lat"].to_numpy(float),
                        "lon": centroids.loc[missing.index, "lon"].to_numpy(float),
                        "weight": missing.to_numpy(float),
                        "rural": is_rural,
                        "ubigeo": missing.index.astype(str).to_numpy(),
                        "synthetic": True,
                        "name": "",
                        "code": "",
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    return Demand(
        lat=df["lat"].to_numpy(float),
        lon=df["lon"].to_numpy(float),
        weight=df["weight"].to_numpy(float),
        rural=df["rural"].to_numpy(bool),
        # texts as Python str (object arrays): a fixed width is 64 for every name (24 MB), and
        # the codes share one string per distinct value with the other tables in the start-up
        # snapshot (atlas/warm.py) where fixed-width copies took 5.8 MB
        ubigeo=df["ubigeo"].to_numpy(object),
        synthetic=df["synthetic"].to_numpy(bool),
        name=df["name"].to_numpy(object),
        code=df["code"].to_numpy(object),
    )
