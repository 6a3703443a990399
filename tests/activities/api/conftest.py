"""The API tests' shared fixture: an API client (tests/conftest.py resets throttle counters)."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api(db):
    return APIClient()
