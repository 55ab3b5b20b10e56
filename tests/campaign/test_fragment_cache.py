"""Content pages keep their rendered head and body until the next purge, for requests the whole-page
cache cannot answer (here it is off, as for a visitor with a session)."""

import re

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from wagtail.models import Page, PageViewRestriction

from campaign.models import CampaignPage
from core.page_cache.purge import purge_pages
from petitions.models import Signature
from petitions.sign_form.token import FormTokenError, check_form_token
from tests.petitions.conftest import post_form

from .factories import CampaignPageFactory, block

pytestmark = pytest.mark.django_db

TOKEN_FIELDS = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]*)"')


def heading(response):
    """The page's main heading, as a reader sees it."""
    return BeautifulSoup(response.content, "html.parser").h1.get_text(strip=True)


@pytest.fixture(autouse=True)
def fragment_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 60
    cache.clear()


@pytest.fixture
def signing_page(home_page, demo_petition):
    return CampaignPageFactory(
        parent=home_page,
        slug="sign-here",
        body=[block("petition", {"petition": demo_petition.pk, "heading": "", "display": "form"})],
    )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_view_reuses_the_rendered_page_until_a_purge(client, campaign_page):
    first, first_queries = queries_for(client, campaign_page.url)
    Page.objects.filter(pk=campaign_page.pk).update(title="Renamed without a publish")

    second, second_queries = queries_for(client, campaign_page.url)
    assert second_queries < first_queries
    assert second.content == first.content
    assert "Renamed without a publish" not in second.text

    purge_pages()
    assert "Renamed without a publish" in client.get(campaign_page.url).text


def test_publishing_shows_the_change_at_once(client, campaign_page, django_capture_on_commit_callbacks):
    client.get(campaign_page.url)
    campaign_page.title = "A published new title"
    with django_capture_on_commit_callbacks(execute=True):
        campaign_page.save_revision().publish()

    assert "A published new title" in client.get(campaign_page.url).text


def test_each_visitor_can_sign_with_the_tokens_a_reused_form_gives_them(
    signing_page, demo_petition, settings
):
    settings.PETITION_FORM_MIN_SECONDS = 30
    with freeze_time("2026-12-01 12:00:00") as clock:
        _first, stored_with_queries = queries_for(Client(), signing_page.url)
        clock.tick(30)
        visitor = Client(enforce_csrf_checks=True)
        page, reused_with_queries = queries_for(visitor, signing_page.url)
        assert reused_with_queries < stored_with_queries
        tokens = dict(TOKEN_FIELDS.findall(page.text))

        # Noted as shown now, not when the fragment was stored 30 s ago: too new to sign with at once.
        with pytest.raises(FormTokenError, match="very quickly"):
            check_form_token(tokens["form_token"])
        clock.tick(31)
        answer = post_form(
            visitor,
            f"/petitions/{demo_petition.pk}/sign/",
            {
                **tokens,
                "first_name": "Grace",
                "last_name": "Hopper",
                "email": "grace@example.org",
                "postcode": "SW1A 1AA",
            },
        )

    assert answer.status_code == 302, answer.content[:2000]
    assert Signature.objects.filter(email="grace@example.org").count() == 1


def test_a_publish_while_a_page_renders_leaves_what_it_rendered_stale(client, campaign_page, monkeypatch):
    get_context = CampaignPage.get_context

    def publish_after_loading(page, request, *args, **kwargs):
        # The page object was loaded before; an editor's change is committed and purged meanwhile.
        Page.objects.filter(pk=page.pk).update(title="Published while rendering")
        purge_pages()
        monkeypatch.setattr(CampaignPage, "get_context", get_context)
        return get_context(page, request, *args, **kwargs)

    monkeypatch.setattr(CampaignPage, "get_context", publish_after_loading)
    assert heading(client.get(campaign_page.url)) == "The campaign"

    assert heading(client.get(campaign_page.url)) == "Published while rendering"


def test_hosts_do_not_share_fragments(campaign_page):
    Client(HTTP_HOST="localhost").get(campaign_page.url)
    Page.objects.filter(pk=campaign_page.pk).update(title="Seen from another host")

    assert heading(Client(HTTP_HOST="127.0.0.1").get(campaign_page.url)) == "Seen from another host"
    assert heading(Client(HTTP_HOST="localhost").get(campaign_page.url)) == "The campaign"


def test_previews_show_the_draft_not_the_stored_fragment(campaign_page, superuser_client):
    # A preview renders for the site's own host, the one its visitors use.
    visitor = Client(HTTP_HOST=campaign_page.get_site().hostname)
    visitor.get(campaign_page.url)
    campaign_page.title = "Draft title only"
    campaign_page.save_revision()

    preview = superuser_client.get(reverse("wagtailadmin_pages:view_draft", args=[campaign_page.pk]))
    live = visitor.get(campaign_page.url)

    assert heading(preview) == "Draft title only"
    assert heading(live) == "The campaign"


def test_the_editors_bar_is_never_stored_with_the_page(campaign_page, superuser_client):
    editor_view = superuser_client.get(campaign_page.url)
    visitor_view = Client().get(campaign_page.url)

    assert "wagtail-userbar" in editor_view.text
    assert "wagtail-userbar" not in visitor_view.text
    assert "wagtail-userbar" in superuser_client.get(campaign_page.url).text


# The site and the route to the page, kept until the next purge like the fragments ---------------------


def tables_queried(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return " ".join(query["sql"] for query in queries.captured_queries)


def test_a_second_view_finds_the_site_and_the_page_without_the_database(client, campaign_page):
    first = tables_queried(client, campaign_page.url)
    second = tables_queried(client, campaign_page.url)

    assert '"wagtailcore_site"' in first
    assert '"wagtailcore_site"' not in second
    assert '"slug"' in first, "routing looks pages up by their slugs"
    assert '"slug"' not in second
    assert '"wagtailcore_pageviewrestriction"' not in second, "kept with the route"


def test_a_page_renamed_on_publish_is_routed_afresh(
    client, campaign_page, django_capture_on_commit_callbacks
):
    old_url = campaign_page.url
    client.get(old_url)
    campaign_page.slug = "renamed-campaign"
    with django_capture_on_commit_callbacks(execute=True):
        campaign_page.save_revision().publish()

    assert client.get(old_url).status_code != 200
    assert heading(client.get("/renamed-campaign/")) == "The campaign"


@pytest.mark.parametrize("gone", ["unpublished", "deleted"])
def test_a_page_taken_down_is_not_routed_to_from_the_cache(
    client, campaign_page, django_capture_on_commit_callbacks, gone
):
    url = campaign_page.url
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        campaign_page.unpublish() if gone == "unpublished" else campaign_page.delete()

    assert client.get(url).status_code == 404


def test_a_page_made_private_asks_for_its_password_on_every_view(
    client, campaign_page, django_capture_on_commit_callbacks
):
    assert client.get(campaign_page.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=campaign_page,
            restriction_type=PageViewRestriction.PASSWORD,
            password="secret",  # noqa: S106 - test data
        )

    for _ in range(2):
        response = client.get(campaign_page.url)
        assert response.status_code == 200
        assert 'name="password"' in response.text
        assert "The campaign" not in heading(response)
    assert '"wagtailcore_pageviewrestriction"' not in tables_queried(client, campaign_page.url)
