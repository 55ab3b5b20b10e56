"""The fresh pages this app server process served last, kept in its memory for PAGE_CACHE_LOCAL_SECONDS.

A page served again within that time is served from here, without the round trip to the shared cache
for the content generation and the page: on a busy day most views of a popular page are. Only pages
found fresh are kept, and only for anonymous visitors (a visitor with a session still has their
session read with the page). A purge in this process forgets them all at once; a purge on another
server (an editor's publish, the worker's data import) reaches this one within PAGE_CACHE_LOCAL_SECONDS,
which is why that is short (1 s by default). What is kept is the stored entry as read: the visitor's
CSRF token and the renewed values are filled afresh for every view, as for a page read from the cache.
"""

import time

from django.conf import settings

# Enough for every page of a campaign site several times over; past it the memory starts afresh, so a
# crawler walking every page of the site cannot grow it without bound.
MAX_PAGES = 256

# {page key: (monotonic time it expires, the content generation it was fresh under, the stored entry)}.
# Dict reads and writes are atomic under the GIL, so the server's threads share it without a lock; a
# race at worst keeps one page twice or forgets it early.
_kept = {}


def recall(key):
    """(generation, stored entry) for the page at `key` if this process kept it fresh, else None."""
    kept = _kept.get(key)
    if kept is None:
        return None
    expires, generation, entry = kept
    if expires < time.monotonic():
        _kept.pop(key, None)
        return None
    return generation, entry


def keep(key, generation, entry):
    """Keep the page at `key`, found fresh under `generation`, for PAGE_CACHE_LOCAL_SECONDS (0 keeps none)."""
    seconds = settings.PAGE_CACHE_LOCAL_SECONDS
    if seconds <= 0:
        return
    if len(_kept) >= MAX_PAGES and key not in _kept:
        _kept.clear()
    _kept[key] = (time.monotonic() + seconds, generation, entry)


def forget(key):
    """Forget the page at `key` (it is gone from the shared cache)."""
    _kept.pop(key, None)


def forget_all():
    """Forget every page kept: after a purge in this process, so its own next view shows the change."""
    _kept.clear()
