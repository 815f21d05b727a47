"""Work that is the same for every user of a view is done once per process."""

import dataclasses

import numpy as np

from atlas import gaps
from atlas.gaps import GapState, report_for


def test_the_gap_report_without_a_scenario_is_built_once_per_view(app, monkeypatch):
    model = app.cobertura_model
    calls = []
    real = gaps.gap_report

    def counted(*args, **kwargs):
        calls.append(kwargs.get("km") is None)
        return real(*args, **kwargs)

    monkeypatch.setattr(gaps, "gap_report", counted)
    gs = GapState(service="fistrap", km=65.0, level="province", focus="16")
    first = report_for(model, gs)
    second = report_for(model, GapState(service="fistrap", km=65.0, level="province", focus="08"))
    again = report_for(model, gs)
    assert calls == [True]  # one national report, two foci read from it
    assert first.equals(again) and set(second.index) != set(first.index)
    first["rank"] = -1  # a caller changing its copy does not change the shared report
    assert (report_for(model, gs)["rank"] >= 1).all()
    km = np.full(len(model.coverage.demand.lat), 10.0)
    report_for(model, gs, km)  # a scenario's distances: built for that request only
    assert calls == [True, False]


def test_a_scenarios_distances_are_searched_once_for_the_view_its_places_and_its_export(app, monkeypatch):
    from analysis import scenario as analysis_scenario
    from atlas import left_out
    from atlas import model as atlas_model
    from atlas.plan import Scenario, edit
    from reports.registry import send

    model = app.cobertura_model
    scenario, _ = edit(model, Scenario(), "add", service="fistrap", place="160302")
    scenario, _ = edit(model, scenario, "add", service="upe", place="080101")
    calls = []
    real = analysis_scenario.scenario_km

    def counted(index, units, service):
        calls.append((service, len(units)))
        return real(index, units, service)

    monkeypatch.setattr(atlas_model, "scenario_km", counted)
    gs = GapState(service="fistrap", km=35.0, level="province", focus="16")
    view = gaps.compute(model, gs, scenario).view
    reach = left_out.reach_for(model, gs, scenario)
    send("gaps_csv", model=model, gs=gs, scenario=scenario, lang="es")
    assert calls == [("fistrap", 2)]  # one search, though three parts of the view read it
    expected = real(model.coverage, scenario.units, "fistrap")
    assert np.array_equal(reach.distances, expected)
    assert (expected < model.coverage.km["fistrap"]).any()  # the new unit is nearer to someone
    assert view["rural_beyond"].sum() > 0
    try:  # shared between requests, so nobody may change it in place
        reach.distances[0] = -1.0
    except ValueError:
        pass
    else:
        raise AssertionError("the memoised distances are writable")
    assert model.coverage.km["fistrap"].flags.writeable  # the index's own arrays are untouched
    renamed = Scenario(tuple(dataclasses.replace(u, name="otro") for u in scenario.units))
    model.scenario_km(renamed.units, "fistrap")  # what the search reads is unchanged: no new search
    moved, _ = edit(model, scenario, "move", remove=0, place="160101")
    model.scenario_km(moved.units, "fistrap")
    assert calls == [("fistrap", 2), ("fistrap", 2)]  # a unit moved: searched again


def test_the_same_suggestion_request_is_answered_from_the_memo(app, monkeypatch):
    from atlas import plan
    from atlas.plan import Scenario, edit

    model = app.cobertura_model
    calls = []
    real = plan.suggest

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "suggest", counted)
    start, _ = edit(model, Scenario(), "add", service="upe", place="160302")
    request = {"service": "upe", "n": 3, "departments": ["16"], "candidates": "capitals", "min_size": 0, "km": 45}
    first, message = edit(model, start, "suggest", suggestion=request)
    again, _ = edit(model, start, "suggest", suggestion=dict(request))
    assert message is None and calls == ["upe"] and first == again
    assert len(first.units) == 4 and first.units[0] == start.units[0]
    edit(model, start, "suggest", suggestion={**request, "km": 60})  # another threshold: a new search
    edit(model, Scenario(), "suggest", suggestion=request)  # other fixed units: a new search
    assert calls == ["upe", "upe", "upe"]


