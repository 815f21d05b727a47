"""Every file the app hands out, in one registry: name -> builder, MIME type, file name.

Adding a download is one entry here; the download callbacks pick an entry by name and pass
what the view is made of (datasette's renderer registry is the model). No Dash: `send`
returns the dict that dash's `dcc.Download` reads (what `dcc.send_bytes`/`send_string` make).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from atlas.gaps import compute
from atlas.hours import gains_for, threshold_tag
from atlas.i18n import t
from ingest.registry import clean_records, errors_csv, template_csv, units_csv
from reports.brief import figure_png
from reports.brief_content import file_name, make_brief
from reports.compare import comparison_csv, comparison_pdf, comparison_xlsx
from reports.compare import file_name as comparison_name
from reports.gaps import (
    export_csv,
    export_name,
    export_xlsx,
    scenario_frame,
    scenario_xlsx,
)
from reports.tables import csv_text

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
PDF = "application/pdf"
BOM = "\ufeff"  # so that Excel opens the UTF-8 CSV with its accents
TEMPLATE_FILE = "cobertura-plantilla-servicios.csv"
MAP_SIZE = (1600, 1200)  # the map PNG, in pixels


@dataclass(frozen=True)
class Report:
    """`build(**view)` gives the contents (bytes or text), or (contents, locale key of a
    problem worth telling the user); `filename(**view)` the name offered to the browser."""

    build: Callable[..., object]
    mime: str
    filename: Callable[..., str]


def _gaps_view(model, gs, scenario):
    """The ranked table of the view, with the scenario's units counted in (km or hours)."""
    return compute(model, gs, scenario).view


def _named(es: str, en: str, extension: str) -> Callable[..., str]:
    """A file name of the view with its kind in the user's language."""
    return lambda gs, lang, **_: file_name(gs, es if lang == "es" else en, extension)


REPORTS: dict[str, Report] = {
    "gaps_csv": Report(
        build=lambda model, gs, scenario, lang, **_: export_csv(
            model, gs, _gaps_view(model, gs, scenario), lang
        ),
        mime=CSV,
        filename=lambda model, gs, **_: export_name(model, gs, "csv"),
    ),
    "gaps_xlsx": Report(
        build=lambda model, gs, scenario, lang, **_: export_xlsx(
            model, gs, _gaps_view(model, gs, scenario), lang, scenario
        ),
        mime=XLSX,
        filename=lambda model, gs, **_: export_name(model, gs, "xlsx"),
    ),
    "scenario_xlsx": Report(
        build=lambda model, gs, scenario, lang, **_: scenario_xlsx(
            model, gs, scenario, lang
        ),
        mime=XLSX,
        filename=lambda gs, **_: f"cobertura-escenario-{threshold_tag(gs)}.xlsx",
    ),
    "scenario_csv": Report(
        build=lambda model, gs, scenario, lang, **_: csv_text(
            scenario_frame(
                model, scenario, gains_for(model, gs, scenario.units), lang
            )
        ),
        mime=CSV,
        filename=lambda gs, **_: f"cobertura-escenario-{threshold_tag(gs)}.csv",
    ),
    # raises reports.brief.ExportError when no map can be drawn (the callback says so)
    "map_png": Report(
        build=lambda model, figure, lang, **_: figure_png(
            model, figure, *MAP_SIZE, lang=lang
        ),
        mime=PNG,
        filename=_named("mapa", "map", "png"),
    ),
    "brief_pdf": Report(
        build=lambda model, gs, scenario, lang, link, figure, progress=None, computed=None, **_: (
            make_brief(model, gs, scenario, lang, link, figure, progress, computed)
        ),
        mime=PDF,
        filename=_named("resumen", "brief", "pdf"),
    ),
    # the scenario comparison (issue 15): `rows` from atlas.compare.comparison
    "compare_csv": Report(
        build=lambda model, gs, rows, lang, **_: comparison_csv(model, gs, rows, lang),
        mime=CSV,
        filename=lambda gs, **_: comparison_name(gs, "csv"),
    ),
    "compare_xlsx": Report(
        build=lambda model, gs, rows, lang, **_: comparison_xlsx(model, gs, rows, lang),
        mime=XLSX,
        filename=lambda gs, **_: comparison_name(gs, "xlsx"),
    ),
    "compare_pdf": Report(
        build=lambda model, gs, chosen, rows, slots, lang, figures, **_: comparison_pdf(
            model, gs, chosen, rows, slots, lang, figures
        ),
        mime=PDF,
        filename=lambda gs, **_: comparison_name(gs, "pdf"),
    ),
    "registry_template": Report(
        build=lambda **_: BOM + template_csv(),
        mime=CSV,
        filename=lambda **_: TEMPLATE_FILE,
    ),
    "registry_problems": Report(
        build=lambda report, lang, **_: BOM + errors_csv(_error_rows(report), lang),
        mime=CSV,
        filename=lambda lang, **_: t(lang, "upload.errors_file"),
    ),
    "registry_units": Report(
        build=lambda stored, places, **_: (
            BOM + units_csv(clean_records(stored, places)[0])
        ),
        mime=CSV,
        filename=lambda lang, **_: t(lang, "user.export_file"),
    ),
}


def _error_rows(report: object) -> list[dict]:
    """The row problems kept in the upload report (it comes back from the browser)."""
    errors = (
        report.get("errors")
        if isinstance(report, dict) and isinstance(report.get("errors"), list)
        else []
    )
    return [e for e in errors if isinstance(e, dict)]


def send(name: str, **view) -> tuple[dict, str | None]:
    """The download of report `name` for `view`, and the locale key of a problem (or None)."""
    report = REPORTS[name]
    built = report.build(**view)
    content, problem = built if isinstance(built, tuple) else (built, None)
    filename = report.filename(**view)
    if isinstance(content, bytes):
        data = {
            "content": base64.b64encode(content).decode(),
            "filename": filename,
            "type": report.mime,
            "base64": True,
        }
    else:
        data = {
            "content": content,
            "filename": filename,
            "type": report.mime,
            "base64": False,
        }
    return data, problem
