"""`PageCacheMiddleware`: anonymous GET and HEAD requests for Wagtail pages served from the shared cache.

After a purge, a page's previous rendering is served to anonymous visitors while one request (on any
app server: the claim is in the shared cache) renders it afresh, for PAGE_CACHE_STALE_SECONDS at most;
so a publish on a busy day does not have every view render the page at once.
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.utils.cache import cc_delim_re

from core.page_cache.purge import content_generation, in_stale_window
from core.page_cache.routing import route_from_cache
from core.page_cache.tokens import personalised, shareable, used_csp_nonce

KEY_PREFIX = "page_cache:page"
CACHE_STATUS_HEADER = "X-Page-Cache"

# Headers that belong to one response, not to the page.
_UNSTORED_HEADERS = {"content-length", "set-cookie", "vary", "x-request-id", CACHE_STATUS_HEADER.lower()}
_UNCACHEABLE_CACHE_CONTROL = {"private", "no-cache", "no-store"}


def page_key(request):
    """The key `request`'s page is cached under: scheme, host, path, the query parameters that change it."""
    query = urlencode(
        sorted(
            (name, value)
            for name, values in request.GET.lists()
            if name in settings.PAGE_CACHE_QUERY_PARAMETERS
            for value in values
        )
    )
    scheme = "https" if request.is_secure() else "http"
    url = f"{scheme}://{request.get_host()}{request.path}?{query}"
    return f"{KEY_PREFIX}:{hashlib.sha256(url.encode()).hexdigest()}"


def _request_is_cacheable(request):
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    # Wagtail's previews run through the middleware as a "dummy" request for the page's public URL.
    if getattr(request, "is_dummy", False):
        return False
    if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS)):
        return False
    # Anyone with a session (logged in, part-way through a form, holding a message) sees their own page.
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    if "Authorization" in request.headers:
        return False
    allowed = set(settings.PAGE_CACHE_QUERY_PARAMETERS) | set(settings.PAGE_CACHE_IGNORED_QUERY_PARAMETERS)
    return all(name in allowed for name in request.GET)


def _response_is_cacheable(request, response):
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "wagtail_serve":
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = {
        directive.split("=", 1)[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & _UNCACHEABLE_CACHE_CONTROL:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False
    return not used_csp_nonce(request)


class PageCacheMiddleware:
    """Serve anonymous GET and HEAD requests for Wagtail pages from the shared cache.

    Goes after the session, CSRF, authentication and messages middleware, so that a cached page can be
    given the visitor's own CSRF token. With the cache down (it then keeps nothing) pages are rendered
    as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)
        key = page_key(request)
        # The generation and the page in one round trip; a page stored under another generation is stale.
        generation, found = content_generation().read_with([key])
        # No generation means the cache keeps nothing (Redis unreachable, say).
        if generation is None:
            return self.get_response(request)
        request.content_generation = generation
        stored = found.get(key)
        if stored is not None and stored["generation"] == generation:
            return self._cached_response(request, stored, "HIT")
        claim = None
        if stored is not None:
            # Purged: one request at a time, on any server, renders the page afresh; meanwhile the
            # others get the stale copy for as long as the purge allows.
            claim = _claim_render(request, key)
            if claim is None and in_stale_window(stored["generation"]):
                return self._cached_response(request, stored, "STALE")
        try:
            response = self.get_response(request)
            if request.method == "GET":
                if _response_is_cacheable(request, response):
                    self._store(request, response, key, generation)
                elif stored is not None:
                    # Gone, moved or now uncacheable: the stale copy must not be served any more.
                    content_generation().cache.delete(key)
        finally:
            if claim is not None:
                # Another server's claim, if this one outlived its own, is dropped too: it then
                # renders beside the next request, as before the claim.
                content_generation().cache.delete(claim)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Before a Wagtail page is loaded: read the content generation, and route from the cache.

        The generation is for the page's cached fragments: read later, a publish between loading the
        page and rendering it would have the old content stored under the new generation. The site
        and the route are `core.page_cache.routing`'s.
        """
        wanted = (
            settings.FRAGMENT_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and request.resolver_match.url_name == "wagtail_serve"
            and not getattr(request, "is_dummy", False)
        )
        if wanted:
            path = view_kwargs.get("path", view_args[0] if view_args else "")
            route_from_cache(request, path)

    def _store(self, request, response, key, generation):
        charset = response.charset
        try:
            content = shareable(request, response.content.decode(charset))
        except UnicodeDecodeError:
            # Not text (a page that serves a file, say): nothing to cut tokens out of, so not cached.
            return
        headers = [(name, value) for name, value in response.items() if name.lower() not in _UNSTORED_HEADERS]
        content_generation().cache.set(
            key,
            {"generation": generation, "content": content, "charset": charset, "headers": headers},
            settings.PAGE_CACHE_SECONDS,
        )
        response[CACHE_STATUS_HEADER] = "MISS"

    def _cached_response(self, request, stored, status):
        content = personalised(request, stored["content"])
        # HEAD gets the body as an uncached response would; the server leaves it out.
        response = HttpResponse(content.encode(stored["charset"]))
        for name, value in stored["headers"]:
            response[name] = value
        response[CACHE_STATUS_HEADER] = status
        return response


def render_claim_key(page_key):
    """The key of the claim to re-render the page cached at `page_key`."""
    return f"{page_key}:rendering"


def _claim_render(request, key):
    """The claim's key if this request is to re-render the stale page at `key`, or None if another is.

    A claim lasts PAGE_CACHE_RENDER_CLAIM_SECONDS at most, so a server that dies while rendering holds
    up no one for longer. HEAD requests do not store what they render, so they claim nothing. While the
    cache is away `add` says yes (the backend absorbs the outage): every request then renders.
    """
    if request.method != "GET":
        return None
    claim = render_claim_key(key)
    if content_generation().cache.add(claim, True, settings.PAGE_CACHE_RENDER_CLAIM_SECONDS):
        return claim
    return None
