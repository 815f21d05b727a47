"""Trafficking series imported from official files the user holds.

A planner who downloads the national MININTER "Base de datos trata de personas" or the
Ministerio Público "delitos" open data places the CSV in ``<data dir>/imports/`` (or in the
folder named by env ``COBERTURA_IMPORT_DIR``). At start this layer reads every file there
with `ingest.trafficking` and becomes an area layer like any other. The files are the
user's: they have no entry in ``data/manifest.csv`` and no sha256 check, and the provenance
says so ("importado por el usuario", file name and date).

`imported_values` is shared with the browser upload (callbacks/trata_upload.py), so a file
gives the same metrics whichever way it comes in. Counts under 5 are suppressed at every level.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.trafficking import FORMAT_MININTER, FORMAT_MPFN, TrataImport, import_trata

from .base import (
    FLAG_SUPPRESSED, LEVELS, JoinReport, Layer, LayerData, LoadContext, Metric, Provenance, Text, area_frame,
    text,
)
from .base import suppress_small
from .ubigeo import rollup_sum

IMPORT_SUFFIXES = (".csv", ".txt")
MAX_IMPORT_BYTES = 200 * 1024 * 1024


def import_dir(data) -> Path:
    """Where official files are imported from at start: the data directory's choice
    (`DataDir.import_dir`, from COBERTURA_IMPORT_DIR), else <data dir>/imports."""
    return Path(data.import_dir) if data.import_dir else Path(data.root) / "imports"


def user_provenance(files: list[tuple[str, str]]) -> Text:
    listed = "; ".join(f"{name}, {date}" for name, date in files)
    return text(
        f"Importado por el usuario: {listed}",
        f"Imported by the user: {listed}",
    )



def metric_definitions(prefix: str, source: str, years: tuple[str, ...]) -> tuple[Metric, ...]:
    """Metrics one imported file gives (ids start with `prefix`)."""
    if source == FORMAT_MININTER:
        note = text("Importado del archivo del usuario (MININTER, policía)", "Imported from the user's file (MININTER, police)")
        return (
            Metric(
                id=f"{prefix}pnp_denuncias",
                title=text("Denuncias policiales por trata (importado, MININTER)", "Police trafficking complaints (imported, MININTER)"),
                unit=text("denuncias", "complaints"),
                decimals=0,
                years=years,
                levels=("department", "region"),
                colorscale="Reds",
                is_count=True,
                note=note,
            ),
            Metric(
                id=f"{prefix}pnp_victimas_menores",
                title=text("Víctimas menores de 18 (importado, MININTER)", "Victims under 18 (imported, MININTER)"),
                unit=text("víctimas de 0 a 17 años", "victims aged 0–17"),
                decimals=0,
                years=years,
                levels=("department", "region"),
                colorscale="Reds",
                is_count=True,
                note=note,
            ),
            Metric(
                id=f"{prefix}pnp_menores_por_10000",
                title=text(
                    "Víctimas menores de 18 por 10 000 niñas, niños y adolescentes (importado)",
                    "Victims under 18 per 10,000 children (imported)",
                ),
                unit=text("por 10 000 de 0–17 años", "per 10,000 aged 0–17"),
                decimals=2,
                years=years,
                levels=("department", "region"),
                colorscale="Reds",
                note=text(
                    "Denominador: población de 0–17 años 2020 (MINSA/INEI)",
                    "Denominator: population aged 0–17 in 2020 (MINSA/INEI)",
                ),
            ),
        )
    return (
        Metric(
            id=f"{prefix}mp_denuncias",
            title=text(
                "Denuncias por trata ante el Ministerio Público (importado)",
                "Trafficking complaints to the Public Prosecutor (imported)",
            ),
            unit=text("denuncias", "complaints"),
            decimals=0,
            years=years,
            levels=LEVELS,
            colorscale="Reds",
            is_count=True,
            note=text(
                "Importado del archivo del usuario (arts. 153/153-A y 129-A/129-B); distrito = UBIGEO del archivo",
                "Imported from the user's file (arts. 153/153-A and 129-A/129-B); district = the file's UBIGEO",
            ),
        ),
    )


def _department_values(series: pd.DataFrame, column: str, codes: pd.Index, level: str, years: tuple[str, ...],
                       covered: set[str]) -> dict[str, pd.Series]:
    """Department (or region) values per year; 0 in a covered department with no row that year,
    NaN (sin dato) outside what the file covers; Lima halves sin dato at region level."""
    deps = series[series["level"] == "department"]
    out = {}
    dep_of = codes.str[:2]
    for year in years:
        by_dep = deps[deps["year"] == year].set_index("code")[column]
        values = pd.Series(by_dep.reindex(dep_of).to_numpy(dtype=float), index=codes)
        values[np.isin(dep_of, list(covered)) & values.isna()] = 0.0
        if column == "victims_under_18" and not deps[column].notna().any():
            values[:] = np.nan
        if level == "region":
            values[codes.str.startswith("15")] = np.nan
        out[year] = values
    return out


def imported_values(result: TrataImport, geo, children: pd.Series | None, prefix: str) -> tuple[tuple[Metric, ...], pd.DataFrame]:
    """Metrics and tidy AREA_COLUMNS values of one import.

    Parameters
    ----------
    result
        What `ingest.trafficking.import_trata` built.
    geo
        The Geography (area codes of each level).
    children
        Persons aged 0–17 per department code (denominator of the per-child rate), or None.
    prefix
        Start of the metric ids ("import_" for the data directory, "upload_" for the browser).
    """
    if not result.ok:
        return (), area_frame([])
    series = result.series
    years = tuple(result.years)
    metrics = metric_definitions(prefix, result.source, years)
    covered = set(series.loc[series["level"] == "department", "code"])
    rows = []

    def add(metric_id: str, level: str, year: str, values: pd.Series, flags: pd.Series) -> None:
        rows.append(
            pd.DataFrame(
                {
                    "metric": metric_id,
                    "level": level,
                    "code": values.index.astype(str),
                    "year": year,
                    "value": values.to_numpy(dtype=float),
                    "flag": flags.to_numpy(),
                }
            )
        )

    if result.source == FORMAT_MININTER:
        for level in ("department", "region"):
            codes = geo.areas[level].index
            complaints = _department_values(series, "denuncias", codes, level, years, covered)
            under_18 = _department_values(series, "victims_under_18", codes, level, years, covered)
            dep_children = None
            if children is not None:
                dep_children = pd.Series(children.reindex(codes.str[:2]).to_numpy(dtype=float), index=codes)
            for year in years:
                values, flags = suppress_small(complaints[year])
                add(f"{prefix}pnp_denuncias", level, year, values, flags)
                values, flags = suppress_small(under_18[year])
                add(f"{prefix}pnp_victimas_menores", level, year, values, flags)
                if dep_children is not None:
                    rate = 10_000.0 * under_18[year] / dep_children.where(dep_children > 0)
                    rate = rate.mask(flags == FLAG_SUPPRESSED)
                    add(f"{prefix}pnp_menores_por_10000", level, year, rate, flags)
                else:
                    add(f"{prefix}pnp_menores_por_10000", level, year, pd.Series(np.nan, index=codes), pd.Series("", index=codes))
    elif result.source == FORMAT_MPFN:
        metric_id = f"{prefix}mp_denuncias"
        for level in ("department", "region"):
            codes = geo.areas[level].index
            for year, values in _department_values(series, "denuncias", codes, level, years, covered).items():
                values, flags = suppress_small(values)
                add(metric_id, level, year, values, flags)
        districts = series[series["level"] == "district"]
        members = geo.districts.index
        for year in years:
            counts = districts[districts["year"] == year].set_index("code")["denuncias"]
            full = counts.reindex(members.union(counts.index)).astype(float)
            full[full.index.str[:2].isin(list(covered)) & full.isna()] = 0.0  # a covered district with no row
            for level in ("province", "district"):
                codes = geo.areas[level].index
                if level == "district":
                    values = full.reindex(codes)
                else:
                    values = rollup_sum(full, "province").set_index("code")["value"].reindex(codes)
                values, flags = suppress_small(values)
                add(metric_id, level, year, values, flags)
    return metrics, area_frame(rows)


def file_date(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d")


class TrataImportada(Layer):
    id = "trata_importada"
    kind = "area"
    requires = ("boundaries",)  # children (for rates) are used when that layer loaded
    user_files = True  # no manifest entry: the user's own files
    title = text("Trata: datos oficiales importados", "Trafficking: imported official data")
    provenance = Provenance(
        source=text(
            "Importado por el usuario (ningún archivo en la carpeta de importación)",
            "Imported by the user (no file in the import folder)",
        ),
        year="—",
        licence=text('Archivos del usuario (datos abiertos del Estado peruano); sin entrada en data/manifest.csv', "The user's files (Peruvian government open data); no entry in data/manifest.csv"),
        url="https://www.datosabiertos.gob.pe",
        level=text("departamento × año (Ministerio Público: también distrito)", "department × year (Public Prosecutor: also district)"),
        caveats=text(
            "Coloque el archivo nacional de MININTER «Base de datos trata de personas» o el de «Delitos» del "
            "Ministerio Público (CSV) en la carpeta imports/ del directorio de datos (o COBERTURA_IMPORT_DIR), o "
            "súbalo desde el mapa. Son archivos del usuario: no se verifican con sha256 ni figuran en el manifiesto. "
            "Conteos menores de 5 se muestran como «<5».",
            "Place the national MININTER \"Base de datos trata de personas\" file or the Public Prosecutor's "
            "\"Delitos\" file (CSV) in the imports/ folder of the data directory (or COBERTURA_IMPORT_DIR), or "
            "upload it from the map. They are the user's files: not checked with sha256 and not in the manifest. "
            "Counts under 5 show as \"<5\".",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        folder = import_dir(ctx.data)
        files = sorted(p for p in folder.glob("*") if p.is_file() and p.suffix.lower() in IMPORT_SUFFIXES) if folder.is_dir() else []
        children = None
        if "child_population" in ctx.loaded:
            from .child_population import children_by_department

            children = children_by_department(ctx.layer("child_population"))
        metrics: list[Metric] = []
        frames, joins, listed = [], [], []
        for path in files:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                joins.append(JoinReport(self.id, text(f"{path.name}: demasiado grande", f"{path.name}: too large"), 1, (path.name,)))
                continue
            result = import_trata(path.read_bytes(), path.name)
            listed.append((path.name, file_date(path)))
            problems = tuple(str(m) for m in result.messages)
            if result.more_messages:
                problems += (f"… +{result.more_messages}",)
            joins.append(
                JoinReport(
                    self.id,
                    text(f"{path.name}: filas con observaciones (filas leídas)", f"{path.name}: rows with remarks (rows read)"),
                    total=result.rows_read,
                    unmatched=problems,
                )
            )
            if not result.ok:
                continue
            file_metrics, frame = imported_values(result, ctx.geo, children, "import_")
            taken = {m.id for m in metrics}
            new = [m for m in file_metrics if m.id not in taken]
            merged = [m for m in file_metrics if m.id in taken]
            for m in merged:  # a second file of the same kind: add its years, never its repeats
                old = next(x for x in metrics if x.id == m.id)
                have = {(r.level, r.code, r.year) for r in pd.concat(frames).query("metric == @m.id").itertuples()}
                rows = frame[frame["metric"] == m.id]
                keep = [(lv, c, y) not in have for lv, c, y in zip(rows["level"], rows["code"], rows["year"])]
                frames.append(rows[keep])
                metrics[metrics.index(old)] = dataclasses.replace(old, years=tuple(sorted(set(old.years) | set(m.years))))
            metrics += new
            frames.append(frame[frame["metric"].isin([m.id for m in new])])
        frame = pd.concat(frames, ignore_index=True) if frames else area_frame([])
        return LayerData(
            frame=area_frame([frame]) if len(frame) else area_frame([]),
            joins=tuple(joins),
            extra={"metrics": tuple(metrics), "files": tuple(listed), "folder": str(folder)},
        )

    def bind(self, data: LayerData) -> "Layer":
        """A copy carrying the metrics and the file names this load found."""
        bound = copy.copy(self)
        bound.metrics = data.extra.get("metrics", ())
        files = list(data.extra.get("files", ()))
        if files:
            years = sorted({y for m in bound.metrics for y in m.years})
            bound.provenance = dataclasses.replace(
                self.provenance,
                source=user_provenance(files),
                year=f"{years[0]}–{years[-1]}" if years else "—",
            )
        return bound
