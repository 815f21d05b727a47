"""The background-job store and manager: private, JSON only, expiring, bounded."""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
import time

import diskcache
import pytest

from atlas.jobs import (
    BUSY,
    LOST,
    BoundedJobManager,
    JobStoreError,
    open_store,
    private_directory,
)


def test_a_new_job_directory_is_private(tmp_path):
    store = open_store(tmp_path / "jobs", expire_s=60)
    mode = os.stat(tmp_path / "jobs").st_mode & 0o777
    assert mode == 0o700
    store.set("k", {"a": 1})
    for child in (tmp_path / "jobs").iterdir():
        assert os.stat(child).st_mode & 0o077 == 0, child.name  # the signing secret's file too


def test_a_directory_open_to_other_users_is_refused_at_start(tmp_path):
    planted = tmp_path / "cobertura-jobs-0"
    planted.mkdir()
    os.chmod(planted, 0o755)  # what the old default in /tmp had
    with pytest.raises(JobStoreError, match="open to other users"):
        private_directory(planted)


def test_a_symlinked_directory_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(JobStoreError, match="not a plain directory"):
        private_directory(link)


def test_a_file_planted_in_a_private_directory_by_another_writer_is_refused(tmp_path):
    folder = tmp_path / "jobs"
    folder.mkdir(mode=0o700)
    (folder / "cache.db").write_bytes(b"")
    os.chmod(folder / "cache.db", 0o666)  # writable by anyone: not ours alone
    with pytest.raises(JobStoreError, match="cache.db"):
        private_directory(folder)


def test_a_planted_pickled_value_never_runs(tmp_path):
    """A diskcache written with pickle (what the old store did) holding a value whose
    unpickling would run code: the store refuses it instead of unpickling it."""
    folder = tmp_path / "jobs"
    planted = diskcache.Cache(str(folder), disk=PlantingDisk)  # keys as the store writes them, values pickled
    marker = tmp_path / "ran"
    planted.set("__dash_background_signing_secret__", Boom(str(marker)))
    planted.set("result", Boom(str(marker)))
    planted.close()
    os.chmod(folder, 0o700)
    for child in folder.iterdir():
        os.chmod(child, 0o600)
    store = open_store(folder, expire_s=60)
    with pytest.raises(JobStoreError, match="pickle"):
        store.get("result")
    with pytest.raises(JobStoreError, match="pickle"):
        BoundedJobManager(store).get_or_create_signing_secret(lambda: "new")
    assert not marker.exists()


class PlantingDisk(diskcache.JSONDisk):
    """An attacker's writer: keys encoded as the store encodes them, values pickled."""

    def store(self, value, read, key=diskcache.core.UNKNOWN):
        return diskcache.Disk.store(self, value, read, key=key)


