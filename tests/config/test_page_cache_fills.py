"""`fill_on_every_view`: a value from each request, cut out of a stored page and filled in per view."""

import pytest
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
