"""SiteSettings moved from campaign to core: a site's settings, and who may change them, survive it."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import SiteSettings

BEFORE_THE_MOVE = [("core", None), ("campaign", "0003_shared_heading_levels")]


def migrate(targets):
    """Migrate the test database to `targets`; the models as they stand there."""
    MigrationExecutor(connection).migrate(targets)
    # A fresh executor reads what is applied now.
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_site_settings_row_and_the_permission_to_change_it_survive_the_move_to_core():
    old_apps = migrate(BEFORE_THE_MOVE)
    ContentType.objects.clear_cache()
    OldSiteSettings = old_apps.get_model("campaign", "SiteSettings")
    Site = old_apps.get_model("wagtailcore", "Site")
    site = Site.objects.get(is_default_site=True)
    OldSiteSettings.objects.create(site_id=site.pk, organisation_name="NSPCC", x_handle="@NSPCC")
    old_type = old_apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="campaign", model="sitesettings"
    )
    permission = old_apps.get_model("auth", "Permission").objects.get(
        content_type_id=old_type.pk, codename="change_sitesettings"
    )
    editors = Group.objects.create(name="Settings editors")
    editors.permissions.add(permission.pk)

    migrate(latest())
    ContentType.objects.clear_cache()

    settings = SiteSettings.objects.get(site_id=site.pk)
    assert (settings.organisation_name, settings.x_handle) == ("NSPCC", "@NSPCC")
    assert SiteSettings._meta.db_table == "core_sitesettings"
    assert ContentType.objects.get_for_model(SiteSettings).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="campaign", model="sitesettings").exists()
    editor = editors.user_set.create(username="settings-editor")
    assert editor.has_perm("core.change_sitesettings")
