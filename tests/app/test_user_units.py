"""The upload flow as the browser drives it (callback requests): validate, list row
problems, add only on confirm, draw from the session store after checking it again,
and keep nothing on the server."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import pytest

import views.user_figure as user_figure
import views.registry as user_units
import ingest.registry as user_registry
from ingest.text import FORMULA_LEADERS
from views import ids
from views.map_figure import build_figure, trace_index
from atlas.model import MapState

PLAIN_NUMBER = re.compile(r"[+-]?\d{1,20}(\.\d{1,20})?", re.ASCII)

GOOD = (
    "tipo,nombre,ubigeo,lat,lon,estado,fuente\n"
    "demuna,DEMUNA <script>alert(1)</script>,160101,,,verificada,Ordenanza\n"
    "cem,\"=cmd|' /C calc'!A0\",,-4.5083,-73.5833,declarada,@SUM(1)\n"
)
BAD = (
    "tipo,nombre,ubigeo,lat,lon,estado,fuente\n"
    "care,Casa,150101,,,,x\n"
    "upe,UPE Polo,,90,0,,x\n"
    "demuna,DEMUNA,999999,,,,x\n"
)


def data_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def run(requests_, output_start: str, values: dict) -> dict:
    cb = next(c for c in requests_.callbacks if c.output.startswith(output_start) or output_start in c.output)
    status, text = requests_.call(cb, {(k.split(".")[0], k.split(".")[1]): v for k, v in values.items()})
    assert status in (200, 204), text
    return json.loads(text)["response"] if status == 200 else {}


def validate(requests_, payload, stored=None, lang="es"):
    out = run(requests_, "..upload-report.data...upload-pending.data...upload-area", {
        "upload-payload.data": payload, "user-units.data": stored, "lang.value": lang})
    return out["upload-report"]["data"], out["upload-pending"]["data"], out["upload-area"]["children"]


def test_a_good_file_waits_for_confirmation(requests_):
    report, pending, area = validate(requests_, {"name": "mis.csv", "contents": data_url(GOOD.encode())})
    assert report["state"] == "pending" and report["n_valid"] == 2 and report["n_errors"] == 0
    assert [u["service"] for u in pending] == ["demuna", "cem"]
    assert area["type"] == "Upload" and area["props"]["id"] == ids.UPLOAD  # a fresh box: the same file can be sent again
    out = run(requests_, "..upload-result", {"upload-report.data": report, "lang.value": "es"})
    view = json.dumps(out, ensure_ascii=False)
    assert "Agregar 2 unidades al mapa" in view and "solo cuando usted confirma" in view
    assert "d-none" not in out["upload-confirm"]["className"] and "d-none" in out["upload-errors-csv"]["className"]


def test_a_bad_file_lists_row_column_problem_and_adds_nothing(requests_):
    report, pending, _ = validate(requests_, {"name": "malo.csv", "contents": data_url(BAD.encode())}, lang="en")
    assert report["state"] == "nothing" and pending == []
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "tipo"), (3, "lat"), (4, "ubigeo")]
    out = run(requests_, "..upload-result", {"upload-report.data": report, "lang.value": "en"})
    view = json.dumps(out, ensure_ascii=False)
    assert "d-none" in out["upload-confirm"]["className"] and "d-none" not in out["upload-errors-csv"]["className"]
    assert "No row is valid: nothing was added and your map did not change." in view
    assert "Row" in view and "Column" in view and "Problem" in view and "confidential" in view


@pytest.mark.parametrize(
    "payload, needle",
    [
        ({"name": "grande.csv", "too_large": 7_000_000}, "El archivo pesa 6,7 MB; el límite es 5 MB"),
        # over 5 MB but under the request limit: refused by the server before decoding
        ({"name": "grande.csv", "contents": data_url(b"x" * (5 * 1024 * 1024 + 500_000))}, "el límite es 5 MB"),
        ({"name": "x", "contents": "data:;base64,@@@"}, "dañado"),
        ("not a dict", "No se recibió un archivo legible"),
        ({"name": ["x"], "contents": 42}, "No se recibió un archivo legible"),
    ],
)
def test_refused_files_say_why(requests_, payload, needle):
    report, pending, _ = validate(requests_, payload)
    assert report["state"] == "refused" and pending == []
    assert needle in report["errors"][0]["es"]


def test_confirm_adds_the_units_and_shows_the_layer(requests_):
    _, pending, _ = validate(requests_, {"name": "mis.csv", "contents": data_url(GOOD.encode())})
    out = run(requests_, "..user-units.data...upload-pending", {
        "upload-confirm.n_clicks": 1, "upload-pending.data": pending, "user-units.data": None, "services.value": ["upe"]})
    units = out["user-units"]["data"]
    assert [u["name"] for u in units] == ["DEMUNA <script>alert(1)</script>", "'=cmd|' /C calc'!A0"]
    assert out["services"]["value"] == ["upe", "user"]
    assert out["upload-report"]["data"] == {"state": "confirmed", "added": 2, "skipped": 0}
    assert out["upload-pending"]["data"] is None
    again = run(requests_, "..user-units.data...upload-pending", {
        "upload-confirm.n_clicks": 2, "upload-pending.data": pending, "user-units.data": units, "services.value": None})
    assert len(again["user-units"]["data"]) == 2 and again["upload-report"]["data"]["skipped"] == 2


def test_forged_pending_rows_are_checked_again_on_confirm(requests_):
    _, pending, _ = validate(requests_, {"name": "mis.csv", "contents": data_url(GOOD.encode())})
    forged = pending + [{**pending[0], "service": "care", "id": "x"}, {**pending[0], "lat": 90.0, "id": "y"}, "junk"]
    out = run(requests_, "..user-units.data...upload-pending", {
        "upload-confirm.n_clicks": 1, "upload-pending.data": forged, "user-units.data": "junk", "services.value": "upe"})
    assert len(out["user-units"]["data"]) == 2 and out["upload-report"]["data"]["skipped"] == 3


def test_markers_are_drawn_from_the_session_store_checked_again_and_escaped(app, requests_):
    _, pending, _ = validate(requests_, {"name": "mis.csv", "contents": data_url(GOOD.encode())})
    stored = [{k: v for k, v in u.items() if k != "row"} for u in pending] + [{"service": "upe", "lat": 1e9}]
    out = run(requests_, "..user-traces.data", {"user-units.data": stored, "lang.value": "en"})
    traces = out["user-traces"]["data"]
    model = app.cobertura_model
    assert traces["indices"] == trace_index(model)["user"]
    figure = build_figure(model, MapState(services=("user",)), "es")
    halo, markers = (figure["data"][i] for i in traces["indices"])
    assert (halo["meta"], markers["meta"]) == ("user-halo", traces["meta"]) and markers["visible"] is True
    assert len(traces["markers"]["lat"]) == 2 and traces["markers"]["color"] == [
        user_figure.LAYERS["demuna"].color, user_figure.LAYERS["cem"].color]
    hover = traces["markers"]["text"][0]
    assert "&lt;script&gt;" in hover and "<script>" not in hover and "Uploaded by you" in hover
    status = json.dumps(out["user-status"]["children"], ensure_ascii=False)
    assert "2 units uploaded by you" in status and "1 records stored in this session failed validation" in status
    empty = run(requests_, "..user-traces.data", {"user-units.data": None, "lang.value": "es"})
    assert empty["user-traces"]["data"]["markers"]["lat"] == [] and empty["user-actions"]["className"] == "d-none"


def download(requests_, trigger: str, report=None, stored=None, lang="es") -> dict:
    cb = next(c for c in requests_.callbacks if c.output == "user-download.data")
    status, text = requests_.call(cb, {
        (trigger, "n_clicks"): 1, ("upload-report", "data"): report, ("user-units", "data"): stored, ("lang", "value"): lang,
    }, changed=[f"{trigger}.n_clicks"])
    assert status == 200
    return json.loads(text)["response"]["user-download"]["data"]


def csv_cells(content: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.lstrip("\ufeff"))) for cell in row]


def test_downloads_template_problems_and_units_are_safe_csv(requests_):
    template = download(requests_, ids.TEMPLATE)
    assert template["filename"].endswith(".csv") and template["content"].startswith("\ufeff# Plantilla")
    report, _, _ = validate(requests_, {"name": "m.csv", "contents": data_url(BAD.encode() + b"xyz,\"=1+1\",080101,,,,@x\n")})
    problems = download(requests_, ids.UPLOAD_ERRORS_CSV, report=report, lang="en")
    assert problems["filename"] == "cobertura-upload-problems.csv"
    cells = csv_cells(problems["content"])
    assert cells[:3] == ["row", "column", "problem"] and len(cells) == 3 * (1 + report["n_errors"])
    _, pending, _ = validate(requests_, {"name": "mis.csv", "contents": data_url(GOOD.encode())})
    units = download(requests_, ids.USER_EXPORT, stored=pending)
    for cell in csv_cells(problems["content"]) + csv_cells(units["content"]):
        assert not cell.startswith(FORMULA_LEADERS) or PLAIN_NUMBER.fullmatch(cell), cell  # numbers are numbers
    assert "'=cmd|' /C calc'!A0" in csv_cells(units["content"])


def test_the_server_keeps_nothing_between_requests(requests_):
    """No module-level state changes: what one user uploads cannot reach another."""
    def snapshot():
        return {
            f"{m.__name__}.{k}": json.dumps(v, default=repr, sort_keys=True)
            for m in (user_units, user_figure, user_registry)
            for k, v in vars(m).items()
            if isinstance(v, (dict, list, set)) and not k.startswith("_")
        }

    before = snapshot()
    _, pending, _ = validate(requests_, {"name": "mis.csv", "contents": data_url(GOOD.encode())})
    run(requests_, "..user-units.data...upload-pending", {
        "upload-confirm.n_clicks": 1, "upload-pending.data": pending, "user-units.data": None, "services.value": []})
    run(requests_, "..user-traces.data", {"user-units.data": pending, "lang.value": "es"})
    assert snapshot() == before
    other_user = run(requests_, "..user-traces.data", {"user-units.data": None, "lang.value": "es"})
    assert other_user["user-traces"]["data"]["markers"]["lat"] == []


def test_clicking_an_uploaded_unit_points_to_its_label(requests_):
    out = run(requests_, "profile.children", {
        "map.clickData": {"points": [{"customdata": ["user:0123456789ab"]}]}, "lang.value": "en", "level.value": "department"})
    text = json.dumps(out, ensure_ascii=False)
    assert "a unit you uploaded" in text and "not recognised" not in text
