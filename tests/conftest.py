"""Suite-wide set-up: the database must answer before anything runs; the demo's words can be edited."""

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
def edit_demo_words(monkeypatch, tmp_path):
    """`edit_demo_words(module, [(old, new), ...])`: for this test, `module` (campaign.demo, petitions.demo or
    statistics.demo) reads a copy of its demo.toml with each `old` text replaced, as a campaigner would."""

    def edit(module, replacements):
        text = module.DEMO_CONTENT.read_text()
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / f"{module.__name__.replace('.', '-')}.toml"
        path.write_text(text)
        monkeypatch.setattr(module, "DEMO_CONTENT", path)

    return edit


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
