"""Wagtail's site lookup and page routing, kept under the content generation like the fragments.

A request the whole-page cache cannot answer (a visitor with a session) would otherwise cost a query
for the site and one or two per level of the page tree before the page renders from its fragments.
Wagtail keeps both on the request (`request._wagtail_site`, `request._wagtail_route_for_request`: see
`Site.find_for_request` and `Page.route_for_request`) and looks no further once they are set, so this
sets them from the shared cache. A publish, unpublish (Wagtail unpublishes a page it deletes) or move
of a page, or a site saved, purges (`core.page_cache.purge`), so a kept route never outlives what it
was found from. View
restrictions are still checked for every request, by Wagtail, after routing.
"""

import hashlib

from django.conf import settings
from wagtail.models import Page

from core.page_cache.purge import content_generation

ROUTE_KEY_PREFIX = "page_cache:route"


def _route_key(request, path):
    # What Wagtail finds the site by (the host as sent, and the port) and the path below it.
    scheme = "https" if request.is_secure() else "http"
    identity = repr([scheme, request._get_raw_host(), request.get_port(), path])
    return f"{ROUTE_KEY_PREFIX}:{hashlib.sha256(identity.encode()).hexdigest()}"


def route_from_cache(request, path):
    """Set `request.content_generation`, and Wagtail's site and route for `path` from the cache.

    The generation is read with the route in one round trip unless the page cache has read it
    already. Routes found here are stored for FRAGMENT_CACHE_SECONDS: those to a page itself; routes
    a page's own `route()` made with arguments (a `RoutablePageMixin` sub-page) and paths that found
    nothing are left to Wagtail every time. With the cache away (no generation) Wagtail routes.
    """
    key = _route_key(request, path)
    generation = content_generation()
    if hasattr(request, "content_generation"):
        current = request.content_generation
        stored = generation.cache.get(key) if current is not None else None
    else:
        current, found = generation.read_with([key])
        request.content_generation = current
        stored = found.get(key)
    if current is None:
        return
    if stored is not None and stored[0] == current:
        request._wagtail_site, request._wagtail_route_for_request = stored[1]
        return
    route = Page.route_for_request(request, path)
    if route is not None and not route.args and not route.kwargs:
        # Stored as found, before the page serves: nothing a render adds to the page object is kept.
        kept = (request._wagtail_site, route)
        generation.cache.set(key, (current, kept), settings.FRAGMENT_CACHE_SECONDS)
