"""`manage.py load_demo` builds the whole demo site, and running it again changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site, WorkflowPage

from campaign.blocks import BaseStreamBlock
from campaign.models import CampaignPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage
from core.models import SiteSettings
from petitions.models import PetitionPage, Signature

pytestmark = pytest.mark.django_db

CAMPAIGN_PAGE_TYPES = {HomePage, CampaignPage, NewsIndexPage, NewsArticlePage, StandardPage}


def run_load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "pages": list(
            Page.objects.order_by("path").values_list("path", "title", "live", "latest_revision_id")
        ),
        "revisions": Revision.objects.count(),
        "signatures": Signature.objects.count(),
        "images": get_image_model().objects.count(),
        "users": list(get_user_model().objects.values_list("username", "password")),
        "settings": list(SiteSettings.objects.values_list("organisation_name", "privacy_notice_page_id")),
        "workflow_pages": list(WorkflowPage.objects.values_list("page_id", "workflow__name")),
    }


def block_types_used():
    used = set()
    pages = [page.specific for page in Page.objects.filter(depth__gte=2)]
    for page in pages:
        for field_name in ("body", "demands"):
            used |= {child.block_type for child in getattr(page, field_name, None) or []}
    return used


def test_load_demo_builds_the_campaign_site(client):
    output = run_load_demo()

    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert not Page.objects.filter(depth=2, content_type__model="page").exists(), "welcome page removed"
    assert {type(page) for page in home.get_descendants(inclusive=True).specific()} >= CAMPAIGN_PAGE_TYPES
    assert block_types_used() >= set(BaseStreamBlock().child_blocks)

    campaign = CampaignPage.objects.get()
    demands = [demand["title"] for demand in campaign.demands[0].value["demands"]]
    assert demands == [
        "An independent regulator with mandatory child safety rules",
        "Safe accounts for children",
        "Detailed reporting on how social networks keep children safe",
    ]
    quotes = [child.value for child in campaign.body if child.block_type == "pull_quote"]
    assert quotes and all(quote["speaker"] == "Andy Burrows" for quote in quotes)
    assert all(quote["role"] == "NSPCC Head of Child Safety Online Policy" for quote in quotes)

    regional = NewsArticlePage.objects.get(slug__contains="east-of-england")
    assert [tag.name for tag in regional.tags.all()] == ["East of England"]
    assert NewsArticlePage.objects.count() == 2
    assert set(StandardPage.objects.values_list("slug", flat=True)) == {"about", "privacy-notice", "contact"}

    petition = PetitionPage.objects.get()
    assert petition.live and petition.get_parent().pk == home.pk
    assert petition.privacy_notice.slug == "privacy-notice"
    assert Signature.objects.filter(petition=petition).exists()
    assert home.petition_call_to_action[0].value["petition"].pk == petition.pk
    assert len(home.headline_statistics) == 3
    assert all(article.related_statistics for article in NewsArticlePage.objects.all())

    settings = SiteSettings.for_site(site)
    assert settings.privacy_notice_page.slug == "privacy-notice"
    assert settings.default_share_image is not None
    assert WorkflowPage.objects.get(page=home).workflow.name == "Campaign review"
    task = WorkflowPage.objects.get(page=home).workflow.tasks.get().specific
    assert [group.name for group in task.groups.all()] == ["Moderators"]

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("wildwestweb-demo")
    assert "http://127.0.0.1:8000/admin/" in output and "wildwestweb-demo" in output

    for page in home.get_descendants(inclusive=True).live():
        assert client.get(page.url).status_code == 200, page.url


def test_load_demo_twice_changes_and_duplicates_nothing():
    run_load_demo()
    before = snapshot()
    output = run_load_demo()
    assert snapshot() == before
    assert "nothing to add" in output
    assert "exists already" in output and "wildwestweb-demo" not in output


def test_load_demo_keeps_an_existing_admin_password(django_user_model):
    django_user_model.objects.create_superuser("admin", "a@example.org", "my-own-password-123")
    output = run_load_demo()
    assert django_user_model.objects.get(username="admin").check_password("my-own-password-123")
    assert "exists already" in output
