"""Campaign staff may write, approve and send updates to signers; Editors and Moderators may not.

As in 0002, the permissions are made here (matching what Django would make after migrating) before the
group is given them.
"""

from django.db import migrations

UPDATE_PERMISSIONS = {
    "send_petitionupdate": "Can write, approve and send updates to signers",
    "view_petitionupdate": "Can view update to signers",
    "add_petitionupdate": "Can add update to signers",
    "change_petitionupdate": "Can change update to signers",
}
GROUP = "Campaign staff"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    update_type, _ = ContentType.objects.get_or_create(app_label="petitions", model="petitionupdate")
    permissions = [
        Permission.objects.get_or_create(content_type=update_type, codename=codename, defaults={"name": name})[0]
        for codename, name in UPDATE_PERMISSIONS.items()
    ]
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="petitions", codename__in=list(UPDATE_PERMISSIONS)
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0007_updates_revisions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
