"""Seats of FISTRAPs and specialized PNP trafficking units: a table we author.

No open location dataset exists for either service. `data/fistrap_pnp_sedes.csv` lists one
row per seat with the page that supports it (URL, title, date, quote). Locations are the
seat city (its district capital), never an address. Status:

- ``verified``: a dated official or news page names the unit at that seat;
- ``weak``: undated, old or indirect mention, or seat inferred;
- ``claim``: a page says a unit exists in the department but names no seat; drawn at the
  department capital, hollow, and labelled so.
"""

from __future__ import annotations

import pandas as pd

from .base import Layer, LayerData, LoadContext, Provenance, point_frame, require_codes, require_columns, text
from .datadir import DataFileError, authored_path

TABLE = "fistrap_pnp_sedes.csv"
STATUSES = {"verified", "weak", "claim"}
SERVICES = {"fistrap", "pnp_trata"}
COLUMNS = [
    "service", "ubigeo_dep", "department", "seat_city", "seat_ubigeo", "status",
    "source_url", "source_title", "source_date", "quote", "note",
]


def read_seats() -> pd.DataFrame:
    """The authored table, validated: every row has a source URL and a quote."""
    path = authored_path(TABLE)
    label = f"data/{TABLE}"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(df, COLUMNS, label)
    unknown = set(df["service"]) - SERVICES
    if unknown:
        raise DataFileError(label, f"unknown service(s) {sorted(unknown)}")
    bad_status = set(df["status"]) - STATUSES
    if bad_status:
        raise DataFileError(label, f"unknown status(es) {sorted(bad_status)}")
    require_codes(df["ubigeo_dep"], 2, label, "ubigeo_dep")
    seated = df["status"] != "claim"
    require_codes(df.loc[seated, "seat_ubigeo"], 6, label, "seat_ubigeo")
    if (df.loc[seated, "seat_ubigeo"].str[:2] != df.loc[seated, "ubigeo_dep"]).any():
        raise DataFileError(label, "seat_ubigeo outside its department")
    uncited = (df["source_url"].str.strip() == "") | (df["quote"].str.strip() == "")
    if uncited.any():
        raise DataFileError(label, f"{int(uncited.sum())} row(s) without a source URL or quote")
    return df


def seat_points(service: str, ctx: LoadContext) -> pd.DataFrame:
    seats = read_seats()
    seats = seats[seats["service"] == service].reset_index(drop=True)
    geo = ctx.geo
    districts = geo.districts
    deps = geo.areas["department"]
    rows = []
    for i, row in seats.iterrows():
        if row["status"] == "claim":
            capital = deps.loc[row["ubigeo_dep"]]
            lat, lon, ubigeo, precision = capital["lat"], capital["lon"], "", "department_assumed"
            name = row["department"]
        else:
            if row["seat_ubigeo"] not in districts.index:
                raise DataFileError(f"data/{TABLE}", f"unknown seat_ubigeo {row['seat_ubigeo']}")
            d = districts.loc[row["seat_ubigeo"]]
            lat, lon, ubigeo, precision = d["capital_lat"], d["capital_lon"], row["seat_ubigeo"], "seat_city"
            name = row["seat_city"]
        rows.append(
            {
                "id": f"{service}:{row['ubigeo_dep']}:{row['seat_ubigeo'] or 'claim'}:{i}",
                "service": service,
                "name": name,
                "ubigeo": ubigeo,
                "ubigeo_dep": row["ubigeo_dep"],
                "lat": lat,
                "lon": lon,
                "precision": precision,
                "status": row["status"],
                "note": f"{row['source_title']} ({row['source_date']}) {row['source_url']}",
            }
        )
    return point_frame(pd.DataFrame(rows), f"data/{TABLE}"), seats


def _provenance(es: str, en: str, caveat_es: str, caveat_en: str) -> Provenance:
    return Provenance(
        source=text(es, en),
        year="2014–2025",
        licence=text('Tabla propia de Cobertura (GPL-3.0), hechos de páginas públicas citadas', "Cobertura's own table (GPL-3.0), facts from cited public pages"),
        url="data/fistrap_pnp_sedes.csv",
        level=text("ciudad sede", "seat city"),
        authored_files=(TABLE,),
        caveats=text(caveat_es, caveat_en),
    )


class Fistrap(Layer):
    id = "fistrap"
    kind = "points"
    title = text(
        "FISTRAP: fiscalías especializadas en trata de personas",
        "FISTRAP: prosecutors specialized in trafficking in persons",
    )
    short = text("FISTRAP", "FISTRAP")
    color = "#6a1b9a"
    size = 17
    provenance = _provenance(
        "Sedes compiladas de páginas públicas (Ministerio Público, prensa); una cita por fila",
        "Seats compiled from public pages (Ministerio Público, press); one citation per row",
        "Hay 14 FISTRAP (4 en Lima, datos 2024); se ubicaron 11 ciudades sede. Ubicación = "
        "ciudad sede, no dirección. Puno/Juliaca: fuentes discrepantes (ambas «débil»).",
        "There are 14 FISTRAPs (4 in Lima, 2024 data); 11 seat cities were located. "
        "Location = seat city, not an address. Puno/Juliaca: sources disagree (both 'weak').",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        frame, seats = seat_points("fistrap", ctx)
        return LayerData(frame=frame, source=seats)


class PnpTrata(Layer):
    id = "pnp_trata"
    kind = "points"
    title = text(
        "Unidades especializadas de la PNP contra la trata",
        "Specialized PNP anti-trafficking units",
    )
    short = text("PNP trata", "PNP trafficking")
    color = "#00695c"
    size = 12
    provenance = _provenance(
        "Sedes compiladas de páginas públicas (PNP, Ministerio Público, prensa); una cita por fila",
        "Seats compiled from public pages (PNP, Ministerio Público, press); one citation per row",
        "Según la evaluación de 2022, hay unidades en todos los departamentos salvo Amazonas; "
        "no existe lista pública. Donde solo hay esa afirmación («declarada»), el punto va en "
        "la capital del departamento y es hueco.",
        "Per the 2022 evaluation there are units in every department but Amazonas; no public "
        "list exists. Where only that claim exists ('claimed'), the point sits at the "
        "department capital and is hollow.",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        frame, seats = seat_points("pnp_trata", ctx)
        return LayerData(frame=frame, source=seats)
