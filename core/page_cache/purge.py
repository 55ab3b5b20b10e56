"""Purging cached pages: the content generation they are stored under, and the signals that bump it."""

from django.conf import settings
from django.db import transaction

from core.caching import Generation
from core.page_cache import local

GENERATION_KEY = "page_cache:generation"
# A purge's note, for the generation it started, that what was stored under the one before may still be
# served while it is rendered afresh; it expires when that stops (PAGE_CACHE_STALE_SECONDS).
STALE_WINDOW_KEY_PREFIX = "page_cache:stale_window"


def content_generation():
    """The generation every cached page, page fragment and value cached until the next purge is kept under."""
    return Generation(GENERATION_KEY, settings.PAGE_CACHE_ALIAS)


def purge_pages():
    """Make every cached page stale at once, on every app server (on other processes than this one, within
    PAGE_CACHE_LOCAL_SECONDS: the pages each keeps in its memory).

    Call it after a change that any page may show has been committed (or connect a signal to
    `purge_pages_after_commit`). While the cache is down nothing is cached, and pages stored before
    the outage expire within `PAGE_CACHE_SECONDS`.

    For PAGE_CACHE_STALE_SECONDS after it, a page stored before may still be served to anonymous
    visitors while one request re-renders it (`PageCacheMiddleware`).
    """
    generation = content_generation()
    started = generation.bump()
    # This process's own next view shows the change at once; other servers' within their
    # PAGE_CACHE_LOCAL_SECONDS.
    local.forget_all()
    # A counter started afresh does not follow the old one: no stale window, every page renders.
    if started is not None and settings.PAGE_CACHE_STALE_SECONDS > 0:
        generation.cache.set(_stale_window_key(started), True, settings.PAGE_CACHE_STALE_SECONDS)


def _stale_window_key(generation_value):
    return f"{STALE_WINDOW_KEY_PREFIX}:{generation_value}"


def in_stale_window(stored_generation):
    """Whether something stored under `stored_generation` may still be served while it is made afresh.

    True for PAGE_CACHE_STALE_SECONDS after the purge that ended that generation (the first since it was
    stored), so a stale copy is never more than that behind the first change it does not show.
    """
    return content_generation().cache.get(_stale_window_key(stored_generation + 1)) is not None


def purge_pages_after_commit(sender=None, **kwargs):
    """Signal receiver: purge once the current transaction commits, so no request re-caches old content."""
    transaction.on_commit(purge_pages)


def connect_purge_signals():
    """Purge cached pages whenever Wagtail pages, sites, settings or page privacy change (from `apps.py`).

    Page privacy: a view restriction added, changed or removed changes what a page may show anyone.
    Wagtail unpublishes a live page before deleting it, so a deletion purges too.
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
