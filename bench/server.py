"""Server time per callback, replaying request bodies recorded in the browser.

Each body is POSTed to /_dash-update-component through Flask's test client (in process: no
network, so this is the server's own time: Dash dispatch, our code, JSON, compression).
"""

from __future__ import annotations

import json
import time

from .common import p50, p95, timings


def replay(app, bodies: dict[str, list[str]], runs: int = 40) -> dict:
    client = app.server.test_client()
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    out = {}
    for name, posts in bodies.items():
        if not posts:
            continue
        body = posts[-1]
        start = time.perf_counter()
        response = client.post("/_dash-update-component", data=body, headers=headers)
        cold = time.perf_counter() - start
        assert response.status_code in (200, 204), (name, response.status_code, response.data[:200])
        t = timings(lambda: client.post("/_dash-update-component", data=body, headers=headers), runs=runs)
        out[name] = {
            "cold_ms": cold * 1000,
            "p50_ms": p50(t) * 1000,
            "p95_ms": p95(t) * 1000,
            "response_bytes_gzip": len(response.data),
            "output": json.loads(body).get("output", "")[:60],
        }
    return out
