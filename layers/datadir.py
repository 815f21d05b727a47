"""Where the public data lives, and proof that it is the data we expect.

The repository ships the public files it reads in `data/` (the default data directory),
listed in `data/manifest.csv` (path, sha256, bytes, licence, origin). Env
``COBERTURA_DATA_DIR`` (read by app.Settings) points the app and the commands at another
directory with the same relative paths (an updated copy). Every file is checked against its manifest hash the first time a layer
opens it, so a missing or altered file fails with a message that names it.
"""

from __future__ import annotations

import csv
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "data" / "manifest.csv"
AUTHORED_DIR = REPO_ROOT / "data"


class DataFileError(Exception):
    """A data file is missing, altered or malformed. The message names the file."""

    def __init__(self, path: str, problem: str, expected_sha256: str | None = None):
        self.path = path
        self.problem = problem
        self.expected_sha256 = expected_sha256
        message = f"{path}: {problem}"
        if expected_sha256:
            message += f" (expected sha256 {expected_sha256})"
        super().__init__(message)


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    bytes: int
    licence: str
    origin: str
    origin_url: str


def read_manifest(path: Path = MANIFEST_PATH) -> dict[str, ManifestEntry]:
    with open(path, newline="", encoding="utf-8") as f:
        return {
            row["path"]: ManifestEntry(
                path=row["path"],
                sha256=row["sha256"],
                bytes=int(row["bytes"]),
                licence=row["licence"],
                origin=row["origin"],
                origin_url=row["origin_url"],
            )
            for row in csv.DictReader(f)
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DataDir:
    """A data directory checked against the manifest.

    Parameters
    ----------
    root
        Directory holding the public files (same relative paths as the manifest).
    manifest
        Expected files; defaults to ``data/manifest.csv``.
    verify
        Check sha256 on first use of each file (default True; False for a deliberately
        updated file).
    import_dir
        Official trafficking files to import at start (default ``<root>/imports``).

    The app and the commands build it from their settings (app.Settings.data: the
    environment is read there, once), not from the environment.
    """

    def __init__(
        self,
        root: Path | str | None = None,
        manifest: dict[str, ManifestEntry] | None = None,
        verify: bool = True,
        import_dir: Path | str | None = None,
    ):
        self.root = Path(root) if root is not None else AUTHORED_DIR
        self.import_dir = Path(import_dir) if import_dir else None
        self.manifest = manifest if manifest is not None else read_manifest()
        self.verify = verify
        self._checked: set[str] = set()
        self._lock = threading.Lock()

    def path(self, relative: str) -> Path:
        """Absolute path of a manifest file, verified; raises DataFileError."""
        entry = self.manifest.get(relative)
        if entry is None:
            raise DataFileError(relative, "not listed in data/manifest.csv")
        full = self.root / relative
        if not full.is_file():
            raise DataFileError(relative, "missing from the data directory", entry.sha256)
        if self.verify and relative not in self._checked:
            actual = sha256_of(full)
            if actual != entry.sha256:
                raise DataFileError(
                    relative, f"altered or corrupt: its sha256 is {actual}", entry.sha256
                )
            with self._lock:
                self._checked.add(relative)
        return full

    @property
    def is_shipped(self) -> bool:
        """True when reading the repository's own data/ (not a COBERTURA_DATA_DIR copy)."""
        return self.root.resolve() == AUTHORED_DIR.resolve()

    def redact(self, message: str) -> str:
        """A message without this server's absolute paths (the data directory, the
        repository): what is shown to users names files relative to the data folder."""
        for base in sorted({str(self.root), str(self.root.resolve()), str(REPO_ROOT)}, key=len, reverse=True):
            message = message.replace(base + os.sep, "").replace(base, "<data>")
        return message

    def entry(self, relative: str) -> ManifestEntry:
        return self.manifest[relative]

    def check_all(self) -> dict[str, str | None]:
        """Check every manifest file; map path -> problem (None when fine)."""
        result: dict[str, str | None] = {}
        for relative in self.manifest:
            try:
                self.path(relative)
                result[relative] = None
            except DataFileError as err:
                result[relative] = str(err)
        return result


def authored_path(name: str) -> Path:
    """A table we author from public facts, committed under data/."""
    path = AUTHORED_DIR / name
    if not path.is_file():
        raise DataFileError(f"data/{name}", "missing from the repository")
    return path
