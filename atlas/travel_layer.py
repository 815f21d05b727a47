"""A Mapa-tab layer computed from the travel index: per area, the population-weighted median
modelled hours to the nearest unit of each service (central speeds; the speed range is in the
Brechas headline, not here: low/high would read as a confidence interval). Labelled modelled,
with its provenance like any other layer.

It lives in atlas/, not layers/, because its values come from analysis (a layer never
imports analysis). `Model` merges its metrics into `Model.metrics` and asks
`travel_values` for its values, computed once per metric and level on first use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.coverage import weighted_median_by_group
from layers.base import Layer, Metric, Provenance, text

PREFIX = "travel_hours_"
YEAR = "2023"  # the populated centres' population year; the network is as shipped
LEVELS = ("department", "region", "province", "district")
SERVICE_NAMES = {
    "upe": ("la UPE más cercana", "UPE"),
    "fistrap": ("la FISTRAP más cercana", "FISTRAP"),
    "pnp_trata": ("la unidad PNP de trata más cercana", "PNP trafficking unit"),
    "cem": ("el CEM más cercano", "CEM"),
    "sar": ("el SAR más cercano", "SAR"),
    "care": (
        "la capital de provincia con CARE más cercana",
        "province capital with a CARE",
    ),
}
SPEEDS = {
    "value": "central"
}  # low/high stay empty: on screen they read as a confidence interval


class TravelHoursLayer(Layer):
    id = "travel_hours"
    title = text("Tiempo de viaje modelado", "Modelled travel time")
    kind = "area"
    requires = ("boundaries", "centros_poblados", "population")
    provenance = Provenance(
        source=text(
            "Cobertura, modelo de tiempo de viaje (analysis/travel/METHOD.md): Red Vial Nacional "
            "(Travel Mapping; © OpenStreetMap contributors), ríos GSHHG 2.3.7 (WDB II), centros poblados INEI",
            "Cobertura travel-time model (analysis/travel/METHOD.md): Red Vial Nacional "
            "(Travel Mapping; © OpenStreetMap contributors), GSHHG 2.3.7 rivers (WDB II), INEI populated centres",
        ),
        year=YEAR,
        licence=text(
            "modelo GPL-3.0-or-later; ríos LGPL-3+; vías ODbL",
            "model GPL-3.0-or-later; rivers LGPL-3+; roads ODbL",
        ),
        url="https://travelmapping.net/",
        level=text(
            "centro poblado → mediana por área", "populated centre → median per area"
        ),
        caveats=text(
            "Modelado, no medido: velocidades de data/parametros_viaje.csv (centrales; rango con las altas y bajas).",
            "Modelled, not measured: speeds from data/parametros_viaje.csv (central; range with high and low).",
        ),
    )

    def __init__(self, services: tuple[str, ...]):
        self.metrics = tuple(
            Metric(
                id=PREFIX + service,
                title=text(
                    f"Horas de viaje a {SERVICE_NAMES[service][0]} (modelado)",
                    f"Hours of travel to the nearest {SERVICE_NAMES[service][1]} (modelled)",
                ),
                unit=text("horas (modelado)", "hours (modelled)"),
                decimals=1,
                years=(YEAR,),
                levels=LEVELS,
                colorscale="YlOrRd",
                note=text(
                    "mediana ponderada por población; tiempo de viaje modelado (velocidades centrales); "
                    "gris: sin dato o sin acceso modelado en 7 días",
                    "population-weighted median; modelled travel time (central speeds); "
                    "grey: no data or no modelled access within 7 days",
                ),
            )
            for service in services
            if service in SERVICE_NAMES
        )

    def load(
        self, ctx
    ):  # pragma: no cover - built from the travel index, never loaded from files
        raise NotImplementedError


def travel_layer(travel) -> TravelHoursLayer | None:
    """The layer for a loaded travel index (None without one)."""
    if travel is None:
        return None
    services = tuple(s for s in SERVICE_NAMES if ("central", s) in travel.hours)
    return TravelHoursLayer(services) if services else None


def travel_values(travel, metric_id: str, level: str) -> pd.DataFrame:
    """value (population-weighted median hours per area of `level`, central speeds; NaN: no
    people, or the median person has no modelled access), low / high empty, flag empty, by code."""
    service = metric_id.removeprefix(PREFIX)
    d = travel.coverage.demand
    codes, inverse = travel.coverage.groups[level]
    out = {"low": np.nan, "high": np.nan}
    for column, variant in SPEEDS.items():
        raw = travel.raw(service, variant)
        median = weighted_median_by_group(raw, d.weight, inverse, len(codes))
        out[column] = np.where(np.isfinite(median), median, np.nan)
    frame = pd.DataFrame(out, index=pd.Index(codes, name="code"))
    covered = travel.coverage.coverage_of(service)
    if covered is not None:  # outside the dataset's departments: sin dato, not a time
        frame.loc[~frame.index.str[:2].isin(covered), ["value", "low", "high"]] = np.nan
    frame["flag"] = (
        ""  # modelled, said in the title, unit and note (not the child-population estimate flag)
    )
    return frame
