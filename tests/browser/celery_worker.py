"""The Celery worker of tests/browser/test_multi_server.py: the real app's worker
(`app:celery_app`), with the official-file parser slowed by COBERTURA_TEST_SLOW_S seconds
per progress step, so that a test can watch progress and stop the worker mid-job."""

import os
import time

from callbacks import trafficking

_parse = trafficking.import_trata
SLOW_S = float(os.environ.get("COBERTURA_TEST_SLOW_S", "0"))


def slow_import(data, file_name="", progress=None):
    def step(fraction, stage):
        progress(fraction, stage)
        time.sleep(SLOW_S)

    return _parse(data, file_name, progress=step if progress else None)


trafficking.import_trata = slow_import

from app import celery_app

__all__ = ["celery_app"]
