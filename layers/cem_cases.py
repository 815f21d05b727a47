"""Cases attended by the Centros Emergencia Mujer (CEM), by victim's department and year.

All ages (women and family members, not only children). Lima is Lima Metropolitana plus
Lima Provincias, so at the region level both halves of Lima are *sin dato*. Cells under 5
are suppressed upstream; any count under 5 that reaches us is shown as "<5" and never
coloured. Rows of "No especificado" department are counted in the caveat, not on the map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import (
    suppress_small, FLAG_SUPPRESSED, Layer, LayerData, LoadContext, Provenance, metric_family, area_frame,
    require_columns, text,
)
from .datadir import DataFileError
from .ubigeo import fold_name

PATH = "cases/cem_casos_departamento_2020_2025.csv"
YEARS = ("2020", "2021", "2022", "2023", "2024", "2025")
NOT_SPECIFIED = "NO ESPECIFICADO"



class CemCases(Layer):
    id = "cem_cases"
    kind = "area"
    requires = ("boundaries", "population")
    title = text("Casos atendidos por los CEM", "Cases attended by CEMs")
    provenance = Provenance(
        source=text(
            "MIMP, Programa Aurora: casos atendidos por los Centros Emergencia Mujer (datos abiertos)",
            "MIMP, Aurora Programme: cases attended by Women's Emergency Centres (open data)",
        ),
        year="2020–2025",
        licence=text("MIT (transcripción umalluq/violencia-cem-riesgo; datos abiertos MIMP)", "MIT (transcription umalluq/violencia-cem-riesgo; MIMP open data)"),
        url="https://github.com/umalluq/violencia-cem-riesgo",
        level=text("departamento", "department"),
        files=(PATH,),
        caveats=text(
            "Todas las edades (no solo niñas, niños y adolescentes). Lima = Lima Metropolitana "
            "+ Lima Provincias. Celdas menores de 5 suprimidas en origen. Tasa por 10 000 "
            "residentes con la población 2023 como denominador.",
            "All ages (not only children). Lima = Lima Metropolitana + Lima Provincias. Cells "
            "under 5 suppressed at source. Rate per 10,000 residents uses 2023 population.",
        ),
    )
    metrics = metric_family(
        dict(id="cem_cases", title=text("Casos CEM (todas las edades)", "CEM cases (all ages)"),
             unit=text("casos", "cases"), decimals=0, is_count=True),
        dict(id="cem_cases_per_10000", title=text("Casos CEM por 10 000 residentes", "CEM cases per 10,000 residents"),
             unit=text("por 10 000 residentes", "per 10,000 residents"), decimals=1),
        years=YEARS,
        levels=("department", "region"),
        colorscale="Reds",
        note=text("Todas las edades", "All ages"),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = pd.read_csv(ctx.data.path(PATH), dtype=str)
        require_columns(df, ["AÑO", "DEPARTAMENTO", "NIVEL_RIESGO", "Casos"], PATH)
        df["Casos"] = pd.to_numeric(df["Casos"], errors="coerce")
        if df["Casos"].isna().any() or (df["Casos"] < 0).any():
            raise DataFileError(PATH, "Casos must be non-negative whole numbers")
        geo = ctx.geo
        deps = geo.areas["department"]
        by_name = {fold_name(n): code for code, n in deps["name"].items()}
        df["folded"] = df["DEPARTAMENTO"].map(fold_name)
        unknown = sorted(set(df["folded"]) - set(by_name) - {NOT_SPECIFIED})
        df["code"] = df["folded"].map(by_name)
        totals = (
            df.dropna(subset=["code"]).groupby(["AÑO", "code"])["Casos"].sum().rename("cases")
        )
        population = ctx.layer("population").source["total"]
        dep_pop = population.groupby(population.index.str[:2]).sum()
        rows = []
        for level in ("department", "region"):
            codes = geo.areas[level].index
            dep_of = codes.str[:2]
            for year in YEARS:
                by_dep = totals.xs(year, level="AÑO") if year in totals.index.get_level_values(0) else pd.Series(dtype=float)
                cases = pd.Series(by_dep.reindex(dep_of).to_numpy(dtype=float), index=codes)
                rate = 10_000.0 * cases / pd.Series(dep_pop.reindex(dep_of).to_numpy(), index=codes)
                if level == "region":  # Lima is reported as a whole
                    lima = codes.str.startswith("15")
                    cases[lima] = np.nan
                    rate[lima] = np.nan
                cases, flags = suppress_small(cases)
                rate = rate.mask(flags == FLAG_SUPPRESSED)
                for metric, values in (("cem_cases", cases), ("cem_cases_per_10000", rate)):
                    rows.append(
                        pd.DataFrame(
                            {
                                "metric": metric,
                                "level": level,
                                "code": codes.astype(str),
                                "year": year,
                                "value": values.to_numpy(dtype=float),
                                "flag": flags.to_numpy(),
                            }
                        )
                    )
        not_specified = df[df["folded"] == NOT_SPECIFIED].groupby("AÑO")["Casos"].sum()
        source = totals.reset_index()
        joins = (
            self.join_report(
                text("Nombres de departamento sin correspondencia (fuera de «No especificado»)",
                     "Department names with no match (besides \"No especificado\")"),
                int(df["folded"].nunique()),
                unknown,
            ),
        )
        return LayerData(
            frame=area_frame(rows),
            source=source,
            joins=joins,
            extra={"not_specified": {str(k): int(v) for k, v in not_specified.items()}},
        )
