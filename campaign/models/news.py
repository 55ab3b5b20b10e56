"""News: the index of press releases (paginated, filterable by region, with feeds) and the articles."""

import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from campaign.blocks import BaseStreamBlock
from campaign.feeds import NewsAtomFeed, NewsRssFeed
from statistics.blocks import StatisticWidgetBlock

from .sharing import SharingFieldsMixin

ARTICLES_PER_PAGE = 10


class NewsArticleTag(TaggedItemBase):
    """Links an article to a region tag, e.g. 'East of England'."""

    content_object = ParentalKey(
        "campaign.NewsArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class NewsIndexPage(RoutablePageMixin, SharingFieldsMixin, Page):
    intro = models.TextField(
        blank=True,
        max_length=500,
        help_text="Optional. A sentence or two shown above the list of articles.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["campaign.HomePage"]
    subpage_types = ["campaign.NewsArticlePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "news index page"

    def get_articles(self):
        """The published articles under this index, newest first."""
        return (
            NewsArticlePage.objects.live()
            .public()
            .child_of(self)
            .order_by("-date", "-first_published_at", "-pk")
        )

    def get_region_tags(self):
        """The tags used by at least one published article of this index, for the filter."""
        return (
            Tag.objects.filter(campaign_newsarticletag_items__content_object__in=self.get_articles())
            .distinct()
            .order_by("name")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = self.get_articles()
        region_tags = list(self.get_region_tags())
        selected_tag = next((tag for tag in region_tags if tag.slug == request.GET.get("tag")), None)
        if selected_tag is not None:
            articles = articles.filter(tags=selected_tag)
        context["region_tags"] = region_tags
        context["selected_tag"] = selected_tag
        context["unknown_tag"] = bool(request.GET.get("tag")) and selected_tag is None
        context["articles"] = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
        # Page links keep the region filter; the canonical address of a filtered list keeps it too.
        context["query_prefix"] = urlencode({"tag": selected_tag.slug}) if selected_tag else ""
        context["canonical_query"] = context["query_prefix"]
        return context

    @path("feed/", name="rss_feed")
    def rss_feed(self, request):
        return NewsRssFeed()(request, index=self)

    @path("feed/atom/", name="atom_feed")
    def atom_feed(self, request):
        return NewsAtomFeed()(request, index=self)


class NewsArticlePage(SharingFieldsMixin, Page):
    date = models.DateField(
        "publication date",
        default=datetime.date.today,
        help_text="The date the news was released. Articles are listed newest first by this date.",
    )
    standfirst = models.TextField(
        max_length=400,
        help_text="The summary under the headline: the news in one or two sentences. "
        "Also used in the news list and feeds.",
    )
    tags = ClusterTaggableManager(
        through=NewsArticleTag,
        blank=True,
        verbose_name="regions",
        help_text="Optional. The regions the article is about, e.g. 'East of England'. "
        "Visitors can list the news for a region.",
    )
    body = StreamField(
        BaseStreamBlock(),
        blank=True,
        help_text="The article: text, quotes, figures and images.",
    )
    related_statistics = StreamField(
        [("statistic", StatisticWidgetBlock())],
        blank=True,
        help_text="Figures from the campaign's data that back the article, shown after it under the heading "
        "'The figures'. Choose 'Heading 3' for their titles.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("standfirst"),
        FieldPanel("tags"),
        FieldPanel("body"),
        FieldPanel("related_statistics"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    parent_page_types = ["campaign.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "news article"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["regions"] = list(self.tags.order_by("name"))
        context["news_index"] = self.get_parent()
        return context
