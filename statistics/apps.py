"""App configuration for the FOI statistics app."""

from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "statistics"
    verbose_name = "Statistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.page_cache.purge import purge_pages_after_commit
        from statistics import handlers  # noqa: F401  (connects the cache-clearing receivers)
        from statistics.signals import datasets_changed

        # The data pages are whole-page cached (statistics.urls): a change to what a dataset holds
        # purges them. (An import that changes a widget's figure purges through `widgets_changed`
        # as well, campaign's receiver: one more bump of the generation, which costs nothing more.)
        datasets_changed.connect(purge_pages_after_commit, dispatch_uid="statistics_purge_on_data_change")