class Boom:
    """Unpickling this creates a file: proof that a value was unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_results_expire_when_never_fetched(tmp_path):
    store = open_store(tmp_path / "jobs", expire_s=0.2)
    store.set("result", {"series": [1, 2, 3]})
    assert store.get("result") == {"series": [1, 2, 3]}
    time.sleep(0.3)
    assert store.get("result") is None
    store.expire()
    rows = sqlite3.connect(str(tmp_path / "jobs" / "cache.db")).execute("select count(*) from Cache").fetchone()[0]
    assert rows == 0  # gone from the file, not just hidden


def test_two_workers_read_the_same_signing_secret(tmp_path):
    """Dash generates the secret as bytes; each worker must read back the first one stored,
    or a job started on one worker could not be polled through another."""
    first = BoundedJobManager(open_store(tmp_path / "jobs", expire_s=60))
    second = BoundedJobManager(open_store(tmp_path / "jobs", expire_s=60))
    a = first.get_or_create_signing_secret(lambda: b"abc123")
    b = second.get_or_create_signing_secret(lambda: b"zzz999")
    assert a == b == "abc123"


def test_the_signing_secret_does_not_expire_with_results(tmp_path):
    store = open_store(tmp_path / "jobs", expire_s=0.1)
    manager = BoundedJobManager(store)
    secret = manager.get_or_create_signing_secret(lambda: "s3cret")
    time.sleep(0.2)
    assert manager.get_or_create_signing_secret(lambda: "other") == secret == "s3cret"


def job_fn_recording(active: list, peak: list, gate: threading.Event, store):
    """A Dash-shaped job function: (result_key, progress_key, args, context)."""

    def job(result_key, progress_key, args, context):
        active.append(1)
        peak.append(len(active))
        gate.wait(5)
        active.pop()
        store.set(result_key, {"done": args})

    return job


def test_jobs_run_a_bounded_number_at_once_and_the_rest_queue_with_progress(tmp_path):
    store = open_store(tmp_path / "jobs", expire_s=60)
    manager = BoundedJobManager(store, workers=1, max_queued=2)
    active, peak, gate = [], [], threading.Event()
    job = job_fn_recording(active, peak, gate, store)
    handles = [(f"key{i}", manager.call_job_fn(f"key{i}", job, i, {})) for i in range(3)]
    time.sleep(0.2)
    assert manager.get_progress("key2") == [0, "En cola / Queued (2)"]
    assert all(manager.job_running(j) for _, j in handles)  # queued counts as alive
    # a fourth job beyond the queue is refused at once with the "busy" marker
    manager.call_job_fn("key3", job, 3, {})
    assert manager.get_result("key3", None)["background_callback_error"]["msg"] == BUSY
    gate.set()
    manager.stop()
    assert max(peak) == 1
    assert [manager.get_result(k, j) for k, j in handles] == [{"done": 0}, {"done": 1}, {"done": 2}]
    assert all(store.get(k) is None for k, _ in handles)  # deleted once fetched


def test_a_job_whose_worker_died_is_reported_as_lost(tmp_path):
    store = open_store(tmp_path / "jobs", expire_s=60)
    manager = BoundedJobManager(store)
    store.set(manager._marker(123), {"state": "running", "t": time.time() - 3600}, expire=3600)
    assert not manager.job_running(123)
    assert manager.get_result("never-written", 123)["background_callback_error"]["msg"] == LOST


def test_the_store_holds_json_only(tmp_path):
    store = open_store(tmp_path / "jobs", expire_s=60)
    with pytest.raises(TypeError):
        store.set("x", object())  # would need pickle
    store.set("y", [1, "a", {"b": None}])
    raw = sqlite3.connect(str(tmp_path / "jobs" / "cache.db")).execute("select mode from Cache").fetchall()
    assert {m for (m,) in raw} <= {diskcache.core.MODE_RAW, diskcache.core.MODE_BINARY}
    assert pickle  # (imported for the planted-cache test)


def test_jobs_still_run_after_a_pool_thread_was_killed(tmp_path):
    """A pool thread that died (killed from outside, or gone after a fork) must not be
    counted as idle: later jobs run on a fresh thread instead of waiting forever."""
    import ctypes

    store = open_store(tmp_path / "jobs", expire_s=60)
    manager = BoundedJobManager(store, workers=1, max_queued=2)
    active, peak, gate = [], [], threading.Event()
    gate.set()
    job = job_fn_recording(active, peak, gate, store)
    first = manager.call_job_fn("first", job, 1, {})
    deadline = time.time() + 5
    while manager.get_result("first", first) is manager.UNDEFINED and time.time() < deadline:
        time.sleep(0.02)
    (thread,) = manager._pool._threads
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_long(thread.ident), ctypes.py_object(SystemExit))
    manager._pool.submit(int)  # wakes it: the pending exception ends the thread
    thread.join(5)
    assert not thread.is_alive()
    second = manager.call_job_fn("second", job, 2, {})
    deadline = time.time() + 5
    while (result := manager.get_result("second", second)) is manager.UNDEFINED and time.time() < deadline:
        time.sleep(0.02)
    manager.stop()
    assert result == {"done": 2}
