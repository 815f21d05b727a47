"""Public places where a hypothetical unit can sit: district capitals and populated centres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .demand import Demand
from .scenario import Candidates, Unit

CAPITALS = "capitals"
CENTRES = "centres"
CANDIDATE_KINDS = (CAPITALS, CENTRES)
CENTRE_PREFIX = "c"


@dataclass(frozen=True)
class Places:
    """Location codes -> coordinates and names.

    capitals: indexed by district UBIGEO (the unit sits at the district capital);
    centres: indexed by INEI populated-centre code, with `population`, the centre's share of
    its district's 2023 population (an estimate: spread evenly over centres). A centre's place
    code is "c" + its INEI code; the table keeps the bare code, the same strings as the demand
    and the catalog (95,000 prefixed copies took 5 MB in every worker).
    """

    capitals: pd.DataFrame
    centres: pd.DataFrame

    def resolve(self, place: str) -> tuple[float, float, str, str] | None:
        """(lat, lon, name, district ubigeo) of a place code, or None if unknown."""
        if not isinstance(place, str):
            return None
        if place.startswith(CENTRE_PREFIX):
            table, key = self.centres, place[len(CENTRE_PREFIX) :]
        else:
            table, key = self.capitals, place
        if key not in table.index:
            return None
        row = table.loc[key]
        return float(row["lat"]), float(row["lon"]), str(row["name"]), str(row["ubigeo"])

    def unit(self, service: str, place: str, origin: str = "manual") -> Unit | None:
        found = self.resolve(place)
        if found is None:
            return None
        lat, lon, name, _ = found
        return Unit(service, place, lat, lon, name, origin)

    def candidates(self, kind: str = CAPITALS, min_population: float = 0.0) -> Candidates:
        if kind == CENTRES:
            table = self.centres[self.centres["population"] >= min_population]
            place = np.char.add(CENTRE_PREFIX, table.index.to_numpy(str))
        else:
            table = self.capitals
            place = table.index.to_numpy(str)
        return Candidates(
            place=place,
            lat=table["lat"].to_numpy(float),
            lon=table["lon"].to_numpy(float),
            name=table["name"].to_numpy(str),
            department=table["ubigeo"].str[:2].to_numpy(str),
        )


def build_places(districts: pd.DataFrame, demand: Demand) -> Places:
    """Places from the boundaries' district table (capital coordinates) and the demand."""
    capitals = pd.DataFrame(
        {
            "lat": districts["capital_lat"].to_numpy(float),
            "lon": districts["capital_lon"].to_numpy(float),
            "name": [
                f"{cap} ({dist}, {dep})"
                for cap, dist, dep in zip(districts["capital_name"], districts["distrito"], districts["departamento"])
            ],
            "ubigeo": districts.index.astype(str),
        },
        index=pd.Index(districts.index.astype(str), name="place"),
    )
    real = ~demand.synthetic
    centres = pd.DataFrame(
        {
            "lat": demand.lat[real],
            "lon": demand.lon[real],
            "name": demand.name[real],
            "ubigeo": demand.ubigeo[real],
            "population": demand.weight[real],
        },
        index=pd.Index(demand.code[real], dtype="str", name="code"),
    )
    centres = centres[~centres.index.duplicated()]
    dep_names = districts.drop_duplicates("ubigeo_dep").set_index("ubigeo_dep")["departamento"].to_dict()
    centres["name"] = [
        f"{n.title()} ({dep_names.get(u[:2], '')})" for n, u in zip(centres["name"], centres["ubigeo"])
    ]
    return Places(capitals=capitals, centres=centres)
