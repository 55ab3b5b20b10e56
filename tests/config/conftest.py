"""Fixtures for the site-wide plumbing tests: a minimal public Wagtail page and an editor.

A bare Wagtail `Page` (rendered with Wagtail's own template) is enough here, so these tests do not
depend on the campaign's page types.
"""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page, Site


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads in these tests go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def public_page(db):
    """A live page served at http://testserver/ (its own site), with a live child at /child/."""
    root = Page.get_first_root_node()
    page = root.add_child(instance=Page(title="Plumbing test home", slug="plumbing-home"))
    Site.objects.create(hostname="testserver", port=80, root_page=page, site_name="Test")
    page.add_child(instance=Page(title="Plumbing test child", slug="child"))
    return page


EDITOR_PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account's)


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser(
        username="ada.lovelace", email="ada@example.org", password=EDITOR_PASSWORD
    )
