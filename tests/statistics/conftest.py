"""Fixtures for the statistics tests: a clean cache, the demo dataset and widgets, and admin users."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from statistics.demo import create_demo_widgets, load_demo_dataset

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
def demo_dataset(db):
    return load_demo_dataset()


@pytest.fixture
def demo_widgets(demo_dataset):
    return create_demo_widgets()


def _user(django_user_model, username, group_name):
    user = django_user_model.objects.create_user(username=username, email=f"{username}@example.org")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def data_staff(db, django_user_model):
    """A member of the "Data staff" group the migration makes: may import."""
    return _user(django_user_model, "data-staff", "Data staff")


@pytest.fixture
def editor(db, django_user_model):
    """A member of Wagtail's "Editors" group: may reach the admin and build widgets, not import."""
    user = _user(django_user_model, "editor", "Editors")
    assert user.has_perm("wagtailadmin.access_admin")
    return user


@pytest.fixture
def import_permission():
    return Permission.objects.get(content_type__app_label="statistics", codename="import_observations")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what waits for the transaction's commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
