"""Children and adolescents (0–17) by department, 2020: MINSA REUNIS (INEI estimates).

The source has single years of age 0–19 per department (row "00" is PERU). Below the
department there is no age table: a province or district value is an *estimate*, the area's
2023 population (the `population` layer) times its department's 2020 share of 0–17, flagged
"estimate" so that the UI says so wherever it appears. At the region level, Lima
Metropolitana and Lima Provincias are estimated the same way; every other region is its
department. These counts are the denominator of rates "per 10,000 children".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import (
    FLAG_ESTIMATE, LEVELS, Layer, LayerData, LoadContext, PERCENT_OF_POPULATION, Provenance, metric_family,
    area_frame, require_codes, require_columns, require_range, text,
)
from .datadir import DataFileError
from .ubigeo import normalize_code, rollup_sum

PATH = "population/minsa_poblacion_edad_departamento_2020.rds"
YEAR = "2020"
AGE_COLUMNS = [f"edad_{age}" for age in range(18)]
NATIONAL = "00"


def read_children(path) -> pd.DataFrame:
    """Department table: code (index, 2 digits), name, total, children (0–17), share (0–1)."""
    import pyreadr

    try:
        frames = pyreadr.read_r(str(path))
    except Exception as err:  # pyreadr raises its own errors for corrupt files
        raise DataFileError(PATH, f"cannot be read as R data ({err})") from err
    df = next(iter(frames.values()))
    require_columns(df, ["ubigeo", "departamento", "total", *AGE_COLUMNS], PATH)
    df = df.copy()
    df["ubigeo"] = normalize_code(df["ubigeo"], 2)
    require_codes(df["ubigeo"], 2, PATH, "ubigeo")
    for col in ["total", *AGE_COLUMNS]:
        require_range(df[col], 0, 40_000_000, PATH, col)
        if df[col].isna().any():
            raise DataFileError(PATH, f"column {col} has blank values")
    df["children"] = df[AGE_COLUMNS].sum(axis=1)
    table = pd.DataFrame(
        {
            "name": df["departamento"].astype(str).to_numpy(),
            "total": df["total"].astype(float).to_numpy(),
            "children": df["children"].astype(float).to_numpy(),
        },
        index=pd.Index(df["ubigeo"].astype(str).to_numpy(), name="code"),
    )
    if NATIONAL not in table.index:
        raise DataFileError(PATH, "no PERU row (ubigeo 00)")
    departments = table.drop(index=NATIONAL)
    if len(departments) != 25 or departments.index.duplicated().any():
        raise DataFileError(PATH, f"expected 25 departments, found {len(departments)}")
    for col in ("total", "children"):
        gap = abs(departments[col].sum() - table.loc[NATIONAL, col])
        if gap > 0.001 * table.loc[NATIONAL, col]:
            raise DataFileError(PATH, f"departments' {col} differ from PERU by {gap:,.0f}")
    if (departments["children"] > departments["total"]).any():
        raise DataFileError(PATH, "more children than people in a department")
    table["share"] = table["children"] / table["total"]
    return table


class ChildPopulation(Layer):
    id = "child_population"
    kind = "area"
    requires = ("boundaries", "population")
    title = text("Niñas, niños y adolescentes (0–17 años)", "Children and adolescents (aged 0–17)")
    provenance = Provenance(
        source=text(
            "MINSA, REUNIS: población por edad y departamento 2020 (estimaciones INEI)",
            "MINSA, REUNIS: population by age and department 2020 (INEI estimates)",
        ),
        year=YEAR,
        licence=text("MIT (transcripción jmcastagnetto/covid-19-peru-distribucion-poblacion-positivos-fallecidos)", "MIT (transcription jmcastagnetto/covid-19-peru-distribucion-poblacion-positivos-fallecidos)"),
        url="https://github.com/jmcastagnetto/covid-19-peru-distribucion-poblacion-positivos-fallecidos",
        level=text(
            "departamento (provincia y distrito: estimación)",
            "department (province and district: estimate)",
        ),
        files=(PATH,),
        caveats=text(
            "Suma de las edades simples 0 a 17. No existe una tabla abierta de edades por distrito: "
            "en provincias, distritos y en Lima Metropolitana / Lima Provincias el valor es una "
            "ESTIMACIÓN = población 2023 del área × proporción de 0–17 años de su departamento en "
            "2020, y se muestra como estimación. Es el denominador de las tasas «por 10 000 niñas, "
            "niños y adolescentes».",
            "Sum of single years of age 0 to 17. No open age table by district exists: for "
            "provinces, districts and Lima Metropolitana / Lima Provincias the value is an "
            "ESTIMATE = the area's 2023 population × its department's 2020 share aged 0–17, and "
            "is shown as an estimate. It is the denominator of rates \"per 10,000 children\".",
        ),
    )
    metrics = metric_family(
        dict(
            id="child_population",
            title=text("Niñas, niños y adolescentes (0–17)", "Children and adolescents (0–17)"),
            unit=text("personas de 0 a 17 años", "people aged 0–17"),
            decimals=0,
            levels=LEVELS,
            note=text(
                "Provincia y distrito: estimación (población 2023 × proporción departamental 0–17)",
                "Province and district: estimate (2023 population × department 0–17 share)",
            ),
        ),
        dict(id="child_share", title=text("Proporción de 0–17 años", "Share aged 0–17"), unit=PERCENT_OF_POPULATION,
             decimals=1, levels=("department",)),
        years=(YEAR,),
        colorscale="Blues",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        table = read_children(ctx.data.path(PATH))
        departments = table.drop(index=NATIONAL)
        geo = ctx.geo
        population = ctx.layer("population").source["total"]
        share_of_district = pd.Series(
            departments["share"].reindex(population.index.str[:2]).to_numpy(), index=population.index
        )
        estimated = population * share_of_district  # persons aged 0–17, estimate
        members = geo.districts.index.to_series()
        rows = []
        for level in LEVELS:
            codes = geo.areas[level].index
            if level == "department":
                values = departments["children"].reindex(codes)
                flags = pd.Series("", index=codes)
                rows.append(_rows("child_share", level, codes, 100.0 * departments["share"].reindex(codes), flags))
            elif level == "region":
                dep_of = codes.str[:2]
                values = pd.Series(departments["children"].reindex(dep_of).to_numpy(), index=codes)
                flags = pd.Series("", index=codes)
                lima = codes.str.startswith("15")
                by_region = rollup_sum(estimated, "region", members).set_index("code")["value"]
                values[lima] = by_region.reindex(codes[lima]).to_numpy()
                flags[lima] = FLAG_ESTIMATE
            else:
                summed = rollup_sum(estimated, level, members).set_index("code")["value"]
                values = summed.reindex(codes)
                flags = pd.Series(np.where(values.notna(), FLAG_ESTIMATE, ""), index=codes)
            rows.append(_rows("child_population", level, codes, values, flags))
        return LayerData(frame=area_frame(rows), source=table)


def _rows(metric: str, level: str, codes: pd.Index, values: pd.Series, flags: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric": metric,
            "level": level,
            "code": codes.astype(str),
            "year": YEAR,
            "value": values.to_numpy(dtype=float),
            "flag": flags.to_numpy(),
        }
    )


def children_by_department(data: LayerData) -> pd.Series:
    """Persons aged 0–17 per department code (2020), the denominator of per-child rates."""
    table = data.source
    return table.drop(index=NATIONAL)["children"]
