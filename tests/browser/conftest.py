"""Browser tests: Debian's Chromium driven by Playwright against the site on a live test server.

Playwright cannot download its own browsers on these machines, so the tests launch the `chromium`
binary from the system. Without it they skip locally and fail in CI (env CI set), so a CI run can
never pass by quietly testing nothing.
"""

import json
import mimetypes
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from playwright.sync_api import sync_playwright

from campaign.models import CampaignPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage
from petitions.models import PetitionPage

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
SCREENSHOT_WIDTHS = (375, 1280)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# WCAG 2.0, 2.1 and 2.2 A and AA (axe runs its WCAG 2.2 rules only when asked) and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = ("serious", "critical")
# Rules that block whatever impact axe gives them: two unnamed search landmarks confuse screen reader users.
BLOCKING_RULES = ("landmark-unique",)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        message = "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_FLAGS}


@pytest.fixture(autouse=True)
def browser_test_settings(settings, tmp_path):
    """A robot fills the sign form faster and more often than a person; the count is never cached."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAGE_CACHE_SECONDS = 0
    settings.PETITION_FORM_MIN_SECONDS = 0
    settings.PETITION_SIGN_RATE_LIMIT = 1000
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def migration_data(django_db_setup):
    """What the migrations put in the test database: groups and their permissions, the page root.

    Django serializes it when it creates the test database, because `demo_site` asks for a
    serialized rollback; it is read here, before Playwright starts (see `playwright` below). Content
    types go first, so that nothing restored after them creates one under a new id.
    """
    objects = json.loads(connections[DEFAULT_DB_ALIAS]._test_serialized_contents)
    objects.sort(key=lambda obj: obj["model"] != "contenttypes.contenttype")
    return json.dumps(objects)


@pytest.fixture(scope="package")
def playwright(migration_data):
    """Playwright for this folder's tests only, stopped after the last of them.

    Its sync API keeps an event loop running in the test thread, so Django takes every ORM call in
    the test code for one from async code unless DJANGO_ALLOW_ASYNC_UNSAFE is set (the live server
    answers from its own thread). pytest-playwright's own fixture lives for the whole session, which
    would leave the loop, and the variable, in every test after these. While the loop runs, Django
    also hands the test code a connection object of its own, which does not carry the serialized
    data; so Django's own restore never happens here and `demo_site` restores the data itself.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as started:
            yield started
            connections.close_all()


@pytest.fixture(scope="package")
def browser_type(playwright):
    return playwright.chromium


@pytest.fixture(scope="package")
def browser_context_args():
    return {}


@pytest.fixture(scope="package")
def browser(browser_type, browser_type_launch_args):
    launched = browser_type.launch(**browser_type_launch_args)
    yield launched
    launched.close()


@pytest.fixture
def demo_site(live_server, django_db_serialized_rollback, migration_data):
    """The demo campaign (`manage.py load_demo`) served by the live server; its pages by role.

    It starts from exactly what the migrations made, whatever the tests before left behind, and
    leaves the database as every transactional test does.
    """
    call_command("flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0)
    # Content types come back under their first ids; forget those cached since.
    ContentType.objects.clear_cache()
    connections[DEFAULT_DB_ALIAS].creation.deserialize_db_from_string(migration_data)
    call_command("load_demo", verbosity=0)
    return {
        "home": HomePage.objects.get(),
        "campaign": CampaignPage.objects.get(slug="campaign"),
        "news_index": NewsIndexPage.objects.get(slug="news"),
        "article": NewsArticlePage.objects.live().order_by("pk").first(),
        "standard": StandardPage.objects.get(slug="about"),
        "petition": PetitionPage.objects.get(),
    }


def _serve_media(route):
    """Media comes from the proxy or S3 in production; here, straight from the test's MEDIA_ROOT."""
    relative = unquote(urlparse(route.request.url).path).removeprefix(django_settings.MEDIA_URL)
    path = (Path(django_settings.MEDIA_ROOT) / relative).resolve()
    if path.is_file() and path.is_relative_to(Path(django_settings.MEDIA_ROOT).resolve()):
        route.fulfill(path=path, content_type=mimetypes.guess_type(path.name)[0])
    else:
        route.fulfill(status=404)


@pytest.fixture
def open_browser(new_context, live_server):
    """`open_browser(phone=True, javascript=True, bypass_csp=False)`: a new page in a fresh context.

    `bypass_csp` is only for pages axe checks: Playwright injects axe as an inline script, which the
    site's Content Security Policy rightly refuses.
    """

    def open_page(phone=True, javascript=True, bypass_csp=False):
        context = new_context(
            **(PHONE if phone else DESKTOP),
            base_url=live_server.url,
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            accept_downloads=True,
        )
        context.route(re.compile(r"^https?://[^/]+" + re.escape(django_settings.MEDIA_URL)), _serve_media)
        return context.new_page()

    return open_page


@pytest.fixture
def screenshot(request):
    """`screenshot(page_or_locator, name)`: saved at 375 and 1280 px wide under test-artifacts/.

    A page is taken whole. With UPDATE_SCREENSHOTS=1, `docs=True` also refreshes
    docs/screenshots/<name>-<width>.png for the README, cropped to the window (or the element).
    """
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    update_docs = os.environ.get("UPDATE_SCREENSHOTS") == "1"

    def take(target, name, docs=False):
        page = getattr(target, "page", target)
        whole_page = {"full_page": True} if target is page else {}
        folder.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size
        for width in SCREENSHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": original["height"]})
            target.screenshot(path=folder / f"{name}-{width}.png", **whole_page)
            if docs and update_docs:
                DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                target.screenshot(path=DOCS_SCREENSHOTS / f"{name}-{width}.png")
        page.set_viewport_size(original)

    return take


def axe(page):
    """Run axe-core on the page; one readable line per blocking violation (empty: none).

    Blocking: serious or critical, or one of `BLOCKING_RULES`.
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` in {ROOT}", pytrace=False)
    page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS or violation["id"] in BLOCKING_RULES
    ]
