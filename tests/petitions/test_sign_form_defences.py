"""The sign form's defences against bots and floods: honeypot, timing token, rate limit (failing open),
the keyed client hash and refusing oversized or non-form bodies."""

import logging
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from petitions.mail.confirmation import make_confirmation_token
from petitions.models import Signature
from petitions.sign_form.token import FORM_PROBLEM_MESSAGE, FormTokenError, check_form_token, make_form_token
from petitions.signing.rate_limit import hash_client
from tests.config.test_redis_cache import record_round_trips

from .conftest import post_form, sign, sign_data
from .factories import SignatureFactory

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


def form_token_of(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def test_form_sent_faster_than_a_person_could_is_refused(client, petition, settings):
    settings.PETITION_FORM_MIN_SECONDS = 3600

    response = sign(client, petition)

    assert response.status_code == 200
    assert FORM_PROBLEM_MESSAGE in response.content.decode()
    assert Signature.objects.count() == 0


def test_a_person_whose_browser_sent_the_form_at_once_signs_by_pressing_the_button_again(
    client, petition, settings
):
    settings.PETITION_FORM_MIN_SECONDS = 3600
    page = client.get(petition.url)

    refused = sign(client, petition, form_token=form_token_of(page))
    again = sign(client, petition, form_token=form_token_of(refused))

    assert refused.status_code == 200
    assert again.status_code == 302
    assert again.url.endswith("/check-your-email/")
    assert Signature.objects.count() == 1


def test_every_problem_with_the_form_token_gets_the_same_answer_and_no_threshold(client, petition, settings):
    settings.PETITION_FORM_MIN_SECONDS = 3600
    settings.PETITION_FORM_MAX_AGE_SECONDS = 7200
    spent = make_form_token(sent_back=True)
    assert sign(client, petition, email="first@example.org", form_token=spent).status_code == 302
    with freeze_time(timezone.now() - timedelta(hours=3)):
        expired = make_form_token(sent_back=True)
    problems = {
        "too new": make_form_token(),
        "expired": expired,
        "missing": "",
        "forged": signing.TimestampSigner(salt="other").sign("1"),
        "spent on another email": spent,
    }

    answers = {
        name: sign(client, petition, email="second@example.org", form_token=token)
        for name, token in problems.items()
    }

    pages = {}
    for name, answer in answers.items():
        html = answer.content.decode()
        assert answer.status_code == 200, name
        assert re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', html) == [
            (f"p{petition.pk}_form", FORM_PROBLEM_MESSAGE)
        ], name
        for revealing in ("3600", "7200", "quickly", "expired", "minutes", "hour"):
            assert revealing not in html.lower(), (name, revealing)
        # Apart from the new tokens (CSRF, form), each answer is the same page.
        pages[name] = re.sub(r'value="[^"]{40,}"', 'value="(token)"', html)
    assert len(set(pages.values())) == 1
    assert list(Signature.objects.values_list("email", flat=True)) == ["first@example.org"]


def test_a_form_token_is_good_for_one_signature_only(client, petition):
    token = make_form_token()

    first = sign(client, petition, email="first@example.org", form_token=token)
    replayed = sign(client, petition, email="second@example.org", form_token=token)

    assert first.status_code == 302
    assert replayed.status_code == 200
    assert FORM_PROBLEM_MESSAGE in replayed.content.decode()
    assert list(Signature.objects.values_list("email", flat=True)) == ["first@example.org"]
    # The form shown with the refusal carries a token of its own, which signs.
    assert (
        sign(client, petition, email="second@example.org", form_token=form_token_of(replayed)).status_code
        == 302
    )
    assert Signature.objects.count() == 2


def test_the_same_form_sent_twice_by_its_person_ends_on_check_your_email_with_one_signature(client, petition):
    token = make_form_token()

    answers = [sign(client, petition, email="jane@example.org", form_token=token) for _ in range(2)]

    assert [(answer.status_code, answer.url) for answer in answers] == [(302, answers[0].url)] * 2
    assert answers[0].url.endswith("/check-your-email/")
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("token", ["", "12345", signing.TimestampSigner(salt="other").sign("1")])
def test_missing_or_forged_form_token_is_refused(client, petition, token):
    response = sign(client, petition, form_token=token)

    assert FORM_PROBLEM_MESSAGE in response.content.decode()
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


