"""`fill_on_every_view`: a value from each request, cut out of a stored page and filled in per view."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import RequestFactory

from core.page_cache import tokens


@pytest.fixture
def greeting_filled():
    tokens.fill_on_every_view(
        "test_greeting", r'data-greeting="([^"]*)"', lambda request: request.GET.get("hi", "")
    )
    yield
    del tokens._RENEWED_VALUES["test_greeting"]


def test_a_filled_value_is_cut_out_before_storing_and_each_request_gets_its_own_escaped(greeting_filled):
    rendered = '<p data-greeting="first visitor">x</p>'
    stored = tokens.shareable(RequestFactory().get("/", {"hi": "first visitor"}), rendered)

    assert "first visitor" not in stored
    second = tokens.personalised(RequestFactory().get("/", {"hi": 'a"><script>'}), stored)
    third = tokens.personalised(RequestFactory().get("/"), stored)

    assert second == '<p data-greeting="a&quot;&gt;&lt;script&gt;">x</p>'
    assert third == '<p data-greeting="">x</p>'


def test_a_stored_page_is_cut_at_its_slots_and_each_view_fills_them_without_reading_the_values_again(
    greeting_filled,
):
    rendering = RequestFactory().get("/", {"hi": "first visitor"})
    token = get_token(rendering)
    rendered = f'<p data-greeting="first visitor">{token}</p><i data-greeting="first visitor">{token}</i>'
    texts, slots = tokens.split_at_slots(tokens.shareable(rendering, rendered), "utf-8")

    assert slots == ("test_greeting", None, "test_greeting", None)
    assert b"first visitor" not in b"".join(texts)
    assert token.encode() not in b"".join(texts)
    # A value that looks like a placeholder stays as it came: it is not filled in turn.
    viewing = RequestFactory().get("/", {"hi": tokens.CSRF_PLACEHOLDER})
    page = tokens.filled(viewing, texts, slots, "utf-8").decode()

    new_token = re.search(r"([A-Za-z0-9]{64})</p>", page).group(1)
    assert page == (
        f'<p data-greeting="{tokens.CSRF_PLACEHOLDER}">{new_token}</p>'
        f'<i data-greeting="{tokens.CSRF_PLACEHOLDER}">{new_token}</i>'
    )
    assert _unmask_cipher_token(new_token) == viewing.META["CSRF_COOKIE"]
    assert viewing.META["CSRF_COOKIE"] != rendering.META["CSRF_COOKIE"]
