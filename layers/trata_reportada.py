"""Reported trafficking: figures quoted on public pages (`cases/trata_cifras_citadas.csv`).

No open department-by-year series of trafficking reports exists. What can be mapped honestly
are the Ministerio Público tables by *distrito fiscal* quoted for two cumulative periods
(2007–2014 and 2009–2014). A distrito fiscal is not a department: Lima Norte, Lima Sur,
Lima Este, Huaura and Cañete are parts of Lima; Sullana of Piura; Santa of Áncash. A
department's value is the sum of the distritos fiscales the table lists inside it; where a
table leaves out a distrito fiscal that another table shows for the department, the value is
a lower bound (≥); a department absent from a table is *sin dato*, never 0.

Rules the layer keeps:
- a cumulative period is a year key with an en dash ("2009–2014"), never a single year;
- police (PNP/MININTER) and prosecutor (Ministerio Público) figures are separate series and
  are never summed or mixed; the map shows only the prosecutor tables;
- every other quoted figure (e.g. Cusco and Puno 2020–2025) is kept, with its source page
  and period, for the area profile (`LayerData.source`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .base import (
    FLAG_LOWER_BOUND, FLAG_SUPPRESSED, JoinReport, Layer, LayerData, LoadContext, Metric, Provenance,
    area_frame, require_columns, text,
)
from .base import suppress_small
from .datadir import DataFileError

PATH = "cases/trata_cifras_citadas.csv"
EXTRA_PATH = "cases/cifras_departamentales_citadas.csv"
EN_DASH = "\u2013"
MAP_INDICATOR = "casos_fiscales"
MIN_DEPARTMENTS_FOR_MAP = 10  # a table by distrito fiscal, not a handful of quotes
METRIC_ID = "trata_mp_cumulative"

SERIES_PROSECUTOR = "prosecutor"
SERIES_POLICE = "police"
SERIES_LEGAL_AID = "legal_aid"
SERIES_CEM = "cem"
SERIES_UNSPECIFIED = "unspecified"

PERCENT_INDICATORS = ("share_denuncias_pct", "share_casos_fiscales_pct")
# cifras_departamentales_citadas.csv indicators -> the vocabulary of trata_cifras_citadas.csv
EXTRA_INDICATORS = {
    "tip_denuncias_MP_2009_2014": "casos_fiscales",
    "tip_denuncias_PNP": "denuncias",
    "tip_denuncias_PNP_H1": "denuncias",
    "tip_victims_MP": "victimas",
    "tip_denuncias_RETA": "denuncias",
    "cem_attentions_jan_may": "cem_atenciones",
    "cem_cases_minors_share": "cem_casos_menores",
}

FIGURE_COLUMNS = [
    "ubigeo_dep", "series", "indicator", "period", "year_from", "year_to", "value", "percent",
    "source_org", "url", "note", "file",
]


def period_key(year_from: object, year_to: object) -> str:
    """'2021' for one year, '2009–2014' (en dash) for a cumulative period, '' if unknown."""
    a, b = _year(year_from), _year(year_to)
    if not a and not b:
        return ""
    if not a or not b or a == b:
        return a or b
    return f"{a}{EN_DASH}{b}"


def _year(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text_value = str(value).strip()
    return text_value if re.fullmatch(r"\d{4}", text_value) else ""


def series_of(source_org: str) -> str:
    """Which registry a figure comes from, read from its cited organisation."""
    org = str(source_org or "")
    if re.search(r"Ministerio P[uú]blico|Fiscal|public ministry|prosecut|FISTRAP", org, re.I):
        return SERIES_PROSECUTOR
    if re.search(r"PNP|MININTER|police|polic|RETA|DIRCTPTIM", org, re.I):
        return SERIES_POLICE
    if re.search(r"MINJUS|Defensa P[uú]blica", org, re.I):
        return SERIES_LEGAL_AID
    if re.search(r"MIMP|Aurora|CEM", org):
        return SERIES_CEM
    return SERIES_UNSPECIFIED


def prosecution_district(note: str, department: str) -> str:
    """The distrito fiscal a row of a table by distrito fiscal refers to (from its note)."""
    match = re.search(r"distrito fiscal ([A-ZÑ][A-ZÑ ]*?)(?: \(|;|,|$)", str(note or ""))
    return match.group(1).strip() if match else department


def read_figures(ctx: LoadContext) -> pd.DataFrame:
    """Every quoted trafficking figure, with its series and period (FIGURE_COLUMNS)."""
    df = pd.read_csv(ctx.data.path(PATH), dtype=str, keep_default_na=False)
    require_columns(
        df, ["indicator", "department", "ubigeo_dep", "year_from", "year_to", "value", "source_org", "source_url", "note"], PATH
    )
    values = pd.to_numeric(df["value"], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise DataFileError(PATH, "value must be a non-negative number in every row")
    codes = df["ubigeo_dep"].str.strip()
    if not codes.str.fullmatch(r"\d{2}").all():
        raise DataFileError(PATH, "ubigeo_dep must be 2-digit codes")
    figures = pd.DataFrame(
        {
            "ubigeo_dep": codes,
            "series": df["source_org"].map(series_of),
            "indicator": df["indicator"].str.strip(),
            "period": [period_key(a, b) for a, b in zip(df["year_from"], df["year_to"])],
            "year_from": df["year_from"].map(_year),
            "year_to": df["year_to"].map(_year),
            "value": values.astype(float),
            "source_org": df["source_org"],
            "url": df["source_url"],
            "note": df["note"],
            "file": PATH,
            "prosecution_district": [prosecution_district(n, d) for n, d in zip(df["note"], df["department"])],
        }
    )
    figures["percent"] = figures["indicator"].isin(PERCENT_INDICATORS)
    figures = pd.concat([figures, _extra_figures(ctx, figures)], ignore_index=True)
    return figures


def _extra_figures(ctx: LoadContext, known: pd.DataFrame) -> pd.DataFrame:
    """Trafficking and CEM figures of cifras_departamentales_citadas.csv not already quoted."""
    df = pd.read_csv(ctx.data.path(EXTRA_PATH), dtype=str, keep_default_na=False)
    require_columns(df, ["layer", "indicator", "ubigeo_dep", "year", "value", "source_org", "cited_in_url", "note"], EXTRA_PATH)
    df = df[df["layer"].isin(["tip", "cem"]) & df["indicator"].isin(list(EXTRA_INDICATORS))].copy()
    if df.empty:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    years = df["year"].str.split("-", n=1, expand=True).reindex(columns=[0, 1])
    year_from = years[0].map(_year)
    year_to = years[1].fillna(years[0]).map(_year)
    out = pd.DataFrame(
        {
            "ubigeo_dep": df["ubigeo_dep"].str.strip(),
            "series": df["source_org"].map(series_of),
            "indicator": df["indicator"].map(EXTRA_INDICATORS),
            "period": [period_key(a, b) for a, b in zip(year_from, year_to)],
            "year_from": year_from.to_numpy(),
            "year_to": year_to.to_numpy(),
            "value": pd.to_numeric(df["value"], errors="coerce").to_numpy(),
            "percent": False,
            "source_org": df["source_org"].to_numpy(),
            "url": df["cited_in_url"].to_numpy(),
            "note": (df["unit"].where(df["unit"].str.contains(r"\(", regex=True), "") + " " + df["note"]).str.strip().to_numpy()
            if "unit" in df
            else df["note"].to_numpy(),
            "file": EXTRA_PATH,
            "prosecution_district": "",
        }
    )
    out = out[out["value"].notna() & out["ubigeo_dep"].str.fullmatch(r"\d{2}")]
    seen = set(zip(known["ubigeo_dep"], known["period"], known["value"]))
    return out[[key not in seen for key in zip(out["ubigeo_dep"], out["period"], out["value"])]]


def map_tables(figures: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Prosecutor tables by distrito fiscal worth a map: period -> department rows."""
    rows = figures[
        (figures["indicator"] == MAP_INDICATOR)
        & (figures["series"] == SERIES_PROSECUTOR)
        & (figures["ubigeo_dep"] != "00")
        & (figures["file"] == PATH)
        & (figures["year_from"] != "")
    ]
    tables: dict[str, pd.DataFrame] = {}
    for (period, _url), table in rows.groupby(["period", "url"]):
        if table["ubigeo_dep"].nunique() < MIN_DEPARTMENTS_FOR_MAP:
            continue
        if period in tables and len(tables[period]) >= len(table):
            continue
        tables[period] = table
    return dict(sorted(tables.items(), key=lambda kv: (kv[0].split(EN_DASH)[-1], kv[0])))


