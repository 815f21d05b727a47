"""The writer of the benches' sections of bench/RESULTS.md: one section is rewritten, the
others (and the scale bench's markers around its own) stay exactly as they were."""

from bench import bench_hours_ui
from bench.common import replace_row, replace_section

RESULTS = """# Benchmark results

## Budgets

| budget | measured | limit | holds |
|---|---:|---:|:---:|
| Threshold change, whole country, server p95 | 19.45 ms | <= 150 ms | yes |
| Brechas in hours: threshold change through the app, server p95 | 92.17 ms | <= 150 ms | yes |
| Switch between saved scenarios, server p95 (bench_scenarios, 2026-12-03, load 4.3) | 9.8 ms | <= 150 ms | yes |

## Named scenarios and their comparison (issue 15)

old scenarios table

### a subheading of the scenarios section

more old text

## Brechas in hours through the app (issue 13 UI)

old hours table

<!-- scale: begin (python -m bench.scale) -->
## Issue 16: first load, start-up, memory (`python -m bench.scale`)

scale table

### Budgets missed, and the profiles that show why

profiles
<!-- scale: end -->
"""

SCALE = RESULTS[RESULTS.index("<!-- scale: begin") :]


def test_rewriting_the_section_before_the_scale_markers_keeps_them():
    out = replace_section(
        RESULTS, "## Brechas in hours through the app (issue 13 UI)", "new hours table"
    )
    assert out.endswith("new hours table\n\n" + SCALE)
    assert "old hours table" not in out
    assert out.count("<!-- scale: begin") == 1 and out.count("<!-- scale: end -->") == 1


def test_a_section_with_subheadings_is_replaced_whole_and_the_rest_kept():
    heading = "## Named scenarios and their comparison (issue 15)"
    out = replace_section(RESULTS, heading, "new scenarios table")
    before, after = RESULTS.split(heading)
    assert out.startswith(before + heading + "\n\nnew scenarios table\n\n## Brechas")
    assert (
        "old scenarios table" not in out and "a subheading of the scenarios" not in out
    )
    assert out.endswith(after[after.index("## Brechas") :])


def test_writing_the_same_section_twice_changes_nothing_more():
    heading = "## Brechas in hours through the app (issue 13 UI)"
    once = replace_section(RESULTS, heading, "new\n\ntable\n")
    assert replace_section(once, heading, "new\n\ntable\n") == once


def test_a_missing_section_is_appended_after_the_others():
    out = replace_section(RESULTS, "## Something new", "figures")
    assert out == RESULTS + "\n## Something new\n\nfigures\n"
    assert replace_section("", "## Only", "figures") == "## Only\n\nfigures\n"


def test_a_budget_row_is_replaced_even_with_a_note_in_its_label():
    label = "Switch between saved scenarios, server p95"
    row = f"| {label} (bench_scenarios, today, load 0.5) | 8.0 ms | <= 150 ms | yes |"
    out = replace_row(RESULTS, label, row, after="Threshold change")
    assert row in out and "load 4.3" not in out
    assert len(out.split("\n")) == len(RESULTS.split("\n"))


def test_a_new_budget_row_goes_after_its_anchor_once():
    row = "| Comparison in hours, first time | 120 ms | <= 300 ms | yes |"
    anchor = "Switch between saved scenarios"
    out = replace_row(RESULTS, "Comparison in hours, first time", row, after=anchor)
    lines = out.split("\n")
    assert lines[lines.index(row) - 1].startswith(f"| {anchor}")
    again = replace_row(out, "Comparison in hours, first time", row, after=anchor)
    assert again == out


def test_a_row_whose_label_only_begins_another_is_not_replaced():
    out = replace_row(
        RESULTS, "Threshold change", "| Threshold change | 1 ms | x | y |"
    )
    assert out == RESULTS


def test_the_hours_bench_writes_its_section_and_budget_row(tmp_path, monkeypatch):
    (tmp_path / "RESULTS.md").write_text(RESULTS, encoding="utf-8")
    monkeypatch.setattr(bench_hours_ui, "HERE", tmp_path)
    figures = {"runs": 3, "load_average": 0.7}
    for name in ("hours_threshold", "km_threshold", "scenario_threshold", "add_unit"):
        figures.update(
            {f"{name}_p50_ms": 10.0, f"{name}_p95_ms": 12.5, f"{name}_cpu_p95_ms": 11.0}
        )
    bench_hours_ui.write(figures)
    out = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert out.endswith(SCALE)  # the scale bench's begin marker is kept
    assert "old hours table" not in out and "load average 0.7" in out
    assert f"| {bench_hours_ui.BUDGET_LABEL} | 12.50 ms | <= 150 ms | yes |" in out
    assert out.count(bench_hours_ui.BUDGET_LABEL) == 1
    assert "old scenarios table" in out


def test_the_scenarios_bench_writes_its_section_and_three_budget_rows(
    tmp_path, monkeypatch
):
    from bench import bench_scenarios

    (tmp_path / "RESULTS.md").write_text(RESULTS, encoding="utf-8")
    monkeypatch.setattr(bench_scenarios, "HERE", tmp_path)
    label = bench_scenarios.HOURS_FIRST_LABEL
    result = {
        "rows": [
            (label, 3, 150.0, 280.0, "<= 300 ms"),
            (bench_scenarios.HOURS_COLD_LABEL, 3, 900.0, 1000.0, "<= 300 ms"),
        ],
        "budget": (16, 5_000_000, 139_951),
        "load_average": (0.5, 0.6, 0.7),
        "switch_p95_ms": 8.0,
        "compare_p95_ms": 4.0,
        "compare_hours_first_ms": 280.0,
        "compare_hours_cold_ms": 1000.0,
        "graph_p50_ms": 700.0,
    }
    bench_scenarios.write(result)
    out = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert (
        "old scenarios table" not in out and "a subheading of the scenarios" not in out
    )
    assert f"| {label} | 3 | 150.0 ms | 280.0 ms | <= 300 ms (met) |" in out
    assert "| 1000.0 ms | <= 300 ms (**missed**) |" in out and "Still **missed**" in out
    assert "load 4.3" not in out and "load 0.5) | 8.0 ms | <= 150 ms | yes |" in out
    lines = out.split("\n")
    hours_row = next(
        i for i, x in enumerate(lines) if "modelled hours, first time" in x
    )
    assert lines[hours_row - 1].startswith("| Comparison of 6 scenarios, server p95")
    assert lines[hours_row].endswith("| 280.0 ms | <= 300 ms | yes |")
    assert "old hours table" in out and out.endswith(SCALE)
