"""The scenarios card's callbacks as the browser calls them: saving, the budget proposal and
its messages, the comparison exports and brief; forged arguments get answers, not crashes."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from atlas.compare import column_label, comparison
from atlas.gaps import GapState, caveat_texts, compute, gap_state
from atlas.headline import headline
from atlas.hours import mt
from atlas.scenarios import Named, records
from reports.compare import comparison_csv, comparison_pdf
from tests.app.dash_requests import id_key
from tests.app.test_care_confidential import secrets  # noqa: F401 (fixture)
from tests.app.test_every_callback_output import EXTREME, HOSTILE, Walk
from tests.app.test_scenarios import plan, two_plans
from views import ids

MINE = (
    "scn-notice.children",
    "cmp-table.children",
    "cmp-map.figure",
    "cmp-download.data",
    "cmp-pdf-download.data",
    "budget-notice.children",
    "scn-pick.options",
)
K = lambda cid, prop: (id_key(cid), prop)


def callback(requests_, output_part):
    return next(cb for cb in requests_.callbacks if output_part in cb.output)


def response(requests_, cb, values):
    status, text = requests_.call(
        cb, values, changed=[f"{id_key(cb.inputs[0][0])}.{cb.inputs[0][1]}"]
    )
    assert status == 200, text[:300]
    return json.loads(text)["response"]


@pytest.fixture(scope="module")
def saved(model):
    a, b = two_plans(model)
    return (Named("A", "Río Marañón", a), Named("B", "=cmd|' /C calc'!A0", b))


def budget_response(requests_, values: dict, costs: dict) -> dict:
    """The budget callback's answer with the Plan panel's cost inputs holding `costs` (those
    inputs are rendered with the gaps tab, so the layout does not list them)."""
    import time

    cb = callback(requests_, "budget-notice.children")
    body = requests_.body(cb, values)
    patterns = [
        i
        for i, (c, _) in enumerate(cb.state)
        if isinstance(c, dict) and c.get("type") == ids.PLAN_COST
    ]
    for i in patterns:
        prop = cb.state[i][1]
        body["state"][i] = [
            {
                "id": {"service": s, "type": ids.PLAN_COST},
                "property": prop,
                "value": v if prop == "value" else None,
            }
            for s, v in costs.items()
        ]
        if prop == "id":
            for entry in body["state"][i]:
                entry["value"] = entry["id"]
    handles = requests_.http.post("/_dash-update-component", json=body).get_json()
    query = {"cacheKey": handles["cacheKey"], "job": handles["job"]}
    for _ in range(600):
        time.sleep(0.05)
        answer = requests_.http.post(
            "/_dash-update-component", json=body, query_string=query
        ).get_json()
        if "response" in answer:
            return answer["response"]
    raise TimeoutError("the budget callback did not answer")


def budget_values(total, goal="service:upe", departments=("16",), lang="es"):
    return {
        K(ids.BUDGET_RUN, "n_clicks"): 1,
        K(ids.BUDGET_TOTAL, "value"): total,
        K(ids.BUDGET_GOAL, "value"): goal,
        K(ids.BUDGET_DEPARTMENTS, "value"): list(departments),
        K(ids.GAP_KM, "value"): 50,
        K(ids.SCENARIOS, "data"): [],
        K(ids.LANG, "value"): lang,
    }


@pytest.mark.parametrize(
    "total, costs, es, en",
    [
        (-5, {"upe": 250000}, "mayor que cero", "more than zero"),
        (0, {"upe": 250000}, "mayor que cero", "more than zero"),
        ("mucho", {"upe": 250000}, "número en soles", "number in soles"),
        (1e15, {"upe": 250000}, "demasiado grande", "too large"),
        (100_000, {"upe": 250000}, "no alcanza para ninguna unidad", "buys no unit"),
        (1_000_000, {}, "costo por unidad de UPE", "unit cost of UPE"),
        (
            1_000_000,
            {"upe": -3},
            "costo por unidad de UPE debe ser mayor",
            "unit cost of UPE must be more",
        ),
    ],
)
def test_a_bad_budget_or_cost_gets_a_clear_message_in_both_languages(
    requests_, total, costs, es, en
):
    for lang, words in (("es", es), ("en", en)):
        out = budget_response(requests_, budget_values(total, lang=lang), costs)
        assert words in out["budget-notice"]["children"]
        assert "scenarios" not in out  # nothing saved


def test_a_budget_proposal_is_saved_as_a_scenario_within_the_budget(requests_, model):
    costs = {"upe": 250000, "fistrap": 400000, "pnp_trata": 300000}
    out = budget_response(
        requests_,
        budget_values(1_000_000, goal="chain", departments=("16", "21")),
        costs,
    )
    stored = out["scenarios"]["data"]
    assert [s["slot"] for s in stored] == ["A"] and stored[0]["name"].startswith(
        "Presupuesto S/"
    )
    units = stored[0]["units"]
    assert units and all(u["origin"] == "suggested" for u in units)
    prices = stored[0]["costs"]
    assert sum(prices[u["service"]] for u in units) <= 1_000_000
    assert "Guardado como escenario A" in out["budget-notice"]["children"]


def test_saving_the_plan_on_screen_names_the_slot(requests_, model):
    cb = callback(requests_, "scn-notice.children")
    current = plan(model, ("upe", "160302")).record()
    out = response(
        requests_,
        cb,
        {
            K(ids.SCN_SAVE, "n_clicks"): 1,
            K(ids.SCN_NAME, "value"): "Loreto",
            K(ids.SCENARIO, "data"): current,
            K(ids.SCENARIOS, "data"): [],
            K(ids.LANG, "value"): "en",
        },
    )
    assert out["scenarios"]["data"][0]["name"] == "Loreto"
    assert (
        out["scn-notice"]["children"] == "Scenario saved (A)"
        and out["scn-pick"]["value"] == "A"
    )


def test_the_comparison_brief_is_one_a4_page_with_both_headlines(model, saved):
    gs = gap_state(model, "upe", 50, "district", "16")[0]
    rows = comparison(model, gs, saved, "Hoy")
    chosen = [(n.name, n.scenario) for n in saved]
    pdf, problem = comparison_pdf(
        model, gs, chosen, rows, ["A", "B"], "es", [None, None]
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and problem is None
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (
        842,
        595,
    )  # A4 landscape
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text().replace("\u00a0", " "))
    for named in saved:
        change = headline(
            model, gs, compute(model, gs, named.scenario), "es"
        ).change.replace("\u00a0", " ")
        gain = re.search(r"\+([\d ]+) personas", change).group(1).strip()
        assert f"+{gain} personas rurales" in text  # the scenario's headline
        assert text.count(f"+{gain}") >= 2  # and again in the comparison table
    assert "Río Marañón" in text and "Hoy" in text


def _lines_by_height(page) -> list[tuple[float, str]]:
    """The page's text pieces with their baseline height (pt from the bottom)."""
    pieces: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            pieces.append((tm[5] * cm[3] + cm[5], text))

    page.extract_text(visitor_text=visit)
    return pieces


