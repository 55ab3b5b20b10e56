"""Fixtures for the statistics tests: a clean cache, the reference file, the import permission, commits.

The demo dataset and widgets, and the people, are in tests/conftest.py."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

REFERENCE_FILE = Path(__file__).resolve().parents[2] / "statistics" / "data" / "foi_2018_19.csv"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference_csv():
    return REFERENCE_FILE.read_bytes()


@pytest.fixture
def import_permission():
    return Permission.objects.get(content_type__app_label="statistics", codename="import_observations")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what waits for the transaction's commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
