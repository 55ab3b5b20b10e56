"""Fixtures for the fault tests: the site under gunicorn, an SMTP server (`petition`: tests/conftest.py)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from .services import SERVICE_SECRET_KEY, SmtpSink, free_port, gunicorn, service_env


@pytest.fixture(autouse=True)
def same_keys_as_the_servers(settings):
    """Tokens made here (form timing, confirmation links) must hold in the servers, and theirs here;
    signing in this process is as relaxed about timing and rate as the servers are (`service_env`)."""
    settings.SECRET_KEY = SERVICE_SECRET_KEY
    settings.PETITION_FORM_MIN_SECONDS = 0
    settings.PETITION_SIGN_RATE_LIMIT = 1_000_000


@pytest.fixture(autouse=True)
def fresh_content_types():
    """Forget content type ids cached in this process: an earlier transactional test's flush may have
    recreated the rows under new ids, and a page saved with a stale one fails validation."""
    ContentType.objects.clear_cache()


@pytest.fixture
def app_server(tmp_path):
    """The site under gunicorn against the test database; its base URL."""
    with gunicorn(service_env(), tmp_path / "gunicorn.log") as base_url:
        yield base_url


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_sink(smtp_port):
    """An SMTP server object on `smtp_port`, not yet started (a test may start it late)."""
    sink = SmtpSink(smtp_port)
    try:
        yield sink
    finally:
        sink.stop()
