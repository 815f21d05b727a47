"""Smoke check of a running Cobertura server (stdlib only): wait for /healthz, fetch the
page, the layout and one callback (the national map), the way a browser would.

    python .ci/smoke.py http://127.0.0.1:8050 --timeout 900

Exit code 0 when every step answered as expected; otherwise 1 with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def post_json(url: str, body: dict, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_healthy(base: str, timeout: float) -> dict:
    end = time.time() + timeout
    last = "no answer"
    while time.time() < end:
        try:
            status, body = get(base + "/healthz", timeout=5)
            if status == 200:
                return json.loads(body)
            last = f"HTTP {status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
            last = str(err)
        time.sleep(2)
    raise SystemExit(f"smoke: {base}/healthz did not answer 200 within {timeout:.0f} s ({last})")


def map_request(dependencies: list[dict]) -> dict:
    """The map callback's request with every argument left to the server's defaults."""
    spec = next(d for d in dependencies if "map.figure" in d["output"])
    outputs = []
    for part in spec["output"].strip(".").split("..."):
        component, prop = part.rsplit(".", 1)
        outputs.append({"id": component, "property": prop.split("@")[0]})

    def args(items):
        return [{"id": i["id"], "property": i["property"], "value": "es" if i["id"] == "lang" else None} for i in items]

    return {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": args(spec["inputs"]),
        "state": args(spec["state"]),
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    }


def fetched(base: str, path: str, needle: bytes) -> bytes | None:
    """GET base + path: its body when it answers 200 and holds `needle`, else None (said)."""
    status, body = get(base + path)
    if status != 200 or needle not in body:
        print(f"smoke: GET {path} answered {status}")
        return None
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", help="server URL, e.g. http://127.0.0.1:8050")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for /healthz")
    options = parser.parse_args(argv)
    base = options.base.rstrip("/")
    started = time.time()
    health = wait_healthy(base, options.timeout)
    print(f"smoke: /healthz {health['status']} after {time.time() - started:.0f} s")
    if health["status"] != "ok":
        print(f"smoke: layers unavailable: {[k for k, v in health['layers'].items() if not v]}")
        return 1
    page = fetched(base, "/", b"Cobertura")
    deps = page and fetched(base, "/_dash-dependencies", b"[")
    if not deps:
        return 1
    status, body = post_json(base + "/_dash-update-component", map_request(json.loads(deps)))
    if status != 200 or b"choroplethmap" not in body:
        print(f"smoke: the map callback answered {status}: {body[:300]!r}")
        return 1
    if not fetched(base, "/geo/department-pe.json", b"FeatureCollection"):
        return 1
    print(f"smoke: page, layout, map callback ({len(body):,} bytes) and geometry OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
