"""The upload validator on hand-made files: every problem is listed per row, in both
languages; valid rows come back as point records; nothing hostile survives into exports."""

from __future__ import annotations

import base64
import csv
import io
import math
import zipfile

import openpyxl
import pytest

from ingest import registry as ur
from analysis.districts import DistrictIndex
from ingest.registry import validate_upload
from ingest.text import safe_cell, safe_text

HEADER = "tipo,nombre,ubigeo,lat,lon,estado,fuente\n"


@pytest.fixture(scope="module")
def places(geo) -> DistrictIndex:
    return DistrictIndex(geo)


def problems(result) -> list[tuple]:
    return [(e.row, e.column, e.problem["es"]) for e in result.errors]


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "\n".join(rows) + "\n").encode(encoding)


def east_of(places: DistrictIndex, code: str, km: float) -> tuple[float, float]:
    """A point `km` due east of the district's easternmost vertex (so `km` from the district)."""
    polygon = places.polygons[places.position[code]]
    coords = [c for p in getattr(polygon, "geoms", [polygon]) for c in p.exterior.coords]
    lon, lat = max(coords)
    return lat, lon + km / (111.32 * math.cos(math.radians(lat)))


# ------------------------------------------------------------------- good files


def test_valid_rows_come_back_as_point_records(places):
    result = validate_upload(
        csv_bytes(
            "demuna,DEMUNA Iquitos,160101,,,verificada,Ordenanza 2025",
            "cem,CEM Nauta,,-4.5083,-73.5833,declarada,Nota de prensa",
            "pnp,Depincri Cusco,080101,-13.52,-71.97,,Informe",
        ),
        places,
    )
    assert problems(result) == [] and not result.refused
    demuna, cem, pnp = result.records
    assert set(ur.RECORD_KEYS) <= set(demuna)
    assert demuna["service"] == "demuna" and demuna["precision"] == "district_capital"
    assert (demuna["lat"], demuna["lon"]) == pytest.approx(places.capital["160101"], abs=1e-6)
    assert cem["ubigeo"] == "160301" and cem["precision"] == "user_coordinates"  # Nauta, found by its point
    assert pnp["service"] == "pnp_trata" and pnp["status"] == "unknown"
    assert demuna["id"].startswith("user:") and len({r["id"] for r in result.records}) == 3


@pytest.mark.parametrize(
    "encoding, name",
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("cp1252", "Windows-1252"), ("utf-16", "UTF-16")],
)
def test_spanish_text_reads_in_every_common_encoding(places, encoding, name):
    data = csv_bytes("demuna,DEMUNA Ñañá Piñón,080101,,,,Resolución Nº 5", encoding=encoding)
    result = validate_upload(data, places)
    assert result.encoding == name
    assert [r["name"] for r in result.records] == ["DEMUNA Ñañá Piñón"]
    assert result.records[0]["source"] == "Resolución Nº 5"


def test_a_shift_jis_file_is_refused_not_read_as_garbled_latin_1(places):
    data = csv_bytes("demuna,児童保護センター 東京,080101,,,,出典 厚生労働省", encoding="shift_jis")
    result = validate_upload(data, places)
    assert result.records == []
    assert any("CSV UTF-8" in p[2] and "Shift-JIS" in p[2] for p in problems(result))


def test_blank_lines_before_the_rows_do_not_count_toward_the_row_cap(places):
    header, row = csv_bytes("demuna,DEMUNA Cusco,080101,,,,MIMP").split(b"\n", 1)
    data = header + b"\n" + b"\n" * 10_300 + row
    result = validate_upload(data, places)
    assert [r["name"] for r in result.records] == ["DEMUNA Cusco"]
    assert result.n_rows == 1


def test_semicolons_decimal_commas_and_english_headers_are_understood(places):
    data = "Type;Name;UBIGEO;Latitude;Longitude;Status;Source\nupe;UPE Lima;150101;-12,0464;-77,0428;verified;MIMP\n"
    result = validate_upload(data.encode(), places)
    assert problems(result) == []
    assert result.records[0]["lat"] == -12.0464 and result.records[0]["status"] == "verified"


