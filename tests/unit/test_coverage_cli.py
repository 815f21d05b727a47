import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def loreto_by_department(*threshold: str) -> dict:
    """The coverage command's JSON by department (UPE) at a threshold: one record per
    department (25), Loreto's returned."""
    out = run("coverage", "--service", "upe", *threshold, "--level", "department", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 25
    return next(r for r in rows if r["ubigeo"] == "16")


def test_coverage_command_prints_one_record_per_area_as_json():
    loreto = loreto_by_department("--km", "50")
    assert loreto["name"] == "Loreto"
    assert loreto["rural_population"] == 314534
    assert round(loreto["pct_rural_beyond"], 1) == 84.0
    assert {"ubigeo", "name", "rural_population", "pct_rural_beyond", "median_km"} <= set(loreto)


def test_coverage_command_csv_for_one_department():
    out = run("coverage", "--service", "chain", "--km", "50", "--level", "province", "--department", "16", "--format", "csv")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("ubigeo,name,rural_population,")
    assert len(lines) == 1 + 8 and all(line.startswith("16") for line in lines[1:])


@pytest.mark.parametrize("km", ["-3", "0", "301", "2000", "nan"])
def test_bad_threshold_is_a_clear_error(km):
    """The same bound as the UI (analysis.limits.THRESHOLD_KM); 2000 km used to be accepted."""
    out = run("coverage", "--service", "upe", "--km", km)
    assert out.returncode == 2 and "--km must be a number between 1 and 300" in out.stderr
    assert "Traceback" not in out.stderr


def test_suggest_command_prints_sites_and_total_gain():
    out = run("suggest", "--service", "upe", "--n", "5", "--km", "50", "--departments", "16", "--format", "json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert len(result["sites"]) == 5
    first = result["sites"][0]
    assert {"ubigeo", "name", "lat", "lon", "gain"} <= set(first)
    assert first["ubigeo"].startswith("16") and first["gain"] > 0
    gains = [s["gain"] for s in result["sites"]]
    assert gains == sorted(gains, reverse=True)  # greedy: marginal gains never grow
    assert abs(result["total_gain"] - sum(gains)) < 0.5


def test_suggest_refuses_a_million_sites():
    out = run("suggest", "--service", "upe", "--n", "1000000", "--departments", "16")
    assert out.returncode == 2 and "--n must be a number between 1 and 20" in out.stderr


def test_suggest_refuses_a_forged_threshold_with_the_uis_bound():
    out = run("suggest", "--service", "upe", "--n", "5", "--km", "1e6", "--departments", "16")
    assert out.returncode == 2 and "--km must be a number between 1 and 300" in out.stderr
    assert "Traceback" not in out.stderr


def test_coverage_records_gain_children_and_the_rank_range_after_the_old_fields(cli):
    """Loreto, UPE, 50 km: 264,167 rural people beyond x Loreto's 2020 share aged 0-17 (40.8 %)
    = about 107,857 rural children beyond; its national rank 12 lies within its range."""
    code, out, err = cli("coverage", "--service", "upe", "--km", "50", "--level", "department", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    loreto = next(r for r in rows if r["ubigeo"] == "16")
    assert list(loreto)[-4:] == ["rural_children", "rural_children_beyond", "rank_low", "rank_high"]
    assert list(loreto)[:18] == ["ubigeo", "name", "rural_population", "rural_beyond", "pct_rural_beyond", "median_km",
                                 "rural_centres", "rural_centres_beyond", "population", "pct_population_within",
                                 "poverty", "rural_share", "foreign_per_1000", "cem_per_10000", "need", "gap_index",
                                 "rank", "rural_children"]
    assert abs(loreto["rural_children_beyond"] - 107_857) < 1
    assert loreto["rural_children_beyond"] / loreto["rural_beyond"] == pytest.approx(
        loreto["rural_children"] / loreto["rural_population"])
    assert loreto["rank_low"] <= loreto["rank"] <= loreto["rank_high"]
    callao = next(r for r in rows if r["ubigeo"] == "07")  # no rural population: unranked, never 0
    assert callao["rank"] is None and callao["rank_low"] is None and callao["rank_high"] is None
    code, out, _ = cli("coverage", "--service", "upe", "--km", "50", "--level", "district", "--department", "16",
                       "--format", "csv")
    header = out.splitlines()[0]
    assert header.endswith("gap_index,rank,rural_children,rural_children_beyond,rank_low,rank_high")


def test_coverage_in_hours_adds_median_hours_and_the_range():
    loreto = loreto_by_department("--hours", "6")
    assert {"median_hours", "pct_rural_beyond", "median_km", "pct_rural_beyond_low", "pct_rural_beyond_high"} <= set(loreto)
    assert loreto["pct_rural_beyond_high"] <= loreto["pct_rural_beyond"] <= loreto["pct_rural_beyond_low"]
