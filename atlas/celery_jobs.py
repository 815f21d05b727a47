"""Background jobs and the shared memo on Redis, for more than one app server.

With ``COBERTURA_REDIS_URL`` set, heavy jobs (the brief, official-file imports) go to a
Celery queue on Redis and run in a Celery worker (``celery -A app:celery_app worker``),
possibly on another machine; every app server reads progress and results from Redis, so a
poll may land on any of them. Without it, `atlas.jobs.BoundedJobManager` (diskcache, one
machine) is used and none of this is imported: celery and redis are an optional extra
(``pip install -e ".[multi]"``).

What the Celery manager adds to Dash's `CeleryManager`:

- one fresh result key per request (never a hash of the arguments, a whole file among them);
- results as plain JSON (never pickle), expiring after ``expire_s``;
- a heartbeat per job written by the worker while it runs: a poll that finds the heartbeat
  older than ``stale_s`` (the worker was stopped or died) tells the user the job was
  interrupted, instead of spinning forever; a job still waiting for a worker after
  ``expire_s`` is reported the same way. Nothing the user already had is touched;
- cancellation as a flag the job reads at each progress step (`atlas.jobs.check_cancelled`),
  not a broadcast that kills a worker's process.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from typing import Any

from dash import CeleryManager

from atlas.jobs import LOST, QUEUED_LABEL, _current_job, plain

log = logging.getLogger("cobertura.jobs")

PREFIX = "cobertura:"


def redis_client(url: str):
    """A Redis client for `url` (redis://host:port/db); raises ImportError without the extra."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def celery_app(url: str, expire_s: float, name: str = "cobertura"):
    """The Celery application: Redis as broker and result backend, JSON only."""
    from celery import Celery

    app = Celery(name, broker=url, backend=url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=int(expire_s),
        task_acks_late=False,  # a job whose worker dies is reported lost, never run twice
        worker_prefetch_multiplier=1,  # a long job does not hold others queued behind it
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


class CeleryJobManager(CeleryManager):
    """Dash's Celery manager with fresh keys, heartbeats and a clear "lost" outcome.

    Parameters
    ----------
    celery
        The Celery application (`celery_app`).
    redis
        A Redis client on the same server, for heartbeats and cancel flags.
    expire_s
        Seconds a result (or a job still queued) waits before it is given up.
    stale_s
        Seconds without a heartbeat after which a running job is reported lost.
    """

    def __init__(self, celery, redis, expire_s: float = 600.0, stale_s: float = 20.0):
        super().__init__(celery)
        self.redis = redis
        self.expire_s = float(expire_s)
        self.stale_s = float(stale_s)
        self.heartbeat_s = max(0.5, min(3.0, self.stale_s / 4))

    @staticmethod
    def _marker(job) -> str:
        return f"{PREFIX}job:{job}"

    def _write_marker(self, job: str, state: str) -> None:
        self.redis.set(self._marker(job), json.dumps({"state": state, "t": time.time()}), ex=int(self.expire_s) + 60)

    def _read_marker(self, job) -> dict | None:
        raw = self.redis.get(self._marker(job))
        try:
            marker = json.loads(raw) if raw else None
        except ValueError:
            return None
        return marker if isinstance(marker, dict) else None

    @contextmanager
    def _beating(self, job: str):
        """While the body runs (in the worker), refresh the job's heartbeat."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.heartbeat_s):
                try:
                    self._write_marker(job, "running")
                except Exception:  # Redis busy: the next beat tries again
                    log.debug("heartbeat for job %s failed", job, exc_info=True)

        self._write_marker(job, "running")
        thread = threading.Thread(target=beat, name="cobertura-job-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=self.heartbeat_s + 1)
            # Dash stores the result just after this: until then the job still counts as running
            self._write_marker(job, "finished")

    # ------------------------------------------------------------- Dash's hooks

    def build_cache_key(self, fn, args, cache_args_to_ignore, triggered):
        return f"{PREFIX}result:{secrets.token_hex(16)}"

    def make_job_fn(self, fn, progress, key=None):
        def tracked(*args, **kwargs):
            from celery import current_task

            job = current_task.request.id
            token = _current_job.set(job)
            try:
                with self._beating(job):
                    return plain(fn(*args, **kwargs))
            finally:
                _current_job.reset(token)

        return super().make_job_fn(tracked, progress, key)

    def call_job_fn(self, key, job_fn, args, context):
        job = uuid.uuid4().hex
        self._write_marker(job, "queued")
        self.redis.set(self._make_progress_key(key), json.dumps([0, QUEUED_LABEL]), ex=int(self.expire_s))
        job_fn.apply_async(args=(key, self._make_progress_key(key), args, context), task_id=job)
        return job

    def job_running(self, job):
        marker = self._read_marker(job) if job else None
        if not marker:
            return False
        age = time.time() - float(marker.get("t", 0))
        return age < (self.expire_s if marker.get("state") == "queued" else self.stale_s)

    def get_result(self, key, job):
        raw = self.handle.backend.get(key)
        if raw is not None:
            self.clear_cache_entry(key)
            self.clear_cache_entry(self._make_progress_key(key))
            if job:
                self.redis.delete(self._marker(job))
            return json.loads(raw)
        if job and not self.job_running(job) and self._read_marker(job):
            # a heartbeat (or a queued job) went silent without a result: its worker is gone
            self.redis.delete(self._marker(job))
            log.warning("background job %s lost its worker", job)
            return {"background_callback_error": {"msg": LOST, "tb": ""}}
        return self.UNDEFINED

    def get_or_create_signing_secret(self, generate):
        value = generate()
        self.redis.set(self.SIGNING_SECRET_KEY, value, nx=True)
        return self.redis.get(self.SIGNING_SECRET_KEY)

    def cancelled(self, job) -> bool:
        return bool(self.redis.get(f"{PREFIX}cancel:{job}"))

    def terminate_job(self, job):
        if job:
            self.redis.set(f"{PREFIX}cancel:{job}", "1", ex=600)

    def terminate_unhealthy_job(self, job):
        return False

    def stop(self) -> None:
        """Nothing runs in this process (tests, shutdown)."""


class SharedMemo:
    """`Model.memo`'s second level: derived, read-only values (hover texts, colours,
    traces) shared by every app server through Redis as JSON, under a namespace that
    names the data and code they were built from (a changed file never reads an old one)."""

    def __init__(self, redis, namespace: str, expire_s: float = 86400.0):
        self.redis = redis
        self.namespace = namespace
        self.expire_s = int(expire_s)

    def _key(self, key: Hashable) -> str:
        return f"{PREFIX}memo:{self.namespace}:{json.dumps(key, default=str)}"

    def get(self, key: Hashable) -> Any | None:
        try:
            raw = self.redis.get(self._key(key))
        except Exception:  # Redis away: build locally, as without it
            log.warning("shared memo unavailable", exc_info=True)
            return None
        return json.loads(raw) if raw else None

    def set(self, key: Hashable, value: Any) -> None:
        try:
            self.redis.set(self._key(key), json.dumps(value), ex=self.expire_s)
        except Exception:
            log.warning("shared memo unavailable", exc_info=True)

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = json.loads(json.dumps(build()))  # the same form whether built or read
            self.set(key, value)
        return value
