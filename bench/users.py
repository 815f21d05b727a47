"""Many users: simulated users (20; 100 in `python -m bench.scale --users 100`) against
gunicorn with 2 workers on 127.0.0.1.

Each user opens the page (HTML, layout, dependencies, department geometry) and then makes
the callbacks it is given (request bodies recorded in the browser: `common_bodies`), in
rounds, until its rounds are done or the deadline passes. Bounded in users, rounds and time.

Two ways to pace them (`think`):
- paced, the budget's run: like a person, a user pauses between actions (1-3 s, uniform, as
  load tools such as Locust default to); an action's requests go back to back, as the
  browser sends them (a page load is four, "add a unit" and "suggest" two each);
- unpaced (think 0): every user sends its next request as soon as the last one answered.
  100 unpaced users keep 100 requests in flight at every moment, so their latency is about
  100 / throughput: a measure of capacity, not of what 100 people see. The load generator
  runs on the same two cores; its CPU time is reported beside the server's.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from .common import p50, p95

ROOT = Path(__file__).resolve().parents[1]
# the README's production command (--keep-alive 5: a connection outlives a user's pause)
GUNICORN = ["gunicorn", "--workers", "2", "--threads", "4", "--timeout", "60", "--keep-alive", "5", "--preload"]


def free_port() -> int:
    """A free port of 127.0.0.1: within COBERTURA_TEST_PORT..+50 when that is set (a shared
    machine gives each run its own range), else any."""
    base = os.environ.get("COBERTURA_TEST_PORT")
    candidates = range(int(base), int(base) + 51) if base else (0,)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in {base}..{int(base) + 50}")


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
        process.wait()


# requests the browser sends together for one action (the second follows the first's answer)
ACTION_OF = {"add_unit_view": "add_unit_edit", "suggest_10_view": "suggest_10_edit"}
THINK_S = (1.0, 3.0)  # a paced user's pause between actions, seconds (uniform)


def user(base: str, bodies: dict[str, str], rounds: int, deadline: float, think: tuple[float, float] = (0.0, 0.0),
         seed: int = 0) -> list[tuple[str, float, bool, str]]:
    """One user's requests as (kind, seconds, ok, cause): cause is "" when ok, else the
    status code ("status 500"), "timeout" or the exception's class name. `think`: the pause
    between two actions, drawn uniformly in that range (seconds; (0, 0): none)."""
    rng = random.Random(seed)

    def pause():
        if think[1] > 0:
            time.sleep(rng.uniform(*think))

    session = requests.Session()
    session.headers["Accept-Encoding"] = "gzip"
    out = []

    def hit(name, method, path, **kwargs):
        start = time.perf_counter()
        cause = ""
        try:
            response = session.request(method, base + path, timeout=30, **kwargs)
            if response.status_code not in (200, 204, 304):
                cause = f"status {response.status_code}"
        except requests.Timeout:
            cause = "timeout"
        except requests.RequestException as err:
            cause = type(err).__name__
        out.append((name, time.perf_counter() - start, not cause, cause))

    json_headers = {"Content-Type": "application/json"}
    if think[1] > 0:
        time.sleep(rng.uniform(0, think[1]))  # users arrive spread out, not all in one instant
    for _ in range(rounds):
        if time.time() > deadline:
            break
        hit("page", "GET", "/")
        hit("layout", "GET", "/_dash-layout")
        hit("dependencies", "GET", "/_dash-dependencies")
        hit("geometry", "GET", "/geo/department-pe.json")
        for name, body in bodies.items():
            if name not in ACTION_OF:
                pause()
            hit(name, "POST", "/_dash-update-component", data=body, headers=json_headers)
        pause()
    return out


# a unit added and a suggestion are two requests each in the browser: the scenario edit
# (the suggestion's own search) and the gaps view that redraws with it
COMMON = ("metric_switch", "level_switch", "metric_switch_district", "threshold_change", "add_unit_edit",
          "add_unit_view", "suggest_10_edit", "suggest_10_view", "export_csv")


def common_bodies(recorded: dict[str, list[str]]) -> dict[str, str]:
    """The common callbacks a user makes (metric switch at department and district level, a
    level switch, a threshold change, a unit added, a suggestion, a CSV export), from bodies
    recorded in the browser."""
    return {name: recorded[name][-1] for name in COMMON if recorded.get(name)}


def brief_user(base: str, count: int, deadline: float) -> list[tuple[str, float, bool, str]]:
    """Asks for the PDF brief `count` times in a row (while the other users load the app)."""
    from .brief_load import request_brief

    session = requests.Session()
    out = []
    for _ in range(count):
        if time.time() > deadline:
            break
        start = time.perf_counter()
        try:
            seconds, ok = request_brief(session, base)
            cause = "" if ok else "no PDF"
        except requests.RequestException as err:  # counted, like the other requests' errors
            seconds, ok, cause = time.perf_counter() - start, False, type(err).__name__
        out.append(("brief", seconds, ok, cause))
    return out


def server_cpu_s(process: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's workers and its arbiter."""
    import psutil

    total = 0.0
    root = psutil.Process(process.pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def run(bodies: dict[str, str], users: int = 20, rounds: int = 10, seconds: float = 120.0, briefs: int = 0,
        think: tuple[float, float] = (0.0, 0.0)) -> dict:
    """`users` simulated users (page loads and `bodies`), plus `briefs` users asking for the
    PDF brief 3 times each at the same time; the brief is reported on its own. `think`: the
    users' pause between actions (see the module's docstring)."""
    port = free_port()
    process = start(port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + seconds
        start_time = time.perf_counter()
        client_cpu = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = server_cpu_s(process)
        with cf.ThreadPoolExecutor(max_workers=users + briefs) as pool:
            futures = [pool.submit(brief_user, base, 3, deadline) for _ in range(briefs)]
            futures += [pool.submit(user, base, bodies, rounds, deadline, think, i) for i in range(users)]
            everything = [r for f in futures for r in f.result()]
        elapsed = time.perf_counter() - start_time
        after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (after.ru_utime - client_cpu.ru_utime) + (after.ru_stime - client_cpu.ru_stime)
        server_cpu = server_cpu_s(process) - server_cpu
    finally:
        stop(process)
    brief = [r for r in everything if r[0] == "brief"]
    results = [r for r in everything if r[0] != "brief"]
    latencies = [r[1] for r in results]
    by_kind = {}
    for name in dict.fromkeys(r[0] for r in results):
        mine = [r[1] for r in results if r[0] == name]
        by_kind[name] = {"p50_ms": p50(mine) * 1000, "p95_ms": p95(mine) * 1000, "n": len(mine),
                         "errors": sum(1 for r in results if r[0] == name and not r[2])}
    causes: dict[str, int] = {}
    for r in results:
        if r[3]:
            causes[r[3]] = causes.get(r[3], 0) + 1
    return {
        "users": users,
        "requests": len(results),
        "errors": sum(1 for r in results if not r[2]),
        "error_causes": causes,
        "seconds": elapsed,
        "throughput_rps": len(results) / elapsed,
        "p50_ms": p50(latencies) * 1000,
        "p95_ms": p95(latencies) * 1000,
        "by_kind": by_kind,
        "server": " ".join(GUNICORN),
        "think_s": list(think),
        "client_cpu_s": client_cpu,
        "server_cpu_s": server_cpu,
        "briefs": len(brief),
        "brief_errors": sum(1 for r in brief if not r[2]),
        "brief_error_causes": sorted({r[3] for r in brief if r[3]}),
        "brief_p50_s": p50([r[1] for r in brief]) if brief else None,
        "brief_p95_s": p95([r[1] for r in brief]) if brief else None,
    }


def markdown(r: dict) -> str:
    think = r.get("think_s") or [0, 0]
    pacing = (f"paced (a pause of {think[0]:g}-{think[1]:g} s between a user's actions)" if think[1] > 0
              else "unpaced (each user's next request leaves as soon as the last one answered)")
    cpu = ""
    if "client_cpu_s" in r:
        cpu = (f" CPU used: the server {r['server_cpu_s']:.0f} s, the load generator (same 2 cores) "
               f"{r['client_cpu_s']:.0f} s, of {2 * r['seconds']:.0f} core-seconds.")
    lines = [
        (f"{r['users']} users, {pacing}, {r['requests']:,} requests in {r['seconds']:.1f} s against `{r['server']}` "
         f"on 127.0.0.1: **{r['throughput_rps']:.0f} requests/s, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
         f"{r['errors']} errors**." + cpu),
        "",
        "| request | n | p50 | p95 | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, v in r["by_kind"].items():
        lines.append(f"| {name} | {v['n']} | {v['p50_ms']:.0f} ms | {v['p95_ms']:.0f} ms | {v.get('errors', 0)} |")
    if r.get("error_causes"):
        lines += ["", "Errors by cause: " + ", ".join(f"{k} x {n}" for k, n in r["error_causes"].items()) + "."]
    if r.get("briefs"):
        lines += ["", (f"At the same time, {r['briefs']} PDF briefs (click to file, background jobs): "
                       f"p50 {r['brief_p50_s']:.1f} s, p95 {r['brief_p95_s']:.1f} s, {r['brief_errors']} errors.")]
    return "\n".join(lines)
