"""`manage.py load_demo` builds the whole demo site, and running it again changes nothing.

Its admin account has the published demo password only with DEBUG on (`make run`); with DEBUG off
the password is random and printed once. (Django's test runner turns DEBUG off; tests that stand
for `make run` turn it back on.)
"""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import GroupApprovalTask, Page, Revision, Site, Task, Workflow, WorkflowPage, WorkflowTask

import campaign.demo
from campaign.blocks import BaseStreamBlock
from campaign.models import (
    CampaignPage,
    HomePage,
    NewsArticlePage,
    NewsIndexPage,
    SignBannerSettings,
    StandardPage,
)
from core.models import SiteSettings
from petitions.models import PetitionPage, Signature

pytestmark = pytest.mark.django_db

CAMPAIGN_PAGE_TYPES = {HomePage, CampaignPage, NewsIndexPage, NewsArticlePage, StandardPage}


DEMO_PASSWORD = "wildwestweb-demo"  # noqa: S105 - the published demo credential under test


@pytest.fixture
def debug_on(settings):
    """As under `make run`."""
    settings.DEBUG = True


@pytest.fixture
def debug_off(settings):
    """As on a staging or live site."""
    settings.DEBUG = False


def run_load_demo(stderr=None):
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=stderr or StringIO())
    return out.getvalue()


def printed_password(output):
    return re.search(r"as username “admin”, password “([^”]+)”", output).group(1)


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


def test_load_demo_builds_the_campaign_site(client, debug_on):
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
    assert set(StandardPage.objects.live().values_list("slug", flat=True)) == {
        "about",
        "privacy-notice",
        "contact",
    }
    # The video block waits on a draft for the campaign's own film: visitors see no example video.
    film = StandardPage.objects.get(slug="campaign-film")
    assert not film.live and [child.block_type for child in film.body] == ["video"]
    public_html = "".join(
        client.get(page.url).content.decode() for page in home.get_descendants(inclusive=True).live()
    )
    assert "Example video" not in public_html and "Demo content" not in public_html

    petition = PetitionPage.objects.get()
    assert petition.live and petition.get_parent().pk == home.pk
    assert petition.privacy_notice.slug == "privacy-notice"
    assert Signature.objects.filter(petition=petition).exists()
    assert home.petition_call_to_action[0].value["petition"].pk == petition.pk
    # One card a fact: "11 a day" states the "more than 4,000 in a year" it comes from.
    cards = [block.value["widget"].title for block in home.headline_statistics]
    assert cards == ["Child sex offences on Facebook apps every day", "WhatsApp's share of known platforms"]
    assert all(article.related_statistics for article in NewsArticlePage.objects.all())

    settings = SiteSettings.for_site(site)
    assert settings.privacy_notice_page.slug == "privacy-notice"
    assert settings.default_share_image is not None
    assert SignBannerSettings.for_site(site).petition_id == petition.pk
    assert not home.show_sign_banner and campaign.show_sign_banner
    assert WorkflowPage.objects.get(page=home).workflow.name == "Campaign review"
    task = WorkflowPage.objects.get(page=home).workflow.tasks.get().specific
    assert [group.name for group in task.groups.all()] == ["Moderators"]

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert "http://127.0.0.1:8000/admin/" in output and printed_password(output) == DEMO_PASSWORD

    for page in home.get_descendants(inclusive=True).live():
        assert client.get(page.url).status_code == 200, page.url


def test_load_demo_twice_changes_and_duplicates_nothing(debug_on):
    run_load_demo()
    before = snapshot()
    output = run_load_demo()
    assert snapshot() == before
    assert "nothing to add" in output
    assert "exists already" in output and DEMO_PASSWORD not in output


def test_with_debug_off_the_admin_gets_a_random_password_printed_once(debug_off):
    output = run_load_demo()

    password = printed_password(output)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert not admin.check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD not in output
    assert len(password) >= 20
    assert "shown only this once" in output and "changepassword admin" in output

    again = run_load_demo()

    assert password not in again and "exists already" in again
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_with_debug_off_each_new_demo_admin_gets_a_different_password(debug_off, django_user_model):
    first = printed_password(run_load_demo())
    django_user_model.objects.filter(username="admin").delete()

    second = printed_password(run_load_demo())

    assert first != second
    assert django_user_model.objects.get(username="admin").check_password(second)


def test_with_debug_off_an_admin_left_with_the_published_password_is_warned_about(
    debug_off, django_user_model
):
    django_user_model.objects.create_superuser("admin", "a@example.org", DEMO_PASSWORD)
    errors = StringIO()

    output = run_load_demo(stderr=errors)

    assert "exists already" in output
    assert "still has the demo password" in errors.getvalue()
    assert "changepassword admin" in errors.getvalue()
    assert django_user_model.objects.get(username="admin").check_password(DEMO_PASSWORD), "left as it was"