def two_scenario_pdf(model, gs, saved, lang: str) -> bytes:
    """The comparison brief of the first two saved scenarios against today's units."""
    rows = comparison(model, gs, saved, "Hoy")
    pdf, _ = comparison_pdf(model, gs, [(n.name, n.scenario) for n in saved], rows, ["A", "B"], lang, [None, None])
    return pdf


@pytest.mark.parametrize("measure", ["km", "hours"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_comparison_brief_shows_its_whole_method_note_below_the_table(
    model, saved, lang, measure
):
    gs = gap_state(model, "care", 50, "district", "16", measure=measure)[0]
    pdf = two_scenario_pdf(model, gs, saved, lang)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    flat = lambda s: re.sub(r"\s+", " ", s.replace("\u00a0", " ")).strip()
    text = flat(reader.pages[0].extract_text())
    note = flat(" ".join([mt(lang, gs, "compare.note")] + caveat_texts(gs, lang)))
    assert note[-80:] in text  # the note's last words, not cut with "…"
    assert note[:80] in text
    pieces = _lines_by_height(reader.pages[0])
    last_row = column_label(model, "concentration", lang, gs)
    table_bottom = min(h for h, piece in pieces if last_row in piece)
    note_top = max(h for h, piece in pieces if note[:30] in flat(piece))
    assert note_top < table_bottom - 5  # the note stands below the table, apart


def test_a_method_note_too_long_for_the_page_is_cut_and_the_table_kept(
    model, saved, monkeypatch
):
    from reports import compare

    monkeypatch.setattr(compare, "caveat_texts", lambda gs, lang: ["palabra " * 900])
    gs = gap_state(model, "upe", 50, "district", "16")[0]
    pdf = two_scenario_pdf(model, gs, saved, "es")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "palabra…" in text.replace("\n", " ")  # cut with an ellipsis
    pieces = _lines_by_height(reader.pages[0])
    last_row = column_label(model, "concentration", "es", gs)
    table_bottom = min(h for h, piece in pieces if last_row in piece)
    note_top = max(h for h, piece in pieces if "palabra" in piece)
    assert note_top < table_bottom - 5


def test_the_comparison_csv_neutralises_formula_names(model, saved):
    gs = GapState(service="upe", km=50, level="district", focus="16")
    text = comparison_csv(model, gs, comparison(model, gs, saved, "Hoy"), "es")
    lines = text.lstrip("\ufeff").splitlines()
    assert len(lines) == 4 and lines[0].startswith("ranura,Escenario")
    assert "'=cmd" in text and ",=cmd" not in text


@pytest.fixture()
def plain_maps(monkeypatch):
    from PIL import Image

    from reports import compare

    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), "white").save(buffer, format="PNG")
    monkeypatch.setattr(
        compare, "figure_png", lambda *args, **kwargs: buffer.getvalue()
    )


