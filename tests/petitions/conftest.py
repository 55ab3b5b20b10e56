"""Settings for the petitions tests, and helpers to sign a petition (`petition`: tests/conftest.py)."""

import re
import uuid
from urllib.parse import urlencode

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from petitions.sign_form.token import make_form_token
from tests.config.test_redis_cache import REDIS_TEST_URL

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def petition_settings(settings):
    """Tests sign many times from one address at once; the abuse tests tighten these again."""
    settings.PETITION_FORM_MIN_SECONDS = 0
    settings.PETITION_SIGN_RATE_LIMIT = 1000
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    settings.PETITION_CONFIRMATION_RESEND_SECONDS = 300
    cache.clear()


def sign_data(**overrides):
    """A valid sign-form submission; keyword arguments replace fields (None removes one)."""
    data = {
        "first_name": "Jane",
        "last_name": "Doughty",
        "email": "jane.doughty@example.org",
        "postcode": "sw1a1aa",
        "contact_consent": "on",
        "form_token": make_form_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_form(client, path, data=None, **extra):
    """POST `data` as a browser sends a form (urlencoded; the test client's default is multipart)."""
    return client.post(path, urlencode(data or {}, doseq=True), content_type=FORM_CONTENT_TYPE, **extra)


def sign(client, petition, meta=None, **overrides):
    """POST the sign form; `meta` sets request headers and REMOTE_ADDR."""
    return post_form(
        client, reverse("petitions:sign", args=[petition.pk]), sign_data(**overrides), **(meta or {})
    )


def press_confirm(client, path):
    """Open a confirmation link and press its one button, as the signer does; the answer to the press."""
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my signature" in page.content.decode()
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return post_form(client, path, {"csrfmiddlewaretoken": csrf_token})


def run_worker():
    """Run the real django-tasks database worker until the queue is empty.

    Only in transactional tests: the worker closes a connection that is inside a transaction.
    """
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


# The model backend only: axes' backend, first in AUTHENTICATION_BACKENDS, wants a request to sign in.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def login(client, make_staff):
    """`login(group_name)`: the test client, signed in as a member of that group."""

    def login_as(group_name):
        client.force_login(make_staff(group_name), backend=MODEL_BACKEND)
        return client

    return login_as


@pytest.fixture
def shared_redis_cache(settings):
    """The project's Redis backend at REDIS_TEST_URL, under keys of this test's own."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"No Redis answers at {REDIS_TEST_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.ResilientRedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": f"test-abuse-{uuid.uuid4().hex}",
        }
    }
