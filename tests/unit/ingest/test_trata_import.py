"""Importers of the official trafficking files, on the Lambayeque samples and hand-made files."""


from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.trafficking import (
    FORMAT_MININTER,
    FORMAT_MPFN,
    import_trata,
    normalize_article,
)

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "muestras_oficiales"
MININTER = SAMPLES / "mininter_trata_lambayeque_2017_2023.csv"
MPFN = SAMPLES / "mpfn_delitos_lambayeque_2019_2023.csv"

MININTER_HEADER = "\ufeffANIO;MES;CCDD;DEPARTAMENTO;PROVINCIA;DISTRITO;COMISARIA;categoria;Denuncias por comision;Valor\n"
MPFN_HEADER = (
    "\ufeffperiodo_denuncia;anio_denuncia;fecha_descarga;distrito_fiscal;especialidad;tipo_caso;generico;"
    "subgenerico;articulo;des_articulo;cantidad;ubigeo;dpto;prov;dist;fecha_corte\n"
)


def mp_row(year, article, description, count, ubigeo="140101", downloaded="13/01/2020", district="LAMBAYEQUE"):
    return (
        f"ENERO - DICIEMBRE;{year};{downloaded};{district};PENAL;DENUNCIA;G;S;{article};{description};{count};"
        f"{ubigeo};LAMBAYEQUE;CHICLAYO;CHICLAYO;02/12/2024\n"
    )


def value(result, year, column="denuncias", level="department", code="14"):
    s = result.series
    row = s[(s["level"] == level) & (s["code"] == code) & (s["year"] == year)]
    assert len(row) == 1, (year, level, code)
    return row.iloc[0][column]


@pytest.fixture(scope="module")
def mininter():
    return import_trata(MININTER.read_bytes(), MININTER.name)


@pytest.fixture(scope="module")
def mpfn():
    return import_trata(MPFN.read_bytes(), MPFN.name)


# ------------------------------------------------------------------------ MININTER


def test_mininter_sample_is_recognised_with_bom_and_semicolons(mininter):
    assert mininter.ok and mininter.source == FORMAT_MININTER
    assert set(mininter.series["level"]) == {"department"}
    assert set(mininter.series["code"]) == {"14"}
    assert mininter.years == ["2017", "2018", "2019", "2020", "2021", "2022"]


def test_mininter_complaints_2020_equal_the_hand_sum_of_f1_total_rows(mininter):
    # F1_TOTAL rows of 2020 (each block is in the file twice): lines 345/516 Atusparia Jan 15,
    # 1377/1548 Mar 1, 3211/3382 Jun 6, 4587/4758 Sep 1, 5275/5446 Oct 2.
    assert value(mininter, "2020") == 15 + 1 + 6 + 1 + 2
    assert value(mininter, "2020", "victims") == 25  # EM_EF_TOTAL


def test_mininter_under_18_victims_add_age_groups_up_to_17(mininter):
    # 2020: EF 12-17 = 15 (Jan, line 427), EF 0-5 = 1 and EF 6-11 = 1 (Jun, 3291-3292),
    # EM 12-17 = 1 (Oct, 5350); the 18-29 and 30-59 groups are not children.
    assert value(mininter, "2020", "victims_under_18") == 15 + 1 + 1 + 1
    assert value(mininter, "2021", "victims_under_18") == 0


def test_mininter_repeated_blocks_are_counted_once(mininter):
    text = MININTER.read_text(encoding="utf-8-sig").splitlines()
    raw_2019 = sum(int(line.rsplit(";", 1)[1]) for line in text if line.startswith("2019;") and ";F1_TOTAL;F1_TOTAL;" in line)
    assert raw_2019 == 2 * 56  # every 2019 block appears twice in the file
    assert value(mininter, "2019") == 56
    assert mininter.repeated_rows == 3059
    assert mininter.rows_used == 6563 - 3059


