"""SiteSettings moved from campaign to core: a site's settings, and who may change them, survive it."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from core.models import SiteSettings

BEFORE_THE_MOVE = [("core", None), ("campaign", "0003_shared_heading_levels")]


def migrate(targets):
    """Migrate the test database to `targets`; the models as they stand there."""
    MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    # A fresh executor reads what is applied now.
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_site_settings_row_and_the_permission_to_change_it_survive_the_move_to_core():
    # Another test's flush may have emptied what Wagtail's migrations create.
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    site = Site.objects.create(hostname="settings-move.example", root_page=root, site_name="Move")
    SiteSettings.objects.create(site=site, organisation_name="NSPCC", x_handle="@NSPCC")
    settings_type = ContentType.objects.get_for_model(SiteSettings)
    may_change = Permission.objects.get(content_type=settings_type, codename="change_sitesettings")
    editors = Group.objects.create(name="Settings editors")
    editors.permissions.add(may_change)

    try:
        old_apps = migrate(BEFORE_THE_MOVE)
        old_settings = old_apps.get_model("campaign", "SiteSettings").objects.get(site_id=site.pk)
        old_type = old_apps.get_model("contenttypes", "ContentType").objects.get(pk=settings_type.pk)
    finally:
        # Whatever happened, the other tests get the database as the code expects it.
        migrate(latest())

    assert (old_settings.organisation_name, old_type.app_label) == ("NSPCC", "campaign")
    moved = SiteSettings.objects.get(site=site)
    assert (moved.organisation_name, moved.x_handle) == ("NSPCC", "@NSPCC")
    assert SiteSettings._meta.db_table == "core_sitesettings"
    assert ContentType.objects.get_for_model(SiteSettings).pk == settings_type.pk
    assert not ContentType.objects.filter(app_label="campaign", model="sitesettings").exists()
    editor = editors.user_set.create(username="settings-editor")
    assert editor.has_perm("core.change_sitesettings")
