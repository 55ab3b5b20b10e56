"""The "Data staff" group, who look after the FOI data and may import it, and widget editing for editors.

Django creates model permissions only after all migrations have run, so they are created here first
(exactly as Django would) before groups are given them. "Data staff" may add, change and view datasets,
observations, areas, platforms and periods, delete an observation, and import files; Wagtail's "Editors"
and "Moderators" (if present) may build statistic widgets but not change the data.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DATA_MODELS = ["dataset", "observation", "area", "platform", "period"]
DATA_STAFF_PERMISSIONS = [
    *(f"{action}_{model}" for model in DATA_MODELS for action in ("add", "change", "view")),
    "delete_observation",
    "import_observations",
]
WIDGET_PERMISSIONS = ["add_statisticwidget", "change_statisticwidget", "delete_statisticwidget"]
EDITOR_GROUPS = ["Editors", "Moderators"]


def create_groups(apps, schema_editor):
    app_config = apps.get_app_config("statistics")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    statistics_permissions = Permission.objects.filter(content_type__app_label="statistics")

    data_staff, _ = Group.objects.get_or_create(name="Data staff")
    data_staff.permissions.add(access_admin, *statistics_permissions.filter(codename__in=DATA_STAFF_PERMISSIONS))
    for group in Group.objects.filter(name__in=EDITOR_GROUPS):
        group.permissions.add(*statistics_permissions.filter(codename__in=WIDGET_PERMISSIONS))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="Data staff").delete()
    Permission = apps.get_model("auth", "Permission")
    widget_permissions = Permission.objects.filter(
        content_type__app_label="statistics", codename__in=WIDGET_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=EDITOR_GROUPS):
        group.permissions.remove(*widget_permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
