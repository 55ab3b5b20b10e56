"""Suite-wide set-up, and the fixtures every part of the suite shares, each named once for what it is.

The database must answer before anything runs. People: `superuser`, and a member of each group the
migrations make (`editor`, `moderator`, `data_staff`, `campaign_staff`, `data_protection_officer`),
all with `PASSWORD`; `superuser_client` is the test client signed in as the superuser. Pages:
`home_page` is campaign's `HomePage` at the site's root, with site settings; `plain_home_page` is a
bare Wagtail page there instead, for the apps below campaign. Content: `petition` (a live open letter
on the plain home page), the demo's own letter (`demo_petition`, on the campaign home page), dataset
and widgets, and `page_showing(widget)` (a page with a widget on it). Uploads go to a temporary
folder; the demo's words can be edited for one test.
"""

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connections
from django.utils.text import slugify
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, ReferenceIndex, Site

from petitions.demo import create_demo_petition
from statistics.demo import create_demo_widgets, load_demo_dataset
from tests.campaign.factories import StandardPageFactory, block, build_site
from tests.petitions.factories import PetitionPageFactory

# Every test account's password: long enough for the admin's validators, typed by the browser tests.
PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only


def pytest_configure(config):
    database = settings.DATABASES["default"]
    if not _on_postgresql():
        return
    try:
        psycopg.connect(
            dbname="postgres",
            user=database["USER"],
            password=database["PASSWORD"],
            host=database["HOST"],
            port=database["PORT"] or 5432,
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as error:
        pytest.exit(
            f"No PostgreSQL answers at {database['HOST']}:{database['PORT'] or 5432} ({error}).\n"
            "Start one (on Debian: pg_ctlcluster 15 main start) or point DATABASE_URL at one, "
            "e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/wildwestweb",
            returncode=2,
        )


def _on_postgresql():
    # By the backend's vendor: the project's engine is Django's PostgreSQL backend subclassed.
    return connections["default"].vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    if _on_postgresql():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def edit_demo_words(monkeypatch, tmp_path):
    """`edit_demo_words(module, [(old, new), ...])`: for this test, `module` (campaign.demo, petitions.demo or
    statistics.demo) reads a copy of its demo.toml with each `old` text replaced, as a campaigner would."""

    def edit(module, replacements):
        text = module.DEMO_CONTENT.read_text()
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / f"{module.__name__.replace('.', '-')}.toml"
        path.write_text(text)
        monkeypatch.setattr(module, "DEMO_CONTENT", path)

    return edit


@pytest.fixture
def counting_cache(settings):
    """The default cache, empty and counting its round trips (`counting_cache.round_trips`)."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "tests.counting_cache.CountingLocMemCache", "LOCATION": "counting-cache"}
    }
    cache.clear()
    cache.round_trips.clear()
    return cache


@pytest.fixture
def page_cache_on(settings):
    """Switch the page cache on (the tests' default is off) with an empty cache."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()


@pytest.fixture(autouse=True)
def no_pages_kept_in_memory():
    """No test sees a page an earlier one left in this process's memory (`core.page_cache.local`): the
    shared cache is emptied between tests, and a page kept from another test's database would be wrong."""
    from core.page_cache import local

    local.forget_all()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


# People ----------------------------------------------------------------------------------------------


@pytest.fixture
def make_staff(db, django_user_model):
    """`make_staff(group_name, username=None)`: a user in one of the groups the migrations make."""

    def make(group_name, username=None):
        username = username or slugify(group_name)
        user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("ada.lovelace", "ada@example.org", PASSWORD)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def editor(make_staff):
    """A member of Wagtail's "Editors": edits pages, images and widgets; no personal data, no imports."""
    return make_staff("Editors", "edith")


@pytest.fixture
def moderator(make_staff):
    """A member of Wagtail's "Moderators": approves what editors submit (the "Campaign review" workflow)."""
    return make_staff("Moderators", "mo")


@pytest.fixture
def data_staff(make_staff):
    """A member of "Data staff" (statistics' migration): manages the datasets and imports files."""
    return make_staff("Data staff")


@pytest.fixture
def campaign_staff(make_staff):
    """A member of "Campaign staff" (petitions' migration): sees, exports and invalidates signatures."""
    return make_staff("Campaign staff")


@pytest.fixture
def data_protection_officer(make_staff):
    """A member of "Data protection officer": what campaign staff may do, and erasing people's data."""
    return make_staff("Data protection officer", "dpo")


# Pages and content -----------------------------------------------------------------------------------


@pytest.fixture
def home_page(db):
    """Campaign's `HomePage` as the default site's root, with the site's settings."""
    return build_site()


@pytest.fixture
def plain_home_page(db):
    """A bare Wagtail page as the default site's root, for the apps campaign stands on; built again if
    missing (a transactional test empties every table)."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.get_children().filter(slug="petitions-home").first()
    if home is None:
        home = root.add_child(instance=Page(title="Home", slug="petitions-home"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"},
    )
    return home


@pytest.fixture
def petition(plain_home_page):
    """A live open letter on the plain home page."""
    return PetitionPageFactory(parent=plain_home_page)


@pytest.fixture
def demo_petition(home_page):
    """The demo's open letter (petitions' demo content) on the campaign home page."""
    return create_demo_petition(home_page)


@pytest.fixture
def demo_dataset(db):
    """The demo's FOI dataset, with the reference file imported."""
    return load_demo_dataset()


@pytest.fixture
def demo_widgets(demo_dataset):
    """The demo's statistic widgets over the FOI figures, by their names in statistics/demo.toml."""
    return create_demo_widgets()


@pytest.fixture
def page_showing(home_page):
    """`page_showing(widget, text="", slug=...)`: a published standard page with the widget in its body,
    after a paragraph of `text` (a page whose own words may quote the widget's figure)."""

    def make(widget, text="", **kwargs):
        body = [block("text", f"<p>{text}</p>")] if text else []
        body.append(block("statistic", {"widget": widget.pk, "heading_level": "h2"}))
        page = StandardPageFactory(parent=home_page, body=body, **kwargs)
        # Wagtail records the page's references in a task; the worker cannot run inside a test's
        # transaction (it closes the connection), so this does what the task does.
        ReferenceIndex.create_or_update_for_object(page)
        return page

    return make