def test_forged_arguments_get_answers(requests_, secrets, saved, plain_maps):  # noqa: F811
    good = {
        K(ids.SCENARIOS, "data"): records(saved),
        K(ids.SCENARIO, "data"): saved[0].scenario.record(),
        K(ids.SCN_PICK, "value"): "A",
        K(ids.SCN_NAME, "value"): "x",
        K(ids.CMP_A, "value"): "base",
        K(ids.CMP_B, "value"): "B",
        K(ids.GAP_SERVICE, "value"): "upe",
        K(ids.GAP_KM, "value"): 50,
        K(ids.GAP_LEVEL, "value"): "district",
        K(ids.GAP_FOCUS, "value"): "16",
        K(ids.BUDGET_TOTAL, "value"): 600000,
        K(ids.BUDGET_GOAL, "value"): "service:upe",
        K(ids.BUDGET_DEPARTMENTS, "value"): ["16"],
        K(ids.LANG, "value"): "es",
    }
    walk = Walk(requests_, secrets)
    mine = [cb for cb in requests_.callbacks if any(part in cb.output for part in MINE)]
    assert len(mine) == 7
    for cb in mine:
        keys = [(id_key(c), p) for c, p in cb.args]
        base = {k: good.get(k, 1 if k[1] == "n_clicks" else None) for k in keys}
        walk.check(cb, base)
        for key in keys:
            for value in HOSTILE + EXTREME:
                walk.check(cb, {**base, key: value}, hostile=True)
    assert walk.failures == [], "\n".join(walk.failures[:20])
    assert {
        "cmp-table",
        "cmp-map",
        "cmp-pdf-download",
        "budget-notice",
        "scenarios",
    } <= walk.outputs_seen


def hours_values(total, hours, **kwargs):
    values = budget_values(total, **kwargs)
    values[K(ids.GAP_MEASURE, "value")] = "hours"
    values[K(ids.GAP_HOURS, "value")] = hours
    return values


def test_in_hours_mode_the_budget_spends_on_the_hours_coverage_sets(requests_, model):
    from analysis.budget import build_problem, solve_greedy
    from analysis.left_out import child_shares_from_catalog
    from analysis.places import CAPITALS
    from atlas.hours import hours_available

    if not hours_available(model, "upe"):
        pytest.skip("no modelled travel time on this machine")
    out = budget_response(requests_, hours_values(600_000, 6), {"upe": 250000})
    stored = out["scenarios"]["data"]
    units = stored[0]["units"]
    assert len(units) == 2 and all(u["service"] == "upe" for u in units)
    assert sum(stored[0]["costs"][u["service"]] for u in units) <= 600_000
    notice = out["budget-notice"]["children"]
    assert "6 h o menos (tiempo de viaje modelado)" in notice
    # the same path as `python -m analysis budget --hours 6`: same places, same gain
    setup = build_problem(
        model.coverage,
        model.places.candidates(CAPITALS),
        child_shares_from_catalog(model.catalog),
        600_000,
        {"upe": 250000},
        "service:upe",
        6,
        ["16"],
        travel=model.travel,
    )
    found = solve_greedy(setup.problem)
    assert found.total_cost <= 600_000
    assert [u["place"] for u in units] == [
        str(setup.places.place[j]) for _, j in found.units
    ]
    gain = re.search(r"\+([\d\s\u00a0]+) niñas", notice).group(1)
    assert int(re.sub(r"\D", "", gain)) == round(found.total_gain)
    km = budget_response(requests_, budget_values(600_000), {"upe": 250000})
    km_notice = km["budget-notice"]["children"]
    assert "modelado" not in km_notice and "al alcance" in km_notice
    km_gain = re.search(r"\+([\d\s\u00a0]+) niñas", km_notice).group(1)
    assert km_gain != gain  # the km figure is not the hours one


@pytest.mark.parametrize("forged", [0, 100, "seis", None, [6]])
def test_in_hours_mode_a_bad_hour_threshold_gets_the_hours_bounds(
    requests_, model, forged
):
    from atlas.hours import hours_available

    if not hours_available(model, "upe"):
        pytest.skip("no modelled travel time on this machine")
    out = budget_response(requests_, hours_values(600_000, forged), {"upe": 250000})
    assert "entre 1 y 72 horas" in out["budget-notice"]["children"]
    assert "scenarios" not in out
