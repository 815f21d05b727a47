"""The one-page brief of a gaps view: it opens, holds the headline figures, in both languages."""

import io

import pytest
from pypdf import PdfReader

from reports.brief_content import headline_lines, make_brief, top_rows
from views.gaps import gap_figure
from views.gaps import GapState
from views.plan import Scenario
from atlas.plan import edit


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def scenario(model):
    scenario, _ = edit(model, Scenario(), "add", service="upe", place="160201")
    scenario, _ = edit(model, scenario, "costs", costs={"upe": 300000})
    return scenario


@pytest.mark.parametrize("lang", ["es", "en"])
def test_brief_holds_the_headline_figures_and_the_link(model, scenario, lang):
    gs = GapState(level="district", focus="16")
    headline, lines = headline_lines(model, gs, scenario, lang)
    link = "http://127.0.0.1:8050/?tab=gaps&glevel=district&gfocus=16&units=upe:160201"
    pdf, problem = make_brief(model, gs, scenario, lang, link)
    pages, text = pdf_text(pdf)
    flat = " ".join(text.split())
    assert pages == 1 and problem is None
    number = headline[0].split(" ")[0]  # e.g. "228 203" / "228,203"
    assert number.replace("\u00a0", " ") in flat.replace("\u00a0", " ")
    assert ("Loreto" in flat) and ("Yurimaguas" in flat)
    assert ("300 000" in flat.replace("\u00a0", " ")) or ("300,000" in flat)
    assert "tab=gaps" in flat
    assert ("Supuestos" if lang == "es" else "Assumptions") in flat


def test_top_rows_are_the_ten_largest_gaps(model):
    columns, rows = top_rows(model, GapState(level="province"), Scenario(), "en")
    assert len(rows) == 10 and columns[0] == "Rank"
    assert [r[0].split(" ")[0] for r in rows] == [str(i) for i in range(1, 11)]  # "1 (1–3)": with its range


@pytest.mark.browser
def test_brief_with_the_real_map(model, scenario):
    gs = GapState(level="province", focus="21")
    pdf, problem = make_brief(model, gs, scenario, "es", "http://x/", gap_figure(model, gs, scenario, "es"))
    pages, _ = pdf_text(pdf)
    assert problem is None and pages == 1
    assert len(pdf) > 100_000  # the map image is embedded


def test_pil_image_is_imported_with_the_app_not_inside_the_first_brief():
    """A brief job importing PIL.Image on its thread raced plotly's serializer on the request
    threads (a half-imported module: AttributeError, a 500 for a map callback)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    found = subprocess.run(
        [sys.executable, "-c", "import sys, app; print('PIL.Image' in sys.modules)"],
        cwd=root, capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert found.stdout.strip() == "True", found.stderr[-500:]
