"""Where signatures come from: a link's `?source=` code, carried by the sign form, kept on the signature.

The page cache keeps one copy of a page whatever the code, and fills each view's form with its own.
"""

import re

import pytest
from django.urls import reverse
from wagtail.models import Site

from campaign.models import SignBannerSettings
from core.page_cache.tokens import shareable
from petitions.models import Signature
from petitions.sign_form.source import clean_source_code, source_from_query
from tests.campaign.factories import CampaignPageFactory, StandardPageFactory, block

from .conftest import post_form, sign, sign_data
from .factories import PetitionPageFactory

SOURCE_IN_FORM = re.compile(r'name="source" value="([^"]*)"')
TOKEN_IN_FORM = re.compile(r'name="form_token" value="([^"]*)"')


def sources_in(response):
    return SOURCE_IN_FORM.findall(response.content.decode())


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("whatsapp-share", "whatsapp-share"),
        ("partner-barnardos", "partner-barnardos"),
        (" Partner-Barnardos ", "partner-barnardos"),
        ("newsletter2026", "newsletter2026"),
        ("a" * 40, "a" * 40),
        ("a" * 41, ""),
        ("https://evil.example.org/page", ""),
        ("partner_barnardos", ""),
        ("-leading", ""),
        ("double--hyphen", ""),
        ("=HYPERLINK(1)", ""),
        ('x"><script>', ""),
        ("jane@example.org", ""),
        ("", ""),
    ],
)
def test_only_short_lowercase_codes_are_kept(raw, code):
    assert clean_source_code(raw) == code


def test_source_is_read_before_utm_source_and_an_invalid_one_falls_back(rf):
    assert source_from_query(rf.get("/", {"source": "x-share", "utm_source": "newsletter"}).GET) == "x-share"
    assert source_from_query(rf.get("/", {"utm_source": "newsletter"}).GET) == "newsletter"
    assert source_from_query(rf.get("/", {"source": "http://a.b/", "utm_source": "mail"}).GET) == "mail"
    assert source_from_query(rf.get("/").GET) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"source": "partner-barnardos"}, "partner-barnardos"),
        ({"utm_source": "newsletter"}, "newsletter"),
        ({"source": "https://www.facebook.com/some/post?id=1"}, ""),
        ({}, ""),
    ],
)
def test_petition_page_form_carries_the_links_code(client, petition, query, code):
    page = client.get(petition.url, query)

    assert page.status_code == 200
    assert sources_in(page) == [code]


@pytest.mark.django_db
def test_signature_keeps_the_code_its_form_carried(client, petition):
    page = client.get(petition.url, {"source": "whatsapp-share"})
    token = TOKEN_IN_FORM.search(page.content.decode()).group(1)

    response = sign(client, petition, form_token=token, source=sources_in(page)[0])

    assert response.status_code == 302
    assert Signature.objects.get().source == "whatsapp-share"


@pytest.mark.django_db
def test_a_forged_code_in_the_post_is_dropped_and_the_signature_still_kept(client, petition):
    response = sign(client, petition, source="https://tracker.example.org/?id=jane@example.org")

    assert response.status_code == 302
    assert Signature.objects.get().source == ""


@pytest.mark.django_db
def test_a_code_on_the_sign_url_is_kept_when_the_form_has_none(client, petition):
    url = reverse("petitions:sign", args=[petition.pk]) + "?source=partner-barnardos"

    response = post_form(client, url, sign_data())

    assert response.status_code == 302
    assert Signature.objects.get().source == "partner-barnardos"


@pytest.mark.django_db
def test_the_code_survives_a_failed_submit_and_is_stored_on_the_second(client, petition):
    failed = sign(client, petition, email="not an email", source="partner-barnardos")

    assert failed.status_code == 200
    assert "Enter an email address in the correct format" in failed.content.decode()
    assert sources_in(failed) == ["partner-barnardos"]
    assert not Signature.objects.exists()

    fixed = sign(client, petition, source=sources_in(failed)[0])

    assert fixed.status_code == 302
    assert Signature.objects.get().source == "partner-barnardos"


