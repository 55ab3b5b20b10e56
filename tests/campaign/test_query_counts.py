"""Each public page costs the same number of queries whatever its content: none per block or item."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from campaign.models import SignBannerSettings
from core.models import SiteSettings

from .factories import ImageFactory, NewsArticlePageFactory, StandardPageFactory, block, every_block

pytestmark = pytest.mark.django_db


def queries_to_render(client, page):
    """Queries for a warm render: the first one creates image renditions, which happens once."""
    assert client.get(page.url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(page.url).status_code == 200
    # A page served from a whole-page cache would cost nothing and prove nothing.
    assert context.captured_queries, "the page was not rendered"
    return len(context.captured_queries)


def fill_body(page, copies, link_page, demo_petition, demo_widgets):
    """Give the page `copies` of every block, each with its own image and statistic widget."""
    widget_list = list(demo_widgets.values())
    page.body = [
        item
        for number in range(copies)
        for item in every_block(ImageFactory(), link_page, demo_petition, widget_list[number])
    ]
    page.save_revision().publish()


def menu_and_footer(home_page, copies):
    for number in range(copies):
        StandardPageFactory(parent=home_page, slug=f"menu-{copies}-{number}", show_in_menus=True)
    SiteSettings.objects.filter(site__root_page=home_page).update(
        default_share_image=ImageFactory(),
        footer_links=[
            block("link", {"text": f"Link {n}", "link": {"page": home_page.pk, "url": ""}})
            for n in range(copies)
        ],
        social_accounts=[
            block("account", {"network": "x", "url": f"https://x.com/account{n}"}) for n in range(copies)
        ],
    )


@pytest.mark.parametrize("page_fixture", ["campaign_page", "standard_page", "article"])
def test_body_pages_cost_the_same_with_one_or_many_blocks(
    client, request, demo_petition, demo_widgets, page_fixture
):
    page = request.getfixturevalue(page_fixture)
    home = request.getfixturevalue("home_page")
    menu_and_footer(home, 1)
    fill_body(page, 1, home, demo_petition, demo_widgets)
    few = queries_to_render(client, page)

    menu_and_footer(home, 5)
    fill_body(page, 5, home, demo_petition, demo_widgets)
    many = queries_to_render(client, page)
    assert many == few


def test_campaign_demands_cost_nothing_per_demand(client, campaign_page):
    def demands(count):
        items = [{"type": "item", "value": {"title": f"Demand {n}", "detail": ""}} for n in range(count)]
        campaign_page.demands = [block("demands", {"heading": "We ask", "demands": items})]
        campaign_page.save_revision().publish()
        return queries_to_render(client, campaign_page)

    assert demands(1) == demands(8)


def statistics_stream(demo_widgets, count):
    return [
        block("statistic", {"widget": widget.pk, "heading_level": "h2", "width": "text"})
        for widget in list(demo_widgets.values())[:count]
    ]


def test_home_page_costs_the_same_with_few_or_many_items(
    client, home_page, news_index, demo_petition, demo_widgets
):
    home_page.hero_image = ImageFactory()
    home_page.hero_image_alt = "A banner"
    petition_value = {"petition": demo_petition.pk, "heading": "", "display": "link"}
    home_page.petition_call_to_action = [block("petition", petition_value)]
    home_page.save_revision().publish()
    NewsArticlePageFactory(parent=news_index)
    home_page.headline_statistics = statistics_stream(demo_widgets, 1)
    fill_body(home_page, 1, news_index, demo_petition, demo_widgets)
    few = queries_to_render(client, home_page)

    for _ in range(5):
        NewsArticlePageFactory(parent=news_index)
    home_page.headline_statistics = statistics_stream(demo_widgets, 4)
    fill_body(home_page, 4, news_index, demo_petition, demo_widgets)
    many = queries_to_render(client, home_page)
    assert many == few


def test_news_index_costs_the_same_with_one_or_a_full_page_of_tagged_articles(client, news_index):
    first = NewsArticlePageFactory(parent=news_index)
    first.tags.add("East of England")
    first.save_revision().publish()
    few = queries_to_render(client, news_index)

    for number in range(12):
        article = NewsArticlePageFactory(parent=news_index)
        article.tags.add(f"Region {number}", "East of England")
        article.save_revision().publish()
    many = queries_to_render(client, news_index)
    assert many == few


def test_article_costs_the_same_with_one_or_many_region_tags_and_figures(client, article, demo_widgets):
    article.tags.add("East of England")
    article.related_statistics = statistics_stream(demo_widgets, 1)
    article.save_revision().publish()
    few = queries_to_render(client, article)
    article.tags.add(*[f"Region {n}" for n in range(6)])
    article.related_statistics = statistics_stream(demo_widgets, 6)
    article.save_revision().publish()
    assert queries_to_render(client, article) == few


def test_the_sign_banner_costs_a_fixed_few_queries(client, home_page, demo_petition, standard_page):
    without = queries_to_render(client, standard_page)
    SignBannerSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"petition": demo_petition}
    )
    with_banner = queries_to_render(client, standard_page)

    assert "sign-banner" in client.get(standard_page.url).content.decode()
    # The banner's setting and its letter; its facts and count come from the cache.
    assert with_banner - without <= 2, (without, with_banner)
