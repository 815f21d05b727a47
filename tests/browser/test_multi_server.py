"""Two app servers, one Redis, one Celery worker (the README's two-server deployment, on
127.0.0.1): an official file uploaded through one server is imported by the worker, and the
browser reads the job's progress and result from the other server; stopping the worker
mid-job gives a clear message and keeps what was already imported.

A small proxy in front of the two gunicorn instances plays the load balancer: the page and
the request that starts a job go to server A, every poll of the job (Dash sends its
``cacheKey``) goes to server B. Needs Debian's redis-server (skipped locally without it,
required in CI) and the ``[multi]`` extra (celery, redis).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.app.test_production_serving import free_port, get
from tests.browser.test_map_page import wait_for
from tests.conftest import REQUIRE_BROWSER, pytest_setup_options

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "muestras_oficiales"
SHOTS = Path(os.environ.get("COBERTURA_SCREENSHOTS", "/tmp"))
START_TIMEOUT_S = 240
STALE_S = 4  # the worker's heartbeat goes stale this fast here (20 s by default)
STORE_JS = "return window.sessionStorage.getItem('trata-import-store');"

if not shutil.which("redis-server") and not REQUIRE_BROWSER:
    pytest.skip("redis-server not installed (apt-get install redis-server)", allow_module_level=True)
if not REQUIRE_BROWSER:
    pytest.importorskip("celery", reason="the [multi] extra is not installed (pip install -e '.[multi]')")


class Balancer(BaseHTTPRequestHandler):
    """Forwards to server A, except a background job's polls (with `cacheKey`), which go to B."""

    servers: ClassVar[dict[str, int]] = {}
    seen: ClassVar[Counter] = Counter()
    progress_from: ClassVar[Counter] = Counter()

    def log_message(self, *args):
        pass

    def _forward(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        target = "B" if "_dash-update-component" in self.path and "cacheKey" in query else "A"
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "accept-encoding", "connection")}
        connection = http.client.HTTPConnection("127.0.0.1", self.servers[target], timeout=120)
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
        finally:
            connection.close()
        Balancer.seen[(target, "poll" if target == "B" else "other")] += 1
        if target == "B" and b'"progress"' in payload:
            Balancer.progress_from[target] += 1
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _forward


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until(check, what: str, process_logs: list[Path], timeout: float = START_TIMEOUT_S) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if check():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in process_logs)
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


@pytest.fixture(scope="module")
def cluster():
    work = Path(tempfile.mkdtemp(prefix="cobertura-multi-"))
    redis_port, port_a, port_b, proxy_port = free_port(), free_port(), free_port(), free_port()
    url = f"redis://127.0.0.1:{redis_port}/0"
    env = {**os.environ, "COBERTURA_REDIS_URL": url, "COBERTURA_JOB_STALE_S": str(STALE_S),
           "COBERTURA_TEST_SLOW_S": "1.0", "PYTHONPATH": str(ROOT)}
    env.pop("COBERTURA_DEBUG", None)
    processes, logs = {}, {}
    try:
        logs["redis"] = work / "redis.log"
        processes["redis"] = start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", str(work)], env, logs["redis"])
        for name, port in (("A", port_a), ("B", port_b)):
            logs[name] = work / f"gunicorn-{name}.log"
            processes[name] = start([sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
                                     "--timeout", "120", "--bind", f"127.0.0.1:{port}", "app:server"], env, logs[name])
        logs["worker"] = work / "worker.log"
        processes["worker"] = start([sys.executable, "-m", "celery", "-A", "tests.browser.celery_worker:celery_app",
                                     "worker", "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
                                     "--without-mingle"], env, logs["worker"])
        for name, port in (("A", port_a), ("B", port_b)):
            wait_until(lambda p=port: _healthy(p), f"server {name}", list(logs.values()))
        wait_until(lambda: "ready" in logs["worker"].read_text(errors="replace"), "the Celery worker", list(logs.values()))
        Balancer.servers = {"A": port_a, "B": port_b}
        proxy = ThreadingHTTPServer(("127.0.0.1", proxy_port), Balancer)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        yield {"base": f"http://127.0.0.1:{proxy_port}", "processes": processes, "logs": logs, "redis": url}
        proxy.shutdown()
    finally:
        for process in processes.values():
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