def test_with_debug_on_the_published_password_is_not_a_warning(debug_on, django_user_model):
    django_user_model.objects.create_superuser("admin", "a@example.org", DEMO_PASSWORD)
    errors = StringIO()

    run_load_demo(stderr=errors)

    assert errors.getvalue() == ""


def test_load_demo_keeps_an_existing_admin_password(django_user_model):
    django_user_model.objects.create_superuser("admin", "a@example.org", "my-own-password-123")
    output = run_load_demo()
    assert django_user_model.objects.get(username="admin").check_password("my-own-password-123")
    assert "exists already" in output


# The demo's words are in campaign/demo.toml: a campaigner changes them there, not in Python.


def test_a_campaigner_changes_the_words_in_the_demo_file_and_the_site_shows_them(client, edit_demo_words):
    edit_demo_words(
        campaign.demo,
        [
            ('text = "What the police figures show"', 'text = "What police forces told the NSPCC"'),
            (
                'quote = "Facebook risks making itself a one-stop grooming shop."',
                'quote = """\nFacebook risks making itself\na one-stop grooming shop."""',
            ),
            ('title = "Contact"', 'title = "Get in touch"'),
        ],
    )

    run_load_demo()

    campaign_page = client.get(CampaignPage.objects.get().url).content.decode()
    assert "What police forces told the NSPCC" in campaign_page
    assert "What the police figures show" not in campaign_page
    regional = NewsArticlePage.objects.get(slug__contains="east-of-england")
    quotes = [child.value["quote"] for child in regional.body if child.block_type == "pull_quote"]
    assert quotes == ["Facebook risks making itself a one-stop grooming shop."], "line breaks are spaces"
    assert StandardPage.objects.get(slug="contact").title == "Get in touch"


def test_a_name_the_demo_file_does_not_define_is_named_and_nothing_is_built(edit_demo_words):
    edit_demo_words(campaign.demo, [('widget = "whatsapp_share_bar"', 'widget = "whatsap_share_bar"')])

    with pytest.raises(ValueError, match="a figure “whatsap_share_bar” that is not there: use one of"):
        run_load_demo()

    assert not HomePage.objects.exists()
    assert not get_user_model().objects.exists()


# One "Campaign review" workflow, whatever the database held before (issue 15, defect 6).


def active_workflows():
    return sorted(Workflow.objects.filter(active=True).values_list("name", flat=True))


def active_tasks():
    return sorted(Task.objects.filter(active=True).values_list("name", flat=True))


def test_load_demo_takes_over_wagtails_moderators_approval_workflow_rather_than_adding_one():
    assert active_workflows() == ["Moderators approval"], "Wagtail's migrations make this one"
    wagtails = Workflow.objects.get(name="Moderators approval")

    run_load_demo()
    run_load_demo()

    assert active_workflows() == ["Campaign review"]
    assert active_tasks() == ["Moderator approval"]
    review = Workflow.objects.get(active=True)
    assert review.pk == wagtails.pk
    assert [group.name for group in review.tasks.get().specific.groups.all()] == ["Moderators"]
    home = HomePage.objects.get()
    assert review.workflow_pages.filter(page=home).exists()
    assert home.get_workflow() == review


def test_load_demo_folds_the_two_workflows_an_earlier_run_left_into_one(home_page):
    # What earlier versions of load_demo left beside Wagtail's "Moderators approval": a second workflow
    # with its own task.
    moderators = Group.objects.get(name="Moderators")
    earlier = Workflow.objects.create(name="Campaign review")
    task = GroupApprovalTask.objects.create(name="Moderator approval")
    task.groups.set([moderators])
    WorkflowTask.objects.create(workflow=earlier, task=task, sort_order=0)
    WorkflowPage.objects.create(page=home_page, workflow=earlier)
    # A page went through Wagtail's one: it is switched off, its history kept.
    page = home_page.add_child(instance=Page(title="Reviewed before", slug="reviewed-before"))
    page.save_revision()
    Workflow.objects.get(name="Moderators approval").start(page, get_user_model().objects.create_user("ed"))
    assert active_workflows() == ["Campaign review", "Moderators approval"]

    output = run_load_demo()

    assert active_workflows() == ["Campaign review"]
    assert active_tasks() == ["Moderator approval"]
    assert Workflow.objects.get(active=True).pk == earlier.pk
    assert Workflow.objects.filter(name="Moderators approval", active=False).exists(), "history kept"
    assert "spare workflow “Moderators approval” switched off" in output
    assert Page.objects.get(slug="reviewed-before").get_workflow() == earlier
    run_load_demo()
    assert active_workflows() == ["Campaign review"] and active_tasks() == ["Moderator approval"]
