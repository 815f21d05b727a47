"""The start-up cache (atlas/warm.py): a snapshot of the catalog and derived indexes keyed
by the data and code, equal to a fresh build, rebuilt when the data changes or the file is
damaged, never read from a directory other users can write."""

from __future__ import annotations

import os
import pickle
import shutil

import numpy as np
import pandas as pd
import pytest

from atlas import warm
from layers.base import LEVELS
from layers.catalog import Catalog
from layers.datadir import DataDir

POVERTY = "poverty/inei_pobreza_monetaria_2018_distrital.csv"


def no_load(*args, **kwargs):
    raise AssertionError("the catalog was loaded from the data, not from the snapshot")


def snapshots(cache):
    return sorted(warm.cache_dir(cache).glob("model-*.pkl"))


def assert_same_model(a, b):
    assert a.values.keys() == b.values.keys()
    for key in a.values:
        pd.testing.assert_frame_equal(a.values[key], b.values[key])
    for level in LEVELS:
        pd.testing.assert_frame_equal(a.counts[level], b.counts[level])
        pd.testing.assert_frame_equal(a.need[level], b.need[level])
        assert a.geo.geojson_bytes(level) == b.geo.geojson_bytes(level)
    pd.testing.assert_frame_equal(a.points, b.points)
    assert a.geo_version == b.geo_version
    assert a.coverage.km.keys() == b.coverage.km.keys()
    for service in a.coverage.km:
        np.testing.assert_array_equal(a.coverage.km[service], b.coverage.km[service])
    pd.testing.assert_frame_equal(
        a.coverage.summary("upe", 50.0, "province"),
        b.coverage.summary("upe", 50.0, "province"),
    )
    assert a.catalog.errors == b.catalog.errors
    assert [layer.id for layer in a.catalog.layers] == [
        layer.id for layer in b.catalog.layers
    ]
    assert a.travel is not None and b.travel is not None
    np.testing.assert_array_equal(a.travel.of("upe"), b.travel.of("upe"))


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """A cache directory holding the snapshot of the shipped data, and the fresh model."""
    cache = tmp_path_factory.mktemp("cache")
    catalog, fresh = warm.start(DataDir(), cache, cache / "travel")
    assert fresh is not None and not catalog.errors
    return cache, fresh


def test_second_start_reads_the_snapshot_and_equals_a_fresh_build(
    warm_cache, monkeypatch
):
    cache, fresh = warm_cache
    assert len(snapshots(cache)) == 1
    assert oct(os.stat(snapshots(cache)[0]).st_mode & 0o777) == "0o600"
    monkeypatch.setattr(Catalog, "load", classmethod(no_load))
    _, cached = warm.start(DataDir(), cache, cache / "travel")
    assert cached is not fresh
    assert_same_model(cached, fresh)
    assert (
        cached.catalog.data_dir.root == DataDir().root
    )  # the live data directory, not a pickled one


def test_truncated_snapshot_is_rebuilt_without_a_crash(warm_cache, caplog):
    cache, fresh = warm_cache
    path = snapshots(cache)[0]
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    _, rebuilt = warm.start(DataDir(), cache, cache / "travel")
    assert "unreadable" in caplog.text
    assert_same_model(rebuilt, fresh)
    assert snapshots(cache) == [path] and path.stat().st_size == len(whole)


