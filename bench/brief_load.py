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
from dash import State

END_ID = re.compile(r'"end_id":\s*"([^"]+)"')


def brief_body(lang: str = "es") -> str:
    """The first POST of a click on "PDF" in the default national view, with the states the
    callback declares (`views.ids.gap_controls`: a control added there is sent here too)."""
    from atlas.hours import DEFAULT_HOURS, KM
    from views import ids

    values = {ids.GAP_SERVICE: "upe", ids.GAP_KM: 50, ids.GAP_LEVEL: "department", ids.GAP_FOCUS: "PE",
              ids.GAP_COLOUR: "pct", ids.GAP_MEASURE: KM, ids.GAP_HOURS: DEFAULT_HOURS}
    state = []
    for control in ids.gap_controls(State):
        if isinstance(control.component_id, dict):
            state.append([])  # the weights (a wildcard state matching no component: the defaults)
        else:
            state.append({"id": control.component_id, "property": "value", "value": values[control.component_id]})
    state += [{"id": ids.SCENARIO, "property": "data", "value": None},
              {"id": ids.LANG, "property": "value", "value": lang}]
    return json.dumps(
        {
            "output": f"..{ids.BRIEF_DOWNLOAD}.data...{ids.BRIEF_NOTICE}.children..",
            "outputs": [{"id": ids.BRIEF_DOWNLOAD, "property": "data"}, {"id": ids.BRIEF_NOTICE, "property": "children"}],
            "inputs": [{"id": ids.BRIEF_PDF, "property": "n_clicks", "value": 1},
                       {"id": ids.BRIEF_PNG, "property": "n_clicks", "value": None}],
            "state": state,
            "changedPropIds": [f"{ids.BRIEF_PDF}.n_clicks"],
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
