"""The page cache's two middleware: `PageCacheMiddleware` near the top of the stack serves and stores whole
pages; `PageCacheRenderMiddleware`, inside, routes from the cache and takes the page's HTML as rendered.

A cached page is served before the rest of the stack runs: one round trip to the shared cache for the
content generation and the page (and the visitor's session, if they have one), Django's own CSRF
middleware for the visitor's token and cookie, and the headers the whole stack gave the page when it
was stored (security headers, CSP, Permissions-Policy, X-Frame-Options, Vary). What belongs to one
response is made for each: the CSRF cookie, the request id, Content-Length, compression.

After a purge, a page's previous rendering is served to anonymous visitors while one request (on any
app server: the claim is in the shared cache) renders it afresh, for PAGE_CACHE_STALE_SECONDS at most;
so a publish on a busy day does not have every view render the page at once.
"""

import hashlib
import re
from functools import lru_cache
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import cc_delim_re

from core.page_cache import local
from core.page_cache.compact import compact_html
from core.page_cache.purge import content_generation, in_stale_window
from core.page_cache.routing import route_from_cache
from core.page_cache.tokens import filled, shareable, split_at_slots, used_csp_nonce

KEY_PREFIX = "page_cache:page"
CACHE_STATUS_HEADER = "X-Page-Cache"
_GZIP_MIDDLEWARE = "django.middleware.gzip.GZipMiddleware"
# Where `PageCacheWSGIHandler` leaves what it read for a request it did not answer, for the middleware.
LOOKUP_ENVIRON_KEY = "page_cache.lookup"

# Headers that belong to one response, not to the page (Set-Cookie is not among a response's items).
_UNSTORED_HEADERS = {"content-length", "content-encoding", "x-request-id", CACHE_STATUS_HEADER.lower()}
_UNCACHEABLE_CACHE_CONTROL = {"private", "no-cache", "no-store"}
# Settings the stored headers are made from: pages are kept apart per combination of them, so an app
# server whose settings differ (a release rolling out) never serves another's headers.
_HEADER_SETTINGS = (
    "MIDDLEWARE",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "PERMISSIONS_POLICY",
    "X_FRAME_OPTIONS",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
)
# Django's session keys: 32 lowercase letters and digits. Anything else is left to the session middleware.
_SESSION_KEY = re.compile(r"[a-z0-9]{32}")


def _headers_version():
    ids = tuple(id(getattr(settings, name, None)) for name in _HEADER_SETTINGS)
    version = _HEADER_VERSIONS.get(ids)
    if version is None:
        described = repr([getattr(settings, name, None) for name in _HEADER_SETTINGS])
        version = _HEADER_VERSIONS[ids] = hashlib.sha256(described.encode()).hexdigest()[:12]
    return version


# {ids of the header settings' values: a short hash of the values}; settings change only in tests.
_HEADER_VERSIONS = {}


def page_key(request, headers_version=None):
    """The key `request`'s page is cached under: scheme, host, path, the query parameters that change it.

    And the version of the settings the page's stored headers come from (`headers_version`, worked out
    from the settings if not given).
    """
    query = ""
    if request.META.get("QUERY_STRING"):
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
    return f"{KEY_PREFIX}:{headers_version or _headers_version()}:{hashlib.sha256(url.encode()).hexdigest()}"


def _request_is_cacheable(request):
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    # Wagtail's previews run through the middleware as a "dummy" request for the page's public URL.
    if getattr(request, "is_dummy", False):
        return False
    if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS)):
        return False
    # A message waiting to be shown makes the page the visitor's own.
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if not request.META.get("QUERY_STRING"):
        return True
    allowed = set(settings.PAGE_CACHE_QUERY_PARAMETERS) | set(settings.PAGE_CACHE_IGNORED_QUERY_PARAMETERS)
    return all(name in allowed for name in request.GET)


@lru_cache
def _session_cache_prefix(engine, session_alias, page_alias):
    """The session engine's key prefix in the page cache's cache; None if it keeps no sessions there."""
    if session_alias != page_alias:
        return None
    return getattr(import_module(engine).SessionStore, "cache_key_prefix", None)


def _session_cache_key(session_key):
    """Where the session engine keeps this session in the page cache's cache, or None if it cannot be read
    there (another engine or cache, or not a key Django makes)."""
    prefix = _session_cache_prefix(
        settings.SESSION_ENGINE, settings.SESSION_CACHE_ALIAS, settings.PAGE_CACHE_ALIAS
    )
    if prefix is None or not _SESSION_KEY.fullmatch(session_key):
        return None
    return prefix + session_key


