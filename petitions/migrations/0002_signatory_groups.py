"""Groups that may see signatories: "Campaign staff" and "Data protection officer".

Django creates model permissions after migrations run, so the permissions are made here
(matching what Django would make) before the groups are given them. Wagtail's "Editors" and
"Moderators" get no signature permission: they publish content but see no personal data.
"""

from django.db import migrations

SIGNATURE_PERMISSIONS = {
    "view_signature": "Can view signature",
    "export_signature": "Can export signatories",
    "manage_signature": "Can invalidate and restore signatories",
    "erase_signature": "Can erase signatories' personal data",
}

GROUPS = {
    "Campaign staff": ["view_signature", "export_signature", "manage_signature"],
    "Data protection officer": ["view_signature", "export_signature", "manage_signature", "erase_signature"],
}


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    signature_type, _ = ContentType.objects.get_or_create(app_label="petitions", model="signature")
    permissions = {
        codename: Permission.objects.get_or_create(
            content_type=signature_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in SIGNATURE_PERMISSIONS.items()
    }
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )

    for group_name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(access_admin, *(permissions[codename] for codename in codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
