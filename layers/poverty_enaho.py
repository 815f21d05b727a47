"""Department monetary poverty 2023 and 2024 (INEI ENAHO), as quoted on public pages.

Only departments whose figure was found on a public page have a value; the others are
*sin dato*, never zero. Each value carries the page that quotes it.
"""

from __future__ import annotations

import pandas as pd

from .base import Layer, LayerData, LoadContext, Metric, Provenance, area_frame, require_columns, require_range, text
from .ubigeo import LIMA_METRO_REGION

PATH = "cases/cifras_departamentales_citadas.csv"
YEARS = ("2023", "2024")


class PovertyEnaho(Layer):
    id = "poverty_enaho"
    kind = "area"
    title = text("Pobreza monetaria ENAHO 2023–2024", "Monetary poverty ENAHO 2023–2024")
    provenance = Provenance(
        source=text(
            "INEI, ENAHO, cifras departamentales citadas en páginas públicas (una URL por cifra)",
            "INEI, ENAHO, department figures quoted on public pages (one URL per figure)",
        ),
        year="2023–2024",
        licence=text('Cifras públicas citadas (hechos); ver la URL de cada cifra', "Cited public figures (facts); see each figure's URL"),
        url="https://www.inei.gob.pe",
        level=text("departamento (Lima Metropolitana aparte)", "department (Lima Metropolitana apart)"),
        files=(PATH,),
        caveats=text(
            "Parcial: solo los departamentos cuya cifra se encontró citada; el resto figura "
            "como «sin dato». Lima Metropolitana 2024 se refiere a la provincia de Lima.",
            "Partial: only departments whose figure was found quoted; the rest show as "
            "\"sin dato\". Lima Metropolitana 2024 refers to the province of Lima.",
        ),
    )
    metrics = (
        Metric(
            id="poverty_enaho",
            title=text("Pobreza monetaria (ENAHO)", "Monetary poverty (ENAHO)"),
            unit=text("% de la población", "% of population"),
            decimals=1,
            years=YEARS,
            levels=("department", "region"),
            colorscale="OrRd",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = pd.read_csv(ctx.data.path(PATH), dtype=str)
        require_columns(df, ["layer", "indicator", "ubigeo_dep", "year", "value", "cited_in_url"], PATH)
        df = df[(df["indicator"] == "monetary_poverty_rate") & df["year"].isin(YEARS)].copy()
        df["value"] = pd.to_numeric(df["value"], errors="coerce")
        require_range(df["value"], 0, 100, PATH, "value")
        df["code"] = df["ubigeo_dep"].str.strip()
        national = df[df["code"] == "00"]
        lima_metro = df[df["code"] == "1501*"]
        deps = df[df["code"].str.fullmatch(r"\d{2}") & (df["code"] != "00")]
        source = deps[["code", "year", "value", "cited_in_url", "source_org", "note"]].copy()

        geo = ctx.geo
        rows = []
        for level in ("department", "region"):
            codes = geo.areas[level].index
            for year in YEARS:
                by_dep = deps[deps["year"] == year].drop_duplicates("code").set_index("code")["value"]
                if level == "department":
                    values = by_dep.reindex(codes)
                else:
                    dep_of = pd.Series(codes.str[:2], index=codes)
                    values = pd.Series(by_dep.reindex(dep_of).to_numpy(), index=codes)
                    # Lima's department value covers neither region alone
                    values.loc[values.index.str.startswith("15")] = float("nan")
                    metro = lima_metro[lima_metro["year"] == year]["value"]
                    if len(metro):
                        values.loc[LIMA_METRO_REGION] = float(metro.iloc[0])
                rows.append(
                    pd.DataFrame(
                        {
                            "metric": "poverty_enaho",
                            "level": level,
                            "code": values.index.astype(str),
                            "year": year,
                            "value": values.to_numpy(dtype=float),
                        }
                    )
                )
        source = pd.concat(
            [source, lima_metro.assign(code=LIMA_METRO_REGION)[source.columns], national[source.columns]],
            ignore_index=True,
        )
        return LayerData(frame=area_frame(rows), source=source)
