"""Editors work through Wagtail's own admin: create and edit with blocks, drafts, preview, revisions,
rollback, scheduled publishing, locking, the "Campaign review" workflow and the accessibility checker."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from freezegun import freeze_time
from wagtail.models import Page, Revision, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from campaign.demo import DemoReport, configure_workflow
from campaign.models import CampaignPage, NewsArticlePage
from core.models import SiteSettings

pytestmark = pytest.mark.django_db


def listblock(values):
    data = {
        str(index): {"value": value, "deleted": "", "order": str(index)} for index, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def campaign_form_data(title, image, link_page, **extra):
    """The campaign page editor's POST data, with one of every block in the body."""
    data = nested_form_data(
        {
            "title": title,
            "slug": "campaign",
            "intro": rich_text("<p>Facebook must not give offenders a place to hide.</p>"),
            "demands": streamfield(
                [
                    (
                        "demands",
                        {
                            "heading": "We call for",
                            "demands": listblock(
                                [
                                    {"title": "An independent regulator", "detail": ""},
                                    {"title": "Safe accounts for children", "detail": ""},
                                ]
                            ),
                        },
                    )
                ]
            ),
            "body": streamfield(
                [
                    ("heading", {"text": "The figures", "level": "h2", "anchor": "figures"}),
                    ("text", rich_text("<p>More than 4,000 offences.</p>")),
                    (
                        "pull_quote",
                        {
                            "quote": "No place to hide.",
                            "speaker": "Andy Burrows",
                            "role": "",
                            "source_url": "",
                        },
                    ),
                    (
                        "call_to_action",
                        {
                            "heading": "Sign",
                            "text": "",
                            "link": {"page": link_page.pk, "url": ""},
                            "link_text": "Add your name",
                            "style": "primary",
                        },
                    ),
                    (
                        "demands",
                        {"heading": "Again", "demands": listblock([{"title": "Reporting", "detail": ""}])},
                    ),
                    ("image", {"image": image.pk, "alt_text": "A phone", "caption": "", "credit": ""}),
                    (
                        "video",
                        {
                            "url": "https://vimeo.com/76979871",
                            "title": "Film",
                            "caption": "",
                            "transcript_url": "",
                        },
                    ),
                    ("share_links", {"heading": "Share", "message": ""}),
                ]
            ),
            "comments": inline_formset([]),
            **extra,
        }
    )
    # A multiple choice posts one value per ticked box.
    data["body-7-value-networks"] = ["facebook", "email"]
    return data


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_editor_creates_a_campaign_page_with_every_block(
    superuser_client, home_page, image, demo_petition, demo_widgets
):
    url = reverse("wagtailadmin_pages:add", args=["campaign", "campaignpage", home_page.pk])
    data = campaign_form_data("Wild West Web", image, home_page, **{"action-publish": "publish"})
    petition_item = {
        "type": "petition",
        "deleted": "",
        "order": "8",
        "value": {"petition": demo_petition.pk, "heading": "", "display": "form"},
    }
    statistic_item = {
        "type": "statistic",
        "deleted": "",
        "order": "9",
        "value": {"widget": demo_widgets["whatsapp_share"].pk, "heading_level": "h2", "width": "text"},
    }
    data.update(nested_form_data({"body": {"8": petition_item, "9": statistic_item}}))
    data["body-count"] = "10"
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response

    page = CampaignPage.objects.get(slug="campaign")
    assert page.live
    assert [child.block_type for child in page.body] == [
        "heading",
        "text",
        "pull_quote",
        "call_to_action",
        "demands",
        "image",
        "video",
        "share_links",
        "petition",
        "statistic",
    ]
    assert [demand["title"] for demand in page.demands[0].value["demands"]] == [
        "An independent regulator",
        "Safe accounts for children",
    ]
    assert page.body[7].value["networks"] == ["facebook", "email"]
    public = superuser_client.get(page.url)
    assert b"An independent regulator" in public.content
    assert b'class="petition-block"' in public.content
    assert escape(demo_widgets["whatsapp_share"].title) in public.content.decode()


def test_admin_form_refuses_an_image_without_alt_text_and_a_bad_video(superuser_client, home_page, image):
    url = reverse("wagtailadmin_pages:add", args=["campaign", "campaignpage", home_page.pk])
    data = campaign_form_data("Wild West Web", image, home_page, **{"action-publish": "publish"})
    data["body-5-value-alt_text"] = ""
    data["body-6-value-url"] = "https://example.org/film"
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert not CampaignPage.objects.exists()
    body_errors = response.context["form"].errors["body"].as_data()[0]
    assert set(body_errors.block_errors) == {5, 6}
    assert "YouTube or Vimeo" in str(body_errors.block_errors[6].block_errors["url"])


