"""MIMP Unidades de Protección Especial (UPE): all 26, with address-level coordinates."""

from __future__ import annotations

import pandas as pd

from .base import Layer, LayerData, LoadContext, Provenance, point_frame, require_columns, text
from .datadir import DataFileError
from .ubigeo import normalize_code

PATH = "facilities/mimp_upe.csv"
EXPECTED = 26

# the source's own coordinate check -> our location-precision keys
PRECISION = {
    "verificada": "exact",
    "otro_distrito": "other_district",
    "centroide_distrito": "district_centroid",
}

MIMP_DIRECTORY = text(
    "MIMP, Directorio de Servicios (JSON generado 2026-09-10, vía Rodasluis/Distancia-al-centro-de-atencion)",
    "MIMP Service Directory (JSON generated 2026-09-10, via Rodasluis/Distancia-al-centro-de-atencion)",
)
MIMP_LICENCE = text("Datos públicos del gobierno, atribuir a MIMP (sin archivo de licencia)", "Public government data, attribute MIMP (no licence file)")
MIMP_URL = "https://github.com/Rodasluis/Distancia-al-centro-de-atencion"


def precision_of(calidad: pd.Series) -> pd.Series:
    return calidad.str.strip().map(PRECISION).fillna("unknown")


class Upe(Layer):
    id = "upe"
    kind = "points"
    title = text("UPE: Unidades de Protección Especial (MIMP)", "UPE: Special Protection Units (MIMP)")
    short = text("UPE", "UPE")
    color = "#1f4e9c"
    size = 8
    provenance = Provenance(
        source=MIMP_DIRECTORY,
        year="2026",
        licence=MIMP_LICENCE,
        url=MIMP_URL,
        level=text("dirección (coordenadas)", "address (coordinates)"),
        files=(PATH,),
        caveats=text(
            "26 UPE; ninguna en Pasco; Lima tiene 3 y Callao 1. La UPE de Huánuco tiene "
            "coordenadas que caen en otro distrito (control de calidad de la fuente).",
            "26 UPEs; none in Pasco; Lima has 3, Callao 1. The Huánuco UPE's coordinates fall "
            "in another district (the source's own quality check).",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = pd.read_csv(ctx.data.path(PATH), dtype=str)
        require_columns(df, ["codigo", "nombre", "ubigeo", "lat", "lon", "calidad"], PATH)
        df["ubigeo"] = normalize_code(df["ubigeo"])
        frame = point_frame(
            pd.DataFrame(
                {
                    "id": "upe:" + df["codigo"],
                    "service": self.id,
                    "name": df["nombre"],
                    "ubigeo": df["ubigeo"],
                    "ubigeo_dep": df["ubigeo"].str[:2],
                    "lat": df["lat"],
                    "lon": df["lon"],
                    "precision": precision_of(df["calidad"]),
                    "status": "verified",
                    "note": "",
                }
            ),
            PATH,
        )
        if len(frame) != EXPECTED:
            raise DataFileError(PATH, f"expected {EXPECTED} UPEs, found {len(frame)}")
        return LayerData(frame=frame)
