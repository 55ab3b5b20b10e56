"""The sign banner: an editor's site setting that asks for the open letter under the header of every page."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from wagtail.models import PageViewRestriction, Site

from campaign.models import SignBannerSettings
from petitions.signing.signatures import confirm_signature
from tests.petitions.factories import PetitionPageFactory, SignatureFactory

from .factories import StandardPageFactory


@pytest.fixture
def letter(home_page):
    return PetitionPageFactory(parent=home_page, title="Open letter to Facebook", target=50_000)


@pytest.fixture
def banner(letter):
    site = Site.objects.get(is_default_site=True)
    return SignBannerSettings.objects.create(site=site, petition=letter, heading="Add your name today")


def banner_of(client, path):
    soup = BeautifulSoup(client.get(path).content, "html.parser")
    return soup.select_one("aside.sign-banner")


def test_every_page_shows_the_banner_with_the_count_and_a_link_to_sign(client, home_page, letter, banner):
    about = StandardPageFactory(parent=home_page, title="About")
    confirm_signature(SignatureFactory(petition=letter, email="a@example.org").pk)
    cache.clear()

    for path in (about.url, "/data/"):
        aside = banner_of(client, path)
        assert aside is not None, path
        assert aside.find(id="sign-banner-heading").get_text() == "Add your name today"
        assert "1 person has signed. Help us reach 100." in " ".join(aside.get_text().split())
        assert aside.find("a", class_="button")["href"] == f"{letter.url}#sign"


def test_a_page_can_turn_the_banner_off(client, home_page, banner):
    quiet = StandardPageFactory(parent=home_page, title="Quiet", show_sign_banner=False)

    assert banner_of(client, quiet.url) is None


def test_the_letters_own_pages_do_not_show_its_banner(client, letter, banner):
    assert banner_of(client, letter.url) is None
    assert banner_of(client, f"/petitions/{letter.pk}/check-your-email/") is None


def test_no_banner_without_a_letter_chosen_or_for_a_private_or_unpublished_letter(
    client, home_page, letter, banner
):
    about = StandardPageFactory(parent=home_page, title="About")
    PageViewRestriction.objects.create(page=letter, restriction_type=PageViewRestriction.LOGIN)
    cache.clear()
    assert banner_of(client, about.url) is None

    PageViewRestriction.objects.filter(page=letter).delete()
    letter.unpublish()
    cache.clear()
    assert banner_of(client, about.url) is None

    banner.petition = None
    banner.save()
    assert banner_of(client, about.url) is None
