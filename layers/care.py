"""Specialized residential care centres (CAR Especializado, incl. CAREs for trafficking victims).

Shelter locations are confidential in real life. This module reads the MIMP list and keeps
nothing finer than the province: the district code, the name and the coordinates are
dropped here, and the rest of the app only ever sees a count per province. The "proxy"
point used for distances is the province capital (public), not the shelter.
"""

from __future__ import annotations

import pandas as pd

from .base import COUNT_COLUMNS, Layer, LayerData, LoadContext, Provenance, require_codes, require_columns, text
from .datadir import DataFileError
from .upe import MIMP_DIRECTORY, MIMP_LICENCE, MIMP_URL
from .ubigeo import normalize_code

PATH = "facilities/mimp_car_especializado.csv"


class Care(Layer):
    id = "care"
    kind = "counts"
    title = text(
        "CAR especializados / CARE (conteo por provincia)",
        "Specialized shelters / CARE (count per province)",
    )
    short = text("CARE", "CARE")
    color = "#00838f"
    provenance = Provenance(
        source=MIMP_DIRECTORY,
        year="2026",
        licence=MIMP_LICENCE,
        url=MIMP_URL,
        level=text("provincia (ubicación reservada)", "province (location withheld)"),
        files=(PATH,),
        caveats=text(
            "Ubicación confidencial: solo se muestra el número por provincia. La lista MIMP "
            "tiene 13 «CAR especializados»; no todos atienden exclusivamente a víctimas de trata "
            "(el informe TIP 2021 contaba 7 refugios especializados para niñas).",
            "Confidential location: only the count per province is shown. The MIMP list has "
            "13 'specialized CARs'; not all serve trafficking victims exclusively (the 2021 TIP "
            "report counted 7 specialized shelters for girls).",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = pd.read_csv(ctx.data.path(PATH), dtype=str)
        require_columns(df, ["ubigeo"], PATH)
        province = normalize_code(df["ubigeo"]).str[:4]
        del df  # nothing finer than the province leaves this function
        require_codes(province, 4, PATH, "ubigeo")
        provinces = ctx.geo.areas["province"]
        unknown = sorted(set(province) - set(provinces.index))
        if unknown:
            raise DataFileError(PATH, f"unknown province code(s) {unknown}")
        counts = province.value_counts().sort_index()
        frame = pd.DataFrame(
            {
                "ubigeo_prov": counts.index.astype(str),
                "ubigeo_dep": counts.index.astype(str).str[:2],
                "count": counts.to_numpy(dtype=int),
                "proxy_lat": provinces.loc[counts.index, "lat"].to_numpy(),
                "proxy_lon": provinces.loc[counts.index, "lon"].to_numpy(),
            }
        )[COUNT_COLUMNS]
        return LayerData(frame=frame)
