"""Visitors search the published pages; drafts and private pages never show."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from .factories import NewsArticlePageFactory, StandardPageFactory

pytestmark = pytest.mark.django_db


def result_titles(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [h.get_text(strip=True) for h in soup.select(".search-results h2")], soup


def test_empty_search_shows_the_form_without_results(client, home_page):
    titles, soup = result_titles(client, "")
    assert titles == []
    assert soup.h1.get_text() == "Search"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"


@pytest.mark.postgres
def test_search_finds_published_pages_by_their_content_only(client, home_page, news_index):
    NewsArticlePageFactory(
        parent=news_index, title="Regional figures", standfirst="Hertfordshire recorded 94 offences."
    )
    draft = NewsArticlePageFactory(
        parent=news_index, title="Draft figures", standfirst="Hertfordshire draft."
    )
    draft.unpublish()
    private = StandardPageFactory(parent=home_page, title="Private notes", intro="Hertfordshire private.")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="secret")  # noqa: S106 - test data
    call_command("update_index", verbosity=0)

    titles, soup = result_titles(client, "Hertfordshire")
    assert titles == ["Regional figures"]
    assert soup.find(role="status").get_text() == "1 page found."
    assert soup.find("input", id="search-page-query")["value"] == "Hertfordshire"


@pytest.mark.postgres
def test_search_results_are_paginated_and_keep_the_query(client, home_page):
    for number in range(12):
        StandardPageFactory(
            parent=home_page, title=f"Encryption page {number}", intro="End-to-end encryption."
        )
    call_command("update_index", verbosity=0)
    titles, soup = result_titles(client, "encryption")
    assert len(titles) == 10
    assert soup.find("a", rel="next")["href"] == "?q=encryption&page=2"
    second, _ = result_titles(client, "encryption", page=2)
    assert len(second) == 2


def test_overlong_queries_are_cut_not_refused(client, home_page):
    _, soup = result_titles(client, "x" * 1000)
    assert soup.find("input", id="search-page-query")["value"] == "x" * 200
