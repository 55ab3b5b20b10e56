"""Standard pages: about, privacy notice, contact and other plain pages."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from campaign.blocks import BaseStreamBlock

from .sharing import SharingFieldsMixin


class StandardPage(SharingFieldsMixin, Page):
    intro = models.TextField(
        blank=True,
        max_length=500,
        help_text="Optional. One or two sentences under the title that say what the page is about.",
    )
    body = StreamField(
        BaseStreamBlock(),
        blank=True,
        help_text="The page's content: add text, headings, images and other blocks.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["campaign.HomePage", "campaign.CampaignPage", "campaign.StandardPage"]
    subpage_types = ["campaign.StandardPage"]

    class Meta:
        verbose_name = "standard page"
