"""The MIMP Directorio de Servicios for all 25 departments: UPE, CEM and rural SAR services.

One national file feeds four layers (UPE in `layers.upe`, CEM and SAR here, CARE counts in
`layers.care`). It is checked when read: columns, 6-digit district codes that exist (or are
newer than the boundaries, e.g. 160405), coordinates inside Peru, and every located unit
against the polygon of the district it states, read with the source's own `calidad` flag
(`verificada`, `otro_distrito`, `referencial`). A unit more than `DISTRICT_TOLERANCE_KM`
outside its stated district is listed in Fuentes; if the source called it `verificada` its
precision is downgraded, never trusted silently.

The directory also lists shelters (every CAR type, HRT, CARPAM, CAN). Shelter locations are
confidential: the national file carries no coordinates for them, and those rows are dropped
by `read_directory`, so they never reach the rest of the app. CARE counts come from
`layers.care`, per province only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from .base import (
    JoinReport, Layer, LayerData, LoadContext, Provenance, point_frame, require_codes, require_columns, text,
)
from .datadir import DataFileError
from .ubigeo import normalize_code

PATH = "facilities/mimp_directorio_nacional.csv"
COLUMNS = ["id", "codigo", "tipo", "modalidad", "nombre", "ubigeo", "lat", "lon", "calidad"]
SHELTER_TYPES = ("CAR", "HRT", "CAN")  # any tipo starting with these is a shelter (CARPAM too)
DISTRICT_TOLERANCE_KM = 2.0  # display polygons are simplified by about 250 m
KNOWN_CALIDAD = ("verificada", "otro_distrito", "referencial", "centroide_distrito", "oculto")

MIMP_DIRECTORY = text(
    "MIMP, Directorio de Servicios (JSON generado 2026-09-10, vía Rodasluis/Distancia-al-centro-de-atencion)",
    "MIMP Service Directory (JSON generated 2026-09-10, via Rodasluis/Distancia-al-centro-de-atencion)",
)
MIMP_LICENCE = text(
    "Datos públicos del gobierno, atribuir a MIMP (sin archivo de licencia)",
    "Public government data, attribute MIMP (no licence file)",
)
MIMP_URL = "https://github.com/Rodasluis/Distancia-al-centro-de-atencion"

# the source's own coordinate check -> our location-precision keys
PRECISION = {
    "verificada": "exact",
    "otro_distrito": "other_district",
    "centroide_distrito": "district_centroid",
    "referencial": "approximate",
}


def precision_of(calidad: pd.Series) -> pd.Series:
    return calidad.str.strip().map(PRECISION).fillna("unknown")


def is_shelter(tipo: pd.Series) -> pd.Series:
    return tipo.fillna("").str.upper().str.startswith(SHELTER_TYPES)


def read_raw(ctx: LoadContext) -> pd.DataFrame:
    """The whole directory, shelters included, with codes checked. Only `layers.care` may
    use the shelter rows, and only their province."""
    df = pd.read_csv(ctx.data.path(PATH), dtype=str)
    require_columns(df, COLUMNS, PATH)
    df["ubigeo"] = normalize_code(df["ubigeo"])
    require_codes(df["ubigeo"], 6, PATH, "ubigeo")
    unknown_calidad = sorted(set(df["calidad"].fillna("")) - set(KNOWN_CALIDAD))
    if unknown_calidad:
        raise DataFileError(PATH, f"column calidad: unknown value(s) {unknown_calidad}")
    if ctx.geo is not None:
        provinces = set(ctx.geo.areas["province"].index)
        unknown = sorted(set(df["ubigeo"].str[:4]) - provinces)
        if unknown:
            raise DataFileError(PATH, f"column ubigeo: unknown province code(s) {unknown}")
    return df


def read_directory(ctx: LoadContext) -> pd.DataFrame:
    """Directory rows minus every shelter row."""
    df = read_raw(ctx)
    shelter = is_shelter(df["tipo"])
    located = df["lat"].notna() | df["lon"].notna()
    if (shelter & located).any():  # the public file withholds them; a copy that does not is refused
        raise DataFileError(PATH, f"{int((shelter & located).sum())} shelter row(s) carry coordinates")
    return df[~shelter].copy()


def km_outside_district(frame: pd.DataFrame, district_shapes) -> np.ndarray:
    """Great-circle-equivalent km from each unit to the polygon of its stated district
    (0 inside; NaN where the district has no polygon or the unit no coordinates).

    Distances are measured in a local equirectangular frame around each point (degrees of
    longitude scaled by cos(latitude), 111.2 km per degree): good to a few per cent at the
    small distances this check is about.
    """
    out = np.full(len(frame), np.nan)
    has = frame["lat"].notna().to_numpy() & frame["ubigeo"].isin(district_shapes.index).to_numpy()
    if not has.any():
        return out
    sub = frame[has]
    lat = sub["lat"].to_numpy(float)
    lon = sub["lon"].to_numpy(float)
    polygons = district_shapes.geometry.reindex(sub["ubigeo"]).to_numpy()
    points = shapely.points(lon, lat)
    inside = shapely.contains(polygons, points) | shapely.touches(polygons, points)
    km = np.zeros(len(sub))
    for i in np.flatnonzero(~inside):
        scale = np.cos(np.radians(lat[i]))
        nearest = shapely.shortest_line(points[i], polygons[i])
        (x0, y0), (x1, y1) = shapely.get_coordinates(nearest)
        km[i] = 111.195 * np.hypot((x1 - x0) * scale, y1 - y0)
    out[has] = km
    return out


def check_locations(frame: pd.DataFrame, raw: pd.DataFrame, ctx: LoadContext, layer_id: str) -> tuple[pd.DataFrame, JoinReport]:
    """Compare each unit with its stated district; downgrade `verificada` units found outside."""
    km = km_outside_district(frame, ctx.geo.shapes["district_exact"])
    calidad = raw["calidad"].fillna("").to_numpy()
    outside = np.nan_to_num(km, nan=0.0) > DISTRICT_TOLERANCE_KM
    contradicted = outside & (calidad == "verificada")
    frame = frame.copy()
    frame.loc[contradicted, "precision"] = "other_district"
    listed = [
        f"{name} ({code}, {flag}, {value:.0f} km)"
        for name, code, flag, value, out in zip(frame["name"], frame["ubigeo"], calidad, km, outside)
        if out
    ]
    report = JoinReport(
        layer_id,
        text(
            f"Unidades a más de {DISTRICT_TOLERANCE_KM:g} km del distrito que declaran (calidad de la fuente entre paréntesis)",
            f"Units more than {DISTRICT_TOLERANCE_KM:g} km outside the district they state (the source's quality flag in brackets)",
        ),
        total=int(frame["lat"].notna().sum()),
        unmatched=tuple(listed),
    )
    return frame, report


def directory_points(ctx: LoadContext, service: str, tipo: str) -> LayerData:
    """One service type of the directory as validated points, with its location report."""
    df = read_directory(ctx)
    df = df[df["tipo"] == tipo].reset_index(drop=True)
    frame = point_frame(
        pd.DataFrame(
            {
                "id": f"{service}:" + df["codigo"],
                "service": service,
                "name": df["nombre"],
                "ubigeo": df["ubigeo"],
                "ubigeo_dep": df["ubigeo"].str[:2],
                "lat": df["lat"],
                "lon": df["lon"],
                "precision": precision_of(df["calidad"].fillna("")),
                "status": "verified",
                "note": df["modalidad"].fillna(""),
            }
        ),
        PATH,
    )
    frame, report = check_locations(frame, df, ctx, service)
    return LayerData(frame=frame, source=df, joins=(report,))


def directory_provenance(level_es: str, level_en: str, caveat_es: str, caveat_en: str) -> Provenance:
    return Provenance(
        source=MIMP_DIRECTORY,
        year="2026",
        licence=MIMP_LICENCE,
        url=MIMP_URL,
        level=text(level_es, level_en),
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
    provenance = directory_provenance(
        "dirección (coordenadas); los 25 departamentos",
        "address (coordinates); all 25 departments",
        "439 CEM en los 25 departamentos, incluidos los CEM en comisarías. Algunas coordenadas caen "
        "en otro distrito (control de calidad de la fuente; se listan abajo).",
        "439 CEMs in all 25 departments, including CEMs in police stations. Some coordinates fall "
        "in another district (the source's own quality check; listed below).",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        return directory_points(ctx, self.id, "CEM")


class Sar(Layer):
    id = "sar"
    kind = "points"
    title = text(
        "SAR: Servicio de Atención Rural (incl. plataformas itinerantes)",
        "SAR: Rural Care Service (incl. mobile river platforms)",
    )
    short = text("SAR", "SAR")
    color = "#e65100"
    provenance = directory_provenance(
        "dirección (coordenadas); los 25 departamentos",
        "address (coordinates); all 25 departments",
        "68 SAR en los 25 departamentos. Las plataformas itinerantes (PIAS, fluviales y lacustres) "
        "recorren rutas: el punto es su base declarada, a veces lejos del distrito que declaran.",
        "68 SARs in all 25 departments. Mobile platforms (PIAS, river and lake) travel routes: the "
        "point is their declared base, sometimes far from the district they state.",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        return directory_points(ctx, self.id, "SAR")