def test_a_saved_draft_is_previewable_but_not_public_until_published(
    superuser_client, client, campaign_page, image, home_page
):
    data = campaign_form_data("Draft title", image, home_page)
    assert superuser_client.post(edit_url(campaign_page), data).status_code == 302

    campaign_page.refresh_from_db()
    assert campaign_page.has_unpublished_changes
    assert b"Draft title" not in client.get(campaign_page.url).content

    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[campaign_page.pk])
    assert superuser_client.post(preview_url, data).json()["is_valid"]
    assert b"Draft title" in superuser_client.get(preview_url).content

    data["action-publish"] = "publish"
    superuser_client.post(edit_url(campaign_page), data)
    assert b"Draft title" in client.get(campaign_page.url).content


def test_an_earlier_revision_can_be_viewed_and_rolled_back(
    superuser_client, client, campaign_page, image, home_page
):
    first = campaign_page.latest_revision
    superuser_client.post(
        edit_url(campaign_page),
        campaign_form_data("Second title", image, home_page, **{"action-publish": "p"}),
    )
    assert b"Second title" in client.get(campaign_page.url).content

    history = superuser_client.get(reverse("wagtailadmin_pages:history", args=[campaign_page.pk]))
    assert history.status_code == 200
    view = superuser_client.get(
        reverse("wagtailadmin_pages:revisions_view", args=[campaign_page.pk, first.pk])
    )
    assert b"The campaign" in view.content

    revert = superuser_client.get(
        reverse("wagtailadmin_pages:revisions_revert", args=[campaign_page.pk, first.pk])
    )
    assert revert.status_code == 200
    assert revert.context["form"].initial["title"] == "The campaign"
    data = campaign_form_data("The campaign", image, home_page, **{"action-publish": "p"})
    data["revision"] = first.pk
    superuser_client.post(edit_url(campaign_page), data)
    assert client.get(campaign_page.url).context["page"].title == "The campaign"
    assert Revision.page_revisions.filter(object_id=str(campaign_page.pk)).count() == 3


def test_scheduled_publishing_goes_live_when_the_time_comes(
    superuser_client, client, campaign_page, image, home_page
):
    go_live_at = timezone.now() + datetime.timedelta(days=1)
    data = campaign_form_data(
        "Scheduled title",
        image,
        home_page,
        **{"action-publish": "p", "go_live_at": go_live_at.strftime("%Y-%m-%d %H:%M")},
    )
    assert superuser_client.post(edit_url(campaign_page), data).status_code == 302

    assert Revision.page_revisions.filter(
        object_id=str(campaign_page.pk), approved_go_live_at__isnull=False
    ).exists()
    call_command("publish_scheduled")
    assert b"Scheduled title" not in client.get(campaign_page.url).content

    with freeze_time(go_live_at + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled")
        assert b"Scheduled title" in client.get(campaign_page.url).content


def test_a_page_locked_by_one_editor_cannot_be_changed_by_another(
    client, editor, moderator, campaign_page, image, home_page
):
    client.force_login(moderator)
    assert client.post(reverse("wagtailadmin_pages:lock", args=[campaign_page.pk])).status_code == 302
    campaign_page.refresh_from_db()
    assert campaign_page.locked and campaign_page.locked_by == moderator

    client.force_login(editor)
    client.post(edit_url(campaign_page), campaign_form_data("Sneaky edit", image, home_page))
    campaign_page.refresh_from_db()
    assert campaign_page.get_latest_revision_as_object().title == "The campaign"


def test_campaign_review_workflow_submit_approve_goes_live(
    client, editor, moderator, home_page, campaign_page, image
):
    configure_workflow(home_page, DemoReport())

    client.force_login(editor)
    data = campaign_form_data("Reviewed title", image, home_page, **{"action-submit": "submit"})
    assert client.post(edit_url(campaign_page), data).status_code == 302
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(campaign_page.pk))
    assert state.workflow.name == "Campaign review"
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    client.logout()
    assert b"Reviewed title" not in client.get(campaign_page.url).content

    client.force_login(editor)
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=[campaign_page.pk, "approve", task_state.pk]
    )
    client.post(approve_url, {"comment": ""})
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS, "an editor must not approve"

    client.force_login(moderator)
    response = client.post(approve_url, {"comment": "Facts checked"})
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    client.logout()
    assert b"Reviewed title" in client.get(campaign_page.url).content