def test_mininter_repeat_with_another_value_keeps_the_first_and_says_so():
    body = (
        "2020;1;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;DEPINCRI;F1_TOTAL;F1_TOTAL;7\n"
        "2020;1;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;DEPINCRI;F1_TOTAL;F1_TOTAL;7\n"
        "2020;1;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;DEPINCRI;F1_TOTAL;F1_TOTAL;9\n"
        "2020;2;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;DEPINCRI;F1_TOTAL;F1_TOTAL;2\n"
    )
    result = import_trata((MININTER_HEADER + body).encode(), "x.csv")
    assert value(result, "2020") == 9  # 7 + 2
    assert [(m.row, m.column) for m in result.messages] == [(4, "Valor")]
    assert "fila 2" in result.messages[0].problem


# ------------------------------------------------------------- Ministerio Público


def test_mp_sample_counts_articles_153_and_153a_then_129a_and_129b(mpfn):
    assert mpfn.ok and mpfn.source == FORMAT_MPFN
    assert value(mpfn, "2019") == 30 + 1  # 153 + 153-A
    assert value(mpfn, "2022") == 14 + 3
    assert value(mpfn, "2023") == 6 + 5  # renumbered: 129-A + 129-B
    assert value(mpfn, "2023", level="district", code="140101") == 11


def test_mp_exposure_to_danger_and_exploitation_articles_are_not_trafficking(mpfn):
    # 2021: 153 = 33, 153-A = 1; also 153-B/C/D/H/J (exploitation) and 129 (exposure to danger)
    assert value(mpfn, "2021") == 34
    # 2023 has 129 (3) and 129-C...129-O (24): only 129-A/129-B count
    assert value(mpfn, "2023") == 11


def test_mp_rows_split_over_several_lines_add_up_but_a_repeated_block_does_not():
    block = mp_row(2022, "153", "Trata de personas", 4) + mp_row(2022, "153", "Trata de personas", 4)
    block += mp_row(2022, "153-A", "Formas agravadas de la Trata de Personas", 2)
    block += mp_row(2022, "185", "Hurto simple", 100)
    data = (MPFN_HEADER + block + block).encode()  # a download pasted twice
    result = import_trata(data, "mp.csv")
    assert value(result, "2022") == 4 + 4 + 2  # the block's own rows add; its repeat is dropped
    assert [(m.row, m.column) for m in result.messages] == [(6, None)]
    assert "2–5" in result.messages[0].problem


def test_mp_older_download_of_the_same_year_is_dropped():
    old = mp_row(2022, "153", "Trata de personas", 3, downloaded="06/01/2023")
    new = mp_row(2022, "153", "Trata de personas", 8, downloaded="01/08/2024")
    result = import_trata((MPFN_HEADER + old + new).encode(), "mp.csv")
    assert value(result, "2022") == 8
    assert result.messages[0].row == 2 and result.messages[0].column == "fecha_descarga"


@pytest.mark.parametrize(
    "raw, expected",
    [("153", "153"), ("153-A", "153-A"), ("153 A", "153-A"), ("153a", "153-A"), ("Art. 129-B", "129-B"),
     ("129-Ã‘", "129-Ñ"), ("S/Art", "S/ART")],
)
def test_articles_are_normalised(raw, expected):
    assert normalize_article(raw) == expected


def test_latin1_and_comma_separated_files_are_read():
    text = MPFN_HEADER.replace(";", ",").lstrip("\ufeff") + mp_row(2023, "129-A", "Trata de personas", 6).replace(";", ",")
    result = import_trata(text.encode("latin-1"), "mp.csv")
    assert value(result, "2023") == 6


# ------------------------------------------------------------------ bad input


