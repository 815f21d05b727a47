"""Specialized residential care centres (CAR Especializado, incl. CAREs for trafficking victims).

Shelter locations are confidential in real life. This module reads the shelter rows of the
national MIMP directory (which carries no coordinates for them) and keeps nothing finer
than the province: the district code and the name are dropped here, and the rest of the
app only ever sees a count per province. The "proxy" point used for distances is the
province capital (public), not the shelter.

A CARE is a row of `tipo` "CAR Especializado" (12). The source's `modalidad` disagrees for a
few rows (a CAR Básico in Moquegua says "CAR Especializado", two specialized CARs say "CAR
Básico" or "CAR de Urgencia"); the type is what is counted, and the caveat says so.
"""

from __future__ import annotations

import pandas as pd

from .base import COUNT_COLUMNS, Layer, LayerData, LoadContext, text
from .datadir import DataFileError
from .mimp_directorio import PATH, directory_provenance, read_raw

CARE_TYPE = "CAR Especializado"


class Care(Layer):
    id = "care"
    kind = "counts"
    title = text(
        "CAR especializados / CARE (conteo por provincia)",
        "Specialized shelters / CARE (count per province)",
    )
    short = text("CARE", "CARE")
    color = "#00838f"
    provenance = directory_provenance(
        "provincia (ubicación reservada)",
        "province (location withheld)",
        "Ubicación confidencial: solo se muestra el número por provincia. El directorio MIMP "
        "tiene 12 centros de tipo «CAR Especializado» (un CAR Básico de Moquegua figura con "
        "modalidad especializada y no se cuenta); no todos atienden exclusivamente a víctimas "
        "de trata (el informe TIP 2021 contaba 7 refugios especializados para niñas).",
        "Confidential location: only the count per province is shown. The MIMP directory has "
        "12 centres of type 'CAR Especializado' (a CAR Básico in Moquegua listed with a "
        "specialized modality is not counted); not all serve trafficking victims exclusively "
        "(the 2021 TIP report counted 7 specialized shelters for girls).",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = read_raw(ctx)
        province = df.loc[df["tipo"] == CARE_TYPE, "ubigeo"].str[:4]
        del df  # nothing finer than the province leaves this function
        if province.empty:
            raise DataFileError(PATH, f"no row of type {CARE_TYPE}")
        provinces = ctx.geo.areas["province"]
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