def _healthy(port: int) -> bool:
    try:
        status, _, _ = get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        return status == 200
    except OSError:
        return False


@pytest.fixture()
def browser():
    driver = webdriver.Chrome(options=pytest_setup_options())
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def upload(driver, name: str) -> None:
    driver.find_element(By.CSS_SELECTOR, "#trata-upload input[type=file]").send_keys(str(SAMPLES / name))


def test_a_job_started_on_one_server_is_read_from_another_and_a_stopped_worker_is_reported(cluster, browser):
    browser.get(cluster["base"] + "/")
    wait_for(None, lambda: browser.find_elements(By.CSS_SELECTOR, "#trata-upload input[type=file]"), timeout=60,
             what="the upload field")
    # the memo of hovers and colours built by the map request on A is in Redis for B
    import redis

    client = redis.Redis.from_url(cluster["redis"])
    wait_for(None, lambda: client.keys("cobertura:memo:*"), timeout=60, what="the shared memo in Redis")
    upload(browser, "mininter_trata_lambayeque_2017_2023.csv")
    # progress is shown while the worker imports (the worker pauses 1 s per step) ...
    wait_for(None, lambda: "%" in browser.find_element(By.ID, "trata-upload-progress").text, timeout=60,
             what="progress on screen")
    status = wait_for(None, lambda: "Importado" in (t := browser.find_element(By.ID, "trata-upload-status").text) and t,
                      timeout=90, what="the import's result")
    assert "mininter_trata_lambayeque_2017_2023.csv" in status and "059 filas repetidas omitidas" in status
    # ... and both progress and result came from server B, the job was started on A
    assert Balancer.seen[("B", "poll")] >= 2 and Balancer.progress_from["B"] >= 1, (Balancer.seen, Balancer.progress_from)
    metric = wait_for(None, lambda: (m := browser.find_element(By.ID, "metric").get_attribute("value")).startswith("upload_")
                      and m, timeout=20, what="the imported series on the map")
    first = json.loads(browser.execute_script(STORE_JS))
    assert [u["file"] for u in first["uploads"]] == ["mininter_trata_lambayeque_2017_2023.csv"]
    assert "worker" in cluster["logs"]["worker"].read_text(errors="replace")
    assert "background_callback_" in cluster["logs"]["worker"].read_text(errors="replace")  # it ran there

    # a second file; the worker is stopped (killed) while it runs
    upload(browser, "mpfn_delitos_lambayeque_2019_2023.csv")
    worker_log = cluster["logs"]["worker"]
    wait_for(None, lambda: worker_log.read_text(errors="replace").count("] received") == 2, timeout=60,
             what="the worker starting the second import")
    time.sleep(1.5)  # mid-job: it takes about 5 s here
    stop(cluster["processes"]["worker"], signal.SIGKILL)
    notice = wait_for(None, lambda: "interrumpió" in (t := browser.find_element(By.ID, "error-notice").text) and t,
                      timeout=STALE_S * 6, what="the interrupted-job notice")
    assert "nada de lo que tenía en pantalla se perdió" in notice and "Traceback" not in notice
    browser.save_screenshot(str(SHOTS / "cobertura-multi-server-lost.png"))
    # nothing already imported is lost: the store, the metric and the upload field are as before
    assert json.loads(browser.execute_script(STORE_JS)) == first
    assert browser.find_element(By.ID, "metric").get_attribute("value") == metric
    wait_for(None, lambda: browser.find_element(By.CSS_SELECTOR, "#trata-upload input[type=file]").is_enabled(),
             timeout=20, what="the upload field enabled again")
    for name in ("A", "B"):
        assert cluster["processes"][name].poll() is None, f"server {name} stopped"