def test_changed_data_file_rebuilds_the_snapshot(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(DataDir().root, data, ignore=shutil.ignore_patterns("imports"))
    cache = tmp_path / "cache"
    monkeypatch.setenv("COBERTURA_DATA_DIR", str(data))
    monkeypatch.setenv("COBERTURA_VERIFY_SHA256", "0")  # the deliberately updated file
    from app import Settings

    settings = Settings()
    _, before = warm.start(settings.data(), cache, cache / "travel")
    [first] = snapshots(cache)
    key = next(
        k for k in before.values if k[0] == "poverty_2018" and k[1] == "district"
    )
    code = "250204"
    old_value = before.values[key].loc[code, "value"]

    table = pd.read_csv(data / POVERTY, dtype=str)
    assert table.loc[table["ubigeo"] == code].shape[0] == 1
    table.loc[table["ubigeo"] == code, "pobreza_monetaria"] = "11.11"
    table.to_csv(data / POVERTY, index=False)

    _, after = warm.start(Settings().data(), cache, cache / "travel")
    assert after.values[key].loc[code, "value"] == pytest.approx(11.11)
    assert old_value != pytest.approx(11.11)
    assert (
        first in snapshots(cache) and len(snapshots(cache)) == 2
    )  # a new key, the old one kept


def test_snapshot_in_a_directory_others_can_write_is_never_read(
    tmp_path, monkeypatch, caplog
):
    cache = tmp_path / "cache"
    directory = warm.cache_dir(cache)
    directory.mkdir(parents=True)
    os.chmod(directory, 0o777)
    read = []

    class Planted:
        def __reduce__(self):
            return (read.append, ("planted pickle ran",))

    key = warm.snapshot_key(DataDir())
    (directory / f"model-{key}.pkl").write_bytes(pickle.dumps(Planted()))
    fatal = Catalog(data_dir=DataDir(), layers=(), errors={"boundaries": "stub"})
    monkeypatch.setattr(Catalog, "load", classmethod(lambda cls, *a, **k: fatal))
    catalog, model = warm.start(DataDir(), cache)
    assert read == [] and catalog is fatal and model is None
    assert "not used" in caplog.text


def test_snapshot_pickler_keeps_values_and_writes_each_text_once(tmp_path):
    codes = [str(150101 + i % 3) for i in range(300)]  # 3 texts, 300 separate strings
    frame = pd.DataFrame(
        {"code": codes, "name": [f"Centro {i}" for i in range(300)], "n": range(300)},
        index=pd.Index([f"c{i:04d}" for i in range(300)], name="place"),
    )
    mixed = np.array([["a", None], [float("nan"), ("t", 1)]], dtype=object, order="F")
    assert len({id(c) for c in frame["code"].array._ndarray}) == 300
    path = tmp_path / "s.pkl"
    with open(path, "wb") as f:
        warm.SharedTextPickler(f).dump(
            {"frame": frame, "mixed": mixed, "again": frame["code"].copy()}
        )
    with open(path, "rb") as f:
        back = pickle.load(f)
    pd.testing.assert_frame_equal(back["frame"], frame)
    assert back["frame"]["code"].dtype == frame["code"].dtype
    assert back["mixed"].shape == (2, 2) and back["mixed"].flags.f_contiguous
    assert back["mixed"][0, 0] == "a" and back["mixed"][0, 1] is None
    assert np.isnan(back["mixed"][1, 0]) and back["mixed"][1, 1] == ("t", 1)
    shared = {id(c) for c in back["frame"]["code"].array._ndarray}
    shared |= {id(c) for c in back["again"].array._ndarray}
    assert len(shared) == 3  # one string per distinct text, across tables


def test_the_snapshot_shares_district_codes_between_tables(warm_cache, monkeypatch):
    cache, fresh = warm_cache
    monkeypatch.setattr(Catalog, "load", classmethod(no_load))
    _, cached = warm.start(DataDir(), cache, cache / "travel")
    demand = cached.coverage.demand
    assert demand.ubigeo.dtype == fresh.coverage.demand.ubigeo.dtype
    np.testing.assert_array_equal(demand.ubigeo, fresh.coverage.demand.ubigeo)
    np.testing.assert_array_equal(demand.code, fresh.coverage.demand.code)
    ids = {id(code) for code in demand.ubigeo}
    assert len(ids) == len(set(demand.ubigeo)) <= 1891  # not one string per point
    centres = cached.catalog.frame("centros_poblados")["ubigeo"].array._ndarray
    assert {id(code) for code in centres} <= ids
