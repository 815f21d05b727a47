"""What a server worker holds (issue 16, at most 200 MB RSS per gunicorn worker): a start
from the snapshot (atlas/warm.py) never imports the readers of the data files or of
uploads, and the lazy paths still work (a cold start reads the data; the plotly bundle is
still served to a client that accepts no compression)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import brotli

from app import VENDOR

ROOT = Path(__file__).resolve().parents[2]
READERS = ("pyreadr", "pyogrio", "fiona", "openpyxl", "kaleido")  # data files, uploads, downloads

START = """
import json, sys
import app
built = app.create_app()
assert built.cobertura_model is not None and not built.cobertura_model.catalog.errors
print(json.dumps(sorted(m for m in {readers} if sys.modules.get(m) is not None)))
"""


def started_imports(cache: Path) -> list[str]:
    """The readers imported by `create_app` in a fresh interpreter using `cache`."""
    env = {**os.environ, "COBERTURA_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache / "xdg"),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", START.format(readers=READERS)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_warm_start_imports_no_file_readers_and_a_cold_one_reads_the_data(tmp_path):
    cold = started_imports(tmp_path)
    assert "pyreadr" in cold and "pyogrio" in cold  # the R data and the GeoJSON were read
    assert list((tmp_path / "warm").glob("model-*.pkl"))
    assert started_imports(tmp_path) == []


def test_the_bundle_modules_are_served_whole_without_compression_and_as_gzip(app):
    client = app.server.test_client()
    modules = sorted(VENDOR.glob("*.mjs.br"))
    assert modules
    for path in modules:
        whole = brotli.decompress(path.read_bytes())
        url = "/vendor/" + path.name.removesuffix(".br")
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
        assert plain.data == whole
        zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == whole
        assert zipped.headers["ETag"] == plain.headers["ETag"]