def _session_changes_no_page(data):
    """Whether a session as its engine keeps it (a dict) holds nothing a public page shows differently for.

    Not signed in (the editors' bar), no messages waiting, no private page's password given:
    PAGE_CACHE_PERSONAL_SESSION_KEYS. A session the cache does not hold (None) is read by rendering.
    """
    personal = settings.PAGE_CACHE_PERSONAL_SESSION_KEYS
    return isinstance(data, dict) and not any(key in data for key in personal)


def cache_whole_page(view=None, *, seconds=None):
    """Mark a Django view's pages as the page cache's to store, as Wagtail's pages are.

    For public pages that show the same to every anonymous visitor, whose content changes only where
    the content generation is bumped (`purge.purge_pages()`); or, with `seconds` (a callable giving
    them, read when a page is stored), for pages whose content may be that old, like a count: they are
    stored for that long at most (and purged with the rest). Query parameters other than
    PAGE_CACHE_QUERY_PARAMETERS (a filter, say) leave the request to the view, uncached.
    """

    def mark(view):
        view.page_cache_stores = True
        view.page_cache_seconds = seconds
        return view

    return mark if view is None else mark(view)


def _stores(match):
    return match.url_name == "wagtail_serve" or getattr(match.func, "page_cache_stores", False)


def _stored_seconds(request):
    """How long the page `request` rendered is kept: PAGE_CACHE_SECONDS, or less where its view says."""
    view_seconds = getattr(request.resolver_match.func, "page_cache_seconds", None)
    if view_seconds is None:
        return settings.PAGE_CACHE_SECONDS
    return min(view_seconds(), settings.PAGE_CACHE_SECONDS)


def _response_is_cacheable(request, response):
    """Whether the page as the view and the middleware inside gave it may be stored for anyone."""
    match = getattr(request, "resolver_match", None)
    if match is None or not _stores(match) or _stored_seconds(request) <= 0:
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not _cache_control_allows(response):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False
    return not used_csp_nonce(request)


