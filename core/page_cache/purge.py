"""Purging cached pages: the content generation they are stored under, and the signals that bump it."""

from django.conf import settings
from django.db import transaction

from core.caching import Generation

GENERATION_KEY = "page_cache:generation"


def content_generation():
    """The generation every cached page, page fragment and value cached until the next purge is kept under."""
    return Generation(GENERATION_KEY, settings.PAGE_CACHE_ALIAS)


def purge_pages():
    """Make every cached page stale at once, on every app server.

    Call it after a change that any page may show has been committed (or connect a signal to
    `purge_pages_after_commit`). While the cache is down nothing is cached, and pages stored before
    the outage expire within `PAGE_CACHE_SECONDS`.
    """
    content_generation().bump()


def purge_pages_after_commit(sender=None, **kwargs):
    """Signal receiver: purge once the current transaction commits, so no request re-caches old content."""
    transaction.on_commit(purge_pages)


def connect_purge_signals():
    """Purge cached pages whenever Wagtail pages, sites, settings or page privacy change (from `apps.py`).

    Page privacy: a view restriction added, changed or removed changes what a page may show anyone.
    """
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    # The page signals only: Wagtail sends `published` and `unpublished` for pages as well, so
    # connecting those too would purge twice per publish; no snippet of this site has draft state.
    # `page_published` also covers a live page copied and the aliases a publish updates.
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(purge_pages_after_commit, dispatch_uid=f"page_cache_purge_{id(signal)}")
    settings_models = [m for m in apps.get_models() if issubclass(m, BaseGenericSetting | BaseSiteSetting)]
    for model in [Site, PageViewRestriction, *settings_models]:
        for signal in (post_save, post_delete):
            signal.connect(
                purge_pages_after_commit,
                sender=model,
                dispatch_uid=f"page_cache_purge_{model._meta.label}_{id(signal)}",
            )
