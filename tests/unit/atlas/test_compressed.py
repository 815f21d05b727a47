"""The static bodies' best-quality brotli store (atlas/compressed.py)."""

import hashlib
import os

from pathlib import Path

import brotli
import dash

from atlas.compressed import MIN_BYTES, BrotliStore

BODY = (Path(dash.__file__).parent / "dcc" / "dash_core_components-shared.js").read_bytes()  # a real script


def test_a_body_is_served_as_before_then_at_best_quality_once_compressed():
    store = BrotliStore()
    assert store.get(BODY) is None  # first time: not ready, compressed in the background
    store.wait()
    small = store.get(BODY)
    assert small is not None and brotli.decompress(small) == BODY
    assert len(small) <= len(brotli.compress(BODY, quality=4))
    assert store.get(b"x" * (MIN_BYTES - 1)) is None  # too small to be worth it, never queued
    store.wait()
    assert len(store.bodies) == 1


def test_the_disk_copy_is_read_back_at_the_next_start_and_a_bad_one_is_ignored(tmp_path):
    first = BrotliStore(tmp_path / "static")
    first.get(BODY)
    first.wait()
    key = hashlib.sha256(BODY).hexdigest()
    path = tmp_path / "static" / f"{key}.br"
    assert path.is_file() and os.stat(tmp_path / "static").st_mode & 0o077 == 0
    again = BrotliStore(tmp_path / "static")
    assert again.get(BODY) == first.bodies[key]  # ready at once, from disk
    path.write_bytes(brotli.compress(b"another body"))  # planted or stale: does not check
    third = BrotliStore(tmp_path / "static")
    assert key not in third.bodies and third.get(BODY) is None
    third.wait()
    assert brotli.decompress(third.get(BODY)) == BODY and brotli.decompress(path.read_bytes()) == BODY


def test_a_directory_open_to_others_is_not_used(tmp_path):
    open_dir = tmp_path / "static"
    open_dir.mkdir(mode=0o777)
    os.chmod(open_dir, 0o777)
    store = BrotliStore(open_dir)
    assert store.directory is None
    store.get(BODY)
    store.wait()
    assert store.get(BODY) is not None and not list(open_dir.iterdir())


def test_memory_is_bounded_past_it_bodies_are_served_as_before(monkeypatch):
    import atlas.compressed as compressed

    monkeypatch.setattr(compressed, "MAX_BYTES", 40_000)
    store = BrotliStore()
    bodies = [BODY + bytes(str(i), "ascii") for i in range(3)]  # ~26 KB compressed each
    for body in bodies:
        store.get(body)
        store.wait()
    ready = [store.get(body) is not None for body in bodies]
    assert ready[0] and not all(ready) and store.held <= 40_000
    refused = [b for b, ok in zip(bodies, ready) if not ok]
    assert store.get(refused[0]) is None and not store._pending  # not queued again
