"""A page's first requests to a freshly started gunicorn worker all succeed.

Dash runs its one-time set-up at the first request and marks it done before it has
registered the script paths; the page's other requests arriving meanwhile got 404 for React
and the component bundles (a blank page). `app.prime` does the set-up at start."""

from __future__ import annotations

import concurrent.futures as cf
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from tests.app.test_production_serving import free_port, get

ROOT = Path(__file__).resolve().parents[2]


def test_every_script_of_the_first_page_loads_from_fresh_workers():
    failures = []
    for _ in range(2):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "8", "--bind", f"127.0.0.1:{port}",
             "app:server"],
            cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "COBERTURA_DEBUG"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            end, page = time.time() + 240, None
            while page is None and time.time() < end:
                try:
                    status, _, body = get(base + "/", timeout=5)
                    page = body.decode() if status == 200 else None
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    time.sleep(0.2)
            assert page, "gunicorn did not answer"
            sources = re.findall(r'<script src="([^"]+)"', page) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
            assert len(sources) > 8
            with cf.ThreadPoolExecutor(16) as pool:  # as a browser does: all at once
                statuses = list(pool.map(lambda path, base=base: get(base + path, timeout=30)[0], sources * 2))
            failures += [(path, code) for path, code in zip(sources * 2, statuses) if code != 200]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert not failures, failures