def test_a_ubigeo_without_its_leading_zero_is_restored(places):
    result = validate_upload(csv_bytes("upe,UPE Cusco,80101,,,,MIMP"), places)
    assert result.records[0]["ubigeo"] == "080101"


def test_xlsx_is_read_like_csv(places):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["tipo", "nombre", "ubigeo", "lat", "lon", "estado", "fuente"])
    sheet.append(["sar", "SAR Ocongate", 81207, None, None, "verificada", "MIMP 2025"])  # a number, zero lost
    sheet.append(["cem", "CEM Puno", "210101", -15.84, -70.02, None, "MIMP"])
    out = io.BytesIO()
    book.save(out)
    result = validate_upload(out.getvalue(), places)
    assert result.file_format == "XLSX" and problems(result) == []
    assert [r["ubigeo"] for r in result.records] == ["081207", "210101"]


def test_template_documents_every_column_in_both_languages_and_its_examples_must_be_deleted(places):
    template = ur.template_csv()
    for column in ur.TEMPLATE_COLUMNS:
        assert f"# {column}: " in template
    assert "shelters" in template and "albergues" in template
    result = validate_upload(template.encode(), places)
    assert result.records == [] and result.n_rows == 2
    assert all("fila de ejemplo" in p for _, _, p in problems(result))
    filled = template.replace("EJEMPLO DEMUNA ficticia (borre esta fila)", "DEMUNA Cusco").replace(
        "EJEMPLO CEM ficticio (borre esta fila)", "CEM Iquitos"
    )
    assert len(validate_upload(filled.encode(), places).records) == 2  # the '#' notes are skipped


# -------------------------------------------------------------------- bad rows


def test_every_problem_is_listed_with_its_row_and_column(places):
    result = validate_upload(
        csv_bytes(
            "care,Casa Refugio,150101,,,,informe",  # 2
            "xyz,Servicio X,080101,,,,informe",  # 3
            "upe,UPE Polo Norte,,90,0,,informe",  # 4
            "upe,UPE Polo,,-91,0,,informe",  # 5
            "demuna,DEMUNA,999999,,,,informe",  # 6
            "upe,Swapped,,-77.04,-12.05,,informe",  # 7
            "cem,CEM Lejos,080101,-12.05,-77.04,,nota",  # 8
            "cem,,080101,,,,nota",  # 9
            "cem,CEM sin fuente,080101,,,,",  # 10
            "cem,CEM Mar,,-12.0,-80.0,,nota",  # 11: in the Pacific, inside Peru's box
            "cem,CEM sin lugar,,,,,nota",  # 12
            "cem,CEM,080101,abc,-71.9,,nota",  # 13
            "cem,CEM estado,080101,,,quizás,nota",  # 14
        ),
        places,
    )
    found = {(row, column): problem for row, column, problem in problems(result)}
    assert "albergues" in found[(2, "tipo")] and "confidencial" in found[(2, "tipo")]
    assert "Tipo desconocido «xyz»" in found[(3, "tipo")]
    assert "fuera del Perú" in found[(4, "lat")]
    assert "no es una coordenada válida" in found[(5, "lat")]
    assert "999999 no existe" in found[(6, "ubigeo")]
    assert "invertidas" in found[(7, "lat")]
    assert "fuera del distrito Cusco" in found[(8, "lat")]
    assert "Falta el nombre" in found[(9, "nombre")]
    assert "Falta la fuente" in found[(10, "fuente")]
    assert "ningún distrito" in found[(11, "lat")]
    assert "Falta la ubicación" in found[(12, "ubigeo")]
    assert "no es un número" in found[(13, "lat")]
    assert "Estado desconocido" in found[(14, "estado")]
    assert result.records == []
    assert all(e.problem["en"] and e.problem["es"] != e.problem["en"] for e in result.errors)


@pytest.mark.parametrize("word", ["CAR", "CAR especializado", "car_especializado", "CARE", "Albergue", "shelter", "HRT"])
def test_no_shelter_can_be_mapped_as_a_point(places, word):
    result = validate_upload(csv_bytes(f"{word},Hogar X,150101,,,,informe"), places)
    assert result.records == [] and "confidencial" in problems(result)[0][2]


