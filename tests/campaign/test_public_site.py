"""What visitors and search engines see: the frame, sharing tags, news lists, feeds, sitemap, errors."""

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree as ET
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import path

from core.models import SiteSettings

from .factories import ImageFactory, NewsArticlePageFactory, StandardPageFactory, block

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def test_every_page_has_landmarks_a_skip_link_and_one_top_heading(client, home_page, campaign_page):
    soup = soup_of(client.get(campaign_page.url))
    skip = soup.find("a", class_="skip-link")
    assert skip["href"] == "#main-content"
    assert soup.find("main", id="main-content")
    assert soup.find("header") and soup.find("footer")
    assert soup.find("nav", attrs={"aria-label": "Main"})
    assert [h.get_text() for h in soup.find_all("h1")] == ["The campaign"]
    assert soup.html["lang"] == "en-GB"
    assert soup.find("label", attrs={"for": "site-search-query"})


def test_pages_use_no_inline_scripts_handlers_or_styles(client, home_page, campaign_page):
    html = client.get(campaign_page.url).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert all(script.get("src") for script in soup.find_all("script"))
    assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)
    assert not soup.find_all(style=True)


def test_main_navigation_lists_menu_pages_and_marks_the_current_section(
    client, home_page, news_index, article
):
    StandardPageFactory(parent=home_page, slug="hidden", title="Hidden", show_in_menus=False)
    soup = soup_of(client.get(article.url))
    links = soup.select("nav[aria-label=Main] a")
    assert [(a.get_text(), a["href"]) for a in links] == [("Home", "/"), ("News", "/news/")]
    assert [a.get_text() for a in links if a.get("aria-current") == "page"] == ["News"]


def test_meta_tags_give_title_description_canonical_and_site_default_share_image(client, home_page, article):
    default_image = ImageFactory(description="The campaign's banner")
    SiteSettings.objects.filter(site__root_page=home_page).update(
        default_share_image=default_image, x_handle="@NSPCC"
    )
    article.search_description = "Nearly 500 crimes in the region."
    article.save_revision().publish()

    soup = soup_of(client.get(article.url))

    def meta(key):
        tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
        return tag["content"] if tag else None

    assert soup.title.get_text() == f"{article.title} | Wild West Web"
    assert meta("description") == "Nearly 500 crimes in the region."
    assert soup.find("link", rel="canonical")["href"] == "http://localhost/news/first-article/"
    assert meta("og:url") == "http://localhost/news/first-article/"
    assert meta("og:type") == "article"
    assert meta("og:title") == article.title
    assert meta("twitter:card") == "summary_large_image"
    assert meta("twitter:site") == "@NSPCC"
    assert meta("og:image").startswith("http://localhost/media/images/")
    assert "fill-1200x630" in meta("og:image")
    assert meta("og:image:alt") == "The campaign's banner"


def test_a_pages_own_share_image_wins_over_the_site_default(client, home_page, standard_page):
    SiteSettings.objects.filter(site__root_page=home_page).update(
        default_share_image=ImageFactory(title="Default")
    )
    own = ImageFactory(title="Own")
    standard_page.share_image = own
    standard_page.save_revision().publish()
    soup = soup_of(client.get(standard_page.url))
    assert (
        f"/{own.file.name.split('/')[-1].rsplit('.', 1)[0]}."
        in soup.find("meta", property="og:image")["content"]
    )


def test_without_any_share_image_no_image_tags_are_given(client, home_page):
    soup = soup_of(client.get(home_page.url))
    assert soup.find("meta", property="og:image") is None
    assert soup.find("meta", property="og:title")["content"] == home_page.title


def test_footer_shows_settings_links_social_accounts_and_the_privacy_notice(client, home_page, standard_page):
    SiteSettings.objects.filter(site__root_page=home_page).update(
        organisation_name="NSPCC campaigns",
        privacy_notice_page=standard_page,
        footer_links=[
            block("link", {"text": "NSPCC", "link": {"page": None, "url": "https://www.nspcc.org.uk/"}})
        ],
        social_accounts=[block("account", {"network": "facebook", "url": "https://www.facebook.com/nspcc"})],
    )
    soup = soup_of(client.get(home_page.url))
    footer = soup.find("footer")
    assert [(a.get_text(), a["href"]) for a in footer.select("nav a")] == [
        ("NSPCC", "https://www.nspcc.org.uk/"),
        ("Privacy notice", "/about/"),
    ]
    assert footer.find("a", class_="social-account--facebook")["href"] == "https://www.facebook.com/nspcc"
    assert soup.title.get_text().endswith("| NSPCC campaigns")


