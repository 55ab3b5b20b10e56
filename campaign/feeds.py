"""RSS and Atom feeds of a news index's articles, served from the index page's own URL."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

FEED_LENGTH = 20


class NewsRssFeed(Feed):
    """The latest published articles of one news index, newest first."""

    def get_object(self, request, index):
        self.request = request
        return index

    def title(self, index):
        return index.title

    def link(self, index):
        return index.get_full_url(request=self.request)

    def description(self, index):
        return index.search_description or index.intro or index.title

    def items(self, index):
        # Only the feeds show the articles' tags (as categories); the news list does not load them.
        return index.get_articles().prefetch_related("tags")[:FEED_LENGTH]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.standfirst

    def item_link(self, article):
        return article.get_full_url(request=self.request)

    def item_pubdate(self, article):
        # Articles carry a date, not a time: noon in the site's time zone keeps the day right
        # in every reader's time zone from UTC-11 to UTC+11.
        return timezone.make_aware(datetime.datetime.combine(article.date, datetime.time(12)))

    def item_updateddate(self, article):
        return article.last_published_at

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, index):
        return self.description(index)
