"""Many users: 20 simulated users against gunicorn with 2 workers on 127.0.0.1.

Each user opens the page (HTML, layout, dependencies, department geometry) and then makes
a metric switch and a gaps threshold change (request bodies recorded in the browser), in
rounds, until its rounds are done or the deadline passes. Bounded in users, rounds and time.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from .common import p50, p95

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ["gunicorn", "--workers", "2", "--threads", "4", "--timeout", "60", "--preload"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", *GUNICORN, "--bind", f"127.0.0.1:{port}", "app:server"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "COBERTURA_DEBUG": "0"},
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return process
        except requests.RequestException:
            time.sleep(0.5)
    stop(process)
    raise RuntimeError("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def user(base: str, bodies: dict[str, str], rounds: int, deadline: float) -> list[tuple[str, float, bool]]:
    session = requests.Session()
    session.headers["Accept-Encoding"] = "gzip"
    out = []

    def hit(name, method, path, **kwargs):
        start = time.perf_counter()
        try:
            response = session.request(method, base + path, timeout=30, **kwargs)
            ok = response.status_code in (200, 204, 304)
        except requests.RequestException:
            ok = False
        out.append((name, time.perf_counter() - start, ok))

    json_headers = {"Content-Type": "application/json"}
    for _ in range(rounds):
        if time.time() > deadline:
            break
        hit("page", "GET", "/")
        hit("layout", "GET", "/_dash-layout")
        hit("dependencies", "GET", "/_dash-dependencies")
        hit("geometry", "GET", "/geo/department-pe.json")
        for name, body in bodies.items():
            hit(name, "POST", "/_dash-update-component", data=body, headers=json_headers)
    return out


COMMON = ("metric_switch", "metric_switch_district", "threshold_change", "add_unit_view", "suggest_10_edit")


def common_bodies(recorded: dict[str, list[str]]) -> dict[str, str]:
    """The common callbacks a user makes (metric switch at department and district level, a
    threshold change, a unit added, a suggestion), from bodies recorded in the browser."""
    return {name: recorded[name][-1] for name in COMMON if recorded.get(name)}


def run(bodies: dict[str, str], users: int = 20, rounds: int = 10, seconds: float = 120.0) -> dict:
    port = free_port()
    process = start(port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + seconds
        start_time = time.perf_counter()
        with cf.ThreadPoolExecutor(max_workers=users) as pool:
            results = [r for f in [pool.submit(user, base, bodies, rounds, deadline) for _ in range(users)] for r in f.result()]
        elapsed = time.perf_counter() - start_time
    finally:
        stop(process)
    latencies = [r[1] for r in results]
    by_kind = {}
    for name in dict.fromkeys(r[0] for r in results):
        mine = [r[1] for r in results if r[0] == name]
        by_kind[name] = {"p50_ms": p50(mine) * 1000, "p95_ms": p95(mine) * 1000, "n": len(mine)}
    return {
        "users": users,
        "requests": len(results),
        "errors": sum(1 for r in results if not r[2]),
        "seconds": elapsed,
        "throughput_rps": len(results) / elapsed,
        "p50_ms": p50(latencies) * 1000,
        "p95_ms": p95(latencies) * 1000,
        "by_kind": by_kind,
        "server": " ".join(GUNICORN),
    }


def markdown(r: dict) -> str:
    lines = [
        f"{r['users']} users, {r['requests']:,} requests in {r['seconds']:.1f} s against `{r['server']}` "
        f"on 127.0.0.1: **{r['throughput_rps']:.0f} requests/s, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
        f"{r['errors']} errors**.",
        "",
        "| request | n | p50 | p95 |",
        "|---|---:|---:|---:|",
    ]
    for name, v in r["by_kind"].items():
        lines.append(f"| {name} | {v['n']} | {v['p50_ms']:.0f} ms | {v['p95_ms']:.0f} ms |")
    return "\n".join(lines)
