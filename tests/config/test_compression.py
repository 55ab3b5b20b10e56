"""Compressed responses (GZipMiddleware): HTML goes out gzipped, and every response, cached or not,
still carries the visitor's own CSRF and form tokens, so compression never shares a secret."""

import gzip
import re

import pytest
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from .conftest import TOKEN_IN_FORM

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def get_gzipped(client, path):
    # GZipMiddleware keeps a response as it is unless compressing makes it smaller, which its random
    # padding can prevent for a page of a few hundred bytes: the pages here are longer.
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    return response, gzip.decompress(response.content).decode()


def test_a_cached_page_goes_out_compressed_with_each_visitors_own_working_csrf_token(
    settings, public_page, pages_with_a_form
):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    first_visitor = Client(enforce_csrf_checks=True)
    second_visitor = Client(enforce_csrf_checks=True)

    first, first_html = get_gzipped(first_visitor, "/")
    second, second_html = get_gzipped(second_visitor, "/")

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("MISS", "HIT")
    first_token = TOKEN_IN_FORM.search(first_html).group(1)
    second_token = TOKEN_IN_FORM.search(second_html).group(1)
    assert first_token != second_token
    assert _unmask_cipher_token(second_token) == second_visitor.cookies["csrftoken"].value
    assert second_visitor.post("/", {"csrfmiddlewaretoken": second_token}).status_code == 200


@pytest.mark.django_db
def test_the_sign_form_gets_a_fresh_form_token_in_every_compressed_response(client, petition):
    _, first_html = get_gzipped(client, petition.url)
    _, second_html = get_gzipped(client, petition.url)

    assert FORM_TOKEN.search(first_html).group(1) != FORM_TOKEN.search(second_html).group(1)


def test_a_client_that_does_not_ask_for_compression_gets_plain_html(client, public_page):
    response = client.get("/")

    assert not response.has_header("Content-Encoding")
    assert b"Plumbing test home" in response.content
