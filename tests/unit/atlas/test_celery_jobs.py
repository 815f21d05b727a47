"""The Celery/Redis job manager and the shared memo, on an in-memory Celery backend and a
dict standing in for Redis (the real two-server run is tests/browser/test_multi_server.py)."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("celery", reason="the [multi] extra is not installed")

from atlas.celery_jobs import CeleryJobManager, SharedMemo, celery_app
from atlas.jobs import LOST


class FakeRedis:
    """The few Redis calls the manager makes, on a dict."""

    def __init__(self, fail: bool = False):
        self.data: dict[str, bytes] = {}
        self.fail = fail

    def _check(self):
        if self.fail:
            raise ConnectionError("redis away")

    def get(self, key):
        self._check()
        return self.data.get(key)

    def set(self, key, value, ex=None, nx=False):
        self._check()
        if nx and key in self.data:
            return False
        self.data[key] = value.encode() if isinstance(value, str) else value
        return True

    def delete(self, key):
        self.data.pop(key, None)


@pytest.fixture()
def manager():
    celery = celery_app("redis://127.0.0.1:1/0", expire_s=60)
    celery.conf.update(broker_url="memory://", result_backend="cache+memory://")
    return CeleryJobManager(celery, FakeRedis(), expire_s=60, stale_s=4)


def test_a_running_job_with_a_fresh_heartbeat_is_waited_for(manager):
    manager._write_marker("j1", "running")
    assert manager.job_running("j1")
    assert manager.get_result("cobertura:result:x", "j1") is manager.UNDEFINED


def test_a_job_whose_worker_stopped_beating_is_reported_lost_once(manager):
    manager.redis.set(manager._marker("j2"), json.dumps({"state": "running", "t": time.time() - 5}))
    assert not manager.job_running("j2")
    assert manager.get_result("cobertura:result:x", "j2") == {"background_callback_error": {"msg": LOST, "tb": ""}}
    assert manager.redis.get(manager._marker("j2")) is None  # told once, then forgotten


def test_a_queued_job_waits_for_a_worker_until_it_expires(manager):
    manager.redis.set(manager._marker("j3"), json.dumps({"state": "queued", "t": time.time() - 30}))
    assert manager.job_running("j3")  # no worker free yet: still queued, not lost
    manager.redis.set(manager._marker("j3"), json.dumps({"state": "queued", "t": time.time() - 61}))
    assert manager.get_result("cobertura:result:x", "j3")["background_callback_error"]["msg"] == LOST


def test_a_finished_job_returns_its_result_and_is_forgotten(manager):
    manager._write_marker("j4", "finished")
    assert manager.job_running("j4")  # Dash writes the result just after the job ends
    manager.handle.backend.set("cobertura:result:k", json.dumps({"done": 1}))
    assert manager.get_result("cobertura:result:k", "j4") == {"done": 1}
    assert manager.redis.get(manager._marker("j4")) is None
    assert manager.handle.backend.get("cobertura:result:k") is None  # fetched once


def test_every_request_gets_a_fresh_key_and_cancel_is_a_flag(manager):
    keys = {manager.build_cache_key(None, ["same file"], [], []) for _ in range(3)}
    assert len(keys) == 3
    assert not manager.cancelled("j5")
    manager.terminate_job("j5")
    assert manager.cancelled("j5")


def test_the_signing_secret_is_shared_first_writer_wins(manager):
    first = manager.get_or_create_signing_secret(lambda: b"first")
    assert manager.get_or_create_signing_secret(lambda: b"second") == first == b"first"


def test_the_shared_memo_builds_once_for_every_server_of_the_same_data():
    redis = FakeRedis()
    calls = []

    def build():
        calls.append(1)
        return {"z": [1.5, None], "plan": [("upe", "halo", None)]}

    one, two = SharedMemo(redis, "data-a"), SharedMemo(redis, "data-a")
    assert one.get_or_build(("customdata", "department"), build) == {"z": [1.5, None], "plan": [["upe", "halo", None]]}
    assert two.get_or_build(("customdata", "department"), build) == one.get_or_build(("customdata", "department"), build)
    assert len(calls) == 1
    SharedMemo(redis, "data-b").get_or_build(("customdata", "department"), build)  # other data: built again
    assert len(calls) == 2


def test_the_shared_memo_builds_locally_when_redis_is_away():
    memo = SharedMemo(FakeRedis(fail=True), "data-a")
    assert memo.get_or_build(("k",), lambda: [1, 2]) == [1, 2]


def test_a_malformed_redis_url_is_ignored_with_a_warning(monkeypatch, caplog):
    from app import Settings

    monkeypatch.setenv("COBERTURA_REDIS_URL", "http://evil.example/")
    assert Settings().redis_url == ""
    monkeypatch.setenv("COBERTURA_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert Settings().redis_url == "redis://127.0.0.1:6379/0"
