"""Fixtures for the pure-code tests."""

import pytest


@pytest.fixture
def cli(catalog, monkeypatch, capsys):
    """Run ``python -m analysis ...`` in process, on the session's catalog: returns
    ``run(*argv) -> (exit code, stdout, stderr)``."""
    from analysis.cli import main
    from layers.catalog import Catalog

    monkeypatch.setattr(Catalog, "load", classmethod(lambda cls, *a, **k: catalog))

    def run(*argv):
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
