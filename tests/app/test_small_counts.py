"""Counts under 5 are shown as "<5" at every level, never coloured, and never sent: the
value is NaN on the server before any figure or profile is built."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from views.map_figure import VALUE, build_figure, metric_update
from atlas.model import MapState, Model
from views.profile import area_profile
from layers.base import (
    FLAG_SUPPRESSED, SMALL_COUNT, Layer, LayerData, LoadContext, Metric, Provenance, area_frame,
    suppress_small_counts, text,
)
from layers.boundaries import Boundaries
from layers.catalog import Catalog


def dump(obj) -> str:
    return json.dumps(obj, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def check_model(model: Model) -> int:
    """Every area metric at every level and year: no count under 5, suppressed means NaN in
    the model, None in the figure and "<5" (or "suprimido") in the text. Returns how many
    suppressed values were seen."""
    seen = 0
    for metric_id, (_, metric) in model.metrics.items():
        for level in metric.levels:
            for year in metric.years:
                frame = model.values.get((metric_id, level, year))
                if frame is None:
                    continue
                suppressed = frame["flag"] == FLAG_SUPPRESSED
                assert frame.loc[suppressed, ["value", "low", "high"]].isna().all().all(), (metric_id, level, year)
                if metric.is_count:
                    known = frame["value"].dropna()
                    assert (known >= SMALL_COUNT).all(), (metric_id, level, year, known[known < SMALL_COUNT])
                if not suppressed.any():
                    continue
                seen += int(suppressed.sum())
                update = metric_update(model, MapState(level=level, metric=metric_id, year=year), "es")
                codes = list(model.area_table(level, "").index)
                for code in frame.index[suppressed]:
                    i = codes.index(code)
                    assert update["z"][i] is None
                    assert update["text"][i].startswith("<5") if metric.is_count else update["text"][i].startswith("suprimido")
    return seen


def test_real_data_has_no_count_under_5_anywhere(model):
    check_model(model)


class FakeCounts(Layer):
    """An area layer that forgets to suppress: cases 0..9 per department and a rate."""

    id = "fake_counts"
    kind = "area"
    title = text("Casos de prueba", "Test cases")
    provenance = Provenance(source=text("prueba", "test"), year="2024", licence="test", url="", level=text("d", "d"))
    metrics = (
        Metric(id="fake_cases", title=text("Casos", "Cases"), unit=text("casos", "cases"), decimals=0,
               years=("2024",), levels=("department", "region"), is_count=True),
        Metric(id="fake_rate", title=text("Tasa", "Rate"), unit=text("por 10 000", "per 10,000"), decimals=1,
               years=("2024",), levels=("department", "region")),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        rows = []
        for level in ("department", "region"):
            codes = ctx.geo.areas[level].index
            cases = pd.Series(np.arange(len(codes)) % 10, index=codes, dtype=float)
            for metric, values in (("fake_cases", cases), ("fake_rate", cases * 1.5)):
                rows.append(pd.DataFrame({"metric": metric, "level": level, "code": codes, "year": "2024", "value": values.to_numpy()}))
        return LayerData(frame=area_frame(rows))


@pytest.fixture(scope="module")
def fake_model(data_dir) -> Model:
    catalog = Catalog.load(data_dir, layers=(Boundaries(), FakeCounts()))
    assert not catalog.errors
    return Model(catalog)


def test_a_layer_that_forgets_to_suppress_is_suppressed_at_load(fake_model):
    frame = fake_model.catalog.frame("fake_counts")
    small = frame[(frame["metric"] == "fake_cases") & (frame["flag"] == FLAG_SUPPRESSED)]
    assert len(small) > 0
    keys = set(zip(small["level"], small["code"]))
    rates = frame[frame["metric"] == "fake_rate"]
    hidden = rates[[k in keys for k in zip(rates["level"], rates["code"])]]
    assert len(hidden) == len(small) and hidden["value"].isna().all() and (hidden["flag"] == FLAG_SUPPRESSED).all()
    assert check_model(fake_model) == 2 * len(small)


@pytest.mark.parametrize("level", ["department", "region"])
def test_small_counts_read_less_than_5_in_figure_and_profile_and_are_not_coloured(fake_model, level):
    fig = build_figure(fake_model, MapState(level=level, metric="fake_cases", year="2024"), "es")
    value = fig["data"][VALUE]
    cases = fake_model.catalog.frame("fake_counts")
    cases = cases[(cases["metric"] == "fake_cases") & (cases["level"] == level)].set_index("code")
    for code, z, label in zip(value["locations"], value["z"], value["text"]):
        if cases.loc[code, "flag"] == FLAG_SUPPRESSED:
            assert z is None and label == "<5 casos"
            profile = dump(area_profile(fake_model, MapState(level=level), code, "es"))
            assert "<5 casos" in profile and "suprimido (menos de 5 casos)" in profile
        else:
            assert z is not None and math.isfinite(z) and label.endswith("casos")
    coloured = [z for z in value["z"] if z is not None]
    assert coloured and min(coloured) >= SMALL_COUNT and value["zmin"] >= SMALL_COUNT  # linear scale here


def test_suppression_rule_on_a_hand_made_table():
    metrics = FakeCounts.metrics
    frame = pd.DataFrame(
        {
            "metric": ["fake_cases", "fake_rate", "fake_cases", "fake_rate", "fake_rate"],
            "level": ["department"] * 5,
            "code": ["01", "01", "02", "02", "03"],
            "year": ["2024"] * 5,
            "value": [4.0, 6.0, 5.0, 7.5, 3.0],
            "low": [3.0, np.nan, np.nan, np.nan, np.nan],
            "high": [5.0, np.nan, np.nan, np.nan, np.nan],
            "flag": ["", "", "", "", ""],
        }
    )
    out = suppress_small_counts(frame, metrics)
    assert out["flag"].tolist() == [FLAG_SUPPRESSED, FLAG_SUPPRESSED, "", "", ""]
    assert out["value"].isna().tolist() == [True, True, False, False, False]  # a rate of 3 is not a count
    assert out.loc[0, ["low", "high"]].isna().all()