def _cache_control_allows(response):
    cache_control = {
        directive.split("=", 1)[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    return not cache_control & _UNCACHEABLE_CACHE_CONTROL


def _final_response_is_cacheable(response):
    """Whether the page as the whole stack gave it may still be stored: the outer middleware agree."""
    if response.status_code != 200 or response.streaming or not _cache_control_allows(response):
        return False
    # The CSRF cookie is made for each view; a messages cookie deleted (nothing was waiting) changes nothing.
    return all(
        name == settings.CSRF_COOKIE_NAME or not morsel.value for name, morsel in response.cookies.items()
    )


class PageCacheMiddleware:
    """Serve anonymous GET and HEAD requests for Wagtail pages (and views marked `cache_whole_page`) from
    the shared cache; store them.

    Goes first after the request id, before everything a cached page does not need. A visitor with a
    session is served the cached page too when their session (read in the same round trip, from the
    cache sessions are kept in: SESSION_ENGINE `cached_db`) changes nothing a page shows; their own
    rendering is never stored. With the cache down (it then keeps nothing) pages are rendered as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Django's own CSRF cookie handling and compression, for pages served from here: the same cookie
        # attributes and the same padded gzip as a rendered page gets.
        self._csrf = CsrfViewMiddleware(get_response)
        self._gzip = GZipMiddleware(get_response) if _GZIP_MIDDLEWARE in settings.MIDDLEWARE else None
        # Settings do not change while a server runs (middleware are made afresh when tests change them).
        self._headers_version = _headers_version()

    def look_up(self, request):
        """What the cache holds for `request`: (key, generation, found, session's cache key), or None.

        None when the request is not the page cache's to answer (or the cache keeps nothing). One round
        trip: the content generation, the page and, for a visitor with a session, the session; none for
        an anonymous visitor's page this process found fresh in the last PAGE_CACHE_LOCAL_SECONDS
        (`local`).
        """
        if not _request_is_cacheable(request):
            return None
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        session_cache_key = None
        if session_key is not None:
            session_cache_key = _session_cache_key(session_key)
            if session_cache_key is None:
                return None
        try:
            key = page_key(request, self._headers_version)
        except DisallowedHost:
            # The stack answers it (a 400, logged, with the security headers), as for any other path.
            return None
        if session_cache_key is None:
            recalled = local.recall(key)
            if recalled is not None:
                generation, stored = recalled
                return key, generation, {key: stored}, None
            keys = [key]
        else:
            keys = [key, session_cache_key]
        generation, found = content_generation().read_with(keys)
        # No generation means the cache keeps nothing (Redis unreachable, say).
        if generation is None:
            return None
        stored = found.get(key)
        if session_cache_key is None and stored is not None and stored["generation"] == generation:
            local.keep(key, generation, stored)
        return key, generation, found, session_cache_key

    def fresh_response(self, request, lookup):
        """The cached page if `lookup` found it fresh and this visitor may have it; else None."""
        key, generation, found, session_cache_key = lookup
        stored = found.get(key)
        if stored is None or stored["generation"] != generation:
            return None
        if session_cache_key is not None and not _session_changes_no_page(found.get(session_cache_key)):
            return None
        return self._cached_response(request, stored, "HIT")

    def __call__(self, request):
        # `PageCacheWSGIHandler` may have looked the request up already, before Django's handling.
        lookup = request.META.pop(LOOKUP_ENVIRON_KEY, False)
        if lookup is False:
            lookup = self.look_up(request)
        if lookup is None:
            return self.get_response(request)
        key, generation, found, session_cache_key = lookup
        request.content_generation = generation
        response = self.fresh_response(request, lookup)
        if response is not None:
            return response
        stored = found.get(key)
        if session_cache_key is not None:
            # Never stale, never stored: anything but a fresh page they may share is their own rendering.
            response = self.get_response(request)
            if session_cache_key not in found and hasattr(request, "session"):
                # Read (if the page did not read it), the session is kept in the cache for the next view.
                request.session.keys()
            return response
        claim = None
        if stored is not None:
            # Purged: one request at a time, on any server, renders the page afresh; meanwhile the
            # others get the stale copy for as long as the purge allows.
            claim = _claim_render(request, key)
            if claim is None and in_stale_window(stored["generation"]):
                return self._cached_response(request, stored, "STALE")
        if request.method == "GET":
            request._page_cache_render_wanted = True
        try:
            response = self.get_response(request)
            if request.method == "GET":
                rendered = getattr(request, "_page_cache_rendered", None)
                if rendered is not None and _final_response_is_cacheable(response):
                    self._store(response, key, generation, rendered, _stored_seconds(request))
                elif stored is not None:
                    # Gone, moved or now uncacheable: the stale copy must not be served any more.
                    content_generation().cache.delete(key)
                    local.forget(key)
        finally:
            if claim is not None:
                # Another server's claim, if this one outlived its own, is dropped too: it then
                # renders beside the next request, as before the claim.
                content_generation().cache.delete(claim)
        return response

    def _store(self, response, key, generation, rendered, seconds):
        (texts, slots), charset = rendered
        # As Django keeps them ({lower-case name: (name, value)}, checked when they were set), so that
        # a hit hands them to its response as they are instead of checking each one again.
        headers = {
            lower: pair for lower, pair in response.headers._store.items() if lower not in _UNSTORED_HEADERS
        }
        entry = {"generation": generation, "texts": texts, "slots": slots, "charset": charset}
        entry["headers"] = headers
        content_generation().cache.set(key, entry, seconds)
        response[CACHE_STATUS_HEADER] = "MISS"

    def _cached_response(self, request, stored, status):
        # The visitor's CSRF secret from their cookie, as Django's middleware reads it (a new one if none).
        self._csrf.process_request(request)
        body = filled(request, stored["texts"], stored["slots"], stored["charset"])
        # HEAD gets the body as an uncached response would; the server leaves it out.
        response = HttpResponse(body)
        # A copy: the response adds its own (Vary, Content-Length), and the entry may be kept (`local`).
        response.headers._store = dict(stored["headers"])
        # The cookie, when a token was made, exactly as Django's middleware sets it (and Vary: Cookie).
        self._csrf.process_response(request, response)
        # Only for clients that may take it (GZip checks exactly); Vary: Accept-Encoding is stored already.
        if self._gzip is not None and "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
            response = self._gzip.process_response(request, response)
        response.headers["Content-Length"] = str(len(response.content))
        response.headers[CACHE_STATUS_HEADER] = status
        return response


class PageCacheRenderMiddleware:
    """Inside the stack, for pages rendered: the route from the cache before, the HTML to store after.

    Goes after the session, CSRF, authentication and messages middleware (it needs to know whether the
    view changed the session, added a message or used a CSP nonce) and inside GZip, so it takes the page
    uncompressed, without the templates' indentation (`compact.compact_html`: the visitor who rendered it
    gets it so too) and with the visitor's CSRF token and renewed values cut out (`tokens.shareable`).
    `PageCacheMiddleware` stores it once the whole stack has given it its final headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_page_cache_render_wanted", False) and _response_is_cacheable(request, response):
            charset = response.charset
            try:
                html = response.content.decode(charset)
            except UnicodeDecodeError:
                # Not text (a page that serves a file, say): nothing to cut tokens out of, so not cached.
                return response
            compact = compact_html(html)
            if len(compact) != len(html):
                # This visitor gets the page as every later one will.
                response.content = compact.encode(charset)
                if response.has_header("Content-Length"):
                    response.headers["Content-Length"] = str(len(response.content))
            request._page_cache_rendered = (split_at_slots(shareable(request, compact), charset), charset)
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
