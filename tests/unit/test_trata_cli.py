"""`python -m analysis import-trata FILE` prints the series it built."""

import json
import subprocess
import sys
from pathlib import Path

from analysis.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "muestras_oficiales"


def test_import_trata_prints_department_year_series_as_json(capsys):
    assert main(["import-trata", str(SAMPLES / "mininter_trata_lambayeque_2017_2023.csv"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_year = {r["year"]: r for r in out["series"]}
    assert out["source"] == "mininter"
    assert by_year["2020"]["value"] == 25 and by_year["2020"]["under_18"] == 18
    assert by_year["2017"]["value"] is None and by_year["2017"]["value_flag"] == "suppressed"  # 3 -> <5
    assert by_year["2019"]["department"] == "LAMBAYEQUE"


def test_import_trata_csv_has_district_rows_for_the_prosecutor_file(capsys):
    assert main(["import-trata", str(SAMPLES / "mpfn_delitos_lambayeque_2019_2023.csv"), "--format", "csv", "--level", "district"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("source,level,code,department,year,value")
    assert "mpfn,district,140101,LAMBAYEQUE,2023,11,,,no_data" in lines


def test_a_malformed_file_prints_messages_and_fails_cleanly(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    assert main(["import-trata", str(bad)]) == 1
    assert "fila 1" in capsys.readouterr().err


def test_the_module_runs_as_a_command():
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "import-trata", str(SAMPLES / "mpfn_delitos_lambayeque_2019_2023.csv")],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(done.stdout)["series"][0]["year"] == "2019"
