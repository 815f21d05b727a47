"""Small helpers shared by the benchmarks: timings, and the writer of their sections of
bench/RESULTS.md."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def timings(fn: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of `runs` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ------------------------------------------------------------------- RESULTS.md

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _ends_section(line: str) -> bool:
    """A line that starts what follows a section: the next `## ` heading, or an HTML
    comment (another writer's marker, e.g. `<!-- scale: begin ... -->`, kept in place)."""
    return line.startswith("## ") or line.lstrip().startswith("<!--")


def replace_section(text: str, heading: str, body: str) -> str:
    """`text` (a RESULTS.md) with the section `heading` (its `## ` line) holding `body`.

    The section runs from its heading up to the next `## ` heading or comment line, which
    stay as they are (`### ` subheadings belong to the section). A missing section is
    appended at the end."""
    block = [heading, "", *body.strip("\n").split("\n"), ""]
    lines = text.split("\n")
    try:
        start = lines.index(heading)
    except ValueError:
        kept = "\n".join(lines).rstrip("\n")
        return (kept + "\n\n" if kept else "") + "\n".join(block)
    end = next(
        (i for i in range(start + 1, len(lines)) if _ends_section(lines[i])), len(lines)
    )
    return "\n".join(lines[:start] + block + lines[end:])


def replace_row(text: str, label: str, row: str, after: str | None = None) -> str:
    """`text` with the table row whose first cell is `label` (or `label (...)`) replaced by
    `row`; a missing row goes after the row whose first cell starts with `after` (if any)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(
            (f"| {label} |", f"| {label} (")
        ):  # "(bench, date, load)" kept out
            lines[i] = row
            return "\n".join(lines)
    if after is not None:
        for i, line in enumerate(lines):
            if line.startswith(f"| {after}"):
                lines.insert(i + 1, row)
                break
    return "\n".join(lines)


def write_results(
    heading: str,
    body: str,
    rows: Sequence[tuple[str, str, str | None]] = (),
    path: Path = RESULTS,
) -> None:
    """Rewrite one bench's section of RESULTS.md (and its rows of the budget table:
    (label, row, the row it follows when new)), leaving every other section as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    text = replace_section(text, heading, body)
    for label, row, after in rows:
        text = replace_row(text, label, row, after)
    path.write_text(text, encoding="utf-8")