def test_editor_shows_the_accessibility_checker_with_wcag_22_rules(superuser_client, campaign_page):
    response = superuser_client.get(edit_url(campaign_page))
    html = response.content.decode()
    assert "w-userbar-axe-configuration" in html or "axe-configuration" in html
    assert "color-contrast" in html and "target-size" in html


def test_site_settings_are_edited_in_the_admin_and_bad_handles_are_refused(
    superuser_client, home_page, standard_page
):
    settings = SiteSettings.objects.get(site__root_page=home_page)
    url = reverse("wagtailsettings:edit", args=["core", "sitesettings", settings.site_id])
    data = nested_form_data(
        {
            "organisation_name": "NSPCC",
            "x_handle": "NSPCC without at",
            "social_accounts": streamfield(
                [("account", {"network": "facebook", "url": "https://www.facebook.com/nspcc"})]
            ),
            "footer_links": streamfield(
                [("link", {"text": "About", "link": {"page": standard_page.pk, "url": ""}})]
            ),
            "privacy_notice_page": standard_page.pk,
            "default_share_image": "",
        }
    )
    refused = superuser_client.post(url, data)
    assert "Give the handle with the @" in str(refused.context["form"].errors["x_handle"])

    data["x_handle"] = "@NSPCC"
    assert superuser_client.post(url, data).status_code == 302
    settings.refresh_from_db()
    assert settings.organisation_name == "NSPCC"
    assert settings.privacy_notice_page_id == standard_page.pk
    assert settings.footer_links[0].value["text"] == "About"


def test_news_article_with_region_tags_is_created_through_the_admin(superuser_client, news_index):
    url = reverse("wagtailadmin_pages:add", args=["campaign", "newsarticlepage", news_index.pk])
    data = nested_form_data(
        {
            "title": "Nearly 500 crimes",
            "slug": "nearly-500",
            "date": "2019-11-11",
            "standfirst": "Police in the East of England recorded 482 offences.",
            "tags": '"East of England", Hertfordshire',
            "body": streamfield([("text", rich_text("<p>162 on Facebook.</p>"))]),
            "related_statistics": streamfield([]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    assert superuser_client.post(url, data).status_code == 302
    article = NewsArticlePage.objects.get(slug="nearly-500")
    assert sorted(tag.name for tag in article.tags.all()) == ["East of England", "Hertfordshire"]
    assert article.date == datetime.date(2019, 11, 11)


def test_home_page_refuses_a_hero_image_without_alternative_text(superuser_client, image):
    url = reverse("wagtailadmin_pages:add", args=["campaign", "homepage", Page.get_first_root_node().pk])
    data = nested_form_data(
        {
            "title": "Second site",
            "slug": "second-site",
            "hero_heading": "Hello",
            "hero_image": image.pk,
            "hero_image_alt": "",
            "latest_news_count": "3",
            "headline_statistics": streamfield([]),
            "petition_call_to_action": streamfield([]),
            "body": streamfield([]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "Describe the hero image" in str(response.context["form"].errors["hero_image_alt"])


# Autosave and new pages (issue 15, defect 8): a new page is saved by the editor's button only.


def page_form_controllers(html):
    """The Stimulus controllers on the page editor's form (`w-autosave` is Wagtail's autosave)."""
    form = re.search(r'<form[^>]*id="page-edit-form"[^>]*>', html, re.S).group(0)
    return re.search(r'data-controller="([^"]*)"', form).group(1).split()


def test_a_new_page_form_does_not_autosave_but_an_existing_pages_form_does(client, editor, home_page):
    client.force_login(editor)
    add_url = reverse("wagtailadmin_pages:add", args=["campaign", "standardpage", home_page.pk])

    new_page_form = client.get(add_url)

    assert new_page_form.status_code == 200
    assert page_form_controllers(new_page_form.content.decode()) == ["w-init", "w-unsaved"]
    assert "data-w-autosave-interval-value" not in new_page_form.content.decode()

    saved = client.post(
        add_url,
        nested_form_data({"title": "About the letter", "slug": "about-the-letter", "body": streamfield([])}),
    )
    page = Page.objects.get(slug="about-the-letter")
    assert saved.status_code == 302 and saved.url == reverse("wagtailadmin_pages:edit", args=[page.pk])
    edit_form = client.get(saved.url).content.decode()
    assert page_form_controllers(edit_form) == ["w-init", "w-unsaved", "w-autosave"]
    assert "data-w-autosave-interval-value" in edit_form


def test_the_new_page_form_still_asks_a_signed_out_visitor_to_sign_in(client, home_page):
    add_url = reverse("wagtailadmin_pages:add", args=["campaign", "standardpage", home_page.pk])

    response = client.get(add_url)

    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))