@pytest.mark.django_db
def test_a_failed_submit_never_echoes_an_invalid_code(client, petition):
    failed = sign(client, petition, email="", source='"><b>x</b>')

    assert failed.status_code == 200
    assert sources_in(failed) == [""]
    assert "<b>x</b>" not in failed.content.decode()


@pytest.mark.django_db
def test_the_campaign_pages_sign_block_carries_the_code(client, home_page, demo_petition):
    page = CampaignPageFactory(
        parent=home_page,
        slug="sign-here",
        body=[block("petition", {"petition": demo_petition.pk, "heading": "", "display": "form"})],
    )

    response = client.get(page.url, {"source": "email-share"})

    assert sources_in(response) == ["email-share"]


@pytest.mark.django_db
@pytest.mark.usefixtures("page_cache_on")
def test_one_cached_page_serves_every_code_each_with_its_own(client, petition):
    first = client.get(petition.url, {"source": "partner-a"})
    second = client.get(petition.url, {"source": "partner-b"})
    third = client.get(petition.url, {"utm_source": "newsletter"})
    plain = client.get(petition.url)
    invalid = client.get(petition.url, {"source": "http://x.example/"})

    assert [r["X-Page-Cache"] for r in (first, second, third, plain, invalid)] == ["MISS"] + ["HIT"] * 4
    assert sources_in(first) == ["partner-a"]
    assert sources_in(second) == ["partner-b"]
    assert sources_in(third) == ["newsletter"]
    assert sources_in(plain) == [""]
    assert sources_in(invalid) == [""]


@pytest.mark.django_db
@pytest.mark.usefixtures("page_cache_on")
def test_the_stored_page_holds_no_code(client, petition, rf):
    response = client.get(petition.url, {"source": "partner-a"})

    stored = shareable(rf.get(petition.url), response.content.decode())

    assert "partner-a" not in stored


@pytest.mark.django_db
@pytest.mark.usefixtures("page_cache_on")
def test_other_query_strings_still_bypass_or_split_the_cache(client, petition):
    client.get(petition.url, {"source": "partner-a"})

    assert "X-Page-Cache" not in client.get(petition.url, {"q": "anything", "source": "partner-a"})
    assert client.get(petition.url, {"page": "2", "source": "partner-a"})["X-Page-Cache"] == "MISS"
    assert client.get(petition.url, {"page": "2", "source": "partner-b"})["X-Page-Cache"] == "HIT"


SIGN_LINK = re.compile(r'data-keeps-source href="([^"]*)"')


@pytest.mark.django_db
@pytest.mark.usefixtures("page_cache_on")
def test_links_to_the_letter_from_a_cached_campaign_page_pass_each_visitors_code_on(client, home_page):
    petition = PetitionPageFactory(parent=home_page)
    page = CampaignPageFactory(
        parent=home_page,
        slug="read-more",
        body=[block("petition", {"petition": petition.pk, "heading": "", "display": "link"})],
    )

    first = client.get(page.url, {"source": "partner-a"})
    second = client.get(page.url, {"source": "partner-b"})
    plain = client.get(page.url)
    invalid = client.get(page.url, {"source": "https://x.example/"})

    assert [r["X-Page-Cache"] for r in (first, second, plain, invalid)] == ["MISS", "HIT", "HIT", "HIT"]
    assert SIGN_LINK.findall(first.text) == [f"{petition.url}?source=partner-a#sign"]
    assert SIGN_LINK.findall(second.text) == [f"{petition.url}?source=partner-b#sign"]
    assert SIGN_LINK.findall(plain.text) == [f"{petition.url}#sign"]
    assert SIGN_LINK.findall(invalid.text) == [f"{petition.url}#sign"]
    # Followed, the link gives the letter's form the code.
    assert sources_in(client.get(SIGN_LINK.findall(second.text)[0].split("#")[0])) == ["partner-b"]


@pytest.mark.django_db
def test_the_sign_banner_passes_the_code_on_to_the_letter(client, home_page):
    petition = PetitionPageFactory(parent=home_page)
    SignBannerSettings.objects.create(site=Site.objects.get(is_default_site=True), petition=petition)
    about = StandardPageFactory(parent=home_page, title="About")

    response = client.get(about.url, {"utm_source": "newsletter"})

    assert SIGN_LINK.findall(response.text) == [f"{petition.url}?source=newsletter#sign"]
