from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The site frame and the plumbing all three apps share: settings, templates, cache, logs, errors.

    It imports none of the apps, so each of them may use it.
    """

    name = "core"
    verbose_name = "Site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import secret_paths
        from core.page_cache.purge import connect_purge_signals

        connect_purge_signals()
        # Before any URLconf is loaded: the petitions app's confirmation URL uses `<secret:token>`.
        secret_paths.register()
