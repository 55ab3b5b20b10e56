"""The site's header and footer kept as fragments until the next purge, for the views the whole-page
cache does not store (the signers list, with no count cache time, say): what a reader sees stays right."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from wagtail.models import Page

from core.models import SiteSettings
from core.page_cache.purge import purge_pages

from .factories import StandardPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caches_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.FRAGMENT_CACHE_SECONDS = 60
    # The signers list is then looked up in the page cache but never stored: rendered for every view.
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    cache.clear()


def frame(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response  # rendered each time; only its frame is kept
    soup = BeautifulSoup(response.content, "html.parser")
    menu = [a.get_text() for a in soup.select("nav[aria-label=Main] a")]
    return menu, soup.select_one("footer").get_text(" ", strip=True), soup.select_one("#site-search-query")


def test_the_header_and_footer_are_kept_until_a_purge(client, home_page, demo_petition):
    about = StandardPageFactory(parent=home_page, slug="about", title="About us", show_in_menus=True)
    signers = f"/petitions/{demo_petition.pk}/signers/"
    menu, footer, _search = frame(client, signers)
    assert "About us" in menu
    # Changed without the signals that purge (a silent data fix): the kept frame still shows the old.
    Page.objects.filter(pk=about.pk).update(title="Who we are")
    SiteSettings.objects.filter(site__root_page=home_page).update(organisation_name="Renamed charity")

    menu, footer, _search = frame(client, signers)
    assert "About us" in menu and "Renamed charity" not in footer

    purge_pages()
    menu, footer, _search = frame(client, signers)
    assert "Who we are" in menu and "About us" not in menu
    assert "Renamed charity" in footer


def test_a_search_keeps_its_words_in_the_header_and_no_other_page_is_given_them(
    client, home_page, demo_petition
):
    signers = f"/petitions/{demo_petition.pk}/signers/"
    frame(client, signers)

    search = BeautifulSoup(client.get("/search/", {"q": "zebra crossing"}).content, "html.parser")
    assert search.select_one("#site-search-query")["value"] == "zebra crossing"

    _menu, _footer, box = frame(client, signers)
    assert box["value"] == ""
