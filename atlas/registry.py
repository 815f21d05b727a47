"""The user's own services registry, as the app keeps it: checks of an upload payload and of
the units kept in the browser session (the parsing is `ingest.registry`).
"""

from __future__ import annotations

from analysis.districts import DistrictIndex
from ingest.registry import (
    MAX_BYTES,
    bytes_from_data_url,
    clean_records,
    echo,
    merge_units,
    too_large_text,
    validate_upload,
)

MAX_B64 = -(-MAX_BYTES // 3) * 4 + 300  # the limit as a base64 data-URL length (+ its header)


def refused_report(file: str, problem: dict) -> dict:
    return {
        "file": file,
        "state": "refused",
        "refused": True,
        "n_rows": 0,
        "n_valid": 0,
        "n_errors": 1,
        "errors": [{"row": None, "column": "", "es": problem["es"], "en": problem["en"]}],
    }


def check_upload(payload: object, stored: object, places: DistrictIndex) -> tuple[dict, list[dict]]:
    """(report, valid rows pending confirmation) for what the browser sent."""
    if not isinstance(payload, dict):
        return refused_report("", {"es": "No se recibió un archivo legible.", "en": "No readable file was received."}), []
    file = echo(payload.get("name") if isinstance(payload.get("name"), str) else "")
    too_large = payload.get("too_large")
    if too_large:
        size = too_large if isinstance(too_large, int) and not isinstance(too_large, bool) else MAX_BYTES + 1
        return refused_report(file, too_large_text(max(size, MAX_BYTES + 1))), []
    data, problem = bytes_from_data_url(payload.get("contents"))
    if problem:
        return refused_report(file, problem), []
    existing, _ = clean_records(stored, places)
    result = validate_upload(data, places, existing=existing)
    report = {"file": file, **result.summary()}
    report["state"] = "refused" if result.refused else ("pending" if result.records else "nothing")
    return report, result.records


def confirm_units(pending: object, stored: object, places: DistrictIndex) -> tuple[list[dict], int, int]:
    """(units after adding the pending ones, how many were added, how many were refused)."""
    existing, _ = clean_records(stored, places)
    new, dropped = clean_records(pending, places)
    merged, refused = merge_units(existing, new)
    return merged, len(merged) - len(existing), refused + dropped


def _n(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