def test_a_point_just_outside_its_district_is_accepted_within_2_km(places):
    near = east_of(places, "080101", 1.0)
    far = east_of(places, "080101", 3.0)
    result = validate_upload(
        csv_bytes(f"upe,UPE A,080101,{near[0]},{near[1]},,MIMP", f"upe,UPE B,080101,{far[0]},{far[1]},,MIMP"), places
    )
    assert [r["name"] for r in result.records] == ["UPE A"]
    (row, column, problem), = problems(result)
    assert row == 3 and "a 3,0 km fuera" in problem
    assert places.km_outside("080101", *near) == pytest.approx(1.0, abs=0.02)


def test_duplicates_in_the_file_and_among_loaded_units_are_refused(places):
    data = csv_bytes("upe,UPE Cusco,080101,,,,MIMP", "upe,upe  cusco,080101,,,,otra fuente", "upe,UPE Puno,210101,,,,MIMP")
    first = validate_upload(data, places)
    assert problems(first) == [(3, "nombre", "Duplicado de la fila 2 (mismo tipo, nombre y distrito).")]
    again = validate_upload(data, places, existing=first.records)
    assert again.records == [] and "Ya está entre sus unidades" in problems(again)[0][2]


def test_a_misquoted_row_is_reported_not_misread(places):
    result = validate_upload(csv_bytes("demuna,Municipalidad de Lima, DEMUNA,150101,,,,MIMP"), places)
    assert result.records == [] and "comillas" in problems(result)[0][2]


# ------------------------------------------------------------------- bad files


def test_a_6_mb_file_is_refused_with_a_clear_message(places):
    data = csv_bytes(*(["upe,UPE,080101,,,,MIMP"] * 300_000))
    assert len(data) > 6 * 1024 * 1024
    result = validate_upload(data, places)
    assert result.refused and result.records == []
    assert "el límite es 5 MB" in problems(result)[0][2]


