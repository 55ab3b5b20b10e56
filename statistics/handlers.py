"""Receivers that clear widget HTML when the data or settings behind it change, and announce the change
of the datasets (`signals.datasets_changed`); connected in apps.py.

The importer writes in bulk, which sends no model signals, so it clears what it changed itself.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from statistics.models import Area, Dataset, Observation, Period, Platform, StatisticWidget
from statistics.rendering import datasets_changed_after_commit
from statistics.widget_cache import widgets_changed_after_commit


@receiver([post_save, post_delete], sender=Observation)
def clear_widgets_for_observation(sender, instance, **kwargs):
    datasets_changed_after_commit([instance.dataset_id])


@receiver([post_save, post_delete], sender=Dataset)
def clear_widgets_for_dataset(sender, instance, **kwargs):
    # Widgets show the dataset's source and publisher; the data pages list it.
    datasets_changed_after_commit([instance.pk])


@receiver(post_save, sender=Area)
@receiver(post_save, sender=Platform)
@receiver(post_save, sender=Period)
def clear_widgets_for_renamed_dimension(sender, instance, created, **kwargs):
    # Widgets show these names (and a period's days make its rates). One that is still in use cannot
    # be deleted (PROTECT), so only saves matter; a new one has no observations yet (the importer
    # creates one for every new period and area), so only changes to a stored one do.
    if created:
        return
    field_name = sender._meta.model_name
    dataset_ids = (
        Observation.objects.filter(**{field_name: instance}).values_list("dataset_id", flat=True).distinct()
    )
    datasets_changed_after_commit(list(dataset_ids))


@receiver(post_delete, sender=StatisticWidget)
def clear_deleted_widget(sender, instance, **kwargs):
    widgets_changed_after_commit([instance.pk])
