"""Suite-wide set-up: the database must answer before anything runs."""

import psycopg
import pytest
from django.conf import settings


def pytest_configure(config):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    try:
        psycopg.connect(
            dbname="postgres",
            user=database["USER"],
            password=database["PASSWORD"],
            host=database["HOST"],
            port=database["PORT"] or 5432,
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as error:
        pytest.exit(
            f"No PostgreSQL answers at {database['HOST']}:{database['PORT'] or 5432} ({error}).\n"
            "Start one (on Debian: pg_ctlcluster 15 main start) or point DATABASE_URL at one, "
            "e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/wildwestweb",
            returncode=2,
        )


def pytest_collection_modifyitems(config, items):
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def counting_cache(settings):
    """The default cache, empty and counting its round trips (`counting_cache.round_trips`)."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "tests.counting_cache.CountingLocMemCache", "LOCATION": "counting-cache"}
    }
    cache.clear()
    cache.round_trips.clear()
    return cache
