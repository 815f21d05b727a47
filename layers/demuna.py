"""DEMUNA registry (DGNNA/MIMP) for the five focus departments, joined to districts by name.

The registry has names only (district, province, department), no UBIGEO. Names are folded
(no accents, case or punctuation) and matched on all three; what does not match is
reported, not dropped silently. A DEMUNA is drawn at its district capital.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from .base import JoinReport, Layer, LayerData, LoadContext, Provenance, point_frame, require_columns, text
from .ubigeo import fold_name

PATH = "facilities/dgnna_demunas_5_departamentos.csv"
# the registry covers Lima, Cusco, Loreto, Puno and Madre de Dios only: elsewhere DEMUNA
# counts are unknown (s/d), never 0
REGISTRY_DEPARTMENTS = ("15", "08", "16", "21", "17")
FUZZY_CUTOFF = 0.8


def _bare(name: str) -> str:
    """Folded name without parenthesised parts or spaces: 'Manu (Villa Salvación)' -> 'MANU'."""
    return fold_name(re.sub(r"\(.*?\)", " ", str(name))).replace(" ", "")


def match_districts(registry: pd.DataFrame, districts: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """UBIGEO for each registry row matched by (department, province, district) names.

    Exact folded match first; then, within the same province, the name without
    parentheses or spaces, containment ('San Pedro de Laraos' ~ 'Laraos') or a close
    spelling (difflib ratio >= 0.8, 'Ccatcca' ~ 'Ccatca'). Approximate matches are listed.
    """
    by_province: dict[tuple[str, str], dict[str, str]] = {}
    for code, row in districts.iterrows():
        key = (fold_name(row["departamento"]), fold_name(row["provincia"]))
        by_province.setdefault(key, {})[_bare(row["distrito"])] = code
    result, approximate = [], []
    for row in registry.itertuples():
        names = by_province.get((fold_name(row.departamento), fold_name(row.provincia)), {})
        wanted = _bare(row.distrito)
        code = names.get(wanted)
        if code is None and names:
            contained = [n for n in names if n and (n in wanted or wanted in n)]
            close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=FUZZY_CUTOFF)
            found = contained[0] if len(contained) == 1 else (close[0] if close else None)
            if found is not None:
                code = names[found]
                approximate.append(f"{row.distrito} ({row.provincia}) -> {districts.loc[code, 'distrito']} {code}")
        if code is None and fold_name(row.distrito).startswith(fold_name(row.provincia)):
            code = names.get(_bare(row.provincia))  # 'Lima (MML)': the provincial municipality
            if code is not None:
                approximate.append(f"{row.distrito} ({row.provincia}) -> {districts.loc[code, 'distrito']} {code}")
        result.append(code)
    return pd.Series(result, index=registry.index, dtype="object"), approximate


class Demuna(Layer):
    id = "demuna"
    kind = "points"
    title = text(
        "DEMUNA: Defensorías Municipales de la Niña, Niño y Adolescente",
        "DEMUNA: Municipal Child and Adolescent Ombudsman Offices",
    )
    short = text("DEMUNA", "DEMUNA")
    color = "#455a64"
    size = 5
    coverage = REGISTRY_DEPARTMENTS
    provenance = Provenance(
        source=text(
            "DGNNA/MIMP, registro de DEMUNA (vía charlycampos/educadores-calle-system)",
            "DGNNA/MIMP DEMUNA registry (via charlycampos/educadores-calle-system)",
        ),
        year="s.f.",
        licence=text("Datos públicos del gobierno, atribuir a DGNNA/MIMP (sin archivo de licencia)", "Public government data, attribute DGNNA/MIMP (no licence file)"),
        url="https://github.com/charlycampos/educadores-calle-system",
        level=text("distrito (unido por nombre; punto en la capital)", "district (joined by name; point at capital)"),
        files=(PATH,),
        caveats=text(
            "Solo los 5 departamentos de enfoque. Sin UBIGEO en la fuente: unido por nombre. "
            "«Acreditada» según la DGNNA.",
            "Only the 5 focus departments. No UBIGEO in the source: joined by name. "
            "'Accredited' as recorded by DGNNA.",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        df = pd.read_csv(ctx.data.path(PATH), dtype=str)
        require_columns(df, ["codigo", "distrito", "provincia", "departamento", "acreditada"], PATH)
        districts = ctx.geo.districts
        ubigeos, approximate = match_districts(df, districts)
        df["ubigeo"] = ubigeos
        matched = df[df["ubigeo"].notna()].copy()
        unmatched = df[df["ubigeo"].isna()]
        d = districts.loc[matched["ubigeo"]]
        frame = point_frame(
            pd.DataFrame(
                {
                    "id": "demuna:" + matched["codigo"],
                    "service": self.id,
                    "name": "DEMUNA " + matched["distrito"],
                    "ubigeo": matched["ubigeo"],
                    "ubigeo_dep": matched["ubigeo"].str[:2],
                    "lat": d["capital_lat"].to_numpy(),
                    "lon": d["capital_lon"].to_numpy(),
                    "precision": "district_capital",
                    "status": "verified",
                    "note": matched["acreditada"].map({"1": "accredited", "0": "not_accredited"}).fillna(""),
                }
            ),
            PATH,
        )
        joins = (
            JoinReport(
                self.id,
                text("DEMUNA sin distrito coincidente por nombre", "DEMUNAs with no district matching by name"),
                total=len(df),
                unmatched=tuple(
                    f"{r.distrito} ({r.provincia}, {r.departamento})" for r in unmatched.itertuples()
                ),
            ),
            self.join_report(
                text("DEMUNA unidas por nombre aproximado (revisar)",
                     "DEMUNAs joined by approximate name (to review)"),
                len(df),
                approximate,
            ),
        )
        return LayerData(frame=frame, joins=joins)
