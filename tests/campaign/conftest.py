"""Fixtures for the campaign tests: a site whose root is a campaign home page."""

import pytest

from petitions.demo import create_demo_petition
from statistics.demo import create_demo_widgets

from .factories import (
    CampaignPageFactory,
    ImageFactory,
    NewsArticlePageFactory,
    NewsIndexPageFactory,
    StandardPageFactory,
    build_site,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and generated images go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def home(db):
    return build_site()


@pytest.fixture
def campaign_page(home):
    return CampaignPageFactory(parent=home, slug="campaign")


@pytest.fixture
def news_index(home):
    return NewsIndexPageFactory(parent=home, slug="news")


@pytest.fixture
def article(news_index):
    return NewsArticlePageFactory(parent=news_index, slug="first-article")


@pytest.fixture
def standard_page(home):
    return StandardPageFactory(parent=home, slug="about", title="About")


@pytest.fixture
def petition(home):
    return create_demo_petition(home)


@pytest.fixture
def widgets(db):
    """The statistics app's demo widgets over the FOI figures, by name."""
    return create_demo_widgets()


@pytest.fixture
def image(db):
    return ImageFactory()


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "a-long-test-password")
    # Named explicitly: the first configured backend (django-axes) cannot restore a user.
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
