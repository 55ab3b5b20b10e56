from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "Campaign"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.page_cache.purge import purge_pages_after_commit
        from statistics.signals import widgets_changed

        # Campaign pages embed widgets, so a changed widget or a corrected figure makes cached pages
        # stale. The statistics app only announces the change; it knows nothing of pages.
        widgets_changed.connect(
            purge_pages_after_commit, dispatch_uid="campaign_purge_pages_on_widget_change"
        )
