import pytest

from .pages import World


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
