"""The README's production command, for real: gunicorn on 127.0.0.1, health, headers, a
Dash callback round trip, and a small bounded load with zero errors. Speed goals live in
bench/; here only correctness under concurrency is asserted."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS, REQUESTS_PER_CLIENT = 20, 10
START_TIMEOUT_S, LOAD_TIMEOUT_S = 240, 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 60):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def map_callback_body(metric: str, level: str = "department") -> bytes:
    values = [("level", level), ("focus", "PE"), ("metric", metric), ("year", ""), ("services", ["upe", "care"]),
              ("basemap", False), ("lang", "es")]
    return json.dumps(
        {
            "output": "..map.figure...map-drawn.data..",
            "outputs": [{"id": "map", "property": "figure"}, {"id": "map-drawn", "property": "data"}],
            "inputs": [{"id": k, "property": "value", "value": v} for k, v in values],
            "state": [
                {"id": "map-drawn", "property": "data", "value": None},
                {"id": "trata-import-store", "property": "data", "value": None},
            ],
            "changedPropIds": ["level.value"],
        }
    ).encode()


@pytest.fixture(scope="module")
def gunicorn():
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--timeout", "60", "--keep-alive", "5",
               "--bind", f"127.0.0.1:{port}", "app:server"]
    env = {**os.environ}
    env.pop("COBERTURA_DEBUG", None)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.time() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {process.stdout.read().decode()[-3000:]}")
            try:
                status, _, body = get(base + "/healthz", timeout=5)
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.time() > end:
                raise AssertionError("gunicorn did not answer /healthz in time")
            time.sleep(1)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_gunicorn_serves_the_app_with_security_headers_and_debug_off(gunicorn):
    base, _ = gunicorn
    status, headers, body = get(base + "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, headers, body = get(base + "/")
    assert status == 200 and b"Cobertura" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
    config = json.loads(re.search(rb'<script id="_dash-config" type="application/json">(.*?)</script>', body, re.S).group(1))
    assert config["ui"] is False and config["props_check"] is False and "hot_reload" not in config  # debug off
    status, _, body = get(base + "/_dash-update-component", data=b"{}", headers={"Content-Type": "application/json"})
    assert status in (400, 500) and b"Traceback" not in body


def test_a_dash_callback_round_trip(gunicorn):
    base, _ = gunicorn
    status, headers, body = get(base + "/_dash-update-component", data=map_callback_body("rural_share"),
                                headers={"Content-Type": "application/json"})
    assert status == 200 and "Content-Security-Policy" in headers
    response = json.loads(body)["response"]
    figure = response["map"]["figure"]
    assert len(figure["data"][2]["locations"]) == 25 and response["map-drawn"]["data"]["metric"] == "rural_share"


def test_bounded_load_gives_zero_errors(gunicorn):
    base, process = gunicorn
    metrics = ["poverty_2018", "rural_share", "rural_population", "cem_cases"]

    def client(n: int) -> list[tuple[str, int, float]]:
        results = []
        for i in range(REQUESTS_PER_CLIENT):
            kind = (n + i) % 3
            start = time.perf_counter()
            if kind == 0:
                status, _, body = get(base + "/")
                ok = status == 200 and b"_dash-renderer" in body
            elif kind == 1:
                status, _, body = get(base + "/_dash-update-component", data=map_callback_body(metrics[(n + i) % 4]),
                                      headers={"Content-Type": "application/json"})
                ok = status == 200 and b'"map-drawn"' in body
            else:
                status, headers, body = get(base + "/geo/district-pe.json", headers={"Accept-Encoding": "gzip"})
                ok = status == 200 and len(json.loads(gzip.decompress(body))["features"]) == 1891
            results.append((("page", "callback", "geometry")[kind], status if ok else -status, time.perf_counter() - start))
        return results

    results = []
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(client, n) for n in range(CLIENTS)]
        for future in as_completed(futures, timeout=LOAD_TIMEOUT_S):
            results.extend(future.result())
    elapsed = time.perf_counter() - start
    errors = [r for r in results if r[1] != 200]
    assert len(results) == CLIENTS * REQUESTS_PER_CLIENT
    assert errors == []
    assert process.poll() is None  # still serving
    slowest = max(r[2] for r in results)
    print(f"\n{len(results)} requests by {CLIENTS} clients in {elapsed:.1f} s; slowest {slowest:.2f} s")


def background_call(base: str, body: dict, timeout: float = 120) -> tuple[int, dict]:
    """A background callback over HTTP, polled as the browser polls it."""
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    status, _, raw = get(base + "/_dash-update-component", data=data, headers=headers)
    if status != 200:
        return status, {}
    handles = json.loads(raw)
    if "cacheKey" not in handles:
        return status, handles
    query = urllib.parse.urlencode({"cacheKey": handles["cacheKey"], "job": handles["job"]})
    end = time.time() + timeout
    while time.time() < end:
        time.sleep(0.25)
        status, _, raw = get(f"{base}/_dash-update-component?{query}", data=data, headers=headers)
        if status != 200:
            return status, {}
        answer = json.loads(raw)
        if "response" in answer or "sideUpdate" in answer:
            return status, answer
    raise AssertionError("a background job did not finish in time")


def test_page_loads_do_not_wait_for_briefs_and_a_suggestion(gunicorn, app):
    """Heavy work runs off the request threads in a bounded pool: with four PDF briefs and
    the heaviest legal suggestion under way, page loads do not queue behind them (a load
    takes a small part of the time the heavy work takes, and p95 stays under 1 s)."""
    from views import ids
    from tests.app.dash_requests import DashRequests

    base, process = gunicorn
    local = DashRequests(app)  # the same app in process: it builds the request bodies
    brief = next(cb for cb in local.callbacks if "brief-download" in cb.output)
    plan = next(cb for cb in local.callbacks if cb.output.startswith("..scenario.data"))
    brief_body = local.body(brief, {(ids.BRIEF_PDF, "n_clicks"): 1, (ids.LANG, "value"): "es",
                                    (ids.GAP_LEVEL, "value"): "district"}, changed=[f"{ids.BRIEF_PDF}.n_clicks"])
    suggest_body = local.body(plan, {
        (ids.PLAN_SUGGEST, "n_clicks"): 1, (ids.PLAN_SERVICE, "value"): "upe", (ids.GAP_KM, "value"): 300,
        (ids.PLAN_N, "value"): 20, (ids.PLAN_DEPARTMENTS, "value"): sorted(app.cobertura_model.geo.codes("department")),
        (ids.PLAN_CANDIDATES, "value"): "centres", (ids.PLAN_MIN_SIZE, "value"): 0, (ids.LANG, "value"): "es",
    }, changed=[f"{ids.PLAN_SUGGEST}.n_clicks"])

    def heavy(kind: str):
        start = time.perf_counter()
        if kind == "brief":
            status, answer = background_call(base, brief_body)
        else:
            status, _, raw = get(base + "/_dash-update-component", data=json.dumps(suggest_body).encode(),
                                 headers={"Content-Type": "application/json"}, timeout=120)
            answer = json.loads(raw) if status == 200 else {}
        took.append(time.perf_counter() - start)
        return status, answer

    def page_loads(n: int) -> list[float]:
        times = []
        for _ in range(12):
            start = time.perf_counter()
            status, _, body = get(base + "/")
            assert status == 200 and b"_dash-renderer" in body
            times.append(time.perf_counter() - start)
            time.sleep(0.1)
        return times

    took: list[float] = []
    with ThreadPoolExecutor(max_workers=13) as pool:
        heavy_jobs = [pool.submit(heavy, "brief") for _ in range(4)] + [pool.submit(heavy, "suggest")]
        time.sleep(0.5)  # the heavy work is under way
        loads = [pool.submit(page_loads, n) for n in range(8)]
        times = sorted(t for f in loads for t in f.result(timeout=LOAD_TIMEOUT_S))
        results = [f.result(timeout=LOAD_TIMEOUT_S) for f in heavy_jobs]
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"\nGET / while 4 briefs and a suggestion ran: p95 {p95:.3f} s, max {times[-1]:.3f} s over {len(times)} loads")
    for status, answer in results[:4]:
        assert status == 200 and answer["response"]["brief-download"]["data"]["content"].startswith("JVBER")  # %PDF
    assert results[4][0] == 200 and "scenario" in results[4][1]["response"]
    median = times[len(times) // 2]
    assert median < 0.25 * max(took), (median, sorted(took))
    assert p95 < 1.0  # issue 17's bound for CI (an idle runner measures about 0.3 s)
    assert process.poll() is None
