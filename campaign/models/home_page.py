"""The home page: the campaign hub and the root of the site's page tree."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from campaign.blocks import BaseStreamBlock
from core.images import get_images_with_renditions
from petitions.blocks import PetitionBlock
from statistics.blocks import StatisticWidgetBlock

from .news import NewsArticlePage
from .sharing import SharingFieldsMixin


class HomePage(SharingFieldsMixin, Page):
    hero_heading = models.CharField(
        max_length=120,
        help_text="The big headline at the top of the home page, e.g. 'Facebook must not give offenders "
        "a place to hide'.",
    )
    hero_text = models.TextField(
        blank=True,
        max_length=400,
        help_text="Optional. One or two sentences under the headline.",
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional. A wide picture beside the headline.",
    )
    hero_image_alt = models.CharField(
        "hero image alternative text",
        max_length=250,
        blank=True,
        help_text="Required when there is a hero image: describe what it shows for people who cannot see it.",
    )
    hero_link_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="hero button page",
        help_text="Optional. The page the button under the headline opens, usually the campaign page. "
        "With a petition call to action, it is the second button, after the petition's.",
    )
    hero_link_text = models.CharField(
        "hero button text",
        max_length=60,
        blank=True,
        help_text="The words on the button, e.g. 'Read about the campaign'. Needed when a page is chosen.",
    )
    headline_statistics = StreamField(
        [("statistic", StatisticWidgetBlock())],
        blank=True,
        max_num=4,
        help_text="Up to four figures shown large under the headline, e.g. offences a day on Facebook's "
        "apps.",
    )
    petition_call_to_action = StreamField(
        [("petition", PetitionBlock())],
        blank=True,
        max_num=1,
        verbose_name="petition call to action",
        help_text="The open letter, with its live signature count and a button to sign, shown in the hero "
        "under the headline, so that the ask is in the first screen on phones too.",
    )
    body = StreamField(
        BaseStreamBlock(),
        blank=True,
        help_text="The rest of the home page: the campaign in brief, quotes, calls to action.",
    )
    latest_news_count = models.PositiveSmallIntegerField(
        "number of news articles",
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
        help_text="How many of the latest news articles to list at the bottom of the page (0 to 6).",
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_image_alt"),
                FieldPanel("hero_link_page"),
                FieldPanel("hero_link_text"),
            ],
            heading="Hero",
        ),
        FieldPanel("headline_statistics"),
        FieldPanel("petition_call_to_action"),
        FieldPanel("body"),
        FieldPanel("latest_news_count"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("hero_heading"),
        index.SearchField("hero_text"),
        index.SearchField("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "campaign.CampaignPage",
        "campaign.NewsIndexPage",
        "campaign.StandardPage",
        "petitions.PetitionPage",
    ]

    class Meta:
        verbose_name = "home page"

    def clean(self):
        super().clean()
        errors = {}
        if self.hero_image_id and not self.hero_image_alt:
            errors["hero_image_alt"] = "Describe the hero image for people who cannot see it."
        if self.hero_link_page_id and not self.hero_link_text:
            errors["hero_link_text"] = "Give the words for the button, e.g. 'Read about the campaign'."
        if errors:
            raise ValidationError(errors)

    def get_latest_news(self):
        """The newest published articles anywhere under this home page."""
        if not self.latest_news_count:
            return NewsArticlePage.objects.none()
        return (
            NewsArticlePage.objects.live()
            .public()
            .descendant_of(self)
            .order_by("-date", "-first_published_at", "-pk")[: self.latest_news_count]
        )

    def get_hero_image(self):
        """The hero image with its public renditions loaded in the same query."""
        if not self.hero_image_id:
            return None
        return get_images_with_renditions([self.hero_image_id]).get(self.hero_image_id)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = list(self.get_latest_news())
        context["hero_image"] = self.get_hero_image()
        return context
