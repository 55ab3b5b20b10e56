"""Data staff look after measures' short names as they do areas' and platforms': add, change and view."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MEASURE_PERMISSIONS = ["add_measure", "change_measure", "view_measure"]


def grant(apps, schema_editor):
    # As in 0002: the permissions of a model new in this migration run do not exist yet.
    app_config = apps.get_app_config("statistics")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = Permission.objects.filter(content_type__app_label="statistics", codename__in=MEASURE_PERMISSIONS)
    for group in Group.objects.filter(name="Data staff"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = Permission.objects.filter(content_type__app_label="statistics", codename__in=MEASURE_PERMISSIONS)
    for group in Group.objects.filter(name="Data staff"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("statistics", "0005_short_names_for_the_foi_data")]

    operations = [migrations.RunPython(grant, revoke)]
