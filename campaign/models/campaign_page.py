"""The campaign page: the campaign itself, its introduction, its demands and its story."""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from campaign.blocks import RICH_TEXT_FEATURES, BaseStreamBlock, DemandsListBlock

from .sharing import SharingFieldsMixin


class CampaignPage(SharingFieldsMixin, Page):
    intro = RichTextField(
        features=RICH_TEXT_FEATURES,
        help_text="The opening paragraph: what is wrong and what the campaign asks for, in a few sentences.",
    )
    demands = StreamField(
        [("demands", DemandsListBlock())],
        blank=True,
        max_num=1,
        help_text="The campaign's demands, shown as a numbered list straight after the introduction.",
    )
    body = StreamField(
        BaseStreamBlock(),
        blank=True,
        help_text="The rest of the page: quotes, figures, the petition, videos and calls to action.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("demands"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("demands"),
        index.SearchField("body"),
    ]

    parent_page_types = ["campaign.HomePage"]
    subpage_types = ["campaign.StandardPage", "petitions.PetitionPage"]

    class Meta:
        verbose_name = "campaign page"
