"""What a response may not tell a stranger: server paths, framework versions, debug routes,
or an address taken from the request's Host header."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pypdf import PdfReader

from app import Settings, create_app
from reports.brief_content import brief_link, make_brief
from views.gaps import GapState
from views.plan import Scenario
from tests.app.dash_requests import DashRequests
from tests.unit.test_datadir import mirror

ROOT = Path(__file__).resolve().parents[2]


def absolute_paths_in(text: str, *roots: Path) -> list[str]:
    found = []
    for root in roots:
        for form in {str(root), str(root.resolve())}:
            if form in text:
                found.append(form)
    return found


def test_no_absolute_path_in_notices_sources_or_the_fatal_page(tmp_path):
    root = mirror(Settings().data().root, tmp_path)
    (root / "facilities" / "mimp_directorio_nacional.csv").unlink()  # a missing layer
    broken_geojson = root / "migration" / "censo2025_nacidos_extranjero_distrito.csv"
    broken_geojson.unlink()
    broken_geojson.write_text("not,a\nvalid file")  # an altered one
    app = create_app(Settings(data_dir=root))
    requests_ = DashRequests(app)
    texts = [str(app.cobertura_model.catalog.errors)]
    for output in ("layer-notice.children", "sources.children"):
        callback = next(cb for cb in requests_.callbacks if cb.output == output)
        for lang in ("es", "en"):
            status, text = requests_.call(callback, {("lang", "value"): lang, ("tabs", "active_tab"): "sources"})
            assert status == 200
            texts.append(json.dumps(json.loads(text), ensure_ascii=False))  # the JSON escapes "/"
    http = app.server.test_client()
    texts.append(http.get("/healthz").get_data(as_text=True))
    assert "facilities/mimp_directorio_nacional.csv" in texts[1]  # the file is still named
    assert absolute_paths_in("\n".join(texts), root, tmp_path, ROOT) == []

    (root / "boundaries" / "peru_distritos_s0025.geojson").unlink()
    fatal = create_app(Settings(data_dir=root)).server.test_client()
    layout = json.dumps(fatal.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "boundaries/peru_distritos_s0025.geojson" in layout
    assert absolute_paths_in(layout, root, tmp_path, ROOT) == []


def test_debug_routes_and_made_up_asset_paths_answer_404(app):
    http = app.server.test_client()
    assert http.get("/_reload-hash").status_code == 404  # debug is off
    for path in ("/_dash-component-suites/nothere/x.js", "/_dash-component-suites/dash/../../etc/passwd",
                 "/_dash-component-suites/dash/dcc/nothere.js"):
        response = http.get(path)
        assert response.status_code == 404, path
        assert b"Traceback" not in response.get_data()


def test_the_brief_link_comes_from_the_configured_address_never_from_the_host_header(model, app):
    gs = GapState(level="department")
    assert brief_link("", "es", gs, Scenario()) == ""  # not configured: no link at all
    link = brief_link("https://cobertura.example.org/atlas", "es", gs, Scenario())
    assert link.startswith("https://cobertura.example.org/atlas/?") and "tab=gaps" in link
    requests_ = DashRequests(app)
    callback = next(cb for cb in requests_.callbacks if "brief-download" in cb.output)
    requests_.http.environ_base = {"HTTP_HOST": "evil.example"}
    status, text = requests_.call(callback, {("brief-pdf", "n_clicks"): 1, ("lang", "value"): "es"},
                                  changed=["brief-pdf.n_clicks"])
    assert status == 200 and "evil.example" not in text
    pdf, _ = make_brief(model, gs, Scenario(), "es", link)
    page = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "cobertura.example.org" in page


def test_python_app_py_names_no_framework_or_python_version(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PORT": str(port), "COBERTURA_JOB_CACHE": str(tmp_path / "jobs")}
    env.pop("COBERTURA_DEBUG", None)
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    server = response.headers.get("Server", "")
                    break
            except OSError:
                if time.time() > end or process.poll() is not None:
                    raise
                time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert server == "Cobertura"
    assert not re.search(r"Werkzeug|Python|\d+\.\d+", server)


def test_a_job_directory_open_to_others_stops_the_start_with_a_clear_message(tmp_path):
    shared = tmp_path / "jobs"
    shared.mkdir()
    os.chmod(shared, 0o777)
    env = {**os.environ, "COBERTURA_JOB_CACHE": str(shared), "PORT": "1"}
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Cobertura no puede iniciar / cannot start" in done.stderr and "open to other users" in done.stderr
    assert "Traceback" not in done.stderr
