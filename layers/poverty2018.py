"""INEI Mapa de Pobreza Monetaria Provincial y Distrital 2018 (published 2020).

District values are the midpoint of the published 95% interval. Provinces, regions and
departments are population-weighted means of their districts (weights: the map's own
2020 population), with no interval: intervals of small-area estimates do not add up.
"""

from __future__ import annotations

import pandas as pd

from .base import (
    LEVELS, Layer, LayerData, LoadContext, Metric, Provenance, area_frame, require_codes, require_columns,
    require_range, text,
)
from .datadir import DataFileError
from .ubigeo import normalize_code, rollup_weighted_mean

PATH = "poverty/inei_pobreza_monetaria_2018_distrital.csv"


class Poverty2018(Layer):
    id = "poverty2018"
    kind = "area"
    title = text("Pobreza monetaria 2018", "Monetary poverty 2018")
    provenance = Provenance(
        source=text(
            "INEI, Mapa de Pobreza Monetaria Provincial y Distrital 2018 (publicado en 2020)",
            "INEI, Provincial and District Monetary Poverty Map 2018 (published 2020)",
        ),
        year="2018",
        licence=text("MIT (transcripción calderonsamuel/perupobreza2018)", "MIT (transcription calderonsamuel/perupobreza2018)"),
        url="https://github.com/calderonsamuel/perupobreza2018",
        level=text("distrito (intervalo de confianza al 95%)", "district (95% confidence interval)"),
        files=(PATH,),
        caveats=text(
            "Distrito: punto medio del intervalo al 95%. Provincia, región y departamento: "
            "promedio de los distritos ponderado por población 2020, sin intervalo. 17 "
            "distritos creados después del mapa no tienen dato.",
            "District: midpoint of the 95% interval. Province, region and department: "
            "district values weighted by 2020 population, no interval. 17 districts created "
            "after the map have no value.",
        ),
    )
    metrics = (
        Metric(
            id="poverty_2018",
            title=text("Pobreza monetaria (mapa distrital INEI)", "Monetary poverty (INEI district map)"),
            unit=text("% de la población", "% of population"),
            decimals=1,
            years=("2018",),
            levels=LEVELS,
            colorscale="OrRd",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = pd.read_csv(ctx.data.path(PATH), dtype=str)
        require_columns(
            df, ["ubigeo", "pob_2020", "conf_95_inf", "conf_95_sup", "pobreza_monetaria"], PATH
        )
        df["ubigeo"] = normalize_code(df["ubigeo"])
        require_codes(df["ubigeo"], 6, PATH, "ubigeo")
        if df["ubigeo"].duplicated().any():
            raise DataFileError(PATH, "duplicate ubigeo")
        source = pd.DataFrame(
            {
                "poverty": pd.to_numeric(df["pobreza_monetaria"], errors="coerce").to_numpy(),
                "low": pd.to_numeric(df["conf_95_inf"], errors="coerce").to_numpy(),
                "high": pd.to_numeric(df["conf_95_sup"], errors="coerce").to_numpy(),
                "pob_2020": pd.to_numeric(df["pob_2020"], errors="coerce").to_numpy(),
            },
            index=pd.Index(df["ubigeo"].astype(str).to_numpy(), name="ubigeo"),
        ).sort_index()
        for col in ("poverty", "low", "high"):
            require_range(source[col], 0, 100, PATH, col)
        inverted = source["low"] > source["high"]
        if inverted.any():
            raise DataFileError(PATH, f"{int(inverted.sum())} rows with conf_95_inf > conf_95_sup")

        members = ctx.geo.districts.index.to_series()
        rows = []
        district = source.reindex(members.index)
        rows.append(
            pd.DataFrame(
                {
                    "metric": "poverty_2018",
                    "level": "district",
                    "code": district.index,
                    "year": "2018",
                    "value": district["poverty"].to_numpy(),
                    "low": district["low"].to_numpy(),
                    "high": district["high"].to_numpy(),
                    "flag": "",
                }
            )
        )
        for level in LEVELS:
            if level == "district":
                continue
            agg = rollup_weighted_mean(source["poverty"], source["pob_2020"], level, members)
            agg["metric"], agg["level"], agg["year"] = "poverty_2018", level, "2018"
            rows.append(agg)
        absent = sorted(set(members.index) - set(source.index))
        joins = (
            self.join_report(
                text("Distritos del mapa sin dato en el Mapa de Pobreza 2018",
                     "Map districts missing from the 2018 Poverty Map"),
                len(members),
                absent,
            ),
        )
        return LayerData(frame=area_frame(rows), source=source, joins=joins)
