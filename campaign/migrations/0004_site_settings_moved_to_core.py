"""SiteSettings now belongs to the core app (core.models); its table and rows go with it (core 0002)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0003_shared_heading_levels'),
        ('core', '0001_initial'),
    ]

    operations = [
        # Campaign stops describing the model; the table is core's from core 0001 on.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SiteSettings')],
            database_operations=[],
        ),
    ]
