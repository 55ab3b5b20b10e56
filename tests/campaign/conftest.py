"""Fixtures for the campaign tests: pages under the campaign home page (`home_page`, in tests/conftest.py)."""

import pytest

from .factories import (
    CampaignPageFactory,
    ImageFactory,
    NewsArticlePageFactory,
    NewsIndexPageFactory,
    StandardPageFactory,
)


@pytest.fixture
def campaign_page(home_page):
    return CampaignPageFactory(parent=home_page, slug="campaign")


@pytest.fixture
def news_index(home_page):
    return NewsIndexPageFactory(parent=home_page, slug="news")


@pytest.fixture
def article(news_index):
    return NewsArticlePageFactory(parent=news_index, slug="first-article")


@pytest.fixture
def standard_page(home_page):
    return StandardPageFactory(parent=home_page, slug="about", title="About")


@pytest.fixture
def image(db):
    return ImageFactory()