def test_a_form_token_signs_more_than_once_while_the_cache_is_down(client, petition, settings, caplog):
    """Failing open, like the rate limit: the token's signature and age are still checked."""
    settings.CACHES = UNREACHABLE_CACHE
    token = make_form_token()

    answers = [sign(client, petition, email=f"person{n}@example.org", form_token=token) for n in range(2)]

    assert [answer.status_code for answer in answers] == [302, 302]
    assert Signature.objects.count() == 2
    assert "without a rate limit or token check" in caplog.text


def test_a_spent_token_is_refused_to_another_client_and_checked_with_the_rate_limit_in_one_round_trip(
    client, petition, shared_redis_cache, monkeypatch
):
    round_trips = record_round_trips(monkeypatch)
    token = make_form_token()

    first = sign(
        client, petition, email="first@example.org", form_token=token, meta={"REMOTE_ADDR": "198.51.100.1"}
    )
    attempt_round_trips = [
        sent for sent in round_trips if any("sign-rate:" in part for command in sent for part in command)
    ]
    replayed = sign(
        Client(), petition, email="second@example.org", form_token=token, meta={"REMOTE_ADDR": "198.51.100.2"}
    )

    assert first.status_code == 302
    # The rate limit's counter and the token's claim, together: one command (a script) in one round trip.
    [[attempt]] = attempt_round_trips
    assert any("petitions:form-token:" in part for part in attempt)
    assert replayed.status_code == 200
    assert FORM_PROBLEM_MESSAGE in replayed.content.decode()
    assert list(Signature.objects.values_list("email", flat=True)) == ["first@example.org"]


def test_a_sign_post_reads_the_petitions_facts_in_the_round_trip_that_counts_it(
    client, petition, shared_redis_cache, monkeypatch
):
    sign(client, petition, email="first@example.org")  # the petition's facts are cached from here on
    round_trips = record_round_trips(monkeypatch)

    response = sign(client, petition, email="second@example.org", meta={"REMOTE_ADDR": "198.51.100.3"})

    assert response.status_code == 302
    # Before the statement, one round trip: the rate limit, the token's claim, the facts and their
    # generation. (The delivery note follows the commit, which this test's transaction never reaches.)
    [[attempt]] = round_trips
    assert attempt[0] == "EVALSHA"
    for key in ("sign-rate:", "petitions:form-token:", "petitions:signing-facts:", "page_cache:"):
        assert any(key in part for part in attempt), key
    assert Signature.objects.filter(petition=petition).count() == 2


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


@pytest.fixture
def body_never_parsed(monkeypatch):
    """Fail the test if anything parses a multipart body (and so spools a large one to disk)."""

    def parse(parser):
        raise AssertionError("A multipart body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", parse)


def test_a_ten_megabyte_multipart_body_is_refused_unread_and_nothing_is_kept(
    client, petition, body_never_parsed
):
    data = {**sign_data(), "attachment": SimpleUploadedFile("big.bin", b"x" * (10 * 1024 * 1024))}

    # With CSRF checks on, as in a browser: they read the body too, so the refusal must come first.
    response = Client(enforce_csrf_checks=True).post(reverse("petitions:sign", args=[petition.pk]), data)

    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in response.content.decode()
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # Given as bytes: the test client would otherwise encode the body itself.
        (encode_multipart(BOUNDARY, {"first_name": "Jane"}), f"multipart/form-data;boundary={BOUNDARY}"),
        ('{"first_name": "Jane", "email": "jane@example.org"}', "application/json"),
        ("first_name=Jane&email=jane@example.org", "text/plain"),
    ],
    ids=["small-multipart", "json", "text"],
)
def test_a_sign_request_that_is_not_a_form_is_refused(
    client, petition, body_never_parsed, body, content_type
):
    response = client.post(reverse("petitions:sign", args=[petition.pk]), body, content_type=content_type)

    assert response.status_code == 415
    assert Signature.objects.count() == 0


def test_an_oversized_form_is_refused_unread_and_nothing_is_kept(client, petition):
    response = post_form(
        client, reverse("petitions:sign", args=[petition.pk]), sign_data(padding="x" * 20_000)
    )

    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Signature.objects.count() == 0


def test_the_confirm_button_takes_only_a_form(client, petition, body_never_parsed):
    signature = SignatureFactory(petition=petition, email="jane@example.org")
    path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])

    response = client.post(path, {"file": SimpleUploadedFile("x.bin", b"x" * 1024)})

    assert response.status_code == 415
    signature.refresh_from_db()
    assert signature.confirmed_at is None
