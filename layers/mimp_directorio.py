"""MIMP services in the five focus departments: CEMs and rural SAR services.

The directory also lists shelters (CAR, CAR Especializado, Hogares de Refugio Temporal).
Shelter locations are confidential, so those rows are dropped here, at read time: they
never reach the rest of the app. CARE counts come from `layers.care`, per province only.
"""

from __future__ import annotations

import pandas as pd

from .base import Layer, LayerData, LoadContext, Provenance, point_frame, require_columns, text
from .upe import MIMP_DIRECTORY, MIMP_LICENCE, MIMP_URL, precision_of
from .ubigeo import normalize_code

PATH = "facilities/mimp_directorio_5_departamentos.csv"
FOCUS_DEPARTMENTS = ("15", "08", "16", "21", "17")
SHELTER_TYPES = ("CAR", "HRT")  # any tipo starting with these is a shelter


def read_directory(ctx: LoadContext) -> pd.DataFrame:
    """Directory rows minus every shelter row."""
    df = pd.read_csv(ctx.data.path(PATH), dtype=str)
    require_columns(df, ["id", "codigo", "tipo", "modalidad", "nombre", "ubigeo", "lat", "lon", "calidad"], PATH)
    shelter = df["tipo"].fillna("").str.upper().str.startswith(SHELTER_TYPES)
    df = df[~shelter].copy()
    df["ubigeo"] = normalize_code(df["ubigeo"])
    return df


def _service_points(ctx: LoadContext, service: str, tipo: str) -> pd.DataFrame:
    df = read_directory(ctx)
    df = df[df["tipo"] == tipo]
    modality = df["modalidad"].fillna("")
    return point_frame(
        pd.DataFrame(
            {
                "id": f"{service}:" + df["codigo"],
                "service": service,
                "name": df["nombre"],
                "ubigeo": df["ubigeo"],
                "ubigeo_dep": df["ubigeo"].str[:2],
                "lat": df["lat"],
                "lon": df["lon"],
                "precision": precision_of(df["calidad"]),
                "status": "verified",
                "note": modality,
            }
        ),
        PATH,
    )


def _provenance(caveat_es: str, caveat_en: str) -> Provenance:
    return Provenance(
        source=MIMP_DIRECTORY,
        year="2026",
        licence=MIMP_LICENCE,
        url=MIMP_URL,
        level=text("dirección (coordenadas); solo 5 departamentos", "address (coordinates); 5 departments only"),
        files=(PATH,),
        caveats=text(caveat_es, caveat_en),
    )


class Cem(Layer):
    id = "cem"
    kind = "points"
    title = text("CEM: Centros Emergencia Mujer", "CEM: Women's Emergency Centres")
    short = text("CEM", "CEM")
    color = "#c2185b"
    size = 7
    coverage = FOCUS_DEPARTMENTS
    provenance = _provenance(
        "Solo Lima, Cusco, Loreto, Puno y Madre de Dios. Incluye CEM en comisarías.",
        "Only Lima, Cusco, Loreto, Puno and Madre de Dios. Includes CEMs in police stations.",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        return LayerData(frame=_service_points(ctx, self.id, "CEM"))


class Sar(Layer):
    id = "sar"
    kind = "points"
    title = text(
        "SAR: Servicio de Atención Rural (incl. plataformas itinerantes)",
        "SAR: Rural Care Service (incl. mobile river platforms)",
    )
    short = text("SAR", "SAR")
    color = "#e65100"
    coverage = FOCUS_DEPARTMENTS
    provenance = _provenance(
        "Solo los 5 departamentos de enfoque. Las PIAS (plataformas fluviales y lacustres) "
        "recorren rutas: el punto es su base declarada.",
        "Only the 5 focus departments. PIAS (river and lake platforms) travel routes: the "
        "point is their declared base.",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        return LayerData(frame=_service_points(ctx, self.id, "SAR"))
