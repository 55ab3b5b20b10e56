"""Passwords on private pages and documents are throttled like the admin sign-in: a client that keeps
guessing is paused, through Wagtail's own password forms; and with no cache to count in, they fail closed."""

import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from freezegun import freeze_time
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from tests.campaign.test_cache_outage import UNREACHABLE_REDIS_URL
from tests.config.test_redis_cache import require_redis

PASSWORD = "embargoed until Monday"  # noqa: S105 - a test page's
GUESSER = "198.51.100.7"
SOMEONE_ELSE = "203.0.113.20"


class PrivatePage:
    """The child page of the plumbing site, behind a shared password."""

    def __init__(self, public_page):
        self.page = public_page.get_children().get(slug="child")
        self.restriction = PageViewRestriction.objects.create(
            page=self.page, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
        )
        self.url = "/child/"
        self.form_url = reverse(
            "wagtailcore_authenticate_with_password", args=[self.restriction.pk, self.page.pk]
        )

    def is_shown(self, client, address):
        return "Plumbing test child" in client.get(self.url, REMOTE_ADDR=address).text


class PrivateDocument:
    """A document in a collection behind a shared password."""

    def __init__(self, public_page):
        collection = Collection.get_first_root_node().add_child(name="Embargoed")
        self.restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password=PASSWORD
        )
        document = Document(title="Embargoed report", collection=collection)
        document.file.save("report.txt", ContentFile(b"the figures"))
        self.url = document.url
        self.form_url = reverse("wagtaildocs_authenticate_with_password", args=[self.restriction.pk])

    def is_shown(self, client, address):
        response = client.get(self.url, REMOTE_ADDR=address)
        return response.streaming and b"".join(response.streaming_content) == b"the figures"


@pytest.fixture(autouse=True)
def no_earlier_tries():
    """Counts from an earlier test stay in the local cache, and SQLite may give a restriction an id again."""
    cache.clear()


@pytest.fixture(params=[PrivatePage, PrivateDocument], ids=["page", "document"])
def private(request, public_page):
    return request.param(public_page)


def try_password(client, private, password, address=GUESSER):
    return client.post(
        private.form_url, {"password": password, "return_url": private.url}, REMOTE_ADDR=address
    )


def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_when_to_try_again(client, private):
    with freeze_time("2026-12-02 14:20:00"):
        wrong = [try_password(client, private, f"guess {n}") for n in range(5)]
        paused = try_password(client, private, PASSWORD)

    assert [response.status_code for response in wrong] == [200] * 5
    assert all("The password you have entered is not correct" in response.text for response in wrong)
    assert paused.status_code == 429
    assert paused["Retry-After"] == "900"
    assert "no-store" in paused["Cache-Control"]
    assert "Too many wrong passwords" in paused.text
    assert "Try again after 14:35 (in about 15 minutes)" in paused.text
    assert not private.is_shown(client, GUESSER)


def test_twenty_five_guesses_in_a_row_get_five_answers(client, private):
    statuses = [try_password(client, private, f"guess {n}").status_code for n in range(25)]

    assert statuses == [200] * 5 + [429] * 20


def test_a_paused_client_does_not_pause_others_on_the_same_restriction(client, private):
    for n in range(6):
        try_password(client, private, f"guess {n}")

    response = try_password(client, private, PASSWORD, address=SOMEONE_ELSE)

    assert response.status_code == 302
    assert private.is_shown(client, SOMEONE_ELSE)


def test_after_the_cool_off_the_right_password_works_again(client, private):
    with freeze_time("2026-12-02 14:20:00") as clock:
        for n in range(6):
            try_password(client, private, f"guess {n}")
        clock.tick(15 * 60 + 1)

        response = try_password(client, private, PASSWORD)

    assert response.status_code == 302
    assert private.is_shown(client, GUESSER)


def test_the_right_password_clears_earlier_wrong_ones(client, private, settings):
    for n in range(4):
        try_password(client, private, f"guess {n}")
    assert try_password(client, private, PASSWORD).status_code == 302

    later = [try_password(client, private, f"guess {n}").status_code for n in range(5)]

    assert later == [200] * 5


def test_tries_are_counted_in_the_shared_redis_as_production_does(client, private, settings):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache_backend.ResilientRedisCache", "LOCATION": require_redis()}
    }
    # The test database (REDIS_TEST_URL) holds nothing else worth keeping; earlier runs' counts go.
    cache.clear()

    statuses = [try_password(client, private, f"guess {n}").status_code for n in range(7)]

    assert statuses == [200] * 5 + [429] * 2


def test_while_the_cache_is_down_passwords_are_refused_not_unthrottled(client, private, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.ResilientRedisCache",
            "LOCATION": UNREACHABLE_REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    form = client.get(private.url, REMOTE_ADDR=GUESSER)
    response = try_password(client, private, PASSWORD)

    assert form.status_code == 200
    assert re.search(r'<form[^>]+action="' + re.escape(private.form_url), form.text)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Passwords cannot be checked just now" in response.text
    assert not private.is_shown(client, GUESSER)
    assert "the cache cannot count tries" in caplog.text
