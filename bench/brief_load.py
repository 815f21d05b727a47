"""The one-page brief (PDF) requested like the browser does, for the many-users run.

A background callback: the first POST starts the job and answers with its handles
(`cacheKey`, `job`); the page then polls with them until the file arrives. The time counted is
from the first POST to the file, so it includes waiting for a free job slot.
"""

from __future__ import annotations

import json
import re
import time

import requests

END_ID = re.compile(r'"end_id":\s*"([^"]+)"')


def brief_body(lang: str = "es") -> str:
    states = [("gap-service", "upe"), ("gap-km", 50), ("gap-level", "department"), ("gap-focus", "PE"),
              ("gap-colour", "share"), ("scenario", None), ("lang", lang)]
    state = [{"id": k, "property": "value" if k not in ("scenario",) else "data", "value": v} for k, v in states]
    state.insert(5, [])  # the weights (a wildcard state matching no component: the defaults)
    return json.dumps(
        {
            "output": "..brief-download.data...brief-notice.children..",
            "outputs": [{"id": "brief-download", "property": "data"}, {"id": "brief-notice", "property": "children"}],
            "inputs": [{"id": "brief-pdf", "property": "n_clicks", "value": 1},
                       {"id": "brief-png", "property": "n_clicks", "value": None}],
            "state": state,
            "changedPropIds": ["brief-pdf.n_clicks"],
        }
    )


def request_brief(session: requests.Session, base: str, timeout: float = 120.0) -> tuple[float, bool]:
    """Seconds from the click to the PDF, and whether a PDF came back."""
    page = session.get(base + "/", timeout=30).text
    match = END_ID.search(page)
    query = f"?endId={match.group(1)}" if match else ""
    body, headers = brief_body(), {"Content-Type": "application/json"}
    start = time.perf_counter()
    first = session.post(base + "/_dash-update-component" + query, data=body, headers=headers, timeout=30)
    if first.status_code != 200:
        return time.perf_counter() - start, False
    handles = first.json()
    if "cacheKey" not in handles:
        return time.perf_counter() - start, False
    poll = f"{base}/_dash-update-component{query}&cacheKey={handles['cacheKey']}&job={handles['job']}"
    while time.perf_counter() - start < timeout:
        time.sleep(0.5)
        answer = session.post(poll, data=body, headers=headers, timeout=30)
        if answer.status_code == 200 and b'"brief-download"' in answer.content:
            ok = b"application/pdf" in answer.content or b'"filename"' in answer.content
            return time.perf_counter() - start, ok
        if answer.status_code not in (200, 204):
            return time.perf_counter() - start, False
    return time.perf_counter() - start, False
