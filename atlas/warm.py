"""Start-up from a disk cache: the loaded catalog and the model's derived indexes.

Loading the layers and deriving the coverage index, places, counts and geometry JSON takes
most of a start (bench/scale_notes.md). They depend only on the data files and the code
that reads them, so one snapshot of them is kept in ``<cache dir>/warm`` (the app's
`Settings.cache_dir`, COBERTURA_CACHE_DIR; default ``~/.cache/cobertura/warm``), named by
`snapshot_key`: the sha256 of every data file (`DataDir.fingerprint`), of the authored tables
in the repository's data/, of the source of the rooms that build them, and `VERSION`. A
changed file is a different key, so a stale snapshot is never read; the older ones are
deleted when a new one is written (the newest `KEEP` stay).

The snapshot is a pickle, so it is read only from a private directory (0700, this user's,
`atlas.jobs.private_directory`); a directory that is not private, or a snapshot that cannot
be read (truncated, corrupt, from another version), is ignored and the catalog is built
from the data as without a cache. It is written to a temporary file and renamed, so a
reader never sees half a file. The travel hours keep their own cache
(analysis/travel/index.py), which this one follows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np

from atlas.jobs import JobStoreError, private_directory
from atlas.model import Model
from layers.catalog import Catalog
from layers.datadir import AUTHORED_DIR, REPO_ROOT, DataDir

VERSION = "warm-1"
CODE_ROOMS = (
    "ingest",
    "layers",
    "analysis",
    "atlas",
)  # what turns the data into the snapshot
KEEP = 3  # snapshots kept in the directory (about 50 MB each)
log = logging.getLogger("cobertura")


def cache_dir(path: Path | None = None) -> Path:
    """`<path>/warm`, else ~/.cache/cobertura/warm (as the travel cache's default)."""
    base = Path(path) if path is not None else Path.home() / ".cache" / "cobertura"
    return base / "warm"


def code_version() -> str:
    """sha256 of `VERSION`, the rooms' source and the authored tables under data/."""
    digest = hashlib.sha256(VERSION.encode())
    files = sorted(p for room in CODE_ROOMS for p in (REPO_ROOT / room).rglob("*.py"))
    files += sorted(p for p in AUTHORED_DIR.iterdir() if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def snapshot_key(data: DataDir) -> str:
    digest = hashlib.sha256(data.fingerprint().encode())
    digest.update(code_version().encode())
    digest.update(
        str(data.verify).encode()
    )  # an unverified load may hold what a verified one refuses
    return digest.hexdigest()[:32]


def _read(path: Path, key: str) -> dict | None:
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as f:
            snapshot = pickle.load(f)
        if not isinstance(snapshot, dict) or snapshot.get("key") != key:
            raise ValueError("not a snapshot of this data and code")
        return snapshot
    except Exception as err:  # noqa: BLE001 - truncated, corrupt or foreign: rebuilt from the data
        log.warning(
            "start-up cache %s is unreadable (%s: %s); rebuilding it",
            path.name,
            type(err).__name__,
            err,
        )
        return None


def _object_array(items: list, shape: tuple, order: str) -> np.ndarray:
    """An object array back from `SharedTextPickler` (the same items, shape and order)."""
    return np.fromiter(items, dtype=object, count=len(items)).reshape(
        shape, order=order
    )


class SharedTextPickler(pickle.Pickler):
    """Pickles each distinct text of the object arrays (pandas text columns and indexes)
    once, so that the loaded snapshot holds one string where the tables held one per row.

    Loaded tables hold a separate Python string per row and per table (a district code
    repeated in 95,000 populated centres, the same codes and names in the catalog, the
    places and the demand): about 500,000 strings for 336,000 distinct texts. pickle writes
    an object it has seen once and refers back to it, so giving equal texts one object
    makes the loaded snapshot about 17 MB smaller in every worker (bench/scale_notes.md).
    The values, dtypes and shapes are unchanged; only the identity of equal strings is
    shared (strings are immutable)."""

    def __init__(self, file) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._texts: dict[str, str] = {}

    def reducer_override(self, obj):
        if type(obj) is not np.ndarray or obj.dtype != object or not obj.size:
            return NotImplemented  # the usual pickling
        order = "F" if obj.flags.f_contiguous and not obj.flags.c_contiguous else "C"
        texts = self._texts
        items = [
            texts.setdefault(x, x) if type(x) is str else x
            for x in obj.ravel(order=order)
        ]
        return _object_array, (items, obj.shape, order)


def _write(directory: Path, path: Path, snapshot: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".snapshot-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            SharedTextPickler(f).dump(snapshot)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # keep the newest few: checkouts of other code versions may share the directory
    snapshots = sorted(
        directory.glob("model-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in snapshots[KEEP:]:
        old.unlink(missing_ok=True)


def start(
    data: DataDir, cache: Path | None = None, travel_cache: Path | None = None
) -> tuple[Catalog, Model | None]:
    """The catalog and its model (None when the boundaries cannot be loaded), from the
    snapshot of the same data and code when there is one, else built and saved."""
    try:
        directory = private_directory(cache_dir(cache))
    except JobStoreError as err:
        log.warning("start-up cache not used: %s", err)
        directory = None
    key = snapshot_key(data) if directory else ""
    path = directory / f"model-{key}.pkl" if directory else None
    snapshot = _read(path, key) if path else None
    if snapshot is not None:
        catalog = snapshot["catalog"]
        catalog.data_dir = data
        return catalog, Model(
            catalog, travel_cache=travel_cache, derived=snapshot["derived"]
        )
    catalog = Catalog.load(data)
    if catalog.fatal:
        return catalog, None
    model = Model(catalog, travel_cache=travel_cache)
    if path is not None:
        live, catalog.data_dir = (
            catalog.data_dir,
            None,
        )  # its lock and checked set are this process's
        try:
            _write(
                directory,
                path,
                {"key": key, "catalog": catalog, "derived": model.derived_parts()},
            )
        except Exception as err:  # noqa: BLE001 - a full or read-only disk: only slower next time
            log.warning("start-up cache not written: %s", err)
        finally:
            catalog.data_dir = live
    return catalog, model
