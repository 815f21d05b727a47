"""The one text toolkit for files people hand us: decode, sniff the delimiter, fold, safe_cell.

Pure code, no Dash, no data directory. Every reader in `ingest/` (the registry upload, the
official trafficking files) and every writer of a download (`reports/tables.py`) uses these,
so that a name is compared, and a cell neutralised, the same way everywhere.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import numbers
import re
import unicodedata
from typing import Callable, Mapping, NamedTuple

Text = Mapping[str, str]
"""UI text in both languages: {"es": ..., "en": ...}."""

LANGS = ("es", "en")


def text(es: str, en: str) -> dict[str, str]:
    return {"es": es, "en": en}


# ------------------------------------------------------------------------- cells

FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_cell(value):
    """A cell safe to display and to open in a spreadsheet (the one rule for every download).

    In text, control characters are removed and a cell a spreadsheet could read as a formula
    (starting with = + - @ tab or CR, even ``-12`` or ``+1``: text stays text) gets a leading
    single quote. Numbers and other non-text values pass unchanged (a number is never a
    formula). Idempotent.
    """
    if not isinstance(value, str):
        return value
    out = CONTROL_CHARS.sub("", value)
    return "'" + out if out.startswith(FORMULA_LEADERS) else out


def safe_text(value: object) -> str:
    """`safe_cell` of any value as text: blank for None/NaN, numbers written as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, numbers.Number):
        return str(value)
    return safe_cell(str(value))


# -------------------------------------------------------------------------- fold


def fix_mojibake(value: str) -> str:
    """Undo UTF-8 read as Windows-1252 ('129-Ã‘' -> '129-Ñ', 'funciÃ³n' -> 'función')."""
    if "Ã" not in value and "Â" not in value:
        return value
    for codec in ("cp1252", "latin-1"):
        try:
            return value.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return value


def fold(value: object, *, keep: str = "", punctuation: bool = False, mojibake: bool = False) -> str:
    """How names are compared: no accents, upper case, single spaces ("" for None/NaN).

    By default every character that is not a letter or digit (or in `keep`) becomes a space;
    with ``punctuation=True`` punctuation is kept (a byte-order mark is dropped). With
    ``mojibake=True`` UTF-8 read as Windows-1252 is repaired first.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    plain = fix_mojibake(str(value)) if mojibake else str(value)
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c)).upper()
    if punctuation:
        plain = plain.replace("\ufeff", "")
    else:
        plain = "".join(c if c.isalnum() or c in keep else " " for c in plain)
    return " ".join(plain.split())


# ------------------------------------------------------------------------ decode


class Decoded(NamedTuple):
    text: str
    encoding: str  # "UTF-8 (BOM)", "UTF-8", "Windows-1252" or "ISO-8859-1"
    bad_byte: int | None  # where UTF-8 failed (counted after a BOM), None when it did not


def decode(data: bytes) -> Decoded:
    """Text of a file: UTF-8 (a BOM is dropped), else Windows-1252, else Latin-1. Never raises."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return Decoded(data[3:].decode("utf-8"), "UTF-8 (BOM)", None) if bom else Decoded(data.decode("utf-8"), "UTF-8", None)
    except UnicodeDecodeError as err:
        bad = err.start
    try:
        return Decoded(data.decode("cp1252"), "Windows-1252", bad)
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "ISO-8859-1", bad)


# ------------------------------------------------------------------------- sniff

DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(
    text_: str,
    known: Callable[[str], bool] | None = None,
    max_columns: int = 60,
    preferred: tuple[str, ...] = (";", ",", "\t", "|"),
) -> str:
    """The delimiter of a delimited text file.

    With `known` (is this cell a known column name?): the delimiter under which some early
    line (of the first 40) reads as the most known column names, then the most cells
    (Spanish Excel writes ';'; default ','). Without: the one the first line holds most
    often, in the order of `preferred` on a tie (default its first).
    """
    if known is None:
        first_line = text_.split("\n", 1)[0]
        counts = {sep: first_line.count(sep) for sep in preferred}
        return max(counts, key=counts.get) if max(counts.values()) > 0 else preferred[0]
    head = "\n".join(text_.splitlines()[:40])
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        hits = max((sum(known(c) for c in row[:max_columns]) for row in rows), default=0)
        cells = max((len(row) for row in rows), default=0)
        if (hits, cells) > best_score:
            best, best_score = delimiter, (hits, cells)
    return best
