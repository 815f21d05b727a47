"""Importers for the two official trafficking datasets a planner can download.

- MININTER "Base de datos trata de personas" (police complaints registered by each comisaría,
  by month): one row per (year, month, comisaría, category, item) with its ``Valor``. The item
  ``F1_TOTAL`` counts complaints (denuncias), ``EM_EF_TOTAL`` victims, and ``EM_DE 0 A 5 AÑOS``
  ... ``EF_DE 12 A 17 AÑOS`` victims by sex and age group. Files repeat whole blocks (the same
  comisaría-month twice, in another order): repeats are dropped, never added.
- Ministerio Público "delitos" open data (complaints by distrito fiscal, year and article of
  the Penal Code, with a district UBIGEO). Trafficking is article 153 (basic) and 153-A
  (aggravated) until the 2023 renumbering, 129-A and 129-B afterwards. Article 129 alone is
  *exposure to danger* and 153-B ... 153-J / 129-C ... are exploitation offences: not
  counted as trafficking.

Both come ``;``-separated with a UTF-8 BOM (other separators and Latin-1 are accepted). Bad
rows never raise: each gives a `RowMessage` (row, column, problem) and is left out.

Everything here is pure: bytes in, tidy series out. No Dash, no data directory.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import numpy as np
import pandas as pd

from ingest.text import decode as decode_bytes
from ingest.text import fix_mojibake, sniff_delimiter
from ingest.text import fold as fold_text

FORMAT_MININTER = "mininter"
FORMAT_MPFN = "mpfn"
FORMATS = (FORMAT_MININTER, FORMAT_MPFN)

SERIES_COLUMNS = ["source", "level", "code", "year", "denuncias", "victims", "victims_under_18"]
MAX_MESSAGES = 200  # listed one by one; the rest are counted

DEPARTMENTS = {
    "01": "AMAZONAS", "02": "ANCASH", "03": "APURIMAC", "04": "AREQUIPA", "05": "AYACUCHO",
    "06": "CAJAMARCA", "07": "CALLAO", "08": "CUSCO", "09": "HUANCAVELICA", "10": "HUANUCO",
    "11": "ICA", "12": "JUNIN", "13": "LA LIBERTAD", "14": "LAMBAYEQUE", "15": "LIMA",
    "16": "LORETO", "17": "MADRE DE DIOS", "18": "MOQUEGUA", "19": "PASCO", "20": "PIURA",
    "21": "PUNO", "22": "SAN MARTIN", "23": "TACNA", "24": "TUMBES", "25": "UCAYALI",
}
DEPARTMENT_CODES = {name: code for code, name in DEPARTMENTS.items()}

# Columns, as folded names (upper case, no accents, single spaces).
MININTER_COLUMNS = {
    "year": "ANIO",
    "month": "MES",
    "department_code": "CCDD",
    "department": "DEPARTAMENTO",
    "province": "PROVINCIA",
    "district": "DISTRITO",
    "station": "COMISARIA",
    "category": "CATEGORIA",
    "item": "DENUNCIAS POR COMISION",
    "value": "VALOR",
}
MPFN_COLUMNS = {
    "year": "ANIO_DENUNCIA",
    "downloaded": "FECHA_DESCARGA",
    "prosecution_district": "DISTRITO_FISCAL",
    "article": "ARTICULO",
    "description": "DES_ARTICULO",
    "count": "CANTIDAD",
    "ubigeo": "UBIGEO",
    "department": "DPTO",
}
MPFN_OPTIONAL = {"description", "ubigeo", "department", "downloaded", "prosecution_district"}

ITEM_COMPLAINTS = "F1_TOTAL"
ITEM_VICTIMS = "EM_EF_TOTAL"
AGE_ITEM = re.compile(r"^E[MF]_DE (\d+) A (\d+)")

# Trafficking in the Penal Code: before and after the 2023 renumbering of the MP data.
TRAFFICKING_ARTICLES = {"153": "basic", "153-A": "aggravated", "129-A": "basic", "129-B": "aggravated"}

Progress = Callable[[float, str], None]


# ------------------------------------------------------------------------ results


@dataclass(frozen=True)
class RowMessage:
    """One problem found in a file: where (line number, header = 1) and what."""

    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"fila {self.row}")
        if self.column:
            where.append(f"columna {self.column}")
        return (", ".join(where) + ": " if where else "") + self.problem

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "problem": self.problem}


@dataclass
class TrataImport:
    """What an import built.

    series
        Tidy table (SERIES_COLUMNS): one row per level (department, or district for the
        Ministerio Público), area code and year; counts of complaints (denuncias), victims
        and victims under 18 (NaN where the file has no such figure). Not suppressed:
        callers showing it suppress counts under 5 (`layers.base.suppress_small`).
    messages
        Per-row problems (rows left out, repeats dropped, conflicting repeats).
    """

    source: str | None
    file_name: str
    series: pd.DataFrame
    messages: list[RowMessage] = field(default_factory=list)
    rows_read: int = 0
    rows_used: int = 0
    repeated_rows: int = 0
    more_messages: int = 0

    @property
    def ok(self) -> bool:
        return self.source is not None and not self.series.empty

    @property
    def years(self) -> list[str]:
        return sorted(self.series["year"].unique().tolist()) if len(self.series) else []


class _Messages:
    def __init__(self) -> None:
        self.items: list[RowMessage] = []
        self.more = 0

    def add(self, row: int | None, column: str | None, problem: str) -> None:
        if len(self.items) < MAX_MESSAGES:
            self.items.append(RowMessage(None if row is None else int(row), column, problem))
        else:
            self.more += 1


def empty_series() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in ("denuncias", "victims", "victims_under_18") else object)
                         for c in SERIES_COLUMNS})


# ------------------------------------------------------------------------- text


def fold(value: object) -> str:
    """Upper case, no accents, single spaces, punctuation kept, mojibake repaired: how
    column names and items are compared (the toolkit's fold)."""
    return fold_text(value, punctuation=True, mojibake=True)


def map_unique(values: pd.Series, func) -> pd.Series:
    """`values.map(func)`, computing `func` once per distinct value (files repeat a few
    hundred labels over hundreds of thousands of rows)."""
    uniques = pd.unique(values.to_numpy(dtype=object))
    return values.map({u: func(u) for u in uniques})


def decode(data: bytes, messages: _Messages) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252/Latin-1 with a message.
    Line ends are made "\n" (a lone "\r", old Mac style, ends a line too)."""
    decoded = decode_bytes(data)
    if decoded.bad_byte is not None:
        messages.add(None, None, f"el archivo no es UTF-8 (byte {decoded.bad_byte}); se leyó como Latin-1 / Windows-1252")
    return decoded.text.replace("\r\n", "\n").replace("\r", "\n")


def detect_format(header: list[str]) -> str | None:
    names = {fold(h) for h in header}
    if {"ANIO", "CCDD", "VALOR", "DENUNCIAS POR COMISION"} <= names:
        return FORMAT_MININTER
    if {"ANIO_DENUNCIA", "ARTICULO", "CANTIDAD"} <= names:
        return FORMAT_MPFN
    return None


def normalize_article(article: object) -> str:
    """'153-A', '153 A', '153A', 'Art. 153-a' -> '153-A'. Accents are kept: 129-N and 129-Ñ
    are different articles."""
    if article is None or (isinstance(article, float) and np.isnan(article)):
        return ""
    text = " ".join(fix_mojibake(str(article)).upper().split())
    match = re.fullmatch(r"(?:ART(?:[IÍ]CULO)?\.?\s*)?(\d+)\s*[-\u2013\u2014]?\s*([A-ZÑ])?", text)
    if not match:
        return text
    number, letter = match.groups()
    return f"{number}-{letter}" if letter else number


def _read_rows(text: str, wanted: dict[str, str], optional: set[str], messages: _Messages,
               progress: Progress | None, start: float, span: float) -> tuple[pd.DataFrame, int, list[str]]:
    """Rows of the wanted columns as text, with their line numbers; bad rows reported."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        header = next(reader)
    except StopIteration:
        return pd.DataFrame(), 0, []
    folded = [fold(h) for h in header]
    positions: dict[str, int] = {}
    missing = []
    for key, name in wanted.items():
        if name in folded:
            positions[key] = folded.index(name)
        elif key not in optional:
            missing.append(name)
    if missing:
        for name in missing:
            messages.add(1, name, "falta la columna")
        return pd.DataFrame(), 0, header
    width = len(header)
    fast = _read_fast(text, header, positions, messages)
    if fast is not None:
        if progress:
            progress(start + span, "reading")
        return fast[0], fast[1], header
    columns: dict[str, list[str]] = {key: [] for key in positions}
    lines: list[int] = []
    total_lines = max(text.count("\n"), 1)
    read = 0
    for fields in reader:
        if not fields or all(not f.strip() for f in fields):
            continue
        read += 1
        if len(fields) != width:
            messages.add(reader.line_num, None, f"tiene {len(fields)} campos; se esperaban {width} (fila omitida)")
            continue
        for key, pos in positions.items():
            columns[key].append(fields[pos].strip())
        lines.append(reader.line_num)
        if progress and read % 50_000 == 0:
            progress(start + span * min(reader.line_num / total_lines, 1.0), "reading")
    frame = pd.DataFrame(columns)
    frame["row"] = lines
    return frame, read, header


def _read_fast(text: str, header: list[str], positions: dict[str, int], messages: _Messages):
    """pandas' C parser for the common case (no quotes, so a line is a row); rows with the
    wrong number of fields are found by counting separators and reported by line number.
    None to fall back to the row-by-row reader."""
    if '"' in text:
        return None
    lines = pd.Series(text.split("\n")).str.rstrip("\r")
    sep = sniff_delimiter(lines.iloc[0])
    body = lines.iloc[1:]
    line_numbers = np.arange(2, len(lines) + 1)
    blank = body.str.strip() == ""
    counts = body.str.count(re.escape(sep)) + 1
    width = len(header)
    bad = ~blank & (counts != width)
    for number, fields in zip(line_numbers[bad.to_numpy()], counts[bad]):
        messages.add(int(number), None, f"tiene {int(fields)} campos; se esperaban {width} (fila omitida)")
    good = ~blank & ~bad
    if not good.any():
        return pd.DataFrame({key: pd.Series(dtype=str) for key in positions} | {"row": pd.Series(dtype=int)}), int((~blank).sum())
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(body[good])), sep=sep, header=None, names=list(range(width)), dtype=str,
            keep_default_na=False, na_values=[], engine="c", quoting=csv.QUOTE_NONE, skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if len(frame) != int(good.sum()):
        return None
    out = pd.DataFrame({key: frame[pos].astype(str).str.strip().to_numpy() for key, pos in positions.items()})
    out["row"] = line_numbers[good.to_numpy()]
    return out, int((~blank).sum())


