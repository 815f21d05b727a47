"""Work that is the same for every user of a view is done once per process."""

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
