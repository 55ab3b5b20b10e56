"""Fixtures for the site-wide plumbing tests: a minimal public Wagtail page.

A bare Wagtail `Page` (rendered with Wagtail's own template) is enough here, so these tests do not
depend on the campaign's page types.
"""

import re

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


FORM_PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><title>{{ page.title }}</title></head><body>
<h1>{{ page.title }}</h1>
<p>{% for n in "0123456789" %}A sentence, so that the page is long enough to compress. {% endfor %}</p>
<form method="post" action="/">{% csrf_token %}<button>Send</button></form>
</body></html>"""

TOKEN_IN_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture
def pages_with_a_form(settings, tmp_path):
    """Render every bare Wagtail page with a POST form carrying a CSRF token."""
    (tmp_path / "wagtailcore").mkdir()
    (tmp_path / "wagtailcore" / "page.html").write_text(FORM_PAGE_TEMPLATE)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
