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
