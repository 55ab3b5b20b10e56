"""With Redis unreachable the whole site keeps working from the database (core.cache_backend).

The cache here is the project's own backend pointed at a port where nothing listens: a real
refused connection on every call, not a mock.
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from campaign.models import CampaignPage, NewsArticlePage
from core.cache_backend import ResilientRedisCache
from petitions.models import PetitionPage, Signature
from tests.config.test_statistics_module_name import run_in_project
from tests.petitions.conftest import post_form

UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """The site as production runs it (page and fragment caches on), with its Redis cache unreachable."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.ResilientRedisCache",
            "LOCATION": UNREACHABLE_REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.PAGE_CACHE_SECONDS = 300
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PETITION_MAIL_COALESCE_SECONDS = 5
    settings.PETITION_FORM_MIN_SECONDS = 0
    settings.PETITION_SIGN_RATE_LIMIT = 1


@pytest.fixture
def demo_site():
    call_command("load_demo", stdout=None)


def test_public_pages_render_from_the_database_while_redis_is_down(client, demo_site, redis_down, caplog):
    campaign = CampaignPage.objects.get()
    article = NewsArticlePage.objects.live().first()
    petition = PetitionPage.objects.get()

    responses = {url: client.get(url) for url in ("/", campaign.url, article.url, petition.url, "/data/")}

    assert {url: response.status_code for url, response in responses.items()} == dict.fromkeys(responses, 200)
    assert all("X-Page-Cache" not in response for response in responses.values())
    # The campaign page's figures and petition block are there, read from the database.
    assert 'class="sign-form"' in responses[campaign.url].text
    assert "Cache unreachable (ConnectionError)" in caplog.text


def test_visitors_can_still_sign_and_the_rate_limit_fails_open(
    demo_site, redis_down, django_capture_on_commit_callbacks
):
    petition = PetitionPage.objects.get()
    before = Signature.objects.filter(petition=petition).count()
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(petition.url).text
    fields = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1),
        "form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1),
        "first_name": "Ada",
        "last_name": "Byron",
        "postcode": "SW1A 1AA",
    }

    # The rate limit allows one signature per address; with its counter unreachable it lets all through.
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            post_form(visitor, f"/petitions/{petition.pk}/sign/", {**fields, "email": f"ada{n}@example.org"})
            for n in range(3)
        ]

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert Signature.objects.filter(petition=petition).count() == before + 3
    # Without the note that a delivery task waits, each mail gets a task of its own.
    assert (
        DBTaskResult.objects.filter(task_path="petitions.tasks.send_queued_confirmation_emails").count() == 3
    )
    assert visitor.get(f"/petitions/{petition.pk}/count.json").status_code == 200


def test_health_check_reports_the_cache_unavailable(client, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable"


def test_unreachable_cache_answers_like_an_empty_one(redis_down):
    cache = ResilientRedisCache(UNREACHABLE_REDIS_URL, {"OPTIONS": {"socket_connect_timeout": 1}})

    assert cache.get("key", "default") == "default"
    assert cache.add("key", 1) is True
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    with pytest.raises(ValueError, match="unreachable"):
        cache.incr("key")


def test_a_redis_cache_url_selects_the_resilient_backend():
    result = run_in_project(
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default'])",
        env_overrides={"CACHE_URL": UNREACHABLE_REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )

    assert result.returncode == 0, result.stderr
    assert "'BACKEND': 'core.cache_backend.ResilientRedisCache'" in result.stdout
    assert "'socket_connect_timeout': 1" in result.stdout
