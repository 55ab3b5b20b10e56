from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Shared plumbing for all three apps: base templates, static files, utilities.

    It imports none of the apps, so each of them may use it.
    """

    name = "config"
    verbose_name = "Site configuration"

    def ready(self):
        from config.page_cache import connect_purge_signals

        connect_purge_signals()
