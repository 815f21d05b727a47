"""Heavy work (the one-page brief, official-file imports) off the request threads, bounded.

Dash's background callbacks hand a job to a manager and let the browser poll for progress
and the result, possibly through another worker of the same server. This manager:

- runs jobs in a small thread pool of each worker (`workers` at once, `max_queued` waiting;
  beyond that a job is refused at once with a clear "busy" notice), so page loads keep their
  threads and a warm map renderer is reused from one brief to the next;
- keeps progress, results and the callback signing secret in a *private* job store: a
  directory owned by the server's user with no group or other permissions (refused at
  start-up otherwise), values stored as JSON only (a row written by anything else in
  pickle form is refused, never unpickled), results expiring after `expire_s` and deleted
  as soon as the browser has fetched them;
- marks each job with a heartbeat in the store, so a poll reaching another worker knows the
  job is alive, and a job whose worker died is reported to the user as interrupted (nothing
  they already had is lost) instead of spinning forever.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from pathlib import Path

import diskcache
from dash import DiskcacheManager
from plotly.io.json import to_json_plotly

log = logging.getLogger("cobertura.jobs")

BUSY = "cobertura-job-busy"  # an error message the app's error handler turns into a notice
LOST = "cobertura-job-lost"
QUEUED_LABEL = "En cola / Queued"
HEARTBEAT_S = 3.0
STALE_S = 20.0  # a job whose heartbeat is older than this has lost its worker
_current_job: ContextVar[int | str | None] = ContextVar("cobertura_job", default=None)


class JobStoreError(RuntimeError):
    """The job store cannot be used safely (a start-up error; the message says why)."""


class JobCancelled(Exception):
    """The browser that started a job went away (a new page load asked to stop it)."""


def private_directory(path: Path) -> Path:
    """Create `path` with mode 0700, or check that an existing one is private: a real
    directory (not a symlink), owned by this process's user, with no group or other
    permission bits. Raises JobStoreError naming what is wrong."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as err:
        raise JobStoreError(f"cannot create the job directory {path}: {err}") from err
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise JobStoreError(f"the job directory {path} is not a plain directory (a symlink or a file)")
    if info.st_uid != os.getuid():
        raise JobStoreError(f"the job directory {path} belongs to uid {info.st_uid}, not to this server's user ({os.getuid()})")
    if info.st_mode & 0o077:
        raise JobStoreError(
            f"the job directory {path} is open to other users (mode {stat.S_IMODE(info.st_mode):04o}); "
            "it must be 0700 (chmod 700, or point COBERTURA_JOB_CACHE at a new directory)"
        )
    for child in path.iterdir():
        child_info = os.lstat(child)
        if child_info.st_uid != os.getuid() or child_info.st_mode & 0o022 or stat.S_ISLNK(child_info.st_mode):
            raise JobStoreError(f"the job directory {path} holds {child.name}, which this server's user does not own alone")
    return path


class JsonOnlyDisk(diskcache.JSONDisk):
    """Keys and values as JSON only. A row stored in pickle form (which this store never
    writes) is refused instead of unpickled: nothing in the store can run code."""

    def get(self, key, raw):
        if not raw:
            raise JobStoreError("a job-store key is in pickle form; refused")
        return super().get(key, raw)

    def fetch(self, mode, filename, value, read):
        if mode == diskcache.core.MODE_PICKLE:
            raise JobStoreError("a job-store value is in pickle form; refused")
        return super().fetch(mode, filename, value, read)


class ExpiringCache(diskcache.Cache):
    """A diskcache whose entries expire after `default_expire` seconds unless told
    otherwise; the callback signing secret lives as long as the store."""

    def __init__(self, directory: str, default_expire: float, **settings):
        self.default_expire = default_expire
        super().__init__(directory, disk=JsonOnlyDisk, **settings)

    def set(self, key, value, expire=None, read=False, tag=None, retry=False):
        return super().set(key, value, expire=expire or self.default_expire, read=read, tag=tag, retry=retry)

    def add(self, key, value, expire=None, read=False, tag=None, retry=False):
        if key == DiskcacheManager.SIGNING_SECRET_KEY:
            return super().add(key, value, expire=None, read=read, tag=tag, retry=retry)
        return super().add(key, value, expire=expire or self.default_expire, read=read, tag=tag, retry=retry)


def open_store(directory: Path, expire_s: float) -> ExpiringCache:
    """The job store in a private directory; its files readable by this user only."""
    directory = private_directory(directory)
    old = os.umask(0o077)
    try:
        cache = ExpiringCache(str(directory), default_expire=expire_s)
    finally:
        os.umask(old)
    for child in directory.iterdir():
        os.chmod(child, 0o600 if child.is_file() else 0o700)
    return cache


def plain(value):
    """A callback's return value as plain JSON data (components become their JSON form, as
    Dash sends them), so that the store never needs pickle."""
    return json.loads(to_json_plotly(value))


def check_cancelled(manager) -> None:
    """Raise JobCancelled inside a job the browser asked to stop (call it from progress);
    `manager` is the app's job manager (this one or `atlas.celery_jobs.CeleryJobManager`)."""
    job = _current_job.get()
    if job is not None and manager.cancelled(job):
        raise JobCancelled()


