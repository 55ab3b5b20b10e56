"""Short names for sentences for the FOI data's platforms and measures, where a database holds them.

The same words as statistics/demo.toml gives a new demo; a name an editor has already set is kept.
"""

from django.db import migrations

PLATFORMS = {
    "Facebook, Instagram or WhatsApp": "Facebook's apps",
    "Any known platform": "any known platform",
    "Any platform": "any platform",
}
MEASURES = {
    "Child abuse image and online child sexual offences": "child sex offences",
    "Online child sexual offences": "online child sex offences",
}


def fill(apps, schema_editor):
    Platform = apps.get_model("statistics", "Platform")
    Measure = apps.get_model("statistics", "Measure")
    Observation = apps.get_model("statistics", "Observation")
    for name, short in PLATFORMS.items():
        Platform.objects.filter(name=name, name_in_text="").update(name_in_text=short)
    stored = set(Observation.objects.filter(measure__in=MEASURES).values_list("measure", flat=True))
    for name in stored:
        Measure.objects.get_or_create(name=name, defaults={"name_in_text": MEASURES[name]})


class Migration(migrations.Migration):
    dependencies = [("statistics", "0004_short_names_for_sentences")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
