"""Editors can only build a sensible tree, and every page type routes and renders."""

import tempfile

from django.test import override_settings
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from campaign.models import CampaignPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage
from petitions.models import PetitionPage

from .factories import (
    CampaignPageFactory,
    HomePageFactory,
    NewsArticlePageFactory,
    NewsIndexPageFactory,
    StandardPageFactory,
    build_site,
)


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
class PageTreeRulesTest(WagtailPageTestCase):
    def test_home_page_lives_only_at_the_top_of_the_tree(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(CampaignPage, HomePage)

    def test_home_page_offers_the_campaign_sections_and_the_petition(self):
        self.assertAllowedSubpageTypes(HomePage, {CampaignPage, NewsIndexPage, StandardPage, PetitionPage})
        self.assertCanCreateAt(HomePage, PetitionPage)

    def test_campaign_page_sits_under_home_and_holds_standard_pages_and_petitions(self):
        self.assertAllowedParentPageTypes(CampaignPage, {HomePage})
        self.assertAllowedSubpageTypes(CampaignPage, {StandardPage, PetitionPage})
        self.assertCanCreateAt(CampaignPage, PetitionPage)
        self.assertCanNotCreateAt(CampaignPage, NewsArticlePage)

    def test_articles_live_only_in_a_news_index(self):
        self.assertAllowedParentPageTypes(NewsArticlePage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsArticlePage})
        self.assertAllowedSubpageTypes(NewsArticlePage, set())
        self.assertCanNotCreateAt(HomePage, NewsArticlePage)
        self.assertCanNotCreateAt(StandardPage, NewsArticlePage)

    def test_standard_pages_nest_under_home_campaign_and_each_other(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, CampaignPage, StandardPage})
        self.assertCanCreateAt(StandardPage, StandardPage)
        self.assertCanNotCreateAt(NewsIndexPage, StandardPage)

    def test_a_second_news_index_cannot_be_added_to_the_same_home_page(self):
        home = build_site()
        NewsIndexPageFactory(parent=home, slug="news")
        self.assertFalse(NewsIndexPage.can_create_at(home))
        second_home = HomePageFactory(parent=Page.get_first_root_node(), slug="second-site")
        self.assertTrue(NewsIndexPage.can_create_at(second_home))


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
class PagesRouteAndRenderTest(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = build_site()
        cls.campaign = CampaignPageFactory(parent=cls.home, slug="campaign")
        cls.news = NewsIndexPageFactory(parent=cls.home, slug="news")
        cls.article = NewsArticlePageFactory(parent=cls.news, slug="an-article")
        cls.standard = StandardPageFactory(parent=cls.home, slug="about")

    def test_every_page_type_is_routable(self):
        for page in (self.home, self.campaign, self.news, self.article, self.standard):
            with self.subTest(page=page.specific_class.__name__):
                self.assertPageIsRoutable(page)

    def test_every_page_type_renders(self):
        for page in (self.home, self.campaign, self.news, self.article, self.standard):
            with self.subTest(page=page.specific_class.__name__):
                self.assertPageIsRenderable(page)

    def test_the_news_feeds_are_routes_of_the_news_index(self):
        self.assertPageIsRoutable(self.news, "feed/")
        self.assertPageIsRoutable(self.news, "feed/atom/")
        self.assertPageIsRenderable(self.news, "feed/")
