"""Wagtail's site lookup and page routing, kept under the content generation like the fragments.

A request the whole-page cache cannot answer (a visitor with a session) would otherwise cost a query
for the site and one or two per level of the page tree before the page renders from its fragments.
Wagtail keeps both on the request (`request._wagtail_site`, `request._wagtail_route_for_request`: see
`Site.find_for_request` and `Page.route_for_request`) and looks no further once they are set, so this
sets them from the shared cache. A publish, unpublish (Wagtail unpublishes a page it deletes) or move
of a page, or a site saved, purges (`core.page_cache.purge`), so a kept route never outlives what it
was found from. The page's view restrictions are kept with its route (a restriction saved or deleted
purges too): Wagtail still checks them on every request, against the list kept.
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
        request._wagtail_site, route, restrictions = stored[1]
        _give_view_restrictions(route.page, restrictions)
        request._wagtail_route_for_request = route
        return
    route = Page.route_for_request(request, path)
    if route is not None and not route.args and not route.kwargs:
        # A pickled QuerySet keeps the rows it found and answers from them (Django's documented
        # behaviour), so `exists()` and iterating it, as Wagtail and the petitions do, cost no query.
        restrictions = route.page.get_view_restrictions()
        # Stored as found, before the page serves: nothing a render adds to the page object is kept.
        kept = (request._wagtail_site, route, restrictions)
        generation.cache.set(key, (current, kept), settings.FRAGMENT_CACHE_SECONDS)
        # Pickling ran its query: Wagtail's check on this request need not run it again.
        _give_view_restrictions(route.page, restrictions)


def _give_view_restrictions(page, restrictions):
    """Have this page object (this request's own copy) answer `get_view_restrictions()` with those kept.

    Wagtail's `check_view_restrictions` hook asks the page for them before serving it.
    """
    page.get_view_restrictions = lambda: restrictions