def test_home_page_lists_the_latest_published_news_only(client, home_page, news_index):
    for day in range(1, 6):
        NewsArticlePageFactory(parent=news_index, title=f"Day {day}", date=f"2019-11-0{day}")
    draft = NewsArticlePageFactory(parent=news_index, title="Draft", date="2019-12-01")
    draft.unpublish()
    soup = soup_of(client.get(home_page.url))
    titles = [h.get_text(strip=True) for h in soup.select(".latest-news h3")]
    assert titles == ["Day 5", "Day 4", "Day 3"]


def test_news_index_is_paginated_newest_first(client, news_index):
    for number in range(12):
        NewsArticlePageFactory(
            parent=news_index, title=f"Article {number:02}", date=f"2019-10-{number + 1:02}"
        )
    first = soup_of(client.get(news_index.url))
    assert [h.get_text(strip=True) for h in first.select(".article-summary h2")][:2] == [
        "Article 11",
        "Article 10",
    ]
    assert len(first.select(".article-summary")) == 10
    assert first.find("a", rel="next")["href"] == "?page=2"
    second = soup_of(client.get(news_index.url, {"page": 2}))
    assert [h.get_text(strip=True) for h in second.select(".article-summary h2")] == [
        "Article 01",
        "Article 00",
    ]
    assert soup_of(client.get(news_index.url, {"page": "nonsense"})).select(".article-summary")


def test_news_index_filters_by_region_tag_and_keeps_the_filter_across_pages(client, news_index):
    east = NewsArticlePageFactory(parent=news_index, title="East news")
    east.tags.add("East of England")
    east.save_revision().publish()
    NewsArticlePageFactory(parent=news_index, title="National news")

    soup = soup_of(client.get(news_index.url, {"tag": "east-of-england"}))
    assert [h.get_text(strip=True) for h in soup.select(".article-summary h2")] == ["East news"]
    assert soup.h1.get_text() == "News: East of England"
    assert soup.find("option", selected=True)["value"] == "east-of-england"
    assert soup.find("link", rel="canonical")["href"].endswith("/news/?tag=east-of-england")

    unknown = soup_of(client.get(news_index.url, {"tag": "atlantis"}))
    assert "no news for that region" in unknown.find(role="status").get_text()
    assert len(unknown.select(".article-summary")) == 2


def test_article_links_its_regions_to_the_filtered_news_list(client, article):
    article.tags.add("East of England")
    article.save_revision().publish()
    soup = soup_of(client.get(article.url))
    assert soup.select_one(".article__meta a")["href"] == "/news/?tag=east-of-england"


def test_rss_and_atom_feeds_list_published_articles_with_full_links(client, news_index, article):
    article.tags.add("East of England")
    article.save_revision().publish()
    rss = client.get(news_index.url + "feed/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(rss.content).find("channel")
    item = channel.find("item")
    assert item.findtext("title") == article.title
    assert item.findtext("link") == "http://localhost/news/first-article/"
    assert item.findtext("description") == article.standfirst
    assert item.findtext("category") == "East of England"

    atom = client.get(news_index.url + "feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    namespace = {"atom": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(atom.content).findall("atom:entry", namespace)
    assert [entry.findtext("atom:title", namespaces=namespace) for entry in entries] == [article.title]

    soup = soup_of(client.get(news_index.url))
    assert soup.find("link", type="application/rss+xml")["href"] == "/news/feed/"


def test_sitemap_lists_live_pages_and_robots_txt_points_at_it(client, home_page, campaign_page, article):
    draft = StandardPageFactory(parent=home_page, slug="draft")
    draft.unpublish()
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {loc.text for loc in ET.fromstring(sitemap.content).findall("s:url/s:loc", namespace)}
    assert {
        "http://localhost/",
        "http://localhost/campaign/",
        "http://localhost/news/first-article/",
    } <= locations
    assert "http://localhost/draft/" not in locations

    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    lines = robots.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_unknown_address_gets_the_friendly_404_page(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "Page not found"
    assert soup.find("nav", attrs={"aria-label": "Main"})
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_500_page_renders_without_a_request_or_database():
    html = render_to_string("500.html")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text() == "Sorry, something went wrong"
    assert soup.find("main", id="main-content")


def broken_view(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [path("broken/", broken_view)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_crash_shows_the_500_page(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert b"Sorry, something went wrong" in response.content


def test_each_region_filter_of_the_news_list_is_cached_on_its_own(client, news_index, settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    east = NewsArticlePageFactory(parent=news_index, title="East news")
    east.tags.add("East of England")
    east.save_revision().publish()
    NewsArticlePageFactory(parent=news_index, title="National news")
    client.get(news_index.url)
    client.get(news_index.url, {"tag": "east-of-england"})

    everything = client.get(news_index.url)
    east_only = client.get(news_index.url, {"tag": "east-of-england"})

    assert everything["X-Page-Cache"] == east_only["X-Page-Cache"] == "HIT"
    assert len(soup_of(everything).select(".article-summary")) == 2
    assert [h.get_text(strip=True) for h in soup_of(east_only).select(".article-summary h2")] == ["East news"]
