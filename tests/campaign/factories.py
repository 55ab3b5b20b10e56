"""Factories for the campaign's pages and images, and raw StreamField data for their bodies."""

import uuid

import factory
import wagtail_factories
from wagtail.models import Page, Site

from campaign.models import CampaignPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage
from core.models import SiteSettings


def block(block_type, value):
    """One StreamField item in its stored (JSON) form."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def every_block(image, link_page, petition, widget):
    """One of each block, with every option filled in."""
    return [
        block("heading", {"text": "Our demands", "level": "h2", "anchor": "our-demands"}),
        block(
            "text",
            f'<p>Police recorded <b>4,000</b> offences. <a linktype="page" id="{link_page.pk}">More</a></p>',
        ),
        block(
            "pull_quote",
            {
                "quote": "Give offenders no place to hide.",
                "speaker": "Andy Burrows",
                "role": "NSPCC Head of Child Safety Online Policy",
                "source_url": "https://www.nspcc.org.uk/",
            },
        ),
        block(
            "call_to_action",
            {
                "heading": "Sign the letter",
                "text": "It takes a minute.",
                "link": {"page": link_page.pk, "url": ""},
                "link_text": "Add your name",
                "style": "secondary",
            },
        ),
        block(
            "demands",
            {
                "heading": "We call for",
                "demands": [
                    {
                        "type": "item",
                        "id": str(uuid.uuid4()),
                        "value": {"title": "A regulator", "detail": "Now."},
                    },
                    {
                        "type": "item",
                        "id": str(uuid.uuid4()),
                        "value": {"title": "Safe accounts", "detail": ""},
                    },
                ],
            },
        ),
        block(
            "image",
            {
                "image": image.pk,
                "alt_text": "A phone in a dark room",
                "caption": "Late at night",
                "credit": "NSPCC",
            },
        ),
        block(
            "video",
            {
                "url": "https://www.youtube.com/watch?v=abcdefghijk",
                "title": "Campaign film",
                "caption": "Our film",
                "transcript_url": "https://example.org/transcript",
            },
        ),
        block("statistic", {"widget": widget.pk, "heading_level": "h3", "width": "wide"}),
        block("petition", {"petition": petition.pk, "heading": "Sign our letter", "display": "link"}),
        block(
            "share_links", {"heading": "Share this", "message": "Sign it", "networks": ["facebook", "email"]}
        ),
    ]


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Image {n}")
    description = "A purple banner with white words."


class PublishedPageFactory(wagtail_factories.PageFactory):
    """A page published the way the admin publishes it: through a revision."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def publish(page, create, extracted, **kwargs):
        if create:
            page.save_revision().publish()


class HomePageFactory(PublishedPageFactory):
    title = "Wild West Web"
    hero_heading = "Keep children safe on Facebook's apps"
    hero_text = "Sign the open letter."
    show_in_menus = True

    class Meta:
        model = HomePage


class CampaignPageFactory(PublishedPageFactory):
    title = "The campaign"
    intro = "<p>Facebook must not give offenders a place to hide.</p>"
    show_in_menus = True

    class Meta:
        model = CampaignPage


class NewsIndexPageFactory(PublishedPageFactory):
    title = "News"
    intro = "Press releases."
    show_in_menus = True

    class Meta:
        model = NewsIndexPage


class NewsArticlePageFactory(PublishedPageFactory):
    title = factory.Sequence(lambda n: f"Article {n}")
    standfirst = "Police figures show Facebook apps were used in thousands of offences."

    class Meta:
        model = NewsArticlePage


class StandardPageFactory(PublishedPageFactory):
    title = factory.Sequence(lambda n: f"Standard page {n}")
    intro = "About the campaign."

    class Meta:
        model = StandardPage


def build_site():
    """A home page as the default site's root, with settings; returns the home page."""
    home = HomePageFactory(parent=Page.get_first_root_node(), slug="wild-west-web")
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    SiteSettings.objects.update_or_create(site=site, defaults={"organisation_name": "Wild West Web"})
    return home
