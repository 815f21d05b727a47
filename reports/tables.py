"""Shared helpers for files users download (CSV, XLSX)."""

from __future__ import annotations

import csv
import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text cells that a spreadsheet would run as formulas get a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell (and header) neutralised for spreadsheets."""
    out = frame.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with a UTF-8 BOM so that spreadsheet programs read accents correctly."""
    buffer = io.StringIO()
    safe_frame(frame).to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(sheets: dict[str, pd.DataFrame], headerless: tuple[str, ...] = ()) -> bytes:
    """An XLSX workbook, one sheet per frame (sheet names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame).to_excel(writer, sheet_name=name[:31], index=False, header=name not in headerless)
    return buffer.getvalue()
