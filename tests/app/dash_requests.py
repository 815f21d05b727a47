"""Call any server callback of a Dash app the way the browser does (POST
/_dash-update-component), built from the app's own /_dash-dependencies and /_dash-layout.

Tests use it to walk every callback generically, so callbacks added later are covered
without editing the tests.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Iterator


def parse_outputs(output: str) -> list[tuple[Any, str]]:
    """'..a.x...b.y@hash..' or 'a.x' -> [(id, 'x'), (id, 'y')] (property without @hash)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    parsed = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        parsed.append((json.loads(component) if component.startswith("{") else component, prop.split("@")[0]))
    return parsed


def walk_components(node: Any) -> Iterator[dict]:
    """Every component (as layout JSON: type, namespace, props) in a layout tree."""
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node
            for value in node["props"].values():
                yield from walk_components(value)
        else:
            for value in node.values():
                yield from walk_components(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_components(item)


def id_key(component_id: Any) -> str:
    return json.dumps(component_id, sort_keys=True) if isinstance(component_id, dict) else str(component_id)


def matches(pattern: dict, concrete: Any) -> bool:
    if not isinstance(concrete, dict) or set(pattern) != set(concrete):
        return False
    return all(value == ["ALL"] or value == concrete[key] for key, value in pattern.items())


@dataclass
class Callback:
    output: str
    outputs: list[tuple[Any, str]]
    inputs: list[tuple[Any, str]]
    state: list[tuple[Any, str]]
    prevent_initial_call: bool

    @property
    def args(self) -> list[tuple[Any, str]]:
        return self.inputs + self.state

    def name(self) -> str:
        return self.output[:120]


class DashRequests:
    def __init__(self, app):
        self.app = app
        self.http = app.server.test_client()
        deps = self.http.get("/_dash-dependencies").get_json()
        self.callbacks = [
            Callback(
                output=d["output"],
                outputs=parse_outputs(d["output"]),
                inputs=[(json.loads(i["id"]) if i["id"].startswith("{") else i["id"], i["property"]) for i in d["inputs"]],
                state=[(json.loads(s["id"]) if s["id"].startswith("{") else s["id"], s["property"]) for s in d["state"]],
                prevent_initial_call=bool(d.get("prevent_initial_call")),
            )
            for d in deps
            if not d.get("clientside_function")
        ]
        self.layout = self.http.get("/_dash-layout").get_json()
        self.components: dict[str, dict] = {}
        for component in walk_components(self.layout):
            if "id" in component["props"]:
                self.components[id_key(component["props"]["id"])] = component["props"]

    def layout_value(self, component_id: Any, prop: str) -> Any:
        return self.components.get(id_key(component_id), {}).get(prop)

    def concrete_ids(self, component_id: Any) -> list:
        if not isinstance(component_id, dict):
            return [component_id]
        return [json.loads(key) for key in self.components if key.startswith("{") and matches(component_id, json.loads(key))]

    def body(self, callback: Callback, values: dict[tuple[str, str], Any], changed: list | None = None) -> dict:
        def item(component_id, prop):
            if isinstance(component_id, dict):
                return [
                    {"id": cid, "property": prop, "value": values.get((id_key(component_id), prop), cid if prop == "id" else None)}
                    for cid in self.concrete_ids(component_id)
                ]
            return {"id": component_id, "property": prop, "value": values.get((id_key(component_id), prop))}

        def out(component_id, prop):
            if isinstance(component_id, dict):
                return [{"id": cid, "property": prop} for cid in self.concrete_ids(component_id)]
            return {"id": component_id, "property": prop}

        outputs = [out(c, p) for c, p in callback.outputs]
        inputs = [item(c, p) for c, p in callback.inputs]
        first = callback.inputs[0] if callback.inputs else None
        changed = changed or ([f"{id_key(first[0])}.{first[1]}"] if first else [])
        return {
            "output": callback.output,
            "outputs": outputs if len(outputs) > 1 or callback.output.startswith("..") else outputs[0],
            "inputs": inputs,
            "state": [item(c, p) for c, p in callback.state],
            "changedPropIds": changed,
        }

    def call(self, callback: Callback, values: dict[tuple[str, str], Any], changed: list | None = None,
             timeout: float = 60.0):
        """(status code, response text) of one callback request. A background callback is
        polled as the browser polls it (same body, with its signed cacheKey and job) until it
        answers; the progress seen on the way is kept in `self.last_progress`."""
        body = self.body(callback, values, changed)
        response = self.http.post("/_dash-update-component", json=body)
        self.last_progress = []
        text = response.get_data(as_text=True)
        if response.status_code != 200 or '"cacheKey"' not in text[:200]:
            return response.status_code, text
        handles = json.loads(text)
        query = {"cacheKey": handles["cacheKey"], "job": handles["job"]}
        end = time.time() + timeout
        while time.time() < end:
            time.sleep(0.05)
            response = self.http.post("/_dash-update-component", json=body, query_string=query)
            text = response.get_data(as_text=True)
            if response.status_code != 200:
                return response.status_code, text
            answer = json.loads(text)
            if "progress" in answer:
                self.last_progress.append(answer["progress"])
            if "response" in answer or "sideUpdate" in answer:
                return response.status_code, text
        raise TimeoutError(f"background callback {callback.name()} did not answer within {timeout} s")
