"""People born abroad and born in Venezuela: INEI Censos Nacionales 2025, by district.

A district absent from the table has no one born abroad (0, a real zero). The Venezuela
column is a lower bound: it is counted only where Venezuela is among the district's six
main countries of birth, so a blank there is *sin dato*, and every sum that includes such
a blank is flagged as a lower bound. Rates use the 2023 population estimate as the
denominator (the 2025 census population by district is not in the data directory).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import (
    FLAG_LOWER_BOUND, LEVELS, Layer, LayerData, LoadContext, Metric, Provenance, area_frame, require_codes,
    require_columns, require_range, text,
)
from .datadir import DataFileError
from .ubigeo import area_code, normalize_code

DISTRICT_PATH = "migration/censo2025_nacidos_extranjero_distrito.csv"
DEPARTMENT_PATH = "migration/censo2025_nacidos_extranjero_departamento.csv"
YEAR = "2025"


def _metric(metric_id: str, es: str, en: str, unit_es: str, unit_en: str, decimals: int) -> Metric:
    return Metric(
        id=metric_id,
        title=text(es, en),
        unit=text(unit_es, unit_en),
        decimals=decimals,
        years=(YEAR,),
        levels=LEVELS,
        colorscale="Purples",
    )


class Migration(Layer):
    id = "migration"
    kind = "area"
    requires = ("boundaries", "population")
    title = text("Población nacida en el extranjero 2025", "People born abroad 2025")
    provenance = Provenance(
        source=text("INEI, Censos Nacionales 2025", "INEI, 2025 National Censuses"),
        year=YEAR,
        licence=text("MIT (transcripción DiegoDelgadoD/Crime-and-Migration)", "MIT (transcription DiegoDelgadoD/Crime-and-Migration)"),
        url="https://github.com/DiegoDelgadoD/Crime-and-Migration",
        level=text("distrito", "district"),
        files=(DISTRICT_PATH, DEPARTMENT_PATH),
        caveats=text(
            "Distrito ausente = 0 nacidos en el extranjero. Venezuela es un mínimo: solo se "
            "cuenta donde figura entre los 6 países principales del distrito. Tasas por 1 000 "
            "residentes con la población estimada 2023 como denominador.",
            "A district absent from the table = 0 born abroad. Venezuela is a lower bound: "
            "counted only where it is among the district's 6 main countries. Rates per 1,000 "
            "residents use the 2023 population estimate as the denominator.",
        ),
    )
    metrics = (
        _metric("foreign_born", "Nacidos en el extranjero", "Born abroad", "personas", "people", 0),
        _metric(
            "foreign_born_per_1000",
            "Nacidos en el extranjero por 1 000 residentes",
            "Born abroad per 1,000 residents",
            "por 1 000 residentes",
            "per 1,000 residents",
            1,
        ),
        _metric("venezuela_born", "Nacidos en Venezuela", "Born in Venezuela", "personas", "people", 0),
        _metric(
            "venezuela_per_1000",
            "Nacidos en Venezuela por 1 000 residentes",
            "Born in Venezuela per 1,000 residents",
            "por 1 000 residentes",
            "per 1,000 residents",
            1,
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = pd.read_csv(ctx.data.path(DISTRICT_PATH), dtype=str)
        require_columns(df, ["ubigeo", "foreign_born_total", "venezuela_born"], DISTRICT_PATH)
        df["ubigeo"] = normalize_code(df["ubigeo"])
        require_codes(df["ubigeo"], 6, DISTRICT_PATH, "ubigeo")
        if df["ubigeo"].duplicated().any():
            raise DataFileError(DISTRICT_PATH, "duplicate ubigeo")
        source = pd.DataFrame(
            {
                "foreign_born": pd.to_numeric(df["foreign_born_total"], errors="coerce").to_numpy(),
                "venezuela_born": pd.to_numeric(df["venezuela_born"], errors="coerce").to_numpy(),
            },
            index=pd.Index(df["ubigeo"].astype(str).to_numpy(), name="ubigeo"),
        )
        if source["foreign_born"].isna().any():
            raise DataFileError(DISTRICT_PATH, "foreign_born_total has blank values")
        require_range(source["foreign_born"], 0, 5_000_000, DISTRICT_PATH, "foreign_born_total")
        too_many = source["venezuela_born"] > source["foreign_born"]
        if too_many.any():
            raise DataFileError(DISTRICT_PATH, "venezuela_born exceeds foreign_born_total")
        self._check_departments(ctx, source)

        members = ctx.geo.districts.index
        # absent districts: 0 born abroad, 0 born in Venezuela (a real zero)
        full = source.reindex(members.union(source.index))
        absent = ~full.index.isin(source.index)
        full.loc[absent, ["foreign_born", "venezuela_born"]] = 0.0
        population = ctx.layer("population").source["total"]

        rows = []
        for level in LEVELS:
            codes = area_code(pd.Series(full.index, dtype="string"), level).to_numpy()
            frame = full.assign(code=codes)
            if level == "district":
                frame = frame.loc[frame.index.isin(members)]
            grouped = frame.groupby("code")
            foreign = grouped["foreign_born"].sum()
            venezuela = grouped["venezuela_born"].sum(min_count=1)
            unknown = grouped["venezuela_born"].apply(lambda s: bool(s.isna().any()))
            if level == "district":
                venezuela = venezuela.where(~unknown)  # a blank district is sin dato
                vz_flag = pd.Series("", index=venezuela.index)
            else:
                vz_flag = pd.Series(np.where(unknown, FLAG_LOWER_BOUND, ""), index=venezuela.index)
            pop_codes = area_code(pd.Series(population.index, dtype="string"), level).to_numpy()
            pop = population.groupby(pop_codes).sum().reindex(foreign.index)
            per = 1000.0 / pop.where(pop > 0)
            for metric, values, flag in (
                ("foreign_born", foreign, ""),
                ("foreign_born_per_1000", foreign * per, ""),
                ("venezuela_born", venezuela, vz_flag),
                ("venezuela_per_1000", venezuela * per, vz_flag),
            ):
                rows.append(
                    pd.DataFrame(
                        {
                            "metric": metric,
                            "level": level,
                            "code": values.index.astype(str),
                            "year": YEAR,
                            "value": values.to_numpy(dtype=float),
                            "flag": flag if isinstance(flag, str) else flag.reindex(values.index).to_numpy(),
                        }
                    )
                )
        no_polygon = sorted(set(source.index) - set(members))
        joins = (
            self.join_report(
                text("Distritos del censo 2025 sin polígono en el mapa (cuentan en su provincia)",
                     "2025 census districts with no polygon on the map (counted in their province)"),
                len(source),
                no_polygon,
            ),
        )
        return LayerData(frame=area_frame(rows), source=source, joins=joins)

    @staticmethod
    def _check_departments(ctx: LoadContext, source: pd.DataFrame) -> None:
        dep = pd.read_csv(ctx.data.path(DEPARTMENT_PATH), dtype=str)
        require_columns(dep, ["ubigeo_dep", "foreign_born_total"], DEPARTMENT_PATH)
        dep["ubigeo_dep"] = normalize_code(dep["ubigeo_dep"], 2)
        totals = pd.to_numeric(dep["foreign_born_total"], errors="coerce")
        expected = pd.Series(totals.to_numpy(), index=dep["ubigeo_dep"].astype(str))
        sums = source["foreign_born"].groupby(source.index.str[:2]).sum()
        diff = (sums.reindex(expected.index) - expected).abs()
        if (diff > 0).any():
            raise DataFileError(
                DEPARTMENT_PATH,
                f"department totals differ from district sums for {', '.join(diff[diff > 0].index)}",
            )
