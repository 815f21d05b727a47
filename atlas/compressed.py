"""Static bodies compressed once at brotli's best quality, for every user after.

The server compresses each answer as it goes (flask-compress, brotli quality 4: fast enough
for callback answers). The scripts, styles and map geometry of a page are the same for every
user, and brotli at quality 11 makes them 15-45 % smaller than that (bench/scale_notes.md:
Dash's renderer 59 -> 50 KB, the department geometry 87 -> 49 KB). Quality 11 is slow (about
0.5 s for 300 KB), so it is done once per body, off the request threads: a body seen for the
first time is answered as before while one background thread compresses it, and every later
answer carries the small body.

Bodies are keyed by their sha256, so a changed file is a new key and a stale body is never
served. With a directory (`<Settings.cache_dir>/static`, private, 0700) the compressed bodies
are also kept on disk for the next start; one read back is checked (it must decompress to a
body with its key's sha256), and a file that does not check is ignored and compressed anew.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli

from atlas.jobs import JobStoreError, private_directory

QUALITY = 11
MIN_BYTES = 1024  # smaller bodies gain nothing worth a thread
KEEP = 48  # compressed bodies kept on disk (a page's scripts, styles and geometries)
MAX_BYTES = 16 * 2**20  # held in memory at most; past it, bodies are served as before
log = logging.getLogger("cobertura")


def trim_heap() -> None:
    """Give the heap glibc keeps after frees back to the system (elsewhere: nothing)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class BrotliStore:
    """sha256 of a body -> the body at brotli quality 11, filled in the background."""

    def __init__(self, directory: Path | None = None):
        self.directory = None
        if directory is not None:
            try:
                self.directory = private_directory(Path(directory))
            except (JobStoreError, OSError) as err:
                log.warning("static compression cache not used (%s): in memory only", err)
        self.bodies: dict[str, bytes] = {}
        self.held = 0  # bytes in `bodies`
        self.refused: set[str] = set()
        self._fork_reset()
        self._load()

    def _load(self) -> None:
        """Read back what earlier starts compressed (the newest `KEEP`; older files are
        deleted), so the first page after a restart is already small; each is checked."""
        if self.directory is None:
            return
        files = sorted(self.directory.glob("*.br"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in files[KEEP:]:
            stale.unlink(missing_ok=True)
        for path in files[:KEEP]:
            compressed = self._read(path.stem)
            if compressed is not None:
                self._keep(path.stem, compressed)

    def _keep(self, key: str, compressed: bytes) -> None:
        if self.held + len(compressed) <= MAX_BYTES:
            self.bodies[key] = compressed
            self.held += len(compressed)
        else:
            self.refused.add(key)  # never compressed again in this process

    def _fork_reset(self) -> None:
        # a pool or lock copied into a forked worker (gunicorn --preload) does not work there:
        # each process makes its own; the bodies compressed before the fork are kept
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None

    def get(self, body: bytes) -> bytes | None:
        """The compressed body if it is ready; else None, and it is compressed meanwhile."""
        if len(body) < MIN_BYTES:
            return None
        key = hashlib.sha256(body).hexdigest()
        found = self.bodies.get(key)
        if found is not None:
            return found
        if os.getpid() != self._pid:
            self._fork_reset()
        if key in self.refused or self.held + len(body) // 8 > MAX_BYTES:  # full: as before
            return None
        found = self._read(key)  # compressed by another worker or an earlier start (1-2 ms)
        if found is not None:
            self._keep(key, found)
            return found
        with self._lock:
            if key in self._pending:
                return None
            self._pending.add(key)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brotli")
        self._pool.submit(self._fill, key, body)
        return None

    def wait(self) -> None:
        """Block until every body asked for so far is compressed (tests, benchmarks)."""
        with self._lock:
            pool = self._pool
        if pool is not None:
            pool.submit(lambda: None).result()

    def _fill(self, key: str, body: bytes) -> None:
        try:
            compressed = self._read(key)
            if compressed is None:
                compressed = brotli.compress(body, quality=QUALITY)
                self._write(key, compressed)  # replaces a copy that did not check
                trim_heap()  # quality 11 works in tens of MB; give them back (worker RSS)
            self._keep(key, compressed)
        except Exception:
            log.exception("static compression failed")
        finally:
            with self._lock:
                self._pending.discard(key)

    def _read(self, key: str) -> bytes | None:
        if self.directory is None:
            return None
        path = self.directory / f"{key}.br"
        try:
            compressed = path.read_bytes()
            if hashlib.sha256(brotli.decompress(compressed)).hexdigest() == key:
                return compressed
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - truncated or foreign: compressed anew
            log.warning("static compression cache: %s does not check, compressed anew", path.name)
        return None

    def _write(self, key: str, compressed: bytes) -> None:
        if self.directory is None:
            return
        path = self.directory / f"{key}.br"
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(compressed)
            os.replace(tmp, path)
        except OSError as err:
            log.warning("static compression cache not written (%s)", err)