class BoundedJobManager(DiskcacheManager):
    """A Dash background-callback manager with a bounded thread pool per worker.

    Parameters
    ----------
    store
        The private, JSON-only store (`open_store`), shared by the server's workers.
    workers
        Jobs running at once in this worker (`COBERTURA_HEAVY_JOBS`).
    max_queued
        Jobs waiting in this worker beyond those; more are refused at once ("busy").
    stale_s
        Seconds without a heartbeat after which a job is reported lost (`COBERTURA_JOB_STALE_S`).
    """

    def __init__(self, store: ExpiringCache, workers: int = 2, max_queued: int = 8, stale_s: float = STALE_S):
        super().__init__(store)
        self.stale_s = float(stale_s)
        self.workers = max(1, int(workers))
        self.max_queued = max(0, int(max_queued))
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="cobertura-job")
        self._lock = threading.Lock()
        self._active: dict[int, str] = {}  # job -> "queued" | "running", this worker's only
        self._beat: threading.Thread | None = None

    # ------------------------------------------------------------------ markers

    @staticmethod
    def _marker(job) -> str:
        return f"cobertura-job-{int(job)}"

    def _write_marker(self, job: int, state: str) -> None:
        self.handle.set(self._marker(job), {"state": state, "t": time.time()}, expire=3600)

    def _heartbeat(self) -> None:
        last_sweep = time.time()
        while True:
            time.sleep(min(HEARTBEAT_S, self.stale_s / 4))
            with self._lock:
                active = dict(self._active)
            for job, state in active.items():
                try:
                    self._write_marker(job, state)
                except Exception:  # a busy store: the next beat tries again
                    log.debug("heartbeat for job %s failed", job, exc_info=True)
            if time.time() - last_sweep > 60:
                last_sweep = time.time()
                try:
                    self.handle.expire()  # remove expired results and progress for good
                except Exception:
                    log.debug("job store sweep failed", exc_info=True)

    def _ensure_heartbeat(self) -> None:
        with self._lock:
            if self._beat is None or not self._beat.is_alive():
                self._beat = threading.Thread(target=self._heartbeat, name="cobertura-job-heartbeat", daemon=True)
                self._beat.start()

    # ------------------------------------------------------------- Dash's hooks

    def build_cache_key(self, fn, args, cache_args_to_ignore, triggered):
        """One fresh key per request (Dash would hash the arguments, a whole uploaded file
        among them): a result is only ever fetched by the page that asked for it, and an
        unfetched one is never served to a later identical request."""
        return secrets.token_hex(16)

    def make_job_fn(self, fn, progress, key=None):
        def plain_result(*args, **kwargs):
            return plain(fn(*args, **kwargs))

        return super().make_job_fn(plain_result, progress, key)

    def call_job_fn(self, key, job_fn, args, context):
        job = secrets.randbelow(2**31 - 2) + 1
        with self._lock:
            queued = sum(1 for s in self._active.values() if s == "queued")
            running = len(self._active) - queued
            if running >= self.workers and queued >= self.max_queued:
                self.handle.set(key, {"background_callback_error": {"msg": BUSY, "tb": ""}})
                return job
            self._active[job] = "queued"
        self._write_marker(job, "queued")
        if running >= self.workers:
            self.handle.set(self._make_progress_key(key), [0, f"{QUEUED_LABEL} ({queued + 1})"])
        self._ensure_heartbeat()
        self._live_pool().submit(self._run, job, key, job_fn, args, context)
        return job

    def _live_pool(self) -> ThreadPoolExecutor:
        """The pool, renewed when one of its threads has died (an exception raised into an
        idle thread from outside, as a test server's shutdown does): the executor would
        otherwise count the dead thread as idle and never run the job."""
        with self._lock:
            if any(not t.is_alive() for t in getattr(self._pool, "_threads", ())):
                log.warning("a background job thread died; starting a fresh pool")
                self._pool.shutdown(wait=False)
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="cobertura-job")
            return self._pool

    def _run(self, job: int, key: str, job_fn, args, context) -> None:
        with self._lock:
            self._active[job] = "running"
        self._write_marker(job, "running")
        token = _current_job.set(job)
        try:
            job_fn(key, self._make_progress_key(key), args, context)
        except Exception:  # Dash's job function records errors itself; this is a last resort
            log.exception("background job %s failed outside its callback", job)
        finally:
            _current_job.reset(token)
            with self._lock:
                self._active.pop(job, None)
            self.handle.delete(self._marker(job))

    def job_running(self, job):
        try:
            marker = self.handle.get(self._marker(job))
        except (TypeError, ValueError):
            return False
        return bool(marker) and time.time() - float(marker.get("t", 0)) < self.stale_s

    def get_result(self, key, job):
        result = super().get_result(key, job)
        if result is self.UNDEFINED and job is not None and not self.job_running(job):
            marker = self.handle.get(self._marker(job))
            if marker:  # a heartbeat stopped without a result: the job's worker died
                self.handle.delete(self._marker(job))
                return {"background_callback_error": {"msg": LOST, "tb": ""}}
        return result

    def get_or_create_signing_secret(self, generate):
        """The secret that signs job handles, shared by every worker through the store
        (Dash generates bytes; the JSON-only store keeps them as text)."""
        value = generate()
        self.handle.add(self.SIGNING_SECRET_KEY, value.decode("ascii") if isinstance(value, bytes) else str(value))
        return self.handle.get(self.SIGNING_SECRET_KEY)

    def cancelled(self, job) -> bool:
        return bool(self.handle.get(f"cobertura-cancel-{job}"))

    def terminate_job(self, job):
        if job is None:
            return
        try:
            job = int(job)
        except (TypeError, ValueError):
            return
        self.handle.set(f"cobertura-cancel-{job}", True, expire=600)

    def terminate_unhealthy_job(self, job):
        return False

    def stop(self) -> None:
        """Wait for running jobs (tests, shutdown)."""
        self._pool.shutdown(wait=True)