def test_malformed_rows_give_row_and_column_messages_not_a_traceback():
    body = (
        "2020;1;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;DEPINCRI;F1_TOTAL;F1_TOTAL;7\n"
        "2020;1;14;LAMBAYEQUE;CHICLAYO\n"  # too few fields
        "20x0;1;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;PNP;F1_TOTAL;F1_TOTAL;3\n"  # bad year
        "2020;2;99;ATLANTIDA;X;X;PNP;F1_TOTAL;F1_TOTAL;3\n"  # unknown department
        "2020;3;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;PNP;F1_TOTAL;F1_TOTAL;tres\n"  # not a number
        "2020;4;14;LAMBAYEQUE;CHICLAYO;CHICLAYO;PNP;F1_TOTAL;F1_TOTAL;-2\n"  # negative
    )
    result = import_trata((MININTER_HEADER + body).encode(), "bad.csv")
    assert value(result, "2020") == 7
    where = [(m.row, m.column) for m in result.messages]
    assert where == [(3, None), (4, "ANIO"), (5, "CCDD"), (6, "Valor"), (7, "Valor")]
    assert "fila 3" in str(result.messages[0])


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "vac"),
        (b"nombre,edad\nAna,3\n", "formato no reconocido"),
        (b"PK\x03\x04\x00\x00garbage", "no es un archivo de texto"),
        ((MPFN_HEADER.replace("cantidad;", "")).encode(), "formato no reconocido"),
    ],
)
def test_unusable_files_say_why(data, words):
    result = import_trata(data, "x")
    assert not result.ok
    assert any(words in m.problem for m in result.messages)


def test_missing_required_column_is_named():
    header = MININTER_HEADER.replace(";CCDD", ";CODIGO")
    result = import_trata((header + "2020;1;14;L;C;C;P;F1_TOTAL;F1_TOTAL;1\n").encode(), "x")
    assert not result.ok
    assert result.messages[0].row == 1


def test_progress_is_reported_from_zero_to_one():
    seen = []
    import_trata(MPFN.read_bytes(), MPFN.name, progress=lambda f, stage: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_quoted_files_read_row_by_row_give_the_same_totals(mpfn):
    lines = MPFN.read_text(encoding="utf-8-sig").splitlines()
    quoted = "\n".join(";".join(f'"{field}"' for field in line.split(";")) for line in lines) + "\n"
    again = import_trata(quoted.encode("utf-8"), "quoted.csv")
    assert again.series.equals(mpfn.series)


# ------------------------------------------------------------- hostile content


def mininter_row(value, year="2020", month="1"):
    return f"{year};{month};14;LAMBAYEQUE;CHICLAYO;CHICLAYO;DEPINCRI;F1_TOTAL;F1_TOTAL;{value}\n"


def test_a_carriage_return_inside_the_header_gives_a_message_not_an_error():
    result = import_trata(b"ANIO;MES\rCCDD\n1;2\n", "x.csv")  # used to raise _csv.Error
    assert not result.ok and result.messages
    old_mac = (MININTER_HEADER + mininter_row(3)).replace("\n", "\r").encode()
    assert import_trata(old_mac, "mac.csv").ok  # a lone CR ends a line (old Mac files)


@pytest.mark.parametrize("bad", ["1e400", "inf", "-inf", "1e20", "100001", "nan1", "∞"])
def test_absurd_or_infinite_counts_are_refused_per_row(bad):
    text = MININTER_HEADER + mininter_row(4) + mininter_row(bad, month="2")
    result = import_trata(text.encode(), "x.csv")
    assert result.ok and value(result, "2020") == 4  # the good row counts, the bad one is out
    problems = [m for m in result.messages if m.row == 3]
    assert problems and "no es un número entero entre 0 y 100 000" in problems[0].problem


def test_a_repeated_key_with_an_overflowing_value_is_reported():
    text = MININTER_HEADER + mininter_row(4) + mininter_row("1e400")  # same key, used to OverflowError
    result = import_trata(text.encode(), "x.csv")
    assert result.ok and value(result, "2020") == 4


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=300).map(lambda t: (MININTER_HEADER + t).encode("utf-8", "replace")))
def test_the_importer_never_raises_on_content(data):
    result = import_trata(data, "fuzz.csv")
    assert isinstance(result.messages, list)
    if not result.ok:
        assert result.messages  # refused with a reason
