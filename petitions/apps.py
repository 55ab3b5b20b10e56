"""App configuration for petitions: the open letter, its signatures and their personal data."""

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"
    default_auto_field = "django.db.models.BigAutoField"
