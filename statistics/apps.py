"""App configuration for the FOI statistics app."""

from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "statistics"
    verbose_name = "Statistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from statistics import handlers  # noqa: F401  (connects the cache-clearing receivers)