def test_an_oversized_data_url_is_refused_before_decoding(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded an oversized file")

    body = "A" * (6 * 1024 * 1024 * 4 // 3)
    monkeypatch.setattr(ur.base64, "b64decode", no_decoding)
    data, problem = ur.bytes_from_data_url("data:text/csv;base64," + body)
    assert data is None and "6.0 MB" in problem["en"] and "limit is 5 MB" in problem["en"]


def test_a_data_url_round_trips_and_garbage_is_refused():
    good = "data:text/csv;base64," + base64.b64encode(b"a,b\n").decode()
    assert ur.bytes_from_data_url(good) == (b"a,b\n", None)
    for bad in (None, 42, "", "no comma", "data:text/csv,plain", "data:;base64,@@@@", {"a": 1}):
        data, problem = ur.bytes_from_data_url(bad)
        assert data is None and problem["es"] and problem["en"]


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"", "vacío"),
        (b"\x00\x01\x02binary", "bytes nulos"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04not really a zip", "dañado"),
        (b"nombre,fuente\nx,y\n", "Faltan columnas obligatorias: tipo"),
        (b"tipo,nombre,fuente\nupe,x,y\n", "ubigeo | lat + lon"),
        (b"tipo,nombre,nombre,ubigeo,fuente\n", "aparece dos veces"),
        (HEADER.encode(), "no tiene filas"),
        (b"# only notes\n\n", "no tiene encabezado"),
        (b"\xef\xbb\xbftipo,\xff\xfe\n", "UTF-8 pero tiene bytes inválidos"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(places, data, needle):
    result = validate_upload(data, places)
    assert result.refused and result.records == []
    assert needle in problems(result)[0][2]
    assert problems(result)[0][0] is None  # a problem of the file, not of a row


def test_a_huge_cell_is_refused_and_not_echoed_in_full(places):
    name = "N" * 5000
    result = validate_upload(csv_bytes(f"upe,{name},080101,,,,MIMP"), places)
    assert result.records == [] and "demasiado larga" in problems(result)[0][2]
    assert all(len(e.problem["es"]) < 400 for e in result.errors)
    giant = validate_upload(csv_bytes('upe,"' + "x" * 200_000 + '",080101,,,,MIMP'), places)
    assert giant.records == [] and all(len(e.problem["es"]) < 400 for e in giant.errors)


def test_an_xlsx_that_unpacks_to_a_huge_size_is_refused(places):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\x00" * (ur.MAX_XLSX_UNPACKED + 1))
    assert len(out.getvalue()) < ur.MAX_BYTES
    result = validate_upload(out.getvalue(), places)
    assert result.refused and "tamaño excesivo" in problems(result)[0][2]


def test_more_rows_than_the_limit_are_refused(places):
    rows = [f"upe,UPE {i},080101,,,,MIMP" for i in range(ur.MAX_ROWS + 1)]
    result = validate_upload(csv_bytes(*rows), places)
    assert result.refused and "10 000" in problems(result)[0][2]


def test_problems_listed_are_capped_but_counted(places):
    rows = ["xyz,X,080101,,,,MIMP"] * (ur.MAX_ERRORS + 50)
    result = validate_upload(csv_bytes(*rows), places)
    assert len(result.errors) == ur.MAX_ERRORS and result.n_errors == ur.MAX_ERRORS + 50


# ------------------------------------------------------------------- formulas


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(cell):
    assert safe_cell(cell).startswith("'")
    assert safe_cell(safe_cell(cell)) == safe_cell(cell)


def test_numbers_stay_numbers_and_numeric_text_is_neutralised_too():
    # one rule for uploads and downloads, the stricter: text starting like a formula is
    # quoted even when it reads as a number; numbers themselves pass unchanged
    assert safe_cell(-12.0464) == -12.0464 and safe_text(-12.0464) == "-12.0464"
    assert safe_cell("-12.046400") == "'-12.046400" and safe_cell("+51") == "'+51"


def test_a_formula_name_is_kept_neutralised_in_records_and_exports(places):
    result = validate_upload(csv_bytes('upe,"=HYPERLINK(""http://x"",""clic"")",080101,,,,@SUM(1)'), places)
    record = result.records[0]
    assert record["name"].startswith("'=") and record["source"] == "'@SUM(1)"
    exported = list(csv.reader(io.StringIO(ur.units_csv(result.records))))
    assert exported[1][1].startswith("'=") and exported[1][6] == "'@SUM(1)"


def test_exported_units_upload_again_unchanged(places):
    first = validate_upload(csv_bytes("demuna,DEMUNA Iquitos,160101,,,verificada,Ordenanza", "cem,CEM Nauta,,-4.5083,-73.5833,,Nota"), places)
    again = validate_upload(ur.units_csv(first.records).encode(), places)
    assert problems(again) == []
    keep = ("id", "service", "name", "ubigeo", "status", "source")
    assert [{k: r[k] for k in keep} for r in again.records] == [{k: r[k] for k in keep} for r in first.records]


# ------------------------------------------------------------- stored (forged) units


def test_forged_stored_units_are_dropped_and_good_ones_kept(places):
    good = validate_upload(csv_bytes("upe,UPE Cusco,080101,,,,MIMP"), places).records[0]
    forged = [
        good,
        {**good, "service": "care"},
        {**good, "ubigeo": "999999"},
        {**good, "lat": 90.0},
        {**good, "lat": float("nan")},
        {**good, "lat": True},
        {**good, "name": "x" * 10_000},
        {**good, "name": "=1+1", "id": "other"},
        "not a dict",
        None,
        [1, 2],
    ]
    clean, dropped = ur.clean_records(forged, places)
    assert [u["name"] for u in clean] == ["UPE Cusco", "'=1+1"]
    assert dropped == len(forged) - 2
    assert ur.clean_records("garbage", places) == ([], 1)
    assert ur.clean_records(None, places) == ([], 0)
    many, dropped = ur.clean_records([good] * (ur.MAX_ROWS + 10), places)
    assert len(many) == 1 and dropped == ur.MAX_ROWS + 9
