import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_coverage_command_prints_one_record_per_area_as_json():
    out = run("coverage", "--service", "upe", "--km", "50", "--level", "department", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 25
    loreto = next(r for r in rows if r["ubigeo"] == "16")
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