class TrataReportada(Layer):
    id = "trata_reportada"
    kind = "area"
    title = text("Trata reportada (cifras citadas)", "Reported trafficking (quoted figures)")
    provenance = Provenance(
        source=text(
            "Ministerio Público (Observatorio de Criminalidad, fiscalías especializadas), PNP/MININTER e INEI: "
            "cifras de trata citadas en páginas públicas, una URL por cifra",
            "Public Prosecutor's Office (Crime Observatory, specialised prosecutors), PNP/MININTER and INEI: "
            "trafficking figures quoted on public pages, one URL per figure",
        ),
        year=f"2007{EN_DASH}2014 · 2010{EN_DASH}2025",
        licence=text('Cifras públicas citadas (hechos); ver la URL de cada cifra', "Cited public figures (facts); see each figure's URL"),
        url="https://rpp.pe/lima/actualidad/mas-de-2200-denuncias-por-trata-se-reportaron-en-los-ultimos-6-anos-noticia-833302",
        level=text("distrito fiscal, sumado por departamento", "distrito fiscal (prosecution district), summed by department"),
        files=(PATH, EXTRA_PATH),
        caveats=text(
            "Acumulados de varios años (2007–2014, 2009–2014), nunca cifras anuales. Un distrito fiscal no es "
            "un departamento: Lima Norte, Lima Sur, Lima Este, Huaura y Cañete son parte de Lima; Sullana, de "
            "Piura; Santa, de Áncash. El valor de un departamento suma sus distritos fiscales; «≥» cuando la "
            "tabla omite alguno. Las series policiales (PNP/MININTER) y fiscales (Ministerio Público) no se "
            "suman ni se mezclan. No existe una serie abierta de denuncias de trata por departamento y año.",
            "Totals over several years (2007–2014, 2009–2014), never annual figures. A distrito fiscal is not a "
            "department: Lima Norte, Lima Sur, Lima Este, Huaura and Cañete are parts of Lima; Sullana of Piura; "
            "Santa of Áncash. A department's value adds its distritos fiscales; \"≥\" where the table leaves one "
            "out. Police (PNP/MININTER) and prosecutor (Ministerio Público) series are never summed or mixed. No "
            "open series of trafficking reports by department and year exists.",
        ),
    )
    metrics = (
        Metric(
            id=METRIC_ID,
            title=text(
                "Denuncias por trata ante el Ministerio Público (acumulado)",
                "Trafficking complaints to the Public Prosecutor (period total)",
            ),
            unit=text("denuncias en el periodo", "complaints in the period"),
            decimals=0,
            years=(f"2007{EN_DASH}2014", f"2009{EN_DASH}2014"),
            levels=("department", "region"),
            colorscale="Reds",
            is_count=True,
            note=text(
                "Acumulado del periodo, por distrito fiscal; no es una cifra anual",
                "Total over the period, by distrito fiscal; not an annual figure",
            ),
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        figures = read_figures(ctx)
        tables = map_tables(figures)
        expected = set(self.metrics[0].years)
        if set(tables) != expected:
            raise DataFileError(PATH, f"expected prosecutor tables for {sorted(expected)}, found {sorted(tables)}")
        # the distritos fiscales each department is known to have, over all tables
        known = pd.concat(tables.values()).groupby("ubigeo_dep")["prosecution_district"].agg(set)
        geo = ctx.geo
        rows, joins = [], []
        for period, table in tables.items():
            by_dep = table.groupby("ubigeo_dep")["value"].sum()
            listed = table.groupby("ubigeo_dep")["prosecution_district"].agg(set)
            short = [dep for dep in listed.index if known[dep] - listed[dep]]
            for level in ("department", "region"):
                codes = geo.areas[level].index
                dep_of = codes.str[:2]
                values = pd.Series(by_dep.reindex(dep_of).to_numpy(dtype=float), index=codes)
                flags = pd.Series(np.where(np.isin(dep_of, short), FLAG_LOWER_BOUND, ""), index=codes, dtype=object)
                if level == "region":  # distritos fiscales do not follow the Lima split
                    lima = codes.str.startswith("15")
                    values[lima] = np.nan
                    flags[lima] = ""
                values, small = suppress_small(values)
                flags = flags.where(small != FLAG_SUPPRESSED, FLAG_SUPPRESSED)
                rows.append(
                    pd.DataFrame(
                        {
                            "metric": METRIC_ID,
                            "level": level,
                            "code": codes.astype(str),
                            "year": period,
                            "value": values.to_numpy(dtype=float),
                            "flag": flags.to_numpy(),
                        }
                    )
                )
            national = figures[
                (figures["indicator"] == MAP_INDICATOR) & (figures["ubigeo_dep"] == "00") & (figures["period"] == period)
            ]["value"]
            missing_deps = sorted(set(geo.areas["department"].index) - set(by_dep.index))
            unattributed = f"{int(national.iloc[0] - by_dep.sum())}" if len(national) else "?"
            joins.append(
                JoinReport(
                    self.id,
                    text(
                        f"{period}: departamentos sin dato (no figuran en la tabla); denuncias del total nacional "
                        f"no atribuidas a un distrito fiscal listado: {unattributed}",
                        f"{period}: departments with no figure (absent from the table); complaints of the national "
                        f"total not attributed to a listed distrito fiscal: {unattributed}",
                    ),
                    total=len(geo.areas["department"]),
                    unmatched=tuple(f"{geo.name('department', d)} ({d})" for d in missing_deps),
                )
            )
        return LayerData(frame=area_frame(rows), source=figures, joins=tuple(joins), extra={"tables": tables})
