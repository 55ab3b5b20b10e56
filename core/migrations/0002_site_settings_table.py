"""SiteSettings' table becomes core's own, and its content type moves with it.

Moving the content type (rather than letting Django make a new one) keeps the "Can change site
settings" permission groups hold, and the settings' history in Wagtail's log.
"""

from django.db import migrations


def move_content_type(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.db_manager(schema_editor.connection.alias)
    if not types.filter(app_label=target, model="sitesettings").exists():
        types.filter(app_label=source, model="sitesettings").update(app_label=target)


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="campaign", target="core")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="core", target="campaign")


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0004_site_settings_moved_to_core'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(name='sitesettings', table=None),
        migrations.RunPython(forwards, backwards),
    ]
