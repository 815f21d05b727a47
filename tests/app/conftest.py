"""Fixtures of the callback tests."""

import pytest

from tests.app.dash_requests import DashRequests


@pytest.fixture(scope="module")
def requests_(app) -> DashRequests:
    """Callbacks called as the browser calls them (Flask test client)."""
    return DashRequests(app)
