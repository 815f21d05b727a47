"""INEI populated centres (94,922): where people live, for the coverage-gap figures.

No population per centre: `analysis.demand` spreads each district's 2023 rural (urban)
population evenly over its rural (urban) centres.
"""

from __future__ import annotations

import pandas as pd

from .base import Layer, LayerData, LoadContext, Provenance, require_codes, require_columns, require_range, text
from .datadir import DataFileError

PATH = "population/centros_poblados.rds"
EXPECTED = 94_922


class CentrosPoblados(Layer):
    id = "centros_poblados"
    kind = "demand"
    title = text("Centros poblados (INEI)", "Populated centres (INEI)")
    provenance = Provenance(
        source=text(
            "INEI, centros poblados (vía jmcastagnetto/ubigeo-peru-aumentado)",
            "INEI populated centres (via jmcastagnetto/ubigeo-peru-aumentado)",
        ),
        year="2017",
        licence="MIT",
        url="https://github.com/jmcastagnetto/ubigeo-peru-aumentado",
        level=text("centro poblado (coordenadas)", "populated centre (coordinates)"),
        files=(PATH,),
        caveats=text(
            "Sin población por centro poblado: la población rural (urbana) 2023 de cada distrito "
            "se reparte por igual entre sus centros rurales (urbanos). Es una aproximación.",
            "No population per centre: each district's 2023 rural (urban) population is spread "
            "evenly over its rural (urban) centres. This is an approximation.",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        import pyreadr  # only when the data is read (a warm start never does; 4 MB per worker)

        try:
            result = pyreadr.read_r(str(ctx.data.path(PATH)))
        except DataFileError:
            raise
        except Exception as err:
            raise DataFileError(PATH, f"cannot be read as an R data file ({err})") from err
        df = next(iter(result.values()))
        require_columns(df, ["inei_ccpp", "inei_distrito", "ccpp", "tipo", "latitude", "longitude"], PATH)
        df = pd.DataFrame(
            {
                "ccpp": df["inei_ccpp"].astype(str),
                "ubigeo": df["inei_distrito"].astype(str),
                "name": df["ccpp"].astype(str),
                "rural": (df["tipo"].astype(str) == "Rural").to_numpy(),
                "lat": df["latitude"].astype(float),
                "lon": df["longitude"].astype(float),
            }
        )
        require_codes(df["ubigeo"], 6, PATH, "inei_distrito")
        require_range(df["lat"], -18.6, 0.1, PATH, "latitude")
        require_range(df["lon"], -81.5, -68.5, PATH, "longitude")
        if len(df) != EXPECTED:
            raise DataFileError(PATH, f"expected {EXPECTED} populated centres, found {len(df)}")
        members = set(ctx.geo.districts.index)
        without = sorted(members - set(df["ubigeo"]))
        joins = (
            self.join_report(
                text("Distritos sin ningún centro poblado (se usa su centroide)",
                     "Districts with no populated centre (their centroid is used)"),
                len(members),
                without,
            ),
        )
        return LayerData(frame=df, joins=joins)
