"""The one text toolkit (ingest/text.py): decode, sniff, fold, safe_cell."""

from __future__ import annotations

import math

from ingest.text import decode, fold, safe_cell, safe_text, sniff_delimiter


def test_safe_cell_is_the_stricter_rule_for_uploads_and_downloads():
    # from the registry rule: control characters go; from the export rule: every text
    # starting like a formula is quoted, plain-number text included
    assert safe_cell("=1+1\x07") == "'=1+1"
    assert safe_cell("-12.5") == "'-12.5" and safe_cell("+51 999") == "'+51 999"
    assert safe_cell("Iquitos") == "Iquitos" and safe_cell(3.5) == 3.5 and safe_cell(None) is None
    assert safe_cell(safe_cell("@SUM(A1)")) == "'@SUM(A1)"
    assert safe_text(None) == "" and safe_text(math.nan) == "" and safe_text(-3.5) == "-3.5"


def test_one_fold_serves_place_names_registry_headers_and_official_files():
    assert fold("  Ñuñoa, San-Martín ") == "NUNOA SAN MARTIN"
    assert fold("tipo_servicio", keep="_") == "TIPO_SERVICIO"
    assert fold("Art. 153-A\ufeff", punctuation=True) == "ART. 153-A"
    assert fold("funciÃ³n", punctuation=True, mojibake=True) == "FUNCION"
    assert fold(None) == "" and fold(math.nan) == ""


def test_decode_falls_back_to_windows_1252_and_says_where_utf8_failed():
    assert decode("año".encode()) == ("año", "UTF-8", None)
    assert decode(b"\xef\xbb\xbfa;b") == ("a;b", "UTF-8 (BOM)", None)
    assert decode("año".encode("cp1252")) == ("año", "Windows-1252", 1)


def test_sniff_delimiter_by_known_names_or_by_the_first_line():
    assert sniff_delimiter("tipo;nombre;ubigeo\nupe;x;1", known=lambda c: c in {"tipo", "nombre"}) == ";"
    assert sniff_delimiter("a,b,c\n1,2,3", known=lambda c: False) == ","
    assert sniff_delimiter("ANIO|MES|CCDD\n2020|1|15") == "|"
    assert sniff_delimiter("ANIO") == ";"