def test_users_asking_at_once_for_the_same_view_wait_for_one_build(app):
    import threading
    import time

    model = app.cobertura_model
    builds, results = [], []
    started = threading.Barrier(6)

    def build():
        builds.append(threading.get_ident())
        time.sleep(0.3)  # long enough for the other five to ask meanwhile
        return object()

    def ask():
        started.wait()
        results.append(model.view_memo(("single-flight-test",), build))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(builds) == 1 and len(results) == 6 and all(r is results[0] for r in results)


def test_a_failed_build_is_not_kept_and_the_waiting_request_builds_its_own(app):
    import threading
    import time

    model = app.cobertura_model
    calls, got = [], []

    def failing():
        calls.append("first")
        time.sleep(0.3)
        raise RuntimeError("no")

    def first():
        try:
            model.view_memo(("single-flight-fails",), failing)
        except RuntimeError:
            got.append("error")

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.1)  # the second request arrives while the first one builds
    got.append(model.view_memo(("single-flight-fails",), lambda: calls.append("second") or "value"))
    thread.join(10)
    assert calls == ["first", "second"] and sorted(got) == ["error", "value"]
    assert model.view_memo(("single-flight-fails",), lambda: "never built") == "value"


def test_the_same_maps_png_is_drawn_once_and_another_view_is_drawn_again(app, monkeypatch):
    from atlas.plan import Scenario
    from reports import brief
    from views.gaps import gap_figure

    model = app.cobertura_model
    drawn = []

    def fake_map_png(figure, width, height, scale=1, *, lang=None):
        drawn.append((width, height, lang))
        return b"fake png " + bytes(str(len(drawn)), "ascii")

    monkeypatch.setattr(brief, "map_png", fake_map_png)
    gs = GapState(service="upe", km=70.0, level="department")
    computed = gaps.compute(model, gs, Scenario())
    figure = gap_figure(model, gs, Scenario(), "es", computed)
    first = brief.figure_png(model, figure, 1400, 1100, lang="es")
    again = brief.figure_png(model, gap_figure(model, gs, Scenario(), "es", computed), 1400, 1100, lang="es")
    assert first == again and drawn == [(1400, 1100, "es")]
    brief.figure_png(model, figure, 1400, 1000, lang="es")  # another size
    other = GapState(service="upe", km=90.0, level="department")
    brief.figure_png(model, gap_figure(model, other, Scenario(), "es", gaps.compute(model, other, Scenario())),
                     1400, 1100, lang="es")  # another view: other colours
    assert len(drawn) == 3


def test_a_table_page_is_sorted_and_formatted_once_per_view_page_and_order(app, monkeypatch):
    from atlas.plan import Scenario
    from views import gaps as gap_views

    model = app.cobertura_model
    calls = []
    real = gap_views.table_page

    def counted(view, gs, page, sort_by, lang):
        calls.append((page, str(sort_by)))
        return real(view, gs, page, sort_by, lang)

    monkeypatch.setattr(gap_views, "table_page", counted)
    gs = GapState(service="sar", km=40.0, level="district", focus="08")
    by_name = [{"column_id": "name", "direction": "desc"}]
    first = gap_views.gap_update(model, gs, None, 1, by_name, "es", "/", Scenario())
    again = gap_views.gap_update(model, gs, None, 1, [{"direction": "desc", "column_id": "name"}], "es", "/", Scenario())
    assert len(calls) == 1 and first[4] == again[4]
    names = [row["name"] for row in first[4]]
    assert len(names) == 12 and names == sorted(names, reverse=True)  # page 2 by name, descending
    gap_views.gap_update(model, gs, None, 1, [], "es", "/", Scenario())  # another order
    gap_views.gap_update(model, gs, None, 1, by_name, "en", "/", Scenario())  # another language
    assert len(calls) == 3
