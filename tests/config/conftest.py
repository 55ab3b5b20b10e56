"""Fixtures for the site-wide plumbing tests: a minimal public Wagtail page.

A bare Wagtail `Page` (rendered with Wagtail's own template) is enough here, so these tests do not
depend on the campaign's page types.
"""

import pytest
from wagtail.models import Page, Site


@pytest.fixture
def public_page(db):
    """A live page served at http://testserver/ (its own site), with a live child at /child/."""
    root = Page.get_first_root_node()
    page = root.add_child(instance=Page(title="Plumbing test home", slug="plumbing-home"))
    Site.objects.create(hostname="testserver", port=80, root_page=page, site_name="Test")
    page.add_child(instance=Page(title="Plumbing test child", slug="child"))
    return page
