"""A missing or altered data file fails with a message that names it; one bad layer does
not take the others down."""

import hashlib
import os
from pathlib import Path

import pytest

from layers.catalog import Catalog
from app import Settings
from layers.datadir import DataDir, DataFileError, ManifestEntry, read_manifest


def tiny_manifest(tmp_path: Path, content: bytes) -> dict:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f.csv").write_bytes(content)
    sha = hashlib.sha256(content).hexdigest()
    return {"x/f.csv": ManifestEntry("x/f.csv", sha, len(content), "MIT", "test", "")}


def test_a_file_with_the_expected_hash_is_served(tmp_path):
    manifest = tiny_manifest(tmp_path, b"a,b\n1,2\n")
    assert DataDir(tmp_path, manifest).path("x/f.csv") == tmp_path / "x" / "f.csv"


def test_altered_file_names_itself_and_the_expected_hash(tmp_path):
    manifest = tiny_manifest(tmp_path, b"a,b\n1,2\n")
    (tmp_path / "x" / "f.csv").write_bytes(b"a,b\n1,3\n")
    with pytest.raises(DataFileError) as err:
        DataDir(tmp_path, manifest).path("x/f.csv")
    assert "x/f.csv" in str(err.value)
    assert manifest["x/f.csv"].sha256 in str(err.value)


def test_missing_file_names_itself(tmp_path):
    manifest = tiny_manifest(tmp_path, b"1")
    (tmp_path / "x" / "f.csv").unlink()
    with pytest.raises(DataFileError, match=r"x/f\.csv: missing"):
        DataDir(tmp_path, manifest).path("x/f.csv")


def test_unlisted_file_is_refused(tmp_path):
    with pytest.raises(DataFileError, match="not listed"):
        DataDir(tmp_path, {}).path("other.csv")


def test_every_shipped_file_is_in_the_manifest_with_its_hash_and_size():
    """data/ holds exactly the manifest's public files (plus README, manifest and the
    tables we author), each with the sha256 and size the manifest gives."""
    root = Path(__file__).resolve().parents[2] / "data"
    manifest = read_manifest()
    shipped = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    authored = {p.name for p in root.glob("*.csv") if p.name != "manifest.csv"}
    assert shipped - {"README.md", "manifest.csv"} - authored == set(manifest)
    for path, entry in manifest.items():
        body = (root / path).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry.sha256, path
        assert len(body) == entry.bytes, path
        assert entry.licence and entry.origin, path


def test_the_default_data_directory_is_the_repositorys_own(monkeypatch):
    monkeypatch.delenv("COBERTURA_DATA_DIR", raising=False)
    assert Settings().data().root == Path(__file__).resolve().parents[2] / "data"
    assert DataDir().root == Path(__file__).resolve().parents[2] / "data"


def test_env_variable_chooses_the_data_directory(monkeypatch, tmp_path):
    """Read by the settings (app.Settings), which the app, the commands and the tests use."""
    monkeypatch.setenv("COBERTURA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COBERTURA_VERIFY_SHA256", "0")
    monkeypatch.setenv("COBERTURA_IMPORT_DIR", str(tmp_path / "elsewhere"))
    data = Settings().data()
    assert data.root == tmp_path and data.verify is False and data.import_dir == tmp_path / "elsewhere"
    monkeypatch.delenv("COBERTURA_DATA_DIR")
    assert DataDir().root != tmp_path  # the layers never read the environment themselves


def mirror(data_dir: Path, tmp_path: Path) -> Path:
    """A copy of the data directory made of symlinks, so single files can be swapped."""
    root = tmp_path / "data"
    for path in read_manifest():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(data_dir / path, target)
    return root


def test_a_corrupt_file_makes_only_its_layer_unavailable(tmp_path):
    root = mirror(Settings().data().root, tmp_path)
    directory = root / "facilities" / "mimp_directorio_nacional.csv"
    directory.unlink()
    directory.write_text("id,codigo\n1,2\n")
    catalog = Catalog.load(DataDir(root))
    assert set(catalog.errors) == {"upe", "cem", "sar", "care"}  # the four layers of that file
    assert "facilities/mimp_directorio_nacional.csv" in catalog.errors["upe"]
    assert "94df7d29" in catalog.errors["upe"]  # the expected sha256 is named
    assert catalog.available("poverty2018") and catalog.available("fistrap")


def test_a_file_that_passes_the_hash_check_but_breaks_validation_is_named(tmp_path):
    root = mirror(Settings().data().root, tmp_path)
    directory = root / "facilities" / "mimp_directorio_nacional.csv"
    directory.unlink()
    directory.write_text("id,codigo,nombre\n1,UPE1,x\n")
    catalog = Catalog.load(DataDir(root, verify=False))
    assert "facilities/mimp_directorio_nacional.csv: missing column(s)" in catalog.errors["upe"]


def test_missing_boundaries_are_fatal_and_say_which_file(tmp_path):
    root = mirror(Settings().data().root, tmp_path)
    (root / "boundaries" / "peru_distritos_s0025.geojson").unlink()
    catalog = Catalog.load(DataDir(root))
    assert "boundaries/peru_distritos_s0025.geojson: missing" in catalog.fatal
    assert all(not catalog.available(layer.id) for layer in catalog.layers)
