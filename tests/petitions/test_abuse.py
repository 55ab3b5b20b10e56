"""Bots and floods: honeypot, timing token, rate limit (failing open) and the keyed client hash."""

import logging
import re

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from petitions.abuse import FormTokenError, check_form_token, hash_client
from petitions.models import Signature

from .conftest import sign

# The project's Redis backend (what a Redis CACHE_URL selects) at a port nothing listens on: it answers
# like an empty cache, and the rate limit's counter then cannot count.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "core.cache_backend.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}


def test_filled_honeypot_gets_the_usual_answer_and_nothing_is_kept(client, petition):
    response = sign(client, petition, website="http://spam.example")

    assert response.status_code == 302
    assert response.url.endswith("/check-your-email/")
    assert Signature.objects.count() == 0
    assert not DBTaskResult.objects.filter(task_path__startswith="petitions.").exists()


def test_honeypot_is_hidden_from_people_and_assistive_technology(client, petition):
    html = client.get(petition.url).content.decode()

    assert '<div class="sign-form__trap" aria-hidden="true">' in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html


def test_form_sent_faster_than_a_person_could_is_refused(client, petition, settings):
    settings.PETITION_FORM_MIN_SECONDS = 3600

    response = sign(client, petition)

    assert response.status_code == 200
    assert "The form was sent very quickly." in response.content.decode()
    assert Signature.objects.count() == 0


def test_expired_form_asks_to_send_again_with_a_fresh_token(client, petition, settings):
    settings.PETITION_FORM_MAX_AGE_SECONDS = -1

    response = sign(client, petition)

    html = response.content.decode()
    assert "This form has expired." in html
    assert 'name="form_token" value="' in html
    assert Signature.objects.count() == 0


@pytest.mark.parametrize("token", ["", "12345", signing.TimestampSigner(salt="other").sign("1")])
def test_missing_or_forged_form_token_is_refused(client, petition, token):
    response = sign(client, petition, form_token=token)

    assert "Something went wrong with the form." in response.content.decode()
    assert Signature.objects.count() == 0


def test_client_over_the_rate_limit_is_asked_to_wait(client, petition, settings):
    settings.PETITION_SIGN_RATE_LIMIT = 2

    responses = [
        sign(client, petition, email=f"person{n}@example.org", meta={"REMOTE_ADDR": "198.51.100.7"})
        for n in range(3)
    ]

    assert [r.status_code for r in responses] == [302, 302, 429]
    assert "Please wait a few minutes" in responses[2].content.decode()
    assert Signature.objects.count() == 2
    other_client = sign(client, petition, email="other@example.org", meta={"REMOTE_ADDR": "198.51.100.8"})
    assert other_client.status_code == 302


def test_signing_goes_on_when_the_rate_limit_cache_is_down(client, petition, settings, caplog):
    settings.PETITION_SIGN_RATE_LIMIT = 1
    settings.CACHES = UNREACHABLE_CACHE

    responses = [sign(client, petition, email=f"person{n}@example.org") for n in range(3)]

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert Signature.objects.count() == 3
    assert "Rate-limit cache unavailable" in caplog.text


def test_count_is_read_from_the_database_while_the_cache_is_down(client, petition, settings):
    settings.CACHES = UNREACHABLE_CACHE

    response = client.get(f"/petitions/{petition.pk}/count.json")

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_only_a_keyed_hash_of_the_client_address_is_stored(client, petition, caplog):
    caplog.set_level(logging.DEBUG)

    sign(client, petition, meta={"REMOTE_ADDR": "203.0.113.9"})

    signature = Signature.objects.get()
    assert signature.ip_hash == hash_client("203.0.113.9")
    assert len(signature.ip_hash) == 64
    stored = [str(value) for value in Signature.objects.values().get().values()]
    assert not any("203.0.113.9" in value for value in stored)
    assert "203.0.113.9" not in caplog.text


def test_client_hash_depends_on_the_secret_key(settings):
    first = hash_client("203.0.113.9")
    settings.SECRET_KEY = "another-secret-key-" * 4

    assert hash_client("203.0.113.9") != first


def test_client_address_comes_from_the_trusted_proxy_s_entry_in_x_forwarded_for(client, petition, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent an X-Forwarded-For of its own; the proxy appended the address it saw.
    forwarded = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.99, 203.0.113.20"}

    sign(client, petition, meta=forwarded)

    assert Signature.objects.get().ip_hash == hash_client("203.0.113.20")


def test_a_cached_petition_page_gives_each_visitor_a_fresh_timing_token(client, petition, settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PETITION_FORM_MIN_SECONDS = 30
    cache.clear()
    token_field = re.compile(r'name="form_token" value="([^"]*)"')

    with freeze_time("2026-12-01 12:00:00") as clock:
        first = client.get(petition.url)
        clock.tick(60)
        later = Client().get(petition.url)

        assert (first["X-Page-Cache"], later["X-Page-Cache"]) == ("MISS", "HIT")
        first_token = token_field.search(first.text).group(1)
        later_token = token_field.search(later.text).group(1)
        assert "__page_cache_renewed" not in later.text
        check_form_token(first_token)  # shown a minute ago: a person could have filled it in
        # Served from the cache, but noted as shown now: too new to sign with at once.
        with pytest.raises(FormTokenError, match="very quickly"):
            check_form_token(later_token)
