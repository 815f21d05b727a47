"""Property-based tests (hypothesis) of the upload validator on random and hostile files:
it never raises, every problem names its row and column in both languages, every accepted
unit is a real point in its district, and no formula survives into an export."""

from __future__ import annotations

import csv
import io
import math
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.districts import DistrictIndex
from ingest import registry as ur
from ingest.text import CONTROL_CHARS, FORMULA_LEADERS, safe_cell

PLAIN_NUMBER = re.compile(r"[+-]?\d{1,20}(\.\d{1,20})?", re.ASCII)

FORMULAS = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"clic\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "=1"]
HOSTILE = FORMULAS + [
    "x" * 400, "x" * 5000, "\x00\x01", "<script>alert(1)</script>", "Ñandú Pĩ", "🙂", '"', "a,b", "a;b", "\n", "#", "",
    "CARE", "car especializado", "999999", "1e308", "nan", "-inf",
]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def places(geo) -> DistrictIndex:
    return DistrictIndex(geo)


def text_cells():
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.builds(lambda lead, rest: lead + rest, st.sampled_from(["=", "+", "-", "@", "\t", "\r"]), st.text(max_size=20)),
    )


def coordinates(low: float, high: float):
    return st.one_of(
        st.floats(low, high).map(lambda x: f"{x:.5f}"),
        st.sampled_from(["90", "-90", "180", "-180", "0", "90.0000001", "1e308", "nan", "inf", "", "abc", "-12,05"]),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


DISTRICTS = ["080101", "160101", "150101", "211201", "170101", "081207", "160301", "150132", "010101", "250101"]


def nonblank_text():
    return text_cells().filter(lambda c: c.strip() and len(c) <= 200)


def valid_rows():
    """Rows that should pass (with hostile but acceptable names and sources)."""
    return st.fixed_dictionaries(
        {
            "type": st.sampled_from(list(ur.POINT_TYPES) + ["PNP", "Demuna", "UPE"]),
            "name": nonblank_text(),
            "ubigeo": st.sampled_from(DISTRICTS),
            "coords": st.one_of(st.none(), st.tuples(st.just("capital"), st.floats(-0.004, 0.004), st.floats(-0.004, 0.004))),
            "status": st.sampled_from(["verificada", "weak", "declarada", "", "VERIFIED", "evidencia_debil"]),
            "source": nonblank_text(),
        }
    )


def hostile_rows():
    return st.fixed_dictionaries(
        {
            "type": st.one_of(st.sampled_from(list(ur.POINT_TYPES) + ["pnp", "CAR", "care", "xyz"]), text_cells()),
            "name": text_cells(),
            "ubigeo": st.one_of(st.sampled_from(DISTRICTS + ["80101", "999999", "", "1501"]), text_cells()),
            "coords": st.one_of(st.none(), st.tuples(coordinates(-18.5, 0.2), coordinates(-81.5, -68.5))),
            "status": st.one_of(st.sampled_from(["verificada", "weak", "declarada", "", "?"]), text_cells()),
            "source": text_cells(),
        }
    )


def one_field_spoiled():
    """A valid row with one field replaced by something hostile."""
    return st.tuples(valid_rows(), hostile_rows(), st.sampled_from(["type", "name", "ubigeo", "coords", "status", "source"])).map(
        lambda t: {**t[0], t[2]: t[1][t[2]]}
    )


def rows():
    return st.lists(st.one_of(valid_rows(), one_field_spoiled(), hostile_rows()), min_size=1, max_size=25)


def materialise(rows_: list[dict], places) -> list[tuple]:
    table = []
    for row in rows_:
        lat = lon = ""
        coords = row["coords"]
        if coords and coords[0] == "capital":
            code = row["ubigeo"] if row["ubigeo"] in places.capital else "080101"
            base = places.capital[code]
            lat, lon = f"{base[0] + coords[1]:.6f}", f"{base[1] + coords[2]:.6f}"
        elif coords:
            lat, lon = coords
        table.append((row["type"], row["name"], row["ubigeo"], lat, lon, row["status"], row["source"]))
    return table


def encode(table: list[tuple], encoding: str, delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["tipo", "nombre", "ubigeo", "lat", "lon", "estado", "fuente"])
    writer.writerows(table)
    return out.getvalue().encode(encoding, errors="replace")


def assert_sound(result, places):
    for error in result.errors:
        assert error.row is None or (isinstance(error.row, int) and error.row >= 2)
        assert isinstance(error.column, str) and len(error.column) <= ur.ECHO_CHARS
        assert error.problem["es"] and error.problem["en"]
        assert len(error.problem["es"]) < 600
    if result.refused:
        assert result.records == []
    for record in result.records:
        assert record["service"] in ur.POINT_TYPES
        assert math.isfinite(record["lat"]) and math.isfinite(record["lon"])
        assert ur.in_peru_box(record["lat"], record["lon"])
        assert places.km_outside(record["ubigeo"], record["lat"], record["lon"]) <= ur.TOLERANCE_KM + 0.01
        for key in ("name", "source"):
            assert record[key] and not starts_like_formula(record[key])
    assert ur.clean_records(result.records, places) == ([{k: r[k] for k in ur.RECORD_KEYS} for r in result.records], 0)


def starts_like_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_LEADERS) and not PLAIN_NUMBER.fullmatch(cell)  # numbers are numbers


def assert_export_safe(text: str):
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not starts_like_formula(cell), cell


@SETTINGS
@given(table=rows(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), delimiter=st.sampled_from([",", ";", "\t"]))
def test_random_and_hostile_csv_files_never_break_the_validator(places, table, encoding, delimiter):
    result = ur.validate_upload(encode(materialise(table, places), encoding, delimiter), places)
    assert_sound(result, places)
    assert_export_safe(ur.units_csv(result.records))
    for lang in ("es", "en"):
        assert_export_safe(ur.errors_csv(result.summary()["errors"], lang))


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_random_bytes_are_refused_or_reported_never_raised(places, data):
    result = ur.validate_upload(data, places)
    assert_sound(result, places)
    assert result.refused or result.n_errors or result.records or result.n_rows == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=rows())
def test_hostile_xlsx_files_never_break_the_validator(places, table):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["tipo", "nombre", "ubigeo", "lat", "lon", "estado", "fuente"])
    for row in materialise(table, places):
        # openpyxl refuses control characters in cells; a spreadsheet cannot hold them either
        sheet.append([CONTROL_CHARS.sub("", c) for c in row])
    out = io.BytesIO()
    book.save(out)
    result = ur.validate_upload(out.getvalue(), places)
    assert result.file_format == "XLSX"
    assert_sound(result, places)
    assert_export_safe(ur.units_csv(result.records))


@SETTINGS
@given(lat=st.floats(allow_nan=True, allow_infinity=True), lon=st.floats(allow_nan=True, allow_infinity=True))
def test_any_coordinates_are_accepted_only_inside_peru(places, lat, lon):
    data = f"tipo,nombre,lat,lon,fuente\nupe,UPE,{lat!r},{lon!r},MIMP\n".encode()
    result = ur.validate_upload(data, places)
    assert_sound(result, places)
    if result.records:
        assert ur.in_peru_box(lat, lon)
    elif not (math.isfinite(lat) and math.isfinite(lon)):
        assert result.n_errors


@SETTINGS
@given(cell=st.text(max_size=40))
def test_safe_cell_is_idempotent_and_never_leaves_a_formula(cell):
    safe = safe_cell(cell)
    assert safe_cell(safe) == safe
    assert not starts_like_formula(safe)
    assert not CONTROL_CHARS.search(safe)