MAX_ROW_COUNT = 100_000  # one row counts one month, place and category: more is not a count
MAX_ROW_SHOWN = f"{MAX_ROW_COUNT:,}".replace(",", " ")


def _whole_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numbers, bad): blank is NaN (unknown); text, decimals, negatives, infinities and
    counts above MAX_ROW_COUNT (e.g. 1e20, 1e400) are bad."""
    cleaned = values.astype(str).str.strip()
    blank = cleaned.isin(["", "NA", "N/A", "NULL", "-", "nan"])
    numbers = pd.to_numeric(cleaned.where(~blank), errors="coerce")
    finite = np.isfinite(numbers.fillna(0).to_numpy(dtype=float))
    bad = ~blank & (
        numbers.isna() | ~finite | (numbers < 0) | (numbers > MAX_ROW_COUNT)
        | (numbers != np.floor(numbers.where(finite, 0).fillna(0)))
    )
    return numbers.where(~bad), bad


def _years(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = values.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    good = text.str.fullmatch(r"(19[89]\d|20\d\d)")
    return text, ~good


def _department_codes(codes: pd.Series | None, names: pd.Series | None, length: int) -> pd.Series:
    """Department code from a code column (first two digits of `length`-digit codes), else from
    the department name; '' where neither is usable."""
    result = pd.Series("", index=(codes if codes is not None else names).index, dtype=object)
    if codes is not None:
        digits = codes.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
        valid = digits.str.fullmatch(r"\d{%d,%d}" % (length - 1, length))
        padded = digits.where(valid, "").str.zfill(length).str[:2]
        result = padded.where(valid & padded.isin(list(DEPARTMENTS)), "")
    if names is not None:
        by_name = map_unique(names, fold).map(DEPARTMENT_CODES).fillna("")
        result = result.where(result != "", by_name)
    return result


# ---------------------------------------------------------------------- MININTER


def _mininter(text: str, messages: _Messages, progress: Progress | None) -> tuple[pd.DataFrame, int, int, int]:
    rows, read, _ = _read_rows(text, MININTER_COLUMNS, {"province", "district", "station", "month", "department", "category"},
                               messages, progress, 0.05, 0.6)
    if rows.empty:
        return empty_series(), read, 0, 0
    for key in ("province", "district", "station", "month", "department", "category"):
        if key not in rows:
            rows[key] = ""
    rows["year"], bad_year = _years(rows["year"])
    for r in rows.loc[bad_year, ["row", "year"]].itertuples():
        messages.add(r.row, "ANIO", f"año «{r.year[:20]}» no válido (fila omitida)")
    rows["dep"] = _department_codes(rows["department_code"], rows["department"], 2)
    bad_dep = ~bad_year & (rows["dep"] == "")
    for r in rows.loc[bad_dep, ["row", "department_code"]].itertuples():
        messages.add(r.row, "CCDD", f"departamento «{r.department_code[:20]}» desconocido (fila omitida)")
    rows["number"], bad_value = _whole_numbers(rows["value"])
    bad_value &= ~bad_year & ~bad_dep
    for r in rows.loc[bad_value, ["row", "value"]].itertuples():
        messages.add(r.row, "Valor", f"«{r.value[:20]}» no es un número entero entre 0 y {MAX_ROW_SHOWN} (fila omitida)")
    rows = rows[~(bad_year | bad_dep | bad_value)].copy()
    if progress:
        progress(0.7, "deduplicating")
    rows["item"] = map_unique(rows["item"], fold)
    key = ["year", "month", "dep", "province", "district", "station", "category", "item"]
    for col in ("province", "district", "station", "category", "month"):
        rows[col] = map_unique(rows[col], fold)
    first = rows.drop_duplicates(key, keep="first")
    repeats = rows[rows.duplicated(key, keep="first")]
    if len(repeats):
        kept = first.set_index(key)["number"]
        kept_row = first.set_index(key)["row"]
        other = repeats.set_index(key)
        before = kept.reindex(other.index).to_numpy()
        now = other["number"].to_numpy()
        differs = ~((before == now) | (pd.isna(before) & pd.isna(now)))
        for i in np.flatnonzero(differs):
            messages.add(
                int(other["row"].iloc[i]),
                "Valor",
                f"repite la fila {int(kept_row.reindex(other.index).iloc[i])} con otro valor "
                f"({_fmt(now[i])} frente a {_fmt(before[i])}); se conservó la primera",
            )
    used = first
    if progress:
        progress(0.8, "aggregating")
    complaints = used[used["item"] == ITEM_COMPLAINTS]
    if complaints.empty:
        messages.add(None, "Denuncias por comision", f"no hay filas {ITEM_COMPLAINTS}: no se pueden contar las denuncias")
    ages = used["item"].str.extract(AGE_ITEM)
    under_18 = used[ages[1].notna() & (pd.to_numeric(ages[1], errors="coerce") <= 17)]
    victims = used[used["item"] == ITEM_VICTIMS]
    groups = ["dep", "year"]
    table = pd.concat(
        {
            "denuncias": complaints.groupby(groups)["number"].sum(min_count=1),
            "victims": victims.groupby(groups)["number"].sum(min_count=1),
            "victims_under_18": under_18.groupby(groups)["number"].sum(min_count=1),
        },
        axis=1,
    ).reset_index()
    table = table.rename(columns={"dep": "code"}).assign(source=FORMAT_MININTER, level="department")
    return _order(table), read, len(used), len(repeats)


def _fmt(value: float) -> str:
    if value is None or pd.isna(value):
        return "vacío"
    return str(int(value)) if np.isfinite(value) else str(value)


# ------------------------------------------------------------- Ministerio Público


def _parse_date(text: str) -> datetime | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    return None


def _drop_repeated_blocks(rows: pd.DataFrame, messages: _Messages) -> pd.DataFrame:
    """Drop what a concatenation of downloads repeats: the same year of a distrito fiscal from
    an older download, and a block (year, distrito fiscal, download) whose rows are the same
    sequence of rows twice or more.

    Rows with the same article inside one block are *not* repeats: the open data splits some
    articles over several rows (e.g. 2021), and those rows add up.
    """
    if "downloaded" in rows and rows["downloaded"].ne("").any():
        dates = map_unique(rows["downloaded"], lambda s: _parse_date(s) or datetime.min)
        rows = rows.assign(_date=dates.to_numpy())
        latest = rows.groupby(["year", "prosecution_district"])["_date"].transform("max")
        older = rows["_date"] < latest
        if older.any():
            for (year, district), group in rows[older].groupby(["year", "prosecution_district"]):
                kept = rows.loc[(rows["year"] == year) & (rows["prosecution_district"] == district) & ~older, "downloaded"].iloc[0]
                messages.add(
                    int(group["row"].iloc[0]),
                    "fecha_descarga",
                    f"el año {year} del distrito fiscal {district or '?'} aparece en otra descarga más reciente "
                    f"({kept}); se omitieron {len(group)} filas de la descarga {group['downloaded'].iloc[0]}",
                )
        rows = rows[~older].drop(columns="_date")
    block = (rows["year"] + "|" + rows["prosecution_district"] + "|" + rows["downloaded"]).to_numpy()
    content = pd.util.hash_pandas_object(rows.drop(columns=["row"]), index=False).to_numpy()
    drop = np.zeros(len(rows), dtype=bool)
    for _, idx in pd.Series(range(len(rows))).groupby(block, sort=False).indices.items():
        hashes = content[idx]
        n = len(hashes)
        for period in range(1, n // 2 + 1):
            if n % period == 0 and (hashes == np.tile(hashes[:period], n // period)).all():
                drop[idx[period:]] = True
                rows_of = rows["row"].to_numpy()
                messages.add(
                    int(rows_of[idx[period]]),
                    None,
                    f"el bloque de las filas {rows_of[idx[0]]}–{rows_of[idx[period - 1]]} (año, distrito fiscal y "
                    f"descarga) se repite {n // period - 1} vez/veces más hasta la fila {rows_of[idx[-1]]}; se omitieron las repeticiones",
                )
                break
    return rows[~drop]


def _mpfn(text: str, messages: _Messages, progress: Progress | None) -> tuple[pd.DataFrame, int, int, int]:
    rows, read, _ = _read_rows(text, MPFN_COLUMNS, MPFN_OPTIONAL, messages, progress, 0.05, 0.6)
    if rows.empty:
        return empty_series(), read, 0, 0
    for key in MPFN_OPTIONAL:
        if key not in rows:
            rows[key] = ""
    if progress:
        progress(0.7, "deduplicating")
    before = len(rows)
    rows = _drop_repeated_blocks(rows, messages)
    repeated = before - len(rows)
    rows = rows.assign(article=map_unique(rows["article"], normalize_article))
    description = map_unique(rows["description"], fold)
    by_article = rows["article"].isin(list(TRAFFICKING_ARTICLES))
    says_trafficking = description.str.contains("TRATA DE PERSONAS", regex=False)
    mismatch = by_article & (description != "") & ~says_trafficking
    for r in rows.loc[mismatch, ["row", "article", "description"]].itertuples():
        messages.add(r.row, "des_articulo", f"artículo {r.article} descrito como «{r.description[:60]}», no como trata: no se contó")
    described_only = ~by_article & says_trafficking & ~description.str.contains("EXPLOTACION", regex=False)
    for r in rows.loc[described_only, ["row", "article"]].itertuples():
        messages.add(r.row, "articulo", f"descrito como trata pero con el artículo «{r.article[:20]}» (no 153/153-A/129-A/129-B): no se contó")
    trafficking = rows[by_article & ~mismatch].copy()
    trafficking["year"], bad_year = _years(trafficking["year"])
    for r in trafficking.loc[bad_year, ["row", "year"]].itertuples():
        messages.add(r.row, "anio_denuncia", f"año «{r.year[:20]}» no válido (fila omitida)")
    trafficking["number"], bad_count = _whole_numbers(trafficking["count"])
    bad_count |= trafficking["number"].isna()
    bad_count &= ~bad_year
    for r in trafficking.loc[bad_count, ["row", "count"]].itertuples():
        messages.add(r.row, "cantidad", f"«{r.count[:20]}» no es un número entero entre 0 y {MAX_ROW_SHOWN} (fila omitida)")
    trafficking = trafficking[~(bad_year | bad_count)]
    ubigeo = trafficking["ubigeo"].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    valid_ubigeo = ubigeo.str.fullmatch(r"\d{5,6}") & ubigeo.str.zfill(6).str[:2].isin(list(DEPARTMENTS))
    trafficking["district"] = ubigeo.str.zfill(6).where(valid_ubigeo, "")
    trafficking["dep"] = _department_codes(trafficking["ubigeo"].where(valid_ubigeo, ""), trafficking["department"], 6)
    no_place = trafficking["dep"] == ""
    for r in trafficking.loc[no_place, ["row", "ubigeo"]].itertuples():
        messages.add(r.row, "ubigeo", f"ni el UBIGEO «{r.ubigeo[:20]}» ni el departamento permiten ubicar la fila (omitida)")
    dep_only = ~no_place & (trafficking["district"] == "")
    for r in trafficking.loc[dep_only, ["row", "ubigeo"]].itertuples():
        messages.add(r.row, "ubigeo", f"UBIGEO «{r.ubigeo[:20]}» no válido: contada solo en su departamento")
    trafficking = trafficking[~no_place]
    if progress:
        progress(0.8, "aggregating")
    departments = trafficking.groupby(["dep", "year"])["number"].sum().rename("denuncias").reset_index()
    departments = departments.rename(columns={"dep": "code"}).assign(level="department")
    located = trafficking[trafficking["district"] != ""]
    districts = located.groupby(["district", "year"])["number"].sum().rename("denuncias").reset_index()
    districts = districts.rename(columns={"district": "code"}).assign(level="district")
    table = pd.concat([departments, districts], ignore_index=True).assign(
        source=FORMAT_MPFN, victims=np.nan, victims_under_18=np.nan
    )
    return _order(table), read, len(trafficking), repeated


def _order(table: pd.DataFrame) -> pd.DataFrame:
    for col in ("denuncias", "victims", "victims_under_18"):
        if col not in table:
            table[col] = np.nan
        table[col] = table[col].astype(float)
    table["code"] = table["code"].astype(str)
    table["year"] = table["year"].astype(str)
    level_order = table["level"].map({"department": 0, "district": 1})
    table = table.assign(_o=level_order).sort_values(["_o", "code", "year"]).drop(columns="_o")
    return table[SERIES_COLUMNS].reset_index(drop=True)


# -------------------------------------------------------------------------- entry


def import_trata(data: bytes, file_name: str = "", progress: Progress | None = None) -> TrataImport:
    """Read a MININTER or Ministerio Público file into department (and district) x year series.

    Parameters
    ----------
    data
        The file's bytes (CSV/TXT; ``;``, ``,``, tab or ``|`` separated; UTF-8 with or without
        BOM, or Latin-1).
    file_name
        Shown in messages and provenance.
    progress
        Called with (fraction 0–1, stage) while reading a large file.

    Returns
    -------
    TrataImport; ``ok`` is False when nothing usable was found, and ``messages`` says why.
    Never raises on bad content.
    """
    messages = _Messages()
    if progress:
        progress(0.0, "decoding")
    if not data or not data.strip():
        messages.add(None, None, "el archivo está vacío")
        return TrataImport(None, file_name, empty_series(), messages.items)
    if b"\x00" in data[:4096]:
        messages.add(None, None, "no es un archivo de texto (CSV): ¿es un Excel o un ZIP? Guárdelo como CSV")
        return TrataImport(None, file_name, empty_series(), messages.items)
    text = decode(data, messages)
    first_line = text.split("\n", 1)[0]
    header = next(csv.reader([first_line], delimiter=sniff_delimiter(first_line)), [])
    source = detect_format(header)
    if source is None:
        messages.add(
            1,
            None,
            "formato no reconocido: se esperaban las columnas de MININTER (ANIO; MES; CCDD; ...; "
            "Denuncias por comision; Valor) o del Ministerio Público (anio_denuncia; ...; articulo; cantidad; ubigeo)",
        )
        return TrataImport(None, file_name, empty_series(), messages.items)
    reader = _mininter if source == FORMAT_MININTER else _mpfn
    try:
        series, read, used, repeated = reader(text, messages, progress)
    except (csv.Error, ValueError, OverflowError) as err:  # content no rule above foresaw
        messages.add(None, None, f"el archivo no se pudo leer como CSV ({str(err)[:120]})")
        return TrataImport(source, file_name, empty_series(), messages.items)
    if progress:
        progress(1.0, "done")
    if series.empty and not any(m.row == 1 for m in messages.items):
        messages.add(None, None, "no se encontró ninguna cifra de trata de personas en el archivo")
    return TrataImport(source, file_name, series, messages.items, read, used, repeated, messages.more)

